package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// runState is the state of one Run.
type runState struct {
	mu       sync.Mutex
	link     link                 // current link, nil while disconnected
	jobs     map[string]*jobState // queued or running in this process
	draining bool
	// awaiting holds results acknowledged on the current link whose
	// delivery is not yet proven (see linkBase.epoch). If the link dies
	// first, they are reported again through "results".
	awaiting map[string]uint64

	sem   chan struct{} // concurrency slots
	slots chan struct{} // jobs held (MaxInFlight)
	wg    sync.WaitGroup
	kick  chan struct{} // wakes the reporter
}

// jobState is a job this process is running, with every acknowledgement
// that waits for its result (a redelivery adds one).
type jobState struct {
	cancel  context.CancelCauseFunc
	waiters []waiter
}

type waiter struct {
	l  link
	id int
}

// setLink makes l current. Results awaiting confirmation on the previous
// link become unreported again, for the reporter to send.
func (st *runState) setLink(l link) {
	st.mu.Lock()
	st.link = l
	n := len(st.awaiting)
	clear(st.awaiting)
	st.mu.Unlock()
	if n > 0 {
		st.kickReport()
	}
}

// confirmed returns the ids whose acknowledgement on l is now proven
// delivered and forgets them.
func (st *runState) confirmed(l link) []string {
	bound := l.Confirmed()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.link != l {
		return nil
	}
	var ids []string
	for id, tag := range st.awaiting {
		if tag < bound {
			ids = append(ids, id)
			delete(st.awaiting, id)
		}
	}
	return ids
}

func (st *runState) current() link {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.link
}

func (st *runState) kickReport() {
	select {
	case st.kick <- struct{}{}:
	default:
	}
}

var (
	errCancelled = errors.New("cancelled by the orchestrator")
	errShutdown  = errors.New("cancelled: the miner is shutting down")
	errTimeout   = errors.New("timed out")
)

func (st *runState) cancel(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if j := st.jobs[id]; j != nil && j.cancel != nil {
		j.cancel(errCancelled)
	}
}

func (st *runState) cancelAll() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, j := range st.jobs {
		if j.cancel != nil {
			j.cancel(errShutdown)
		}
	}
}

// unreported returns the journal's unacknowledged results, leaving out jobs
// still running here and results awaiting proof of delivery.
func (st *runState) unreported(j *Journal) []Result {
	all := j.Unreported()
	st.mu.Lock()
	defer st.mu.Unlock()
	out := all[:0]
	for _, r := range all {
		_, waiting := st.awaiting[r.ID]
		if st.jobs[r.ID] == nil && !waiting {
			out = append(out, r)
		}
	}
	return out
}

// onJob handles one "job" event: a new job is journaled and started; a
// redelivered one is answered from the journal or joins the running one.
//
// A new job takes one of MaxInFlight slots first; while none is free the
// event loop waits here, so the link's reader stops reading and the
// orchestrator's writes back up (backpressure): nothing beyond the cap is
// acknowledged, journaled or started.
func (c *Client) onJob(life context.Context, st *runState, l link, ev inbound) {
	log := c.log()
	var job Job
	if err := json.Unmarshal(ev.Arg, &job); err != nil || job.ID == "" {
		log.Warn("malformed job", "err", err, "data", string(truncate(ev.Arg, 200)))
		if ev.AckID >= 0 {
			res := Result{ID: job.ID, OK: false, Error: "malformed job: want {\"id\": string, \"type\": string, \"payload\": any}"}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, _ = l.Ack(ctx, ev.AckID, res)
			cancel()
		}
		return
	}
	st.mu.Lock()
	if st.draining {
		st.mu.Unlock()
		// Not acknowledged: the orchestrator hands it to someone else
		// (or back to us) once this connection closes.
		log.Info("draining: job not taken", "job", job.ID)
		return
	}
	w := waiter{l: l, id: ev.AckID}
	if js := st.jobs[job.ID]; js != nil {
		if ev.AckID >= 0 {
			js.waiters = append(js.waiters, w)
		}
		st.mu.Unlock()
		return
	}
	st.mu.Unlock()
	select {
	case st.slots <- struct{}{}:
	default:
		log.Debug("jobs in flight at the cap: waiting for one to end before reading more", "max_in_flight", cap(st.slots))
		select {
		case st.slots <- struct{}{}:
		case <-life.Done():
			return
		}
	}
	st.mu.Lock()
	if st.draining {
		st.mu.Unlock()
		<-st.slots
		log.Info("draining: job not taken", "job", job.ID)
		return
	}
	if js := st.jobs[job.ID]; js != nil { // a redelivery arrived while we waited
		if ev.AckID >= 0 {
			js.waiters = append(js.waiters, w)
		}
		st.mu.Unlock()
		<-st.slots
		return
	}
	entry, isNew, err := c.Journal.Received(job)
	if err != nil {
		st.mu.Unlock()
		<-st.slots
		log.Error("journal: cannot record job; not running it", "job", job.ID, "err", err)
		return
	}
	if !isNew && entry.State == StateDone && entry.Result != nil {
		st.mu.Unlock()
		<-st.slots
		c.stats.replayed.Add(1)
		log.Debug("redelivered job answered from the journal", "job", job.ID)
		if ev.AckID >= 0 {
			c.answer(st, l, ev.AckID, *entry.Result)
		}
		return
	}
	js := &jobState{}
	if ev.AckID >= 0 {
		js.waiters = append(js.waiters, w)
	}
	st.jobs[job.ID] = js
	st.wg.Add(1)
	st.mu.Unlock()
	if !isNew {
		job = entry.Job // received earlier but never started
	}
	go func() {
		defer func() { <-st.slots }()
		c.execute(st, job, js)
	}()
}

// answer acknowledges a job with its result. The result stays unreported
// in the journal until the link proves delivery; if the write fails or the
// link dies first, the reporter sends it through "results".
func (c *Client) answer(st *runState, l link, ackID int, res Result) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tag, err := l.Ack(ctx, ackID, fit(l, res))
	if err != nil {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.link != l {
		return false
	}
	if st.awaiting == nil {
		st.awaiting = make(map[string]uint64)
	}
	st.awaiting[res.ID] = tag
	return true
}

// execute waits for a slot, marks the job running (durably), runs it and
// stores its result (durably) before answering.
func (c *Client) execute(st *runState, job Job, js *jobState) {
	defer st.wg.Done()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	st.mu.Lock()
	js.cancel = cancel
	st.mu.Unlock()

	var res Result
	select {
	case st.sem <- struct{}{}:
		res = c.runOne(ctx, job)
		<-st.sem
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), errShutdown) {
			// Never started: no final answer. It stays "received" in the
			// journal, and the orchestrator, unanswered, hands it out
			// again (to us or another miner).
			st.mu.Lock()
			delete(st.jobs, job.ID)
			st.mu.Unlock()
			return
		}
		res = Result{ID: job.ID, Error: context.Cause(ctx).Error()}
	}
	if res.ID == "" {
		// Another delivery already started it in an earlier process:
		// the journal holds (or will hold) the answer.
		if e, ok := c.Journal.Get(job.ID); ok && e.Result != nil {
			res = *e.Result
		} else {
			res = Result{ID: job.ID, Error: "job state unknown after a restart; not run again"}
		}
	} else if err := c.Journal.Finish(res); err != nil {
		c.log().Error("journal: cannot store result", "job", job.ID, "err", err)
	}

	st.mu.Lock()
	delete(st.jobs, job.ID)
	waiters := js.waiters
	cur := st.link
	st.mu.Unlock()

	delivered := false
	for _, w := range waiters {
		if w.l == cur && c.answer(st, w.l, w.id, res) {
			delivered = true
		}
	}
	if !delivered {
		st.kickReport()
	}
}

// runOne runs a job's handler under the job timeout. It returns a Result
// with an empty ID when the journal says the job was already started.
func (c *Client) runOne(ctx context.Context, job Job) Result {
	log := c.log()
	started, err := c.Journal.Start(job.ID)
	if err != nil {
		log.Error("journal: cannot mark job running; not running it", "job", job.ID, "err", err)
		return Result{ID: job.ID, Error: "miner journal failure: " + err.Error()}
	}
	if !started {
		return Result{}
	}
	h := c.handler(job.Type)
	if h == nil {
		return Result{ID: job.ID, Error: fmt.Sprintf("unknown job type %q", job.Type)}
	}
	c.stats.executed.Add(1)
	timeout := orDefault(c.JobTimeout, 10*time.Minute)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("%w after %s", errTimeout, timeout))
	defer cancel()

	type outcome struct {
		v   any
		err error
	}
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("handler panicked: %v", p)}
			}
		}()
		v, err := h.ServeJob(ctx, job)
		done <- outcome{v, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		o.err = context.Cause(ctx)
	}
	took := time.Since(start)
	log.Debug("job done", "job", job.ID, "type", job.Type, "took", took, "err", o.err)
	kind := "ok"
	switch {
	case o.err == nil:
	case errors.Is(o.err, errCancelled) || errors.Is(o.err, errShutdown):
		kind = "cancelled"
	case errors.Is(o.err, errTimeout):
		kind = "timeout"
	default:
		kind = "error"
	}
	c.metrics.observe(job.Type, kind, took)
	if o.err != nil {
		return Result{ID: job.ID, Error: o.err.Error()}
	}
	b, err := json.Marshal(o.v)
	if err != nil {
		return Result{ID: job.ID, Error: "result is not JSON: " + err.Error()}
	}
	return Result{ID: job.ID, OK: true, Result: b}
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// frameOverhead is room left in a message for framing around results.
const frameOverhead = 512

// fit replaces a result too large for the peer (which would drop the
// connection, again and again) with an error result saying so.
func fit(l link, r Result) Result {
	limit := l.MaxPayload()
	if limit == 0 || len(r.Result)+len(r.Error)+frameOverhead <= limit {
		return r
	}
	return Result{ID: r.ID, Error: fmt.Sprintf("result too large for the orchestrator: %d bytes, it accepts %d per message", len(r.Result)+len(r.Error), limit)}
}

// batch takes the longest prefix of results that fits one message.
func batch(l link, results []Result, maxCount int) []Result {
	limit := l.MaxPayload()
	size := frameOverhead
	for i, r := range results {
		r = fit(l, r)
		results[i] = r
		size += len(r.Result) + len(r.Error) + len(r.ID) + 64
		if i == maxCount || (limit > 0 && size > limit && i > 0) {
			return results[:i]
		}
	}
	return results
}
