package orchestrator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// goOrchestrator is a minimal Socket.IO server in Go, only for measuring
// the client without Node's cost: it accepts any credentials, sends n jobs
// with at most window in flight and counts acknowledgements.
type goOrchestrator struct {
	*httptest.Server
	n, window int
	done      chan struct{}
}

func newGoOrchestrator(t testing.TB, n, window int) *goOrchestrator {
	o := &goOrchestrator{n: n, window: window, done: make(chan struct{})}
	o.Server = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.Close)
	return o
}

func (o *goOrchestrator) serve(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	ctx := r.Context()
	write := func(s string) error { return c.Write(ctx, websocket.MessageText, []byte(s)) }
	if write(`0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`) != nil {
		return
	}
	if _, b, err := c.Read(ctx); err != nil || !strings.HasPrefix(string(b), "40") {
		return
	}
	if write(`40{"sid":"n"}`) != nil {
		return
	}
	slots := make(chan struct{}, o.window)
	acked := 0
	var mu sync.Mutex
	go func() {
		for i := 0; i < o.n; i++ {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			frame := fmt.Sprintf(`42%d["job",{"id":"j%d","type":"echo","payload":{"prompt":"hi"}}]`, i, i)
			if write(frame) != nil {
				return
			}
		}
	}()
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		s := string(b)
		if p, err := parseSIO(s[1:]); err == nil && p.Type == sioEvent && p.AckID >= 0 {
			// "results" (and any other event wanting an ack): acknowledge.
			if write(encodeSIO(sioAck, "/", p.AckID, []byte(`[{"ok":true}]`))) != nil {
				return
			}
			continue
		}
		if !strings.HasPrefix(s, "43") {
			continue // heartbeat and the like
		}
		end := strings.IndexByte(s, '[')
		if _, err := strconv.Atoi(s[2:end]); err != nil {
			continue
		}
		<-slots
		mu.Lock()
		acked++
		if acked == o.n {
			close(o.done)
		}
		mu.Unlock()
	}
}

// TestGoOrchestratorSmoke checks the in-Go server against the client.
func TestGoOrchestratorSmoke(t *testing.T) {
	o := newGoOrchestrator(t, 50, 8)
	c := newTestClient(t, o.URL, TransportSocketIO)
	c.HandleFunc("echo", func(ctx context.Context, job Job) (any, error) { return json.RawMessage(job.Payload), nil })
	runClient(t, c)
	select {
	case <-o.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("jobs not acknowledged; client %+v", c.Stats())
	}
}

// BenchmarkClientRoundTrip measures the Go client alone: the same work as
// BenchmarkRoundTrip (journal with fsyncs included), against a minimal Go
// Socket.IO server instead of Node's.
func BenchmarkClientRoundTrip(b *testing.B) {
	o := newGoOrchestrator(b, b.N, 64)
	c := newTestClient(b, o.URL, TransportSocketIO)
	c.HandleFunc("echo", func(ctx context.Context, job Job) (any, error) { return json.RawMessage(job.Payload), nil })
	b.ReportAllocs()
	start := time.Now()
	runClient(b, c)
	<-o.done
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}
