package devnet

import (
	"context"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/substrate"
)

// TestPersistence restarts a node on the same data directory: blocks,
// balances and registrations survive; another genesis is refused.
func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	n, err := Start(context.Background(), Config{Manual: true, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	hot := mustKey(t, "//Persist")
	if _, err := n.Submit(sign(t, n, mustKey(t, "//Bob"), "SubtensorModule", "burned_register", u16V(1), accV(hot))); err != nil {
		t.Fatal(err)
	}
	n.NewBlock()
	n.NewBlock()
	head, gh := n.chain.head().hash, n.GenesisHash()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	n2, err := Start(context.Background(), Config{Manual: true, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Close()
	if n2.BestNumber() != 2 || n2.chain.head().hash != head || n2.GenesisHash() != gh {
		t.Fatalf("restart at #%d", n2.BestNumber())
	}
	x := &exec{rt: n2.rt, s: headState(n2)}
	if _, ok := x.uidOf(1, hot.Public()); !ok {
		t.Fatal("registration lost")
	}
	// State from before the restart is discarded, as on a pruned node.
	req := `{"jsonrpc":"2.0","id":1,"method":"state_getStorage","params":["0x00","` + hexHash(gh) + `"]}`
	if out := string(n2.srv.handleMessage(nil, []byte(req))); !strings.Contains(out, "State already discarded") {
		t.Fatalf("read at genesis after restart: %s", out)
	}
	// The chain goes on: Bob's next nonce is 1.
	if _, err := n2.Submit(sign(t, n2, mustKey(t, "//Bob"), "System", "remark", substrate.Bytes(nil))); err != nil {
		t.Fatal(err)
	}
	n2.NewBlock()
	if got := headState(n2).account(mustKey(t, "//Bob").Public()).nonce; got != 2 {
		t.Fatalf("nonce %d", got)
	}

	g := DevGenesis()
	g.Accounts[0].Balance++
	if _, err := Start(context.Background(), Config{Manual: true, DataDir: dir, Genesis: g}); err == nil {
		t.Fatal("a different genesis opened the data directory")
	}
}
