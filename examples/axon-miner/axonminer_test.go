package axonminer_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/minerkit/minerkit/axon"
	axonminer "github.com/minerkit/minerkit/examples/axon-miner"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/miner"
)

type oneValidator struct{ v keys.PublicKey }

func (o oneValidator) Snapshot(ctx context.Context, netuid uint16) (*metagraph.Snapshot, error) {
	return metagraph.NewSnapshot(netuid, 10, time.Time{}, []metagraph.Neuron{
		{UID: 0, HotkeyPub: o.v, ValidatorPermit: true, Stake: 2000 * metagraph.RaoPerTAO},
	})
}

// The example behind a real miner.Server's guard: Dummy answered, Story
// streamed word by word through the guard's layers, a stranger refused.
func TestAxonMiner(t *testing.T) {
	minerKey, _ := keys.FromSURI("//AxonMiner")
	validator, _ := keys.FromSURI("//Validator")
	srv, err := miner.New(miner.DefaultConfig(), minerKey, oneValidator{validator.Public()}, miner.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := axonminer.Register(srv, axonminer.Tell{Delay: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
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
	target := axon.Target{URL: "http://" + ln.Addr().String(), Hotkey: minerKey.Address()}
	c := &axon.Client{Signer: validator}

	d := &axonminer.Dummy{DummyInput: 5}
	if err := c.Call(ctx, target, d, 5*time.Second); err != nil || *d.DummyOutput != 10 {
		t.Fatalf("Dummy: %v %+v", err, d)
	}

	var words []string
	var gaps []time.Duration
	last := time.Now()
	s := &axonminer.Story{Prompt: "once upon a time"}
	err = c.CallStream(ctx, target, s, 5*time.Second, func(chunk []byte) error {
		words = append(words, string(chunk))
		gaps = append(gaps, time.Since(last))
		last = time.Now()
		return nil
	})
	if err != nil || len(words) != 4 || words[3] != "time\n" {
		t.Fatalf("Story: %v %q", err, words)
	}
	// Flushed as written: the words arrive apart, not in one piece at the end.
	if gaps[3] < 10*time.Millisecond {
		t.Errorf("words not flushed one by one: gaps %v", gaps)
	}

	stranger, _ := keys.FromSURI("//Stranger")
	err = (&axon.Client{Signer: stranger}).Call(ctx, target, &axonminer.Dummy{DummyInput: 1}, 5*time.Second)
	var se *axon.StatusError
	if !errors.As(err, &se) || se.Status != 403 {
		t.Errorf("stranger: %v", err)
	}
}
