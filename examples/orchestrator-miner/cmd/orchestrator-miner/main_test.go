package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/minerkit/minerkit/internal/orchestratortest"
	"github.com/minerkit/minerkit/orchestrator"
)

// TestRun runs the example program against a real socket.io orchestrator
// until it has answered a job, then stops it as SIGTERM would.
func TestRun(t *testing.T) {
	srv := orchestratortest.New(t, nil)
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--url", srv.URL(), "--suri", "//Bob", "--journal", filepath.Join(t.TempDir(), "jobs.journal")})
	}()
	jobs := []orchestrator.Job{{ID: "p1", Type: "inference", Payload: json.RawMessage(`{"prompt":"hello","max_tokens":3}`)}}
	if err := srv.Control("dispatch", map[string]any{"jobs": jobs}, nil); err != nil {
		t.Fatal(err)
	}
	type stats struct {
		Done int `json:"done"`
	}
	orchestratortest.WaitFor(srv, 10*time.Second, "1 result", func(s stats) bool { return s.Done == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var p1 orchestrator.Result
	if err := json.Unmarshal(srv.Results()["p1"], &p1); err != nil || !p1.OK {
		t.Fatalf("p1: %s (%v)", srv.Results()["p1"], err)
	}
}

func TestRunNeedsURL(t *testing.T) {
	if err := run(context.Background(), []string{"--suri", "//Bob"}); err == nil {
		t.Fatal("no --url: want an error")
	}
}
