package metagraph_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/subtensor"
)

// staticSource stands in for a ChainSource.
type staticSource struct{ neurons []metagraph.Neuron }

func (s staticSource) Snapshot(ctx context.Context, netuid uint16) (*metagraph.Snapshot, error) {
	return metagraph.NewSnapshot(netuid, 1200, time.Time{}, s.neurons)
}

func Example() {
	alice, _ := keys.FromSURI("//Alice")
	src := staticSource{neurons: []metagraph.Neuron{
		{UID: 0, HotkeyPub: alice.Public(), Stake: 5000 * metagraph.RaoPerTAO, ValidatorPermit: true},
	}}

	syncer := metagraph.NewSyncer(src, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go syncer.Run(ctx) // refreshes every 12 blocks in the background
	if _, err := syncer.Wait(ctx); err != nil {
		fmt.Println(err)
		return
	}

	// On the request path: one atomic load and one map hit.
	n, ok := syncer.Lookup(alice.Address())
	fmt.Println(ok, n.UID, n.ValidatorPermit, n.StakeTAO())
	fmt.Println(syncer.Status().Block, syncer.Fresh())
	// Output:
	// true 0 true 5000
	// 1200 true
}

// Keep a live metagraph of a subtensor node in memory for a miner's request
// handlers.
func ExampleChainSource() {
	ctx := context.Background()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{subtensor.LocalEndpoint}}, subtensor.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	s := metagraph.NewSyncer(&metagraph.ChainSource{Client: c}, 1)
	go s.Run(ctx)
	snap, err := s.Wait(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if n, ok := snap.Lookup("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"); ok {
		fmt.Println("uid", n.UID, "permit", n.ValidatorPermit)
	}
}
