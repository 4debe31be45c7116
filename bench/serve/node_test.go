package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/internal/interoptest"
	"github.com/minerkit/minerkit/keys"
)

func key(t *testing.T, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestNodePeerChecks proves that the Node peer of the load harness does the
// checks it is compared on: it must refuse what minerkit's guard refuses,
// with the same status, or the comparison would flatter Node.
func TestNodePeerChecks(t *testing.T) {
	// Both peers the harness runs: util-crypto 13.5 (wasm) and 14 (pure JS).
	for _, crypto := range []string{"util-crypto-13", "@polkadot/util-crypto"} {
		t.Run(crypto, func(t *testing.T) { testNodePeerChecks(t, crypto) })
	}
}

func testNodePeerChecks(t *testing.T, crypto string) {
	interoptest.Node(t)
	script := filepath.Join(interoptest.Dir(t), "..", "bench", "peers", "epistula-node.js")
	miner, v, low, np := key(t, "//Miner"), key(t, "//V"), key(t, "//Low"), key(t, "//NoPermit")
	p, err := StartNode(context.Background(), NodeConfig{
		Script: script, Crypto: crypto, Self: miner.Address(), Window: 8 * time.Second, MinStake: 1000,
		Neurons: []Neuron{{v.Address(), 5000, true}, {low.Address(), 10, true}, {np.Address(), 5000, false}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()

	body := []byte(`{"nonce":"00ff"}`)
	now := time.Now()
	replay := epistula.Sign(v, body, miner.Address(), now)
	tests := []struct {
		name   string
		h      http.Header
		body   []byte
		status int
		reason string
	}{
		{"validator", epistula.Sign(v, body, miner.Address(), now), body, 200, ""},
		{"first use", replay, body, 200, ""},
		{"replayed", replay, body, 401, "replayed"},
		{"stale", epistula.Sign(v, body, miner.Address(), now.Add(-time.Minute)), body, 401, "stale"},
		{"from the future", epistula.Sign(v, body, miner.Address(), now.Add(time.Minute)), body, 401, "from_the_future"},
		{"wrong receiver", epistula.Sign(v, body, v.Address(), now), body, 401, "wrong_receiver"},
		{"body changed", epistula.Sign(v, body, miner.Address(), now), []byte(`{"nonce":"00fe"}`), 401, "bad_signature"},
		{"unregistered", epistula.Sign(key(t, "//Stranger"), body, miner.Address(), now), body, 403, "not_registered"},
		{"no permit", epistula.Sign(np, body, miner.Address(), now), body, 403, "no_validator_permit"},
		{"low stake", epistula.Sign(low, body, miner.Address(), now), body, 403, "stake_too_low"},
		{"unsigned", http.Header{}, body, 400, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", p.URL, strings.NewReader(string(tc.body)))
			for k, vs := range tc.h {
				req.Header[k] = vs
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var got struct{ Reason string }
			json.Unmarshal(b, &got)
			if resp.StatusCode != tc.status || got.Reason != tc.reason {
				t.Fatalf("got %d %s, want %d %q", resp.StatusCode, b, tc.status, tc.reason)
			}
		})
	}
}

func TestProcCPU(t *testing.T) {
	p, err := StartNode(context.Background(), NodeConfig{
		Script: filepath.Join(interoptest.Dir(t), "..", "bench", "peers", "epistula-node.js"),
		Self:   key(t, "//Miner").Address(), Window: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	// Node spends tens of milliseconds of CPU starting up.
	if c := p.CPU(); c <= 0 || c > time.Minute {
		t.Fatalf("CPU of the Node peer: %v", c)
	}
}

func TestStartSubnet(t *testing.T) {
	vs := []*keys.Keypair{key(t, "//V/0"), key(t, "//V/1"), key(t, "//V/2")}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := StartSubnet(ctx, SubnetConfig{Validators: vs, Miner: key(t, "//Miner"), N: 12, StakeTAO: 2000, BlockTime: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Neurons) != 12 {
		t.Fatalf("%d neurons", len(s.Neurons))
	}
	permits := 0
	for i, n := range s.Neurons {
		if n.Permit {
			permits++
			if i < 1 || i > 3 || n.Hotkey != vs[i-1].Address() || n.Stake < 2000*1_000_000_000 {
				t.Fatalf("UID %d: %+v", i, n)
			}
		}
	}
	if permits != 3 || s.Neurons[0].Hotkey != key(t, "//Miner").Address() {
		t.Fatalf("neurons %+v", s.Neurons)
	}
	if _, err := StartSubnet(ctx, SubnetConfig{Validators: vs, Miner: key(t, "//Miner"), N: 12, StakeTAO: 400_000}); err == nil {
		t.Fatal("a subnet //Alice cannot pay for was started")
	}
}
