package computeoffer

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/miner"
)

// oneValidator is a metagraph with one staked validator.
type oneValidator struct{ v keys.PublicKey }

func (o oneValidator) Snapshot(ctx context.Context, netuid uint16) (*metagraph.Snapshot, error) {
	return metagraph.NewSnapshot(netuid, 10, time.Time{}, []metagraph.Neuron{
		{UID: 0, HotkeyPub: o.v, ValidatorPermit: true, Stake: 2000 * metagraph.RaoPerTAO},
	})
}

// TestServedBehindTheGuard runs the compute miner in a real miner.Server and
// calls it as a validator would.
func TestServedBehindTheGuard(t *testing.T) {
	minerKey, _ := keys.FromSURI("//ComputeMiner")
	validator, _ := keys.FromSURI("//Validator")
	srv, err := miner.New(miner.DefaultConfig(), minerKey, oneValidator{validator.Public()}, miner.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	New(Config{GPU: gpu.Static{Report: h100}, BidPerHour: 3}).Register(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, nil) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	if _, err := srv.Syncer().Wait(ctx); err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	signed := &http.Client{Transport: &epistula.Transport{Signer: validator,
		Receiver: func(*http.Request) string { return minerKey.Address() }}}

	tests := []struct {
		name   string
		client *http.Client
		method string
		path   string
		body   string
		status int
	}{
		{"validator, empty body", signed, "POST", "/cvm", "", 200},
		{"validator, nonce", signed, "POST", "/cvm", `{"nonce":"abcd"}`, 200},
		{"validator, bad nonce", signed, "POST", "/cvm", `{"nonce":"zz"}`, 400},
		{"unsigned", http.DefaultClient, "POST", "/cvm", `{}`, 400},
		{"health is open", http.DefaultClient, "GET", "/health", "", 200},
		{"ready on the shared listener", http.DefaultClient, "GET", "/ready", "", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			resp, err := tc.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, b, tc.status)
			}
			if tc.path == "/cvm" && tc.status == 200 {
				var o CVMOffer
				if err := json.Unmarshal(b, &o); err != nil || o.GPUType != "NVIDIA H100 80GB HBM3" || o.BidPerHour != 3 || o.Attestation.Kind != "none" {
					t.Fatalf("offer %s", b)
				}
			}
		})
	}
}
