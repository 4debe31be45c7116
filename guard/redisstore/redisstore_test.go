package redisstore

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/internal/redistest"
	"github.com/minerkit/minerkit/keys"
)

// roundTrips counts the commands a client sends.
type roundTrips struct{ n atomic.Int64 }

func (*roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}
func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestReplayRecordTTL: what the shared suite (conformance_test.go) cannot
// see: a replay record lives in Redis for the request's window and no
// longer.
func TestReplayRecordTTL(t *testing.T) {
	sock := redistest.Start(t)
	c := sock.Client(t)
	s := New(c, "test:")
	if _, err := s.Admit(context.Background(), guard.Admission{Caller: "alice", ID: "u1", Expiry: time.Now().Add(16 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.PTTL(context.Background(), "test:{alice}:seen:u1").Result()
	if err != nil || ttl <= 15*time.Second || ttl > 16*time.Second {
		t.Fatalf("replay record TTL %v, %v; want just under 16s", ttl, err)
	}
}

// TestAdmitRateAcrossReplicas: six replicas, each with its own client,
// admit exactly the burst of one caller between them, and a caller's
// refusal says when to retry.
func TestAdmitRateAcrossReplicas(t *testing.T) {
	for _, pipelined := range []bool{false, true} {
		t.Run(fmt.Sprint("pipelined=", pipelined), func(t *testing.T) { testAdmitRateAcrossReplicas(t, pipelined) })
	}
}

func testAdmitRateAcrossReplicas(t *testing.T, pipelined bool) {
	sock := redistest.Start(t)
	const burst = 25
	exp := time.Now().Add(time.Minute)
	var admitted, limited atomic.Int64
	var wg sync.WaitGroup
	for r := range 6 {
		s := New(sock.Client(t), "")
		s.Pipeline = pipelined
		for i := range 40 {
			wg.Go(func() {
				// 0.01/s: no refill during the test.
				v, err := s.Admit(context.Background(), guard.Admission{Caller: "alice", ID: fmt.Sprint(r, "-", i), Expiry: exp, Rate: 0.01, Burst: burst})
				switch {
				case err != nil:
					t.Error(err)
				case v.Replayed:
					t.Error("fresh uuid refused as a replay")
				case v.Limited:
					if v.RetryAfter < 99*time.Second || v.RetryAfter > 100*time.Second {
						t.Errorf("RetryAfter %v, want about 100s (1/rate)", v.RetryAfter)
					}
					limited.Add(1)
				default:
					admitted.Add(1)
				}
			})
		}
	}
	wg.Wait()
	if admitted.Load() != burst || limited.Load() != 6*40-burst {
		t.Fatalf("admitted %d, limited %d; want %d and %d", admitted.Load(), limited.Load(), burst, 6*40-burst)
	}
	// Another caller has its own allowance.
	s := New(sock.Client(t), "")
	if v, err := s.Admit(context.Background(), guard.Admission{Caller: "bob", ID: "1", Expiry: exp, Rate: 0.01, Burst: 1}); err != nil || v.Limited {
		t.Fatalf("bob: %+v, %v", v, err)
	}
}

// TestOneRoundTrip: one request, one round trip, pipelined or not (a lone
// request waits for no batch).
func TestOneRoundTrip(t *testing.T) {
	for _, pipelined := range []bool{false, true} {
		t.Run(fmt.Sprint("pipelined=", pipelined), func(t *testing.T) { testOneRoundTrip(t, pipelined) })
	}
}

func testOneRoundTrip(t *testing.T, pipelined bool) {
	c := redistest.Start(t).Client(t)
	var rt roundTrips
	c.AddHook(&rt)
	s := New(c, "")
	s.Pipeline = pipelined
	exp := time.Now().Add(time.Minute)
	// The first call loads the script (EVALSHA, NOSCRIPT, EVAL); every
	// later one is one EVALSHA.
	s.Admit(context.Background(), guard.Admission{Caller: "a", ID: "0", Expiry: exp, Rate: 1000, Burst: 1000})
	rt.n.Store(0)
	for i := range 100 {
		if _, err := s.Admit(context.Background(), guard.Admission{Caller: "a", ID: fmt.Sprint(i + 1), Expiry: exp, Rate: 1000, Burst: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	if n := rt.n.Load(); n != 100 {
		t.Fatalf("%d round trips for 100 requests", n)
	}
}

// TestPipelineAfterScriptFlush: a pipelined store recovers when the
// server has lost its scripts (a Redis restart), and replays are still
// caught within one pipeline.
func TestPipelineAfterScriptFlush(t *testing.T) {
	c := redistest.Start(t).Client(t)
	s := New(c, "")
	s.Pipeline = true
	exp := time.Now().Add(time.Minute)
	if _, err := s.Admit(context.Background(), guard.Admission{Caller: "a", ID: "1", Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	if err := c.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	var replayed, admitted atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			v, err := s.Admit(context.Background(), guard.Admission{Caller: "a", ID: "2", Expiry: exp})
			switch {
			case err != nil:
				t.Error(err)
			case v.Replayed:
				replayed.Add(1)
			default:
				admitted.Add(1)
			}
		})
	}
	wg.Wait()
	if admitted.Load() != 1 || replayed.Load() != 19 {
		t.Fatalf("one uuid sent 20 times at once: %d admitted, %d replayed", admitted.Load(), replayed.Load())
	}
}

func TestPrefix(t *testing.T) {
	for _, tt := range []struct {
		prefix string
		ok     bool
	}{{"minerkit:5F…:1:", true}, {"", true}, {"a{b}:", false}} {
		if err := CheckPrefix(tt.prefix); (err == nil) != tt.ok {
			t.Errorf("CheckPrefix(%q) = %v", tt.prefix, err)
		}
	}
}

// replica is one miner process's guard: Epistula, then Shared on the store.
func replica(t *testing.T, self *keys.Keypair, store guard.Store, fallback bool) *httptest.Server {
	g := guard.New(self.Address())
	g.RateLimit = &guard.RateLimit{Rate: 0.01, Burst: 3}
	g.Shared = &guard.Shared{Store: store, FallbackLocal: fallback}
	srv := httptest.NewServer(g.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, url string, h http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, nil)
	req.Header = h.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf [512]byte
	n, _ := resp.Body.Read(buf[:])
	return resp.StatusCode, string(buf[:n])
}

// TestGuardAcrossReplicas: two guards on one Redis refuse a replay sent to
// the other replica and share one validator's rate limit; with Redis gone
// they refuse with 503, or serve on per-replica state with FallbackLocal.
func TestGuardAcrossReplicas(t *testing.T) {
	sock := redistest.Start(t)
	miner, _ := keys.FromSURI("//Bob")
	alice, _ := keys.FromSURI("//Alice")
	r1 := replica(t, miner, New(sock.Client(t), ""), false)
	r2 := replica(t, miner, New(sock.Client(t), ""), false)

	h := epistula.Sign(alice, nil, miner.Address(), time.Now())
	if code, body := send(t, r1.URL, h); code != 200 {
		t.Fatalf("first: %d %s", code, body)
	}
	if code, body := send(t, r2.URL, h); code != 401 || !strings.Contains(body, "replayed") {
		t.Fatalf("replay through the other replica: %d %s, want 401 replayed", code, body)
	}
	// Burst 3 across both replicas: one used above, two more, then 429.
	codes := []int{}
	for i := range 4 {
		url := []string{r1.URL, r2.URL}[i%2]
		code, _ := send(t, url, epistula.Sign(alice, nil, miner.Address(), time.Now()))
		codes = append(codes, code)
	}
	if fmt.Sprint(codes) != "[200 200 429 429]" {
		t.Fatalf("statuses %v, want [200 200 429 429]", codes)
	}

	dead := redis.NewClient(&redis.Options{Network: "unix", Addr: filepath.Join(t.TempDir(), "none.sock"), MaxRetries: -1})
	defer dead.Close()
	closed := replica(t, miner, New(dead, ""), false)
	if code, body := send(t, closed.URL, epistula.Sign(alice, nil, miner.Address(), time.Now())); code != 503 || !strings.Contains(body, "replay_cache_unavailable") {
		t.Fatalf("Redis down: %d %s, want 503", code, body)
	}
	local := replica(t, miner, New(dead, ""), true)
	h = epistula.Sign(alice, nil, miner.Address(), time.Now())
	if code, body := send(t, local.URL, h); code != 200 {
		t.Fatalf("Redis down, local fallback: %d %s, want 200", code, body)
	}
	if code, _ := send(t, local.URL, h); code != 401 {
		t.Fatalf("Redis down, local fallback, replay to the same replica: %d, want 401", code)
	}
}

// BenchmarkAdmit is one request's shared state — replay record and GCRA —
// against a local Redis over a unix socket, from 32 concurrent requests (as
// serveload's 32 connections), each its own call or pipelined with the
// others. It reports Redis round trips per request.
func BenchmarkAdmit(b *testing.B) {
	for _, pipelined := range []bool{false, true} {
		b.Run(map[bool]string{false: "one-call-each", true: "pipelined"}[pipelined], func(b *testing.B) {
			c := redistest.Start(b).Client(b)
			var rt roundTrips
			c.AddHook(&rt)
			s := New(c, "")
			s.Pipeline = pipelined
			exp := time.Now().Add(time.Minute)
			s.Admit(context.Background(), guard.Admission{Caller: "warm", ID: "0", Expiry: exp})
			rt.n.Store(0)
			var seq atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					a := guard.Admission{Caller: fmt.Sprint("v", n%64), ID: fmt.Sprint(n), Expiry: exp, Rate: 1e9, Burst: 1e9}
					if _, err := s.Admit(context.Background(), a); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(rt.n.Load())/float64(b.N), "roundtrips/op")
		})
	}
}

// BenchmarkGuard is the whole guard in process (Epistula with one sr25519
// verification, Shared, the handler) per pre-signed request, 32 at once,
// with the replay cache and buckets in memory or in Redis (pipelined).
func BenchmarkGuard(b *testing.B) {
	miner, _ := keys.FromSURI("//Bob")
	alice, _ := keys.FromSURI("//Alice")
	body := []byte(`{"nonce":"00ff"}`)
	for _, inRedis := range []bool{false, true} {
		b.Run(map[bool]string{false: "memory", true: "redis"}[inRedis], func(b *testing.B) {
			g := guard.New(miner.Address())
			g.Epistula.Verifier.Window = time.Hour
			g.RateLimit = &guard.RateLimit{Rate: 1e9, Burst: 1e9}
			if inRedis {
				s := New(redistest.Start(b).Client(b), "")
				s.Pipeline = true
				g.Shared = &guard.Shared{Store: s}
			}
			h := g.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
			reqs := make([]http.Header, b.N)
			now := time.Now()
			for i := range reqs {
				reqs[i] = epistula.Sign(alice, body, miner.Address(), now)
			}
			var next atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
					req.Header = reqs[i]
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
			})
		})
	}
}
