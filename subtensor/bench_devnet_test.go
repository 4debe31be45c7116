package subtensor_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
	"github.com/minerkit/minerkit/subtensor"
)

// fullSubnet starts a manual-block devnet whose subnet 1 holds n neurons
// (hotkeys //mk/hot/i, all paid by //Alice), each with an axon and a
// commitment for half of them.
func fullSubnet(b *testing.B, n int) *chain {
	b.Helper()
	g := devnet.DevGenesis()
	g.SubnetDefaults.MaxRegistrationsPerBlock = uint16(n)
	g.SubnetDefaults.MaxAllowedUids = uint16(n)
	node, err := devnet.Start(context.Background(), devnet.Config{Manual: true, Genesis: g})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { node.Close() })
	ctx := ctxT(b)
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{node.URL()}}, subtensor.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	alice := key(b, "//Alice")
	submit := func(signer *keys.Keypair, call substrate.Call) {
		ext, err := c.Sign(ctx, signer, call, subtensor.TxOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := node.Submit(ext); err != nil {
			b.Fatal(err)
		}
	}
	hots := make([]*keys.Keypair, n)
	for i := range hots {
		hots[i] = key(b, fmt.Sprintf("//mk/hot/%d", i))
		call, err := c.NewCall("SubtensorModule", "burned_register",
			substrate.Named("netuid", substrate.U64(1)), substrate.Named("hotkey", substrate.Bytes(pk(hots[i]))))
		if err != nil {
			b.Fatal(err)
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
			b.Fatal(err)
		}
		submit(h, call)
		if i%2 == 0 {
			d, _ := subtensor.RawData([]byte(fmt.Sprintf("https://203.0.113.%d:%d", i%256, 8000+i)))
			call, err := c.Metadata().NewCallEncoded("Commitments", "set_commitment", subtensor.AppendCommitmentInfo([]byte{1, 0}, []subtensor.Data{d}))
			if err != nil {
				b.Fatal(err)
			}
			submit(h, call)
		}
	}
	node.NewBlock()
	node.NewBlock()
	m, err := c.Metagraph(ctx, 1)
	if err != nil || m.N() != n {
		b.Fatalf("subnet has %d neurons (%v), want %d", m.N(), err, n)
	}
	return &chain{node: node, c: c}
}

// BenchmarkNeuronsLite256 is the older path: get_neurons_lite.
func BenchmarkNeuronsLite256(b *testing.B) {
	ch := fullSubnet(b, 256)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ns, err := ch.c.NeuronsLite(ctx, 1)
		if err != nil || len(ns) != 256 {
			b.Fatal(err)
		}
	}
}

func pk(k *keys.Keypair) []byte { p := k.Public(); return p[:] }
