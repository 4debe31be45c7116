package orchestrator

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/keys"
)

// waitClient polls the client's stats until cond holds.
func waitClient(t *testing.T, c *Client, timeout time.Duration, what string, cond func(Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond(c.Stats()) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; client stats %+v", what, c.Stats())
}

// attemptSigner forges the signature on chosen connection attempts: it
// claims the real hotkey but signs with another key.
type attemptSigner struct {
	real, other keys.Signer
	attempt     *atomic.Int32
	forgeOn     int32
}

func (s attemptSigner) Public() keys.PublicKey { return s.real.Public() }
func (s attemptSigner) Sign(msg []byte) keys.Signature {
	if s.attempt.Load() == s.forgeOn {
		return s.other.Sign(msg)
	}
	return s.real.Sign(msg)
}

func TestInteropStaleAndForgedCredentialsRetriedFresh(t *testing.T) {
	srv := newNodeOrchestrator(t, map[string]any{"jobs": 5, "maxSkewSec": 30})
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	var attempt atomic.Int32
	// Attempts 1 and 2 sign a nonce five minutes old, attempt 3 a forged
	// signature; attempt 4 is fresh and honest.
	c.Now = func() time.Time {
		if attempt.Add(1) <= 2 {
			return time.Now().Add(-5 * time.Minute)
		}
		return time.Now()
	}
	c.Signer = attemptSigner{real: testKey(t, "//Alice"), other: testKey(t, "//Mallory"), attempt: &attempt, forgeOn: 3}
	c.Handle("inference", newCountingHandler())
	stop := runClient(t, c)
	s := srv.waitFor(10*time.Second, "5 results", func(s serverStats) bool { return s.Done == 5 })
	stop()
	if s.Refused["stale nonce"] != 2 || s.Refused["bad signature"] != 1 {
		t.Errorf("server refusals = %v, want 2 stale nonce and 1 bad signature", s.Refused)
	}
	if st := c.Stats(); st.AuthRefused != 3 || st.Connects != 1 {
		t.Errorf("client stats %+v, want 3 refusals then 1 connection", st)
	}
}

func TestInteropReplayedCredentialsRefused(t *testing.T) {
	srv := newNodeOrchestrator(t, nil)
	srv.start()
	creds := SignCredentials(testKey(t, "//Alice"), "", time.Now())
	cfg := dialConfig{url: srv.url(), creds: func() Credentials { return creds }, readLimit: 1 << 20}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := dialSocketIO(ctx, cfg)
	if err != nil {
		t.Fatalf("first use of the credentials: %v", err)
	}
	l.Close("test")
	_, err = dialSocketIO(ctx, cfg)
	if !errors.Is(err, ErrAuthRejected) || !strings.Contains(err.Error(), "replayed credentials") {
		t.Fatalf("replayed credentials: err = %v, want ErrAuthRejected (replayed credentials)", err)
	}
	// A signature over another purpose string does not verify.
	cfg.creds = func() Credentials { return SignCredentials(testKey(t, "//Alice"), "other-purpose", time.Now()) }
	if _, err := dialSocketIO(ctx, cfg); !errors.Is(err, ErrAuthRejected) || !strings.Contains(err.Error(), "bad signature") {
		t.Fatalf("wrong purpose: err = %v, want bad signature", err)
	}
}

func TestInteropChutesStyleAuthentication(t *testing.T) {
	for _, tr := range []Transport{TransportSocketIO, TransportWebSocket} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			srv := newNodeOrchestrator(t, map[string]any{"jobs": 10, "authStyle": "event"})
			srv.start()
			url := srv.url()
			if tr == TransportWebSocket {
				url += "/ws"
			}
			c := newTestClient(t, url, tr)
			c.AuthStyle = AuthEvent
			c.GPU = gpu.Static{Report: gpu.Report{DriverVersion: "550.54.15", CUDAVersion: "12.4", Devices: []gpu.Device{{Name: "NVIDIA H100 80GB HBM3", MemoryTotal: 80 << 30}}}}
			c.Handle("inference", newCountingHandler())
			stop := runClient(t, c)
			s := srv.waitFor(10*time.Second, "10 results", func(s serverStats) bool { return s.Done == 10 && s.Heartbeats > 0 })
			stop()
			hb := s.LastHeartbeat
			if hb == nil || hb.Hotkey != testKey(t, "//Alice").Address() || hb.GPUs == nil || len(hb.GPUs.Devices) != 1 || hb.GPUs.Devices[0].Name != "NVIDIA H100 80GB HBM3" {
				t.Errorf("heartbeat = %+v", hb)
			}
			if hb != nil && (hb.Capacity != 8 || len(hb.JobTypes) != 1) {
				t.Errorf("heartbeat capacity %d, job types %v", hb.Capacity, hb.JobTypes)
			}
		})
	}
	t.Run("payload refused by an event-only server", func(t *testing.T) {
		srv := newNodeOrchestrator(t, map[string]any{"authStyle": "event"})
		srv.start()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := dialSocketIO(ctx, dialConfig{url: srv.url(), readLimit: 1 << 20,
			creds: func() Credentials { return SignCredentials(testKey(t, "//Alice"), "", time.Now()) }})
		if !errors.Is(err, ErrAuthRejected) {
			t.Fatalf("err = %v, want ErrAuthRejected", err)
		}
	})
}

func TestInteropMinerStartedWhileServerDown(t *testing.T) {
	srv := newNodeOrchestrator(t, map[string]any{"jobs": 20})
	c := newTestClient(t, srv.url(), TransportSocketIO)
	h := newCountingHandler()
	c.Handle("inference", h)
	stop := runClient(t, c)
	waitClient(t, c, 10*time.Second, "failed dials", func(s Stats) bool { return s.DialFailures >= 3 })
	srv.start()
	srv.waitFor(15*time.Second, "20 results", func(s serverStats) bool { return s.Done == 20 })
	stop()
	checkResults(t, srv, 20)
}

func TestInteropDeadLinkDetected(t *testing.T) {
	for _, tr := range []Transport{TransportSocketIO, TransportWebSocket} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			// Generous timeouts: a loaded CI machine must not see a
			// live link as dead.
			srv := newNodeOrchestrator(t, map[string]any{"pingInterval": 200, "pingTimeout": 1500})
			srv.start()
			url := srv.url()
			if tr == TransportWebSocket {
				url += "/ws"
			}
			c := newTestClient(t, url, tr)
			c.PingInterval, c.PingTimeout = 200*time.Millisecond, 1500*time.Millisecond
			runClient(t, c)
			waitClient(t, c, 10*time.Second, "first connection", func(s Stats) bool { return s.Connects == 1 })
			// Let a few pings pass: a live link must stay up.
			time.Sleep(600 * time.Millisecond)
			if n := c.Stats().Connects; n != 1 {
				t.Fatalf("live link reconnected (%d connects)", n)
			}
			if err := srv.control("silence", map[string]any{}, nil); err != nil {
				t.Fatal(err)
			}
			waitClient(t, c, 10*time.Second, "reconnect after a dead link", func(s Stats) bool { return s.Connects == 2 })
		})
	}
}

func TestInteropRedeliveryCancelTimeoutUnknownType(t *testing.T) {
	srv := newNodeOrchestrator(t, map[string]any{"jobs": 20})
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	c.JobTimeout = 300 * time.Millisecond
	h := newCountingHandler()
	c.Handle("inference", h)
	started := make(chan string, 4)
	c.HandleFunc("slow", func(ctx context.Context, job Job) (any, error) {
		started <- job.ID
		<-ctx.Done()
		return nil, context.Cause(ctx)
	})
	stop := runClient(t, c)
	srv.waitFor(10*time.Second, "20 results", func(s serverStats) bool { return s.Done == 20 })

	// Done jobs sent again are answered from the journal, not run.
	ids := []string{"job-0", "job-1", "job-2", "job-3", "job-4"}
	if err := srv.control("redeliver", map[string]any{"ids": ids}, nil); err != nil {
		t.Fatal(err)
	}
	s := srv.waitFor(10*time.Second, "redelivered answers", func(s serverStats) bool { return len(s.Redelivered) == len(ids) })
	for _, r := range s.Redelivered {
		if !r.OK {
			t.Errorf("redelivered answer %+v", r)
		}
	}
	if s.Mismatches != 0 {
		t.Errorf("%d redelivered answers differ from the first ones", s.Mismatches)
	}
	if got := h.total.Load(); got != 20 {
		t.Errorf("handler ran %d times, want 20", got)
	}

	jobs := []Job{{ID: "cancel-me", Type: "slow"}, {ID: "time-me-out", Type: "slow"}, {ID: "mystery", Type: "no-such-type"}}
	if err := srv.control("dispatch", map[string]any{"jobs": jobs}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if id := <-started; id == "cancel-me" {
			if err := srv.control("cancel", map[string]any{"id": id}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv.waitFor(10*time.Second, "23 results", func(s serverStats) bool { return s.Done == 23 })
	stop()
	res := srv.results()
	for id, want := range map[string]string{"cancel-me": "cancelled by the orchestrator", "time-me-out": "timed out after 300ms", "mystery": `unknown job type "no-such-type"`} {
		if r := res[id]; r.OK || r.Error != want {
			t.Errorf("%s: result %+v, want error %q", id, r, want)
		}
	}
	if c.Stats().Replayed < int64(len(ids)) {
		t.Errorf("client stats %+v: want %d replays", c.Stats(), len(ids))
	}
}

func TestInteropResultsReportedUntilAcknowledged(t *testing.T) {
	srv := newNodeOrchestrator(t, map[string]any{"noRedelivery": true})
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	started, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	c.HandleFunc("gate", func(ctx context.Context, job Job) (any, error) {
		runs.Add(1)
		close(started)
		<-release
		return "finished while disconnected", nil
	})
	stop := runClient(t, c)
	if err := srv.control("dispatch", map[string]any{"jobs": []Job{{ID: "g1", Type: "gate"}}}, nil); err != nil {
		t.Fatal(err)
	}
	<-started
	// The next "results" event is dropped unrecorded; the one after is
	// acknowledged late.
	if err := srv.control("config", map[string]any{"dropResults": 1, "delayAckMs": 100}, nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.control("drop", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	close(release)
	s := srv.waitFor(10*time.Second, "g1 reported", func(s serverStats) bool { return s.Done == 1 })
	stop()
	if s.ViaResults != 1 || s.ViaAck != 0 {
		t.Errorf("server stats %+v: want the result through \"results\" only", s)
	}
	if runs.Load() != 1 {
		t.Errorf("gate ran %d times", runs.Load())
	}
	if st := c.Stats(); st.Connects < 3 {
		t.Errorf("client stats %+v: want a reconnect after the dropped report", st)
	}
	if u := c.Journal.Unreported(); len(u) != 0 {
		t.Errorf("journal still holds unreported results %v", u)
	}
}

func TestInteropGracefulDrain(t *testing.T) {
	srv := newNodeOrchestrator(t, nil)
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	started := make(chan struct{})
	c.HandleFunc("slow", func(ctx context.Context, job Job) (any, error) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		return "drained", nil
	})
	stop := runClient(t, c)
	if err := srv.control("dispatch", map[string]any{"jobs": []Job{{ID: "d1", Type: "slow"}}}, nil); err != nil {
		t.Fatal(err)
	}
	<-started
	stop() // like SIGTERM: Run waits for d1 and reports it before returning
	s, err := srv.stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Done != 1 {
		t.Fatalf("after the drain the server has %d results, want 1", s.Done)
	}
	if r := srv.results()["d1"]; !r.OK || string(r.Result) != `"drained"` {
		t.Errorf("d1 result %+v", r)
	}
}

// TestInteropMinerCrashRecovery starts a miner on the journal a crashed
// miner left behind: the job that was running is answered "interrupted"
// and not run again, the finished one from the journal, the one never
// started runs now.
func TestInteropMinerCrashRecovery(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"was-running", "was-done", "never-started"} {
		if _, _, err := j.Received(Job{ID: id, Type: "inference", Payload: []byte(`{"n":1}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := j.Start("was-running"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := j.Start("was-done"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := j.Finish(Result{ID: "was-done", OK: true, Result: []byte(`"from before the crash"`)}); err != nil {
		t.Fatal(err)
	}
	// No Close: the process "crashed" (which releases its lock). Everything
	// that matters was fsynced.
	j.unlock()

	srv := newNodeOrchestrator(t, nil)
	srv.start()
	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, srv.url(), TransportSocketIO)
	c.Journal = j2
	h := newCountingHandler()
	c.Handle("inference", h)
	stop := runClient(t, c)
	var jobs []Job
	for _, id := range []string{"was-running", "was-done", "never-started"} {
		jobs = append(jobs, Job{ID: id, Type: "inference", Payload: []byte(`{"n":1}`)})
	}
	if err := srv.control("dispatch", map[string]any{"jobs": jobs}, nil); err != nil {
		t.Fatal(err)
	}
	srv.waitFor(10*time.Second, "3 results", func(s serverStats) bool { return s.Done == 3 })
	stop()
	res := srv.results()
	if r := res["was-running"]; r.OK || !strings.HasPrefix(r.Error, "interrupted") {
		t.Errorf("was-running: %+v", r)
	}
	if r := res["was-done"]; !r.OK || string(r.Result) != `"from before the crash"` {
		t.Errorf("was-done: %+v", r)
	}
	if r := res["never-started"]; !r.OK {
		t.Errorf("never-started: %+v", r)
	}
	if tw := h.twice(); len(tw) > 0 || h.total.Load() != 1 {
		t.Errorf("handler ran %d times (%v), want once (never-started)", h.total.Load(), tw)
	}
}

// TestDrainWithServerGone: a result that cannot be reported (no server)
// must not keep Run from returning after DrainTimeout plus a short grace.
func TestDrainWithServerGone(t *testing.T) {
	srv := newNodeOrchestrator(t, map[string]any{"noRedelivery": true})
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	c.DrainTimeout = 300 * time.Millisecond
	started := make(chan struct{})
	c.HandleFunc("slow", func(ctx context.Context, job Job) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, context.Cause(ctx)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	if err := srv.control("dispatch", map[string]any{"jobs": []Job{{ID: "s1", Type: "slow"}}}, nil); err != nil {
		t.Fatal(err)
	}
	<-started
	srv.Kill()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	u := c.Journal.Unreported()
	if len(u) != 1 || u[0].Error != errShutdown.Error() {
		t.Errorf("unreported = %+v, want s1 cancelled by the shutdown", u)
	}
}

// TestInteropAckDeliveryConfirmedByPings: results answered through job
// acknowledgements count as reported only once a later liveness round trip
// proves the orchestrator received them, so a healthy link needs no
// "results" event at all.
func TestInteropAckDeliveryConfirmedByPings(t *testing.T) {
	for _, tr := range []Transport{TransportSocketIO, TransportWebSocket} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			srv := newNodeOrchestrator(t, map[string]any{"jobs": 20, "pingInterval": 100, "pingTimeout": 2000})
			srv.start()
			url := srv.url()
			if tr == TransportWebSocket {
				url += "/ws"
			}
			c := newTestClient(t, url, tr)
			c.PingInterval, c.PingTimeout = 100*time.Millisecond, 2*time.Second
			c.Handle("inference", newCountingHandler())
			runClient(t, c)
			srv.waitFor(10*time.Second, "20 results", func(s serverStats) bool { return s.Done == 20 })
			deadline := time.Now().Add(10 * time.Second)
			for len(c.Journal.Unreported()) > 0 {
				if time.Now().After(deadline) {
					t.Fatalf("%d results never confirmed", len(c.Journal.Unreported()))
				}
				time.Sleep(10 * time.Millisecond)
			}
			if s, _ := srv.stats(); s.ViaResults != 0 || s.Duplicates != 0 {
				t.Errorf("server stats %+v: want every result once, through acks", s)
			}
		})
	}
}

// TestInteropNamespace: the URL's path is the Socket.IO namespace, as in
// socket.io clients; frames of other namespaces are ignored.
func TestInteropNamespace(t *testing.T) {
	srv := newNodeOrchestrator(t, map[string]any{"jobs": 5, "namespace": "/miners"})
	srv.start()
	c := newTestClient(t, srv.url()+"/miners", TransportSocketIO)
	c.Handle("inference", newCountingHandler())
	stop := runClient(t, c)
	srv.waitFor(10*time.Second, "5 results", func(s serverStats) bool { return s.Done == 5 })
	stop()
	checkResults(t, srv, 5)

	// A namespace the server does not have: CONNECT_ERROR.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := dialSocketIO(ctx, dialConfig{url: srv.url() + "/nope", readLimit: 1 << 20,
		creds: func() Credentials { return SignCredentials(testKey(t, "//Alice"), "", time.Now()) }})
	if !errors.Is(err, ErrAuthRejected) {
		t.Fatalf("unknown namespace: err = %v, want a CONNECT_ERROR", err)
	}
}

// TestInteropSlowResultsAck: an orchestrator slower to acknowledge
// "results" than AckTimeout gets them again until one ack arrives in time.
func TestInteropSlowResultsAck(t *testing.T) {
	srv := newNodeOrchestrator(t, map[string]any{"noRedelivery": true})
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	c.AckTimeout = 300 * time.Millisecond
	started, release := make(chan struct{}), make(chan struct{})
	c.HandleFunc("gate", func(ctx context.Context, job Job) (any, error) {
		close(started)
		<-release
		return "late", nil
	})
	runClient(t, c)
	if err := srv.control("dispatch", map[string]any{"jobs": []Job{{ID: "s1", Type: "gate"}}}, nil); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := srv.control("config", map[string]any{"delayAckMs": 500}, nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.control("drop", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	close(release)
	srv.waitFor(10*time.Second, "s1 recorded", func(s serverStats) bool { return s.Done == 1 })
	if err := srv.control("config", map[string]any{"delayAckMs": 0}, nil); err != nil {
		t.Fatal(err)
	}
	waitClient(t, c, 10*time.Second, "s1 acknowledged", func(s Stats) bool { return s.Reported >= 1 })
	if u := c.Journal.Unreported(); len(u) != 0 {
		t.Errorf("unreported after the ack: %v", u)
	}
}

// TestInteropResultTooLarge: a result above the server's maxPayload would
// get the connection dropped on every retry; it is answered with an error
// result instead.
func TestInteropResultTooLarge(t *testing.T) {
	srv := newNodeOrchestrator(t, map[string]any{"maxPayload": 10000})
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	c.HandleFunc("big", func(ctx context.Context, job Job) (any, error) { return strings.Repeat("x", 20000), nil })
	runClient(t, c)
	if err := srv.control("dispatch", map[string]any{"jobs": []Job{{ID: "b1", Type: "big"}}}, nil); err != nil {
		t.Fatal(err)
	}
	srv.waitFor(10*time.Second, "b1", func(s serverStats) bool { return s.Done == 1 })
	if r := srv.results()["b1"]; r.OK || !strings.Contains(r.Error, "result too large for the orchestrator: 20002 bytes, it accepts 10000") {
		t.Errorf("b1: %+v", r)
	}
	if n := c.Stats().Connects; n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestInteropShutdownLeavesQueuedJobsUnanswered: at the drain deadline the
// running job is cancelled (and answered so), but a job still waiting for a
// slot gets no final answer: it stays in the journal as received and runs
// when delivered again.
func TestInteropShutdownLeavesQueuedJobsUnanswered(t *testing.T) {
	srv := newNodeOrchestrator(t, nil)
	srv.start()
	c := newTestClient(t, srv.url(), TransportSocketIO)
	c.Concurrency = 1
	c.DrainTimeout = 200 * time.Millisecond
	started := make(chan string, 2)
	c.HandleFunc("slow", func(ctx context.Context, job Job) (any, error) {
		started <- job.ID
		<-ctx.Done()
		return nil, context.Cause(ctx)
	})
	stop := runClient(t, c)
	jobs := []Job{{ID: "q1", Type: "slow"}, {ID: "q2", Type: "slow"}}
	if err := srv.control("dispatch", map[string]any{"jobs": jobs}, nil); err != nil {
		t.Fatal(err)
	}
	first := <-started
	second := "q2"
	if first == "q2" {
		second = "q1"
	}
	// The server emits both jobs at once, but the second frame may still be
	// on its way when the first job starts: stop only once it is journaled.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if e, _ := c.Journal.Get(second); e.State != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never reached the miner's journal", second)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	res := srv.results()
	if r, ok := res[first]; !ok || r.Error != errShutdown.Error() {
		t.Errorf("%s (running): %+v", first, r)
	}
	if r, ok := res[second]; ok {
		t.Errorf("%s (queued) was answered: %+v", second, r)
	}
	if e, _ := c.Journal.Get(second); e.State != StateReceived {
		t.Errorf("%s journal state %q, want received", second, e.State)
	}
}

// TestInteropMalformedFramesSkipped: malformed, unknown and binary frames
// from the server are skipped; the link stays up and jobs keep flowing.
func TestInteropMalformedFramesSkipped(t *testing.T) {
	for _, tr := range []Transport{TransportSocketIO, TransportWebSocket} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			srv := newNodeOrchestrator(t, nil)
			srv.start()
			url := srv.url()
			if tr == TransportWebSocket {
				url += "/ws"
			}
			c := newTestClient(t, url, tr)
			c.Handle("inference", newCountingHandler())
			runClient(t, c)
			waitClient(t, c, 10*time.Second, "connection", func(s Stats) bool { return s.Connects == 1 })
			if err := srv.control("garbage", map[string]any{}, nil); err != nil {
				t.Fatal(err)
			}
			jobs := []Job{{ID: "after-garbage", Type: "inference", Payload: []byte(`{"n":7}`)}}
			if err := srv.control("dispatch", map[string]any{"jobs": jobs}, nil); err != nil {
				t.Fatal(err)
			}
			srv.waitFor(10*time.Second, "the job after the garbage", func(s serverStats) bool { return s.Done == 1 })
			if n := c.Stats().Connects; n != 1 {
				t.Errorf("%d connections: the garbage dropped the link", n)
			}
		})
	}
}
