package metagraph_test

import (
	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/substrate/rpc"
	"github.com/minerkit/minerkit/subtensor"
)

// The devnet helpers are shared with the other packages' tests.
type chain = devnettest.Chain

const testBlockTime = devnettest.BlockTime

var (
	startChain = devnettest.Start
	key        = devnettest.Key
	ctxT       = devnettest.Ctx
	register   = devnettest.Register
	fullSubnet = devnettest.FullSubnet
)

// These tests run ChainSource against a real devnet over WebSocket.

// The devnet stops under a running Syncer and comes back on the same
// address: the Syncer keeps serving the old snapshot, reports its age, and
// recovers.
func TestDevnetSyncerSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)
	n, err := devnet.Start(ctx, devnet.Config{BlockTime: testBlockTime, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addr := n.Addr().String()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{n.URL()}}, subtensor.Options{
		RPC: rpc.Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, RequestTimeout: 2 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ch := &chain{Node: n, Client: c}
	hot := key(t, "//Ferdie//miner")
	register(t, ch, key(t, "//Ferdie"), hot.Public())

	s := metagraph.NewSyncer(&metagraph.ChainSource{Client: c}, 1)
	// Timings with room for a loaded machine (this test flaked once at load 11).
	s.Interval, s.BlockTime, s.SyncTimeout = 2, testBlockTime, time.Second
	sctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); s.Run(sctx) }()
	defer func() { stop(); <-done }()
	snap, err := s.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.Lookup(hot.Public().Address()); !ok {
		t.Fatal("registered hotkey not in the first snapshot")
	}

	n.Close()
	downAt := snap.Block()
	// Wait (by condition) until the Syncer has failed twice and its snapshot
	// has aged past MaxAge.
	var st metagraph.Status
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st = s.Status()
		if st.Failures >= 2 && st.Age > st.MaxAge {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("syncer did not notice the chain was down: %+v", st)
		}
	}
	cur := s.Current()
	if cur == nil || cur.Block() < downAt {
		t.Fatal("snapshot lost while the chain was down")
	}
	if _, ok := s.Lookup(hot.Public().Address()); !ok {
		t.Fatal("lookup failed while the chain was down")
	}
	if st.Fresh || st.Reachable || st.LastError == nil || s.Age() < st.MaxAge {
		t.Fatalf("status while the chain was down: %+v", st)
	}
	t.Logf("chain down: serving block %d, age %v, last error: %v", cur.Block(), st.Age, st.LastError)
	stale := cur.Block()

	n2, err := devnet.Start(ctx, devnet.Config{Addr: addr, BlockTime: testBlockTime, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Close()
	var recovered atomic.Bool
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cur := s.Current(); cur != nil && cur.Block() > stale && s.Age() < 3*time.Second {
			recovered.Store(true)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !recovered.Load() {
		t.Fatalf("syncer did not recover: block %d, age %v, status %+v", s.Current().Block(), s.Age(), s.Status())
	}
}

// With get_metagraph, without it, and with a get_metagraph layout the client
// does not know, ChainSource's snapshot holds the same neuron: axon and
// commitment included.
func TestDevnetChainSourceLiteFallback(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	hot := key(t, "//Eve//lite")
	register(t, ch, key(t, "//Eve"), hot.Public())
	if _, err := ch.Client.ServeAxon(ctx, hot, 1, netip.MustParseAddr("198.51.100.7"), 9001, subtensor.ServeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Client.CommitText(ctx, hot, 1, "lite", subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		lt   *devnettest.LiteTransport // nil: the node as it is
	}{
		{"get_metagraph", nil},
		{"no get_metagraph", &devnettest.LiteTransport{Hide: true}},
		{"unknown layout", &devnettest.LiteTransport{Garble: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ch.Client
			if tc.lt != nil {
				ws, err := rpc.DialWebSocket(ctx, rpc.Options{}, ch.Node.URL())
				if err != nil {
					t.Fatal(err)
				}
				tc.lt.Transport = ws
				if c, err = subtensor.NewClient(ctx, rpc.NewClient(tc.lt), subtensor.Network{Name: "devnet"}, subtensor.Options{}); err != nil {
					t.Fatal(err)
				}
				defer c.Close()
			}
			snap, err := (&metagraph.ChainSource{Client: c}).Snapshot(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			n, ok := snap.LookupKey(hot.Public())
			if !ok || n.Axon.String() != "198.51.100.7:9001" || n.CommitmentText() != "lite" {
				t.Fatalf("snapshot neuron %+v", n)
			}
			snap, err = (&metagraph.ChainSource{Client: c, SkipCommitments: true}).Snapshot(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if n, ok := snap.LookupKey(hot.Public()); !ok || n.Commitment != nil || n.Axon.String() != "198.51.100.7:9001" {
				t.Fatalf("SkipCommitments: snapshot neuron %+v", n)
			}
		})
	}
}

// The all-zero account is a real coldkey (UID 0 of spec 218's subnet 1):
// its address is shown, not "".
func TestNeuronsFromMetagraphZeroColdkey(t *testing.T) {
	var zero keys.PublicKey
	m := &subtensor.Metagraph{Hotkeys: []keys.PublicKey{zero}, Coldkeys: []keys.PublicKey{zero}}
	ns := metagraph.NeuronsFromMetagraph(m)
	if ns[0].Coldkey != zero.Address() || ns[0].Coldkey == "" {
		t.Fatalf("coldkey %q", ns[0].Coldkey)
	}
}
