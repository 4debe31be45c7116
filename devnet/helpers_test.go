package devnet

import (
	"context"
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
)

// startManual starts a devnet that produces blocks only on demand.
func startManual(t testing.TB) *Node {
	t.Helper()
	return startManualGenesis(t, nil)
}

// startManualDirectWeights is startManual with commit-reveal off on its
// subnets, so that set_weights is accepted (HEAD's default is on).
func startManualDirectWeights(t testing.TB) *Node {
	t.Helper()
	g := DevGenesis()
	g.SubnetDefaults.CommitRevealWeightsEnabled = false
	return startManualGenesis(t, g)
}

func startManualGenesis(t testing.TB, g *Genesis) *Node {
	t.Helper()
	n, err := Start(context.Background(), Config{Manual: true, Genesis: g})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func mustKey(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// sign builds and signs pallet.call for kp with its next nonce, immortal.
func sign(t testing.TB, n *Node, kp *keys.Keypair, pallet, name string, args ...substrate.Value) []byte {
	t.Helper()
	return signNonce(t, n, kp, n.chain.nextNonce(kp.Public()), pallet, name, args...)
}

func signNonce(t testing.TB, n *Node, kp *keys.Keypair, nonce uint32, pallet, name string, args ...substrate.Value) []byte {
	t.Helper()
	c, err := n.rt.meta.NewCall(pallet, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	ext, err := n.rt.meta.SignExtrinsic(c.Bytes(), kp, &substrate.SignOptions{
		SpecVersion: n.rt.version, TxVersion: transactionVersion, GenesisHash: n.GenesisHash(), Nonce: uint64(nonce),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ext
}

func accV(kp *keys.Keypair) substrate.Value {
	p := kp.Public()
	return substrate.Bytes(p[:])
}

func addrV(kp *keys.Keypair) substrate.Value { return substrate.Enum("Id", accV(kp)) }

// events decodes System.Events at the head.
func headEvents(t testing.TB, n *Node) []substrate.EventRecord {
	t.Helper()
	v, _ := n.chain.st.get(keyPlain("System", "Events"), n.BestNumber())
	evs, err := n.rt.meta.DecodeEvents(v)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func eventNames(evs []substrate.EventRecord) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Pallet + "." + e.Name
	}
	return out
}

func headState(n *Node) state { return n.chain.stateAt(n.chain.head()) }

func u16V(v uint16) substrate.Value { return substrate.U64(uint64(v)) }
