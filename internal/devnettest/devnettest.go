// Package devnettest starts in-process devnets with a connected subtensor
// client for the tests and benchmarks of the packages built on them.
package devnettest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
	"github.com/minerkit/minerkit/subtensor"
)

// BlockTime is the block time of chains from Start: fast enough that an
// epoch of subnet 1 (tempo 10) takes a quarter of a second.
const BlockTime = 20 * time.Millisecond

// Chain is a devnet with a client connected to it over WebSocket.
type Chain struct {
	Node   *devnet.Node
	Client *subtensor.Client
}

// Start runs a devnet from g (nil: devnet.DevGenesis()) producing blocks
// every BlockTime, and dials it. Both close when the test ends.
func Start(t testing.TB, g *devnet.Genesis) *Chain {
	t.Helper()
	return start(t, devnet.Config{BlockTime: BlockTime, Genesis: g}, BlockTime)
}

// RuntimeEnv names the environment variable that picks the runtime
// generation chains from this package present when their genesis leaves it
// empty: devnet.RuntimeHEAD (unset) or devnet.RuntimeSpec218. make test
// runs the chain, gate and status tests once with each.
const RuntimeEnv = "MINERKIT_DEVNET_RUNTIME"

// Runtime is the runtime generation RuntimeEnv asks for ("" for HEAD).
func Runtime() string { return os.Getenv(RuntimeEnv) }

// Genesis is devnet.DevGenesis with the runtime generation of RuntimeEnv.
func Genesis() *devnet.Genesis {
	g := devnet.DevGenesis()
	g.Runtime = Runtime()
	return g
}

func start(t testing.TB, cfg devnet.Config, blockTime time.Duration) *Chain {
	t.Helper()
	if cfg.Genesis == nil {
		cfg.Genesis = Genesis()
	} else if cfg.Genesis.Runtime == "" {
		cfg.Genesis.Runtime = Runtime()
	}
	n, err := devnet.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{n.URL()}, BlockTime: blockTime}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &Chain{Node: n, Client: c}
}

// Key returns the keypair of a secret URI such as "//Alice".
func Key(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Ctx returns a context that ends after a minute or with the test.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Register registers hot on subnet 1, paid by cold, and returns its UID.
func Register(t testing.TB, ch *Chain, cold *keys.Keypair, hot keys.PublicKey) uint16 {
	t.Helper()
	res, err := ch.Client.BurnedRegister(Ctx(t), cold, hot, 1, subtensor.RegisterOptions{})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return res.UID
}

// FullSubnet starts a manual-block devnet whose subnet 1 holds n neurons
// (hotkeys //mk/hot/i, all paid by //Alice), each with an axon, and a
// commitment for half of them.
func FullSubnet(t testing.TB, n int) *Chain {
	t.Helper()
	g := devnet.DevGenesis()
	g.SubnetDefaults.MaxRegistrationsPerBlock = uint16(n)
	g.SubnetDefaults.MaxAllowedUids = uint16(n)
	ch := start(t, devnet.Config{Manual: true, Genesis: g}, 0)
	node, c := ch.Node, ch.Client
	ctx := Ctx(t)
	submit := func(signer *keys.Keypair, call substrate.Call) {
		ext, err := c.Sign(ctx, signer, call, subtensor.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := node.Submit(ext); err != nil {
			t.Fatal(err)
		}
	}
	alice := Key(t, "//Alice")
	hots := make([]*keys.Keypair, n)
	for i := range hots {
		hots[i] = Key(t, fmt.Sprintf("//mk/hot/%d", i))
		pub := hots[i].Public()
		call, err := c.NewCall("SubtensorModule", "burned_register",
			substrate.Named("netuid", substrate.U64(1)), substrate.Named("hotkey", substrate.Bytes(pub[:])))
		if err != nil {
			t.Fatal(err)
		}
		submit(alice, call)
	}
	node.NewBlock()
	for i, h := range hots {
		call, err := c.NewCall("SubtensorModule", "serve_axon",
			substrate.Named("netuid", substrate.U64(1)), substrate.Named("version", substrate.U64(1)),
			substrate.Named("ip", substrate.U64(uint64(0xCB007100+i%256))), substrate.Named("port", substrate.U64(8000+uint64(i))),
			substrate.Named("ip_type", substrate.U64(4)), substrate.Named("protocol", substrate.U64(4)),
			substrate.Named("placeholder1", substrate.U64(0)), substrate.Named("placeholder2", substrate.U64(0)))
		if err != nil {
			t.Fatal(err)
		}
		submit(h, call)
		if i%2 == 0 {
			d, _ := subtensor.RawData([]byte(fmt.Sprintf("https://203.0.113.%d:%d", i%256, 8000+i)))
			call, err := c.Metadata().NewCallEncoded("Commitments", "set_commitment", subtensor.AppendCommitmentInfo([]byte{1, 0}, []subtensor.Data{d}))
			if err != nil {
				t.Fatal(err)
			}
			submit(h, call)
		}
	}
	node.NewBlock()
	node.NewBlock()
	m, err := c.Metagraph(ctx, 1)
	if err != nil || m.N() != n {
		t.Fatalf("subnet has %d neurons (%v), want %d", m.N(), err, n)
	}
	return ch
}
