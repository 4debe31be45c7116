package devnet

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
)

// BenchmarkStartToFirstBlock measures Start until block 1 exists, with the
// default 250 ms block time (the first block is produced at once).
func BenchmarkStartToFirstBlock(b *testing.B) {
	g := DevGenesis()
	for b.Loop() {
		n, err := Start(context.Background(), Config{Genesis: g})
		if err != nil {
			b.Fatal(err)
		}
		if err := n.WaitBlocks(context.Background(), 1); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		n.Close()
		b.StartTimer()
	}
}

// benchSenders returns a genesis with many funded accounts and their keys.
func benchSenders(b *testing.B, count int) (*Genesis, []*keys.Keypair) {
	g := DevGenesis()
	kps := make([]*keys.Keypair, count)
	for i := range kps {
		kp, err := keys.FromSeed([]byte(fmt.Sprintf("minerkit-devnet-bench-sender-%03d", i)[:32]))
		if err != nil {
			b.Fatal(err)
		}
		kps[i] = kp
		g.Accounts = append(g.Accounts, GenesisAccount{Account: kp.Address(), Balance: 1_000 * TAO})
	}
	return g, kps
}

// BenchmarkTransfersEndToEnd submits signed Balances.transfer_keep_alive
// extrinsics over a WebSocket (author_submitExtrinsic, pipelined) and
// produces blocks until every one is executed. Signing happens before the
// timer: it is the client's work. The tx/s metric is the figure of merit.
func BenchmarkTransfersEndToEnd(b *testing.B) {
	g, senders := benchSenders(b, 64)
	n, err := Start(context.Background(), Config{Manual: true, Genesis: g})
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	dest := mustKey(b, "//Bob")
	nonces := make([]uint32, len(senders))
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, n.URL(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	total := 0
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		// One op: a round of len(senders) transfers.
		b.StopTimer()
		msgs := make([][]byte, len(senders))
		for i, kp := range senders {
			ext := signNonce(b, n, kp, nonces[i], "Balances", "transfer_keep_alive", addrV(dest), substrate.U64(1_000_000))
			nonces[i]++
			msgs[i], _ = json.Marshal(map[string]any{"jsonrpc": "2.0", "id": i, "method": "author_submitExtrinsic", "params": []string{"0x" + hex.EncodeToString(ext)}})
		}
		start := time.Now()
		b.StartTimer()
		done := make(chan error, 1)
		go func() {
			for range msgs {
				_, resp, err := c.Read(ctx)
				if err != nil {
					done <- err
					return
				}
				var r rpcResponse
				if json.Unmarshal(resp, &r); r.Error != nil {
					done <- r.Error
					return
				}
			}
			done <- nil
		}()
		for _, m := range msgs {
			if err := c.Write(ctx, websocket.MessageText, m); err != nil {
				b.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		for n.chain.pool.len() > 0 {
			n.NewBlock()
		}
		elapsed += time.Since(start)
		total += len(msgs)
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "tx/s")
}

// BenchmarkCheckExtrinsic measures decoding and signature verification of
// one signed transfer (the intake's cost per transaction).
func BenchmarkCheckExtrinsic(b *testing.B) {
	n := startManual(b)
	ext := sign(b, n, mustKey(b, "//Alice"), "Balances", "transfer_keep_alive", addrV(mustKey(b, "//Bob")), substrate.U64(TAO))
	for b.Loop() {
		if _, err := n.chain.check(ext); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNeuronsLite256 measures NeuronInfoRuntimeApi_get_neurons_lite
// on a subnet of 256 neurons.
func BenchmarkNeuronsLite256(b *testing.B) {
	n := startManual(b)
	bob := mustKey(b, "//Bob")
	for i := 0; i < 256; i++ {
		hot, _ := keys.FromSeed([]byte(fmt.Sprintf("minerkit-devnet-bench-hotkey-%03d", i)[:32]))
		p := hot.Public()
		if _, err := n.Submit(sign(b, n, bob, "SubtensorModule", "burned_register", u16V(1), substrate.Bytes(p[:]))); err != nil {
			b.Fatal(err)
		}
		if i%16 == 15 {
			n.NewBlock()
		}
	}
	n.NewBlock()
	head := n.chain.head()
	b.ResetTimer()
	for b.Loop() {
		out, err := n.runtimeCall("NeuronInfoRuntimeApi_get_neurons_lite", []byte{1, 0}, head)
		if err != nil || len(out) < 256*64 {
			b.Fatal(err, len(out))
		}
	}
}
