package orchestrator_test

import (
	"context"
	"encoding/json"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/orchestrator"
)

// A Pattern B miner: connect out to the orchestrator, run "inference" jobs,
// drain on SIGTERM.
func ExampleClient() {
	hotkey, err := keys.FromSURI("//Alice") // in production: the wallet's hotkey
	if err != nil {
		log.Fatal(err)
	}
	journal, err := orchestrator.OpenJournal("/var/lib/miner/jobs.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	defer journal.Close()

	c := &orchestrator.Client{
		URL:     "https://orchestrator.example.com",
		Signer:  hotkey,
		Journal: journal,
		GPU:     gpu.NVML{}, // GPU facts in every heartbeat
	}
	c.HandleFunc("inference", func(ctx context.Context, job orchestrator.Job) (any, error) {
		var req struct {
			Prompt string `json:"prompt"`
		}
		if err := json.Unmarshal(job.Payload, &req); err != nil {
			return nil, err
		}
		return map[string]string{"text": "echo: " + req.Prompt}, nil
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.Run(ctx); err != nil { // reconnects forever; returns after draining
		log.Fatal(err)
	}
}
