// Package inferenceminer is a small, real Pattern B miner: it keeps one
// authenticated outbound connection to an orchestrator (Socket.IO or plain
// WebSocket), reports its GPUs on connect and in every heartbeat, and runs
// "inference" jobs — each run at most once and its result reported at least
// once — across reconnects, orchestrator restarts and its own crashes.
// `minerkit connect` runs it; examples/orchestrator-miner is the same miner as
// a standalone program to copy.
//
// The inference is a small deterministic computation (an iterated SHA-256
// "token" chain over the prompt) so that an orchestrator can check every
// answer; a real subnet replaces Inference with its model. It runs on the
// CPU: minerkit has no CUDA bindings, and the GPU facts are reported so the
// orchestrator can schedule by them.
package inferenceminer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/orchestrator"
)

// Config configures the miner. Zero values take the orchestrator package's
// defaults.
type Config struct {
	URL         string
	Signer      keys.Signer
	JournalPath string
	Transport   orchestrator.Transport
	AuthStyle   orchestrator.AuthStyle
	Purpose     string
	Concurrency int
	// MaxInFlight bounds the jobs held at once (orchestrator.Client.MaxInFlight).
	MaxInFlight int
	JobTimeout  time.Duration
	// MaxBackoff caps the reconnection delay (60 s by default).
	MaxBackoff        time.Duration
	HeartbeatInterval time.Duration
	DrainTimeout      time.Duration
	GPU               gpu.Reader
	Logger            *slog.Logger
	// Registerer, if non-nil, gets the client's metrics
	// (minerkit_orchestrator_*).
	Registerer prometheus.Registerer
}

// Run runs the miner until ctx ends, then drains (see orchestrator.Client.Run).
func Run(ctx context.Context, cfg Config) error {
	if cfg.JournalPath == "" {
		return errors.New("inferenceminer: JournalPath is empty: give a file for the job journal")
	}
	journal, err := orchestrator.OpenJournal(cfg.JournalPath)
	if err != nil {
		return err
	}
	defer journal.Close()
	c := &orchestrator.Client{
		URL: cfg.URL, Signer: cfg.Signer, Journal: journal, Transport: cfg.Transport,
		AuthStyle: cfg.AuthStyle, Purpose: cfg.Purpose, Concurrency: cfg.Concurrency, MaxInFlight: cfg.MaxInFlight,
		JobTimeout: cfg.JobTimeout, Backoff: orchestrator.Backoff{Max: cfg.MaxBackoff},
		HeartbeatInterval: cfg.HeartbeatInterval, DrainTimeout: cfg.DrainTimeout,
		GPU: cfg.GPU, Logger: cfg.Logger,
	}
	c.HandleFunc("inference", Inference)
	if cfg.Registerer != nil {
		if err := cfg.Registerer.Register(c); err != nil {
			return fmt.Errorf("inferenceminer: register metrics: %w", err)
		}
		defer cfg.Registerer.Unregister(c)
	}
	if cfg.Logger != nil && cfg.GPU != nil {
		r, err := cfg.GPU.Read()
		if err != nil {
			cfg.Logger.Info("GPUs", "summary", "none", "reason", err)
		} else {
			cfg.Logger.Info("GPUs", "summary", r.Summary())
		}
	}
	return c.Run(ctx)
}

// InferenceRequest is the payload of an "inference" job.
type InferenceRequest struct {
	Prompt    string `json:"prompt"`
	MaxTokens int    `json:"max_tokens"` // 1..4096; 16 if zero
}

// InferenceResponse is its result.
type InferenceResponse struct {
	Text   string `json:"text"`
	Tokens int    `json:"tokens"`
	Digest string `json:"digest"` // hex SHA-256 of the last state
	Device string `json:"device"`
}

// MaxTokens bounds one request's work.
const MaxTokens = 4096

// Inference turns the prompt into MaxTokens pseudo-tokens: token i is the
// first 4 hex digits of state i, where state 0 = SHA-256(prompt) and state
// i+1 = SHA-256(state i). Same prompt, same answer, on every machine.
func Inference(ctx context.Context, job orchestrator.Job) (any, error) {
	var req InferenceRequest
	dec := json.NewDecoder(strings.NewReader(string(job.Payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("inference: bad payload: %w (want {\"prompt\": string, \"max_tokens\": int})", err)
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = 16
	}
	if req.MaxTokens < 0 || req.MaxTokens > MaxTokens {
		return nil, fmt.Errorf("inference: max_tokens %d out of range 1..%d", req.MaxTokens, MaxTokens)
	}
	state := sha256.Sum256([]byte(req.Prompt))
	words := make([]string, 0, req.MaxTokens)
	for i := 0; i < req.MaxTokens; i++ {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		words = append(words, hex.EncodeToString(state[:2]))
		state = sha256.Sum256(state[:])
	}
	return InferenceResponse{Text: strings.Join(words, " "), Tokens: req.MaxTokens, Digest: hex.EncodeToString(state[:]), Device: "cpu"}, nil
}
