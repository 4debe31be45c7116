package metagraph_test

import (
	"context"
	"fmt"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
)

// staticSource stands in for the subtensor package's Source.
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
