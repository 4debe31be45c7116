package orchestrator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minerkit/minerkit/keys"
)

func testKey(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// inferencePayload is what orchestrator.js puts in each job.
type inferencePayload struct {
	N int `json:"n"`
}

type inferenceResult struct {
	N      int    `json:"n"`
	Digest string `json:"digest"`
}

func digest(n int) string {
	s := sha256.Sum256([]byte(fmt.Sprint(n)))
	return hex.EncodeToString(s[:8])
}

// countingHandler runs "inference" jobs and counts how often each job id
// ran.
type countingHandler struct {
	mu    sync.Mutex
	runs  map[string]int
	total atomic.Int64
	delay func() time.Duration
}

func newCountingHandler() *countingHandler { return &countingHandler{runs: make(map[string]int)} }

func (h *countingHandler) ServeJob(ctx context.Context, job Job) (any, error) {
	h.mu.Lock()
	h.runs[job.ID]++
	h.mu.Unlock()
	h.total.Add(1)
	var p inferencePayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return nil, err
	}
	if h.delay != nil {
		select {
		case <-time.After(h.delay()):
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	return inferenceResult{N: p.N, Digest: digest(p.N)}, nil
}

func (h *countingHandler) twice() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for id, n := range h.runs {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s×%d", id, n))
		}
	}
	return out
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("MINERKIT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// newTestClient returns a client for url with small backoff and timeouts,
// and a journal in a temporary directory.
func newTestClient(t testing.TB, url string, transport Transport) *Client {
	t.Helper()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return &Client{
		URL: url, Signer: testKey(t, "//Alice"), Journal: j, Transport: transport,
		Concurrency: 8, Backoff: Backoff{Min: 10 * time.Millisecond, Max: 200 * time.Millisecond},
		DialTimeout: 3 * time.Second, AckTimeout: 2 * time.Second, DrainTimeout: 5 * time.Second,
		PingInterval: 200 * time.Millisecond, PingTimeout: 2 * time.Second,
		Logger: testLogger(t),
	}
}

// runClient runs c in the background; the returned stop drains it and
// waits.
func runClient(t testing.TB, c *Client) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Errorf("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// checkResults checks that the server persisted exactly the n expected
// results.
func checkResults(t *testing.T, srv *nodeOrchestrator, n int) {
	t.Helper()
	res := srv.results()
	if len(res) != n {
		t.Errorf("server persisted %d results, want %d", len(res), n)
	}
	for i := 0; i < n; i++ {
		r, ok := res[fmt.Sprintf("job-%d", i)]
		if !ok {
			t.Errorf("job-%d: no result on the server", i)
			continue
		}
		var got inferenceResult
		if !r.OK || json.Unmarshal(r.Result, &got) != nil || got.N != i || got.Digest != digest(i) {
			t.Errorf("job-%d: wrong result %+v (%s)", i, r, r.Result)
		}
	}
}

// chaos kills and restarts the server at given progress points and drops
// connections at random moments in between, until all n jobs are done.
func chaos(t *testing.T, srv *nodeOrchestrator, n, restarts int, rng *rand.Rand) (kills, drops int) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	nextKill := n / (restarts + 1)
	for time.Now().Before(deadline) {
		s, err := srv.stats()
		if err != nil {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if s.Done >= n {
			return kills, drops
		}
		if kills < restarts && s.Done >= nextKill {
			srv.restart()
			kills++
			nextKill += n / (restarts + 1)
			continue
		}
		if rng.IntN(12) == 0 {
			if srv.control("drop", map[string]any{}, nil) == nil {
				drops++
			}
		}
		time.Sleep(time.Duration(5+rng.IntN(20)) * time.Millisecond)
	}
	s, _ := srv.stats()
	t.Fatalf("jobs not done within 45 s after %d kills and %d drops: %+v\nserver log:\n%s", kills, drops, s, srv.logs())
	return
}

func TestInteropThousandJobsAcrossRestarts(t *testing.T) {
	const n, restarts = 1000, 5
	// Pings every 250 ms confirm most acks; the rest go through "results".
	srv := newNodeOrchestrator(t, map[string]any{"jobs": n, "window": 32, "pingInterval": 250, "pingTimeout": 5000})
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	h := newCountingHandler()
	rng := rand.New(rand.NewPCG(1, 2))
	var rmu sync.Mutex
	h.delay = func() time.Duration {
		rmu.Lock()
		defer rmu.Unlock()
		return time.Duration(rng.IntN(3000)) * time.Microsecond
	}
	c.Handle("inference", h)
	stop := runClient(t, c)

	kills, drops := chaos(t, srv, n, restarts, rand.New(rand.NewPCG(3, 4)))
	stop()
	if kills != restarts {
		t.Errorf("server restarted %d times, want %d", kills, restarts)
	}
	if tw := h.twice(); len(tw) > 0 {
		t.Errorf("jobs ran more than once: %v", tw)
	}
	if got := h.total.Load(); got != n {
		t.Errorf("handler ran %d times, want %d", got, n)
	}
	checkResults(t, srv, n)
	st := c.Stats()
	t.Logf("%d kills, %d drops; client %+v", kills, drops, st)
	if st.Connects < int64(restarts+1) {
		t.Errorf("client connected %d times, want at least %d", st.Connects, restarts+1)
	}
}

func TestInteropPlainWebSocketAcrossRestarts(t *testing.T) {
	const n, restarts = 300, 2
	srv := newNodeOrchestrator(t, map[string]any{"jobs": n, "window": 16})
	srv.start()
	c := newTestClient(t, "ws://127.0.0.1:"+fmt.Sprint(srv.Port())+"/ws", TransportWebSocket)
	h := newCountingHandler()
	h.delay = func() time.Duration { return time.Millisecond }
	c.Handle("inference", h)
	stop := runClient(t, c)
	kills, drops := chaos(t, srv, n, restarts, rand.New(rand.NewPCG(5, 6)))
	if kills != restarts {
		t.Errorf("server restarted %d times, want %d", kills, restarts)
	}
	stop()
	if tw := h.twice(); len(tw) > 0 {
		t.Errorf("jobs ran more than once: %v", tw)
	}
	checkResults(t, srv, n)
	t.Logf("%d kills, %d drops; client %+v", kills, drops, c.Stats())
}
