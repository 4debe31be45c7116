package inferenceminer

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/internal/orchestratortest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/orchestrator"
)

func TestInference(t *testing.T) {
	tests := []struct {
		payload string
		tokens  int
		wantErr string
	}{
		{`{"prompt":"hello","max_tokens":3}`, 3, ""},
		{`{"prompt":"hello"}`, 16, ""},
		{`{"prompt":"x","max_tokens":4097}`, 0, "out of range"},
		{`{"prompt":"x","max_tokens":-1}`, 0, "out of range"},
		{`{"prompt":"x","temperature":1}`, 0, "unknown field"},
		{`[`, 0, "bad payload"},
	}
	for _, tt := range tests {
		v, err := Inference(context.Background(), orchestrator.Job{ID: "1", Type: "inference", Payload: json.RawMessage(tt.payload)})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.payload, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.payload, err)
		}
		r := v.(InferenceResponse)
		if r.Tokens != tt.tokens || len(strings.Fields(r.Text)) != tt.tokens || len(r.Digest) != 64 {
			t.Errorf("%s: %+v", tt.payload, r)
		}
	}
	a, _ := Inference(context.Background(), orchestrator.Job{Payload: json.RawMessage(`{"prompt":"hello","max_tokens":3}`)})
	if got := a.(InferenceResponse).Text; got != "2cf2 9595 6c92" {
		// Checked with Python: hashlib.sha256 chained three times.
		t.Errorf("text = %q", got)
	}
}

func ExampleInference() {
	v, _ := Inference(context.Background(), orchestrator.Job{ID: "j1", Type: "inference", Payload: json.RawMessage(`{"prompt":"hello","max_tokens":3}`)})
	fmt.Println(v.(InferenceResponse).Text)
	// Output: 2cf2 9595 6c92
}

// TestRunAgainstSocketIO runs the example miner against the real socket.io
// server: its jobs' payload {"n": i} is not an InferenceRequest, so use
// dispatched jobs with real prompts.
func TestRunAgainstSocketIO(t *testing.T) {
	srv := orchestratortest.New(t, nil)
	srv.Start()
	k, err := keys.FromSURI("//Bob")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{
			URL: srv.URL(), Signer: k, JournalPath: filepath.Join(t.TempDir(), "journal.jsonl"),
			MaxBackoff: 200 * time.Millisecond, DrainTimeout: 5 * time.Second,
			GPU: gpu.Static{Report: gpu.Report{Devices: []gpu.Device{{Name: "NVIDIA A10G", MemoryTotal: 24 << 30}}}},
		})
	}()
	jobs := []orchestrator.Job{
		{ID: "p1", Type: "inference", Payload: json.RawMessage(`{"prompt":"hello","max_tokens":3}`)},
		{ID: "p2", Type: "training", Payload: json.RawMessage(`{}`)},
	}
	if err := srv.Control("dispatch", map[string]any{"jobs": jobs}, nil); err != nil {
		t.Fatal(err)
	}
	type stats struct {
		Done          int `json:"done"`
		LastHeartbeat *struct {
			GPUs *gpu.Report `json:"gpus"`
		} `json:"lastHeartbeat"`
	}
	s := orchestratortest.WaitFor(srv, 10*time.Second, "2 results", func(s stats) bool { return s.Done == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res := srv.Results()
	var p1 orchestrator.Result
	json.Unmarshal(res["p1"], &p1)
	var out InferenceResponse
	if !p1.OK || json.Unmarshal(p1.Result, &out) != nil || out.Text != "2cf2 9595 6c92" {
		t.Errorf("p1: %s", res["p1"])
	}
	var p2 orchestrator.Result
	json.Unmarshal(res["p2"], &p2)
	if p2.OK || p2.Error != `unknown job type "training"` {
		t.Errorf("p2: %s", res["p2"])
	}
	if s.LastHeartbeat == nil || s.LastHeartbeat.GPUs == nil || s.LastHeartbeat.GPUs.Devices[0].Name != "NVIDIA A10G" {
		t.Errorf("the miner did not report its GPUs: %+v", s.LastHeartbeat)
	}
}
