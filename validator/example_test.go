package validator_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/validator"
)

// A subnet's own validator: the loop, discovery, signing and weights come from
// the package; the subnet supplies what to ask (Path, Body) and how to judge
// the answer (Scorer).
func Example() {
	ctx := context.Background()
	hotkey, err := keys.FromSURI("//Alice//validator") // load yours with the wallet package
	if err != nil {
		panic(err)
	}
	net, _ := subtensor.ResolveNetwork(subtensor.NetworkConfig{Network: "local"})
	client, err := subtensor.Dial(ctx, net, subtensor.Options{})
	if err != nil {
		fmt.Println("no chain:", err)
		return
	}
	defer client.Close()

	v, err := validator.New(validator.Config{
		NetUID:   1,
		Path:     "/cvm",
		Body:     []byte(`{"nonce":"00ff"}`),
		Interval: 12 * time.Second,
	}, hotkey, &validator.SubtensorChain{Client: client, Hotkey: hotkey})
	if err != nil {
		panic(err)
	}
	// Availability first, then whether the answer is what the subnet wants.
	v.Scorer = validator.ScorerFunc(func(r *validator.Result) float64 {
		if !r.OK() || !bytes.Contains(r.Body, []byte(`"gpu_type"`)) {
			return 0
		}
		return validator.AvailabilityLatency{Target: 100 * time.Millisecond}.Score(r)
	})
	v.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	_ = v.Run(ctx) // until ctx ends
}

// A Scorer sees each answer: status, latency, the body, the miner.
func ExampleScorerFunc() {
	s := validator.ScorerFunc(func(r *validator.Result) float64 {
		if r.OK() && r.Latency < time.Second {
			return 1
		}
		return 0
	})
	fmt.Println(s.Score(&validator.Result{Status: 200, Latency: 30 * time.Millisecond}))
	fmt.Println(s.Score(&validator.Result{Status: 403}))
	// Output:
	// 1
	// 0
}
