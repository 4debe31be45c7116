package orchestrator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestInteropFloodOfPushedJobs: a socket.io orchestrator pushes 50,000 jobs
// at once (its window is all of them). The client holds at most MaxInFlight
// jobs: goroutines and heap stay flat (before the cap, 50k pushed jobs made
// 48k goroutines), and every job still completes, read as slots free.
func TestInteropFloodOfPushedJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("50,000 jobs through the Node orchestrator")
	}
	const n, maxInFlight = 50_000, 64
	srv := newNodeOrchestrator(t, map[string]any{"jobs": n, "window": n, "pingInterval": 1000, "pingTimeout": 20000})
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	c.MaxInFlight = maxInFlight
	h := newCountingHandler()
	c.Handle("inference", h)
	base := runtime.NumGoroutine()
	stop := runClient(t, c)
	var peakG int
	var peakHeap uint64
	var ms runtime.MemStats
	deadline := time.Now().Add(4 * time.Minute)
	for h.total.Load() < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		peakG = max(peakG, runtime.NumGoroutine())
		runtime.ReadMemStats(&ms)
		peakHeap = max(peakHeap, ms.HeapInuse)
	}
	stop()
	t.Logf("%d jobs: handler ran %d, peak %d goroutines (%d before), peak heap %d MiB", n, h.total.Load(), peakG, base, peakHeap>>20)
	if got := h.total.Load(); got != n {
		t.Fatalf("handler ran %d jobs, want %d", got, n)
	}
	if peakG > base+maxInFlight+64 {
		t.Errorf("peak %d goroutines with MaxInFlight %d (base %d): not bounded by the cap", peakG, maxInFlight, base)
	}
	if peakHeap > 128<<20 {
		t.Errorf("peak heap %d MiB", peakHeap>>20)
	}
}

// TestEarlyEventsBounded: a server that sends events before it answers the
// authentication fails the handshake after MaxEarlyEvents, rather than
// having the client buffer them without bound (2.8 GB before the bound).
func TestEarlyEventsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		if _, _, err := c.Read(ctx); err != nil { // the credentials
			return
		}
		for i := 0; ; i++ {
			if c.Write(ctx, websocket.MessageText, []byte(`{"event":"job","data":{"id":"x"}}`)) != nil {
				return
			}
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := dialWS(ctx, dialConfig{url: srv.URL, creds: func() Credentials { return Credentials{} }, readLimit: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "before authentication") {
		t.Fatalf("dial: %v, want the early-events bound", err)
	}
}
