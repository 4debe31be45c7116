package orchestrator

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRoundTrip measures jobs per second through the real socket.io
// server over loopback: the server sends a small job, the miner journals
// it (fsync), runs a trivial handler, journals the result (fsync) and
// acknowledges; the server records it. b.N jobs are dispatched at once with
// 64 in flight.
func BenchmarkRoundTrip(b *testing.B) {
	for _, tr := range []Transport{TransportSocketIO, TransportWebSocket} {
		b.Run(string(tr), func(b *testing.B) {
			srv := newNodeOrchestrator(b, map[string]any{"window": 64, "state": ""})
			srv.start()
			url := srv.url()
			if tr == TransportWebSocket {
				url += "/ws"
			}
			c := newTestClient(b, url, tr)
			c.HandleFunc("echo", func(ctx context.Context, job Job) (any, error) { return job.Payload, nil })
			runClient(b, c)
			// Warm up: connect and run a few jobs.
			dispatch(b, srv, "warm", 10)
			srv.waitFor(10*time.Second, "warm-up", func(s serverStats) bool { return s.Done == 10 })

			b.ResetTimer()
			start := time.Now()
			dispatch(b, srv, "b", b.N)
			srv.waitFor(5*time.Minute, "benchmark jobs", func(s serverStats) bool { return s.Done == 10+b.N })
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
		})
	}
}

func dispatch(b testing.TB, srv *nodeOrchestrator, prefix string, n int) {
	const batch = 2000
	for i := 0; i < n; i += batch {
		jobs := make([]Job, 0, batch)
		for k := i; k < n && k < i+batch; k++ {
			jobs = append(jobs, Job{ID: fmt.Sprintf("%s-%d", prefix, k), Type: "echo", Payload: []byte(`{"prompt":"hi"}`)})
		}
		if err := srv.control("dispatch", map[string]any{"jobs": jobs}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseJobFrame: the inbound path of one job frame (Engine.IO,
// Socket.IO, event split).
func BenchmarkParseJobFrame(b *testing.B) {
	frame := `4212["job",{"id":"job-123","type":"inference","payload":{"prompt":"hello","max_tokens":16}}]`
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		e, err := parseEIO(frame)
		if err != nil {
			b.Fatal(err)
		}
		p, err := parseSIO(e.Data)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := p.event(); err != nil {
			b.Fatal(err)
		}
	}
}
