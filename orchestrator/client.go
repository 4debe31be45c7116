// Package orchestrator is the Pattern B miner's side of an outbound,
// authenticated connection to an orchestrator (Socket.IO v4 or plain
// WebSocket JSON): a fresh hotkey signature on every connect, reconnects with
// backoff, and an on-disk job journal so that no job is lost or run twice
// across disconnects and restarts. It never listens on a port.
package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/keys"
)

// Transport selects the wire protocol.
type Transport string

const (
	// TransportSocketIO is Socket.IO v5 over Engine.IO v4 on a WebSocket.
	TransportSocketIO Transport = "socketio"
	// TransportWebSocket is a plain WebSocket carrying JSON messages.
	TransportWebSocket Transport = "ws"
)

// Job is what the orchestrator asks the miner to do.
type Job struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Result answers a Job: Result when OK, Error otherwise.
type Result struct {
	ID     string          `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// Handler runs one type of job. It must stop when ctx is done (the job timed
// out, was cancelled or the miner is shutting down): the job is answered
// with an error at that moment and its slot freed, whatever the handler does
// afterwards. The returned value is sent as JSON.
type Handler interface {
	ServeJob(ctx context.Context, job Job) (any, error)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, job Job) (any, error)

// ServeJob calls f.
func (f HandlerFunc) ServeJob(ctx context.Context, job Job) (any, error) { return f(ctx, job) }

// Heartbeat is the body of the "heartbeat" event, sent on every connect and
// then every HeartbeatInterval.
type Heartbeat struct {
	Hotkey    string      `json:"hotkey"`
	Capacity  int         `json:"capacity"`
	InFlight  int         `json:"in_flight"`
	Completed int64       `json:"completed"`
	Draining  bool        `json:"draining"`
	JobTypes  []string    `json:"job_types"`
	GPUs      *gpu.Report `json:"gpus,omitempty"` // empty devices: no GPU; absent: not asked or unreadable
	Time      int64       `json:"time"`           // Unix milliseconds
}

// Stats counts what a Client did; read it with Client.Stats.
type Stats struct {
	Connects     int64 // authenticated connections
	DialFailures int64 // failed attempts, refusals included
	AuthRefused  int64 // refusals of our credentials
	Executed     int64 // handler runs
	Replayed     int64 // redeliveries answered from the journal
	Reported     int64 // results acknowledged through "results"
	Confirmed    int64 // job acks proven delivered by a later ping/pong
}

// Client keeps one authenticated outbound connection to an orchestrator and
// runs the jobs it sends: each job is run at most once (the journal records
// it before the handler starts) and its result reported at least once
// (re-sent after a reconnect until acknowledged). The zero value is not usable:
// set URL, Signer and Journal. Optional fields are used when non-zero.
type Client struct {
	URL       string      // http(s)://host:port[/namespace] or ws(s)://…
	Signer    keys.Signer // the hotkey
	Journal   *Journal    // on-disk job journal (OpenJournal)
	Transport Transport   // if empty, TransportSocketIO
	AuthStyle AuthStyle   // if empty, AuthConnect
	Purpose   string      // if empty, DefaultPurpose
	// Path is the Socket.IO endpoint path; if empty, "/socket.io/".
	Path   string
	Header http.Header
	// Concurrency is the number of jobs run at once; if zero, GOMAXPROCS.
	Concurrency int
	// MaxInFlight bounds the jobs this process holds at once, running or
	// waiting for one of the Concurrency slots; if zero, 4 × Concurrency.
	// A job beyond it is neither acknowledged nor read: the connection's
	// reader waits (TCP backpressure) until a job ends, so a flood of
	// pushed jobs holds MaxInFlight jobs in memory, not all of them.
	MaxInFlight int
	// JobTimeout bounds one job; if zero, 10 minutes.
	JobTimeout time.Duration
	// Backoff spaces reconnection attempts (60 s cap by default).
	Backoff Backoff
	// DialTimeout bounds one connection attempt, handshake and
	// authentication included; if zero, 15 s.
	DialTimeout time.Duration
	// PingInterval and PingTimeout drive dead-link detection on the plain
	// WebSocket transport (Socket.IO takes them from the server); if zero,
	// 25 s and 20 s.
	PingInterval, PingTimeout time.Duration
	// HeartbeatInterval spaces "heartbeat" events; if zero, 30 s.
	HeartbeatInterval time.Duration
	// AckTimeout bounds the wait for the orchestrator to acknowledge
	// "results"; if zero, 10 s.
	AckTimeout time.Duration
	// DrainTimeout bounds the wait for running jobs after Run's context
	// ends; if zero, 30 s.
	DrainTimeout time.Duration
	// MaxMessageBytes limits one inbound message; if zero, 16 MiB.
	MaxMessageBytes int64
	// GPU, if non-nil, is read for every heartbeat.
	GPU gpu.Reader
	// Logger, if non-nil, receives connection and job events.
	Logger *slog.Logger
	// Now, if non-nil, replaces time.Now for credential nonces.
	Now func() time.Time

	mu       sync.Mutex
	handlers map[string]Handler
	running  bool
	state    *runState // of the current Run, for metrics
	metrics  jobMetrics
	stats    struct{ connects, dialFailures, authRefused, executed, replayed, reported, confirmed atomic.Int64 }
}

// Handle registers h for jobs of the given type. Jobs of a type with no
// handler get an error result.
func (c *Client) Handle(jobType string, h Handler) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handlers == nil {
		c.handlers = make(map[string]Handler)
	}
	c.handlers[jobType] = h
}

// HandleFunc registers f for jobs of the given type.
func (c *Client) HandleFunc(jobType string, f func(ctx context.Context, job Job) (any, error)) {
	c.Handle(jobType, HandlerFunc(f))
}

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Connects: c.stats.connects.Load(), DialFailures: c.stats.dialFailures.Load(),
		AuthRefused: c.stats.authRefused.Load(), Executed: c.stats.executed.Load(),
		Replayed: c.stats.replayed.Load(), Reported: c.stats.reported.Load(), Confirmed: c.stats.confirmed.Load(),
	}
}

func (c *Client) handler(jobType string) Handler {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.handlers[jobType]
}

func (c *Client) jobTypes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.handlers))
	for t := range c.handlers {
		out = append(out, t)
	}
	return out
}

func (c *Client) log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func orDefault[T ~int | ~int64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func (c *Client) concurrency() int {
	return orDefault(c.Concurrency, runtime.GOMAXPROCS(0))
}

func (c *Client) maxInFlight() int { return orDefault(c.MaxInFlight, 4*c.concurrency()) }

// Run connects, reconnects forever and runs jobs until ctx ends; then it
// drains: it stops taking jobs, waits up to DrainTimeout for running ones,
// reports their results and closes the connection. It returns nil after a
// clean drain.
func (c *Client) Run(ctx context.Context) error {
	if c.URL == "" || c.Signer == nil || c.Journal == nil {
		return errors.New("orchestrator: Client needs URL, Signer and Journal")
	}
	switch c.Transport {
	case "", TransportSocketIO, TransportWebSocket:
	default:
		return fmt.Errorf("orchestrator: unknown transport %q (want %q or %q)", c.Transport, TransportSocketIO, TransportWebSocket)
	}
	if _, _, err := websocketURL(c.URL, c.Path, c.Transport != TransportWebSocket); err != nil {
		return err
	}
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return errors.New("orchestrator: Client.Run is already running")
	}
	c.running = true
	st := &runState{
		jobs:  make(map[string]*jobState),
		sem:   make(chan struct{}, c.concurrency()),
		slots: make(chan struct{}, c.maxInFlight()),
		kick:  make(chan struct{}, 1),
	}
	c.state = st
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running, c.state = false, nil
		c.mu.Unlock()
	}()

	life, endLife := context.WithCancel(context.WithoutCancel(ctx))
	defer endLife()
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		c.connectLoop(life, st)
	}()

	<-ctx.Done()
	c.drain(st)
	endLife()
	<-loopDone
	s := c.Stats()
	c.log().Info("stopped", "executed", s.Executed, "replayed", s.Replayed, "connects", s.Connects,
		"unreported", len(c.Journal.Unreported()))
	return nil
}

// drain stops new jobs and waits for running ones, then for their results
// to be reported (while the connect loop keeps a link up).
func (c *Client) drain(st *runState) {
	log := c.log()
	st.mu.Lock()
	st.draining = true
	n := len(st.jobs)
	st.mu.Unlock()
	log.Info("draining", "in_flight", n)
	if l := st.current(); l != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = l.Emit(ctx, "heartbeat", c.heartbeat(st))
		cancel()
	}
	timeout := orDefault(c.DrainTimeout, 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	idle := make(chan struct{})
	go func() {
		st.wg.Wait()
		close(idle)
	}()
	select {
	case <-idle:
	case <-ctx.Done():
		log.Warn("drain timeout: cancelling running jobs", "timeout", timeout)
		st.cancelAll()
		<-idle
	}
	// Acknowledgements not yet proven delivered are sent again through
	// "results", whose own ack proves delivery before we close.
	st.mu.Lock()
	clear(st.awaiting)
	st.mu.Unlock()
	// Report what finished while draining; results cancelled at the
	// deadline get a short grace.
	report, cancelReport := context.WithTimeout(context.Background(), max(time.Until(deadlineOf(ctx)), 2*time.Second))
	defer cancelReport()
	for len(st.unreported(c.Journal)) > 0 {
		st.kickReport()
		select {
		case <-report.Done():
			log.Warn("drain: results left unreported; they stay in the journal and are reported on the next start")
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// minStableLink is how long a link that brought no event must last for the
// backoff to start over: a server that accepts and drops at once must not
// cause a reconnect storm.
const minStableLink = 10 * time.Second

// connectLoop dials with backoff until life ends, serving each link.
func (c *Client) connectLoop(life context.Context, st *runState) {
	log := c.log()
	attempt := 0
	wait := func() bool {
		d := c.Backoff.Delay(attempt)
		attempt++
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-life.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for life.Err() == nil {
		l, err := c.dial(life)
		if err != nil {
			c.stats.dialFailures.Add(1)
			if errors.Is(err, ErrAuthRejected) {
				c.stats.authRefused.Add(1)
			}
			log.Warn("orchestrator connection failed", "err", err, "attempt", attempt+1)
			if !wait() {
				return
			}
			continue
		}
		c.stats.connects.Add(1)
		log.Info("connected to orchestrator", "url", c.URL, "transport", c.transport())
		since := time.Now()
		events := c.serve(life, st, l)
		if life.Err() != nil {
			return
		}
		log.Warn("orchestrator connection lost; reconnecting", "err", l.Err(), "after", time.Since(since).Round(time.Millisecond))
		if events > 0 || time.Since(since) >= minStableLink {
			attempt = 0 // a working link: come back at once
		} else if !wait() {
			return
		}
	}
}

func (c *Client) transport() Transport {
	if c.Transport == "" {
		return TransportSocketIO
	}
	return c.Transport
}

func (c *Client) dial(ctx context.Context) (link, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(c.DialTimeout, 15*time.Second))
	defer cancel()
	cfg := dialConfig{
		url: c.URL, path: c.Path, header: c.Header, style: c.AuthStyle,
		creds:       func() Credentials { return SignCredentials(c.Signer, c.Purpose, c.now()) },
		readLimit:   orDefault(c.MaxMessageBytes, 16<<20),
		pingEvery:   orDefault(c.PingInterval, 25*time.Second),
		pingTimeout: orDefault(c.PingTimeout, 20*time.Second),
	}
	if c.transport() == TransportWebSocket {
		return dialWS(ctx, cfg)
	}
	return dialSocketIO(ctx, cfg)
}

// serve handles one link until it ends or life ends, and returns the
// number of events it received.
func (c *Client) serve(life context.Context, st *runState, l link) (events int) {
	st.setLink(l)
	defer st.setLink(nil)
	stop := context.AfterFunc(life, func() { l.Close("miner shutting down") })
	defer stop()

	hbCtx, cancel := context.WithTimeout(life, 5*time.Second)
	if err := l.Emit(hbCtx, "heartbeat", c.heartbeat(st)); err != nil {
		c.log().Debug("heartbeat", "err", err)
	}
	cancel()
	go c.heartbeatLoop(st, l)
	go c.reportLoop(st, l)
	st.kickReport()

	for ev := range l.Events() {
		events++
		switch ev.Event {
		case "job":
			c.onJob(life, st, l, ev)
		case "cancel":
			var m struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(ev.Arg, &m) == nil {
				st.cancel(m.ID)
			}
			if ev.AckID >= 0 {
				_, _ = l.Ack(life, ev.AckID, map[string]bool{"ok": true})
			}
		default:
			c.log().Debug("ignoring event", "event", ev.Event)
			if ev.AckID >= 0 {
				_, _ = l.Ack(life, ev.AckID, map[string]string{"error": "unknown event " + ev.Event})
			}
		}
	}
	return events
}

func (c *Client) heartbeat(st *runState) Heartbeat {
	st.mu.Lock()
	h := Heartbeat{
		Hotkey: c.Signer.Public().Address(), Capacity: cap(st.sem), InFlight: len(st.jobs),
		Draining: st.draining, JobTypes: c.jobTypes(), Time: time.Now().UnixMilli(),
	}
	st.mu.Unlock()
	h.Completed = c.stats.executed.Load()
	if h.Draining {
		h.Capacity = 0
	}
	if c.GPU != nil {
		r, err := c.GPU.Read()
		switch {
		case err == nil:
			h.GPUs = &r
		case errors.Is(err, gpu.ErrNoGPU):
			// Say "no GPU" explicitly rather than leave it out.
			h.GPUs = &gpu.Report{Devices: []gpu.Device{}}
		}
	}
	return h
}

func (c *Client) heartbeatLoop(st *runState, l link) {
	t := time.NewTicker(orDefault(c.HeartbeatInterval, 30*time.Second))
	defer t.Stop()
	for {
		select {
		case <-l.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = l.Emit(ctx, "heartbeat", c.heartbeat(st))
			cancel()
		}
	}
}

// reportLoop sends results the orchestrator has not acknowledged through
// "results" (with an ack) whenever kicked, until the link ends.
func (c *Client) reportLoop(st *runState, l link) {
	for {
		select {
		case <-l.Done():
			return
		case <-l.ConfirmedNotify():
			if ids := st.confirmed(l); len(ids) > 0 {
				c.stats.confirmed.Add(int64(len(ids)))
				if err := c.Journal.MarkReported(ids...); err != nil {
					c.log().Error("journal", "err", err)
				}
			}
			continue
		case <-st.kick:
		}
		for {
			results := st.unreported(c.Journal)
			if len(results) == 0 {
				break
			}
			results = batch(l, results, 256)
			ctx, cancel := context.WithTimeout(context.Background(), orDefault(c.AckTimeout, 10*time.Second))
			_, err := l.Call(ctx, "results", results)
			cancel()
			if err != nil {
				c.log().Warn("reporting results failed; will retry", "n", len(results), "err", err)
				// Still connected: the orchestrator is slow; try again
				// later rather than spin. Disconnected: the next link
				// reports them.
				select {
				case <-l.Done():
				case <-time.After(time.Second):
					st.kickReport()
				}
				break
			}
			ids := make([]string, len(results))
			for i, r := range results {
				ids[i] = r.ID
			}
			if err := c.Journal.MarkReported(ids...); err != nil {
				c.log().Error("journal", "err", err)
			}
			c.stats.reported.Add(int64(len(results)))
		}
	}
}
