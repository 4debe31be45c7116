package orchestrator

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Job states in the journal.
const (
	StateReceived = "received" // stored, not started
	StateRunning  = "running"  // a handler was started (fsynced before it starts)
	StateDone     = "done"     // a result exists (fsynced before it is reported)
)

// Entry is what the journal knows about one job.
type Entry struct {
	Job      Job
	State    string
	Result   *Result // set in StateDone
	Reported bool    // the orchestrator acknowledged the result
	Updated  time.Time
}

// record is one line of the journal file.
type record struct {
	ID       string          `json:"id"`
	State    string          `json:"state,omitempty"`
	Type     string          `json:"type,omitempty"`
	Payload  json.RawMessage `json:"payload,omitempty"`
	Result   *Result         `json:"result,omitempty"`
	Reported bool            `json:"reported,omitempty"`
	Time     int64           `json:"t"` // Unix milliseconds
}

// DefaultJournalPath is where the journal of the miner with this hotkey
// (its SS58 address) lives unless told otherwise:
// $XDG_STATE_HOME/minerkit/orchestrator/<hotkey>.jsonl, with ~/.local/state
// for $XDG_STATE_HOME when it is unset. It fails only without either.
func DefaultJournalPath(hotkey string) (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("orchestrator: no directory for the journal: XDG_STATE_HOME is unset and %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "minerkit", "orchestrator", hotkey+".jsonl"), nil
}

// Journal is an append-only JSON-lines file recording every job's progress
// (received → running → done → reported), so that a job delivered again
// after a reconnect, an orchestrator restart or a miner crash is never run
// twice. Appends that must survive a crash (running, done) are fsynced, in
// groups when several jobs finish together. The file is rewritten compactly
// when it grows past twice the live records.
//
// A Journal is safe for concurrent use.
type Journal struct {
	// Retain is how long reported results are remembered to answer
	// redeliveries; if zero, 24 hours.
	Retain time.Duration
	// MaxReported bounds how many reported results are remembered (the
	// oldest are forgotten first at compaction); if zero, 100,000.
	MaxReported int

	path string
	lock *os.File // held while open
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	jobs map[string]*Entry
	// lines counts records in the file, for compaction.
	lines int
	// pending are appended records waiting for the next fsync, and waiters
	// the callers blocked until it happens.
	syncing bool
	waiters []chan error
	closed  bool
	now     func() time.Time
}

// OpenJournal opens (creating if needed) the journal at path and replays it.
// Jobs found running are from a miner that stopped mid-job: they are marked
// done with an "interrupted" error result rather than run again, because
// their side effects may already have happened.
func OpenJournal(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("orchestrator: journal directory: %w", err)
	}
	lock, err := lockFile(path)
	if err != nil {
		return nil, err
	}
	j := &Journal{path: path, lock: lock, jobs: make(map[string]*Entry), now: time.Now}
	if err := j.load(); err != nil {
		j.unlock()
		return nil, err
	}
	now := j.now()
	for _, e := range j.jobs {
		if e.State == StateRunning {
			e.State = StateDone
			e.Result = &Result{ID: e.Job.ID, OK: false, Error: "interrupted: the miner stopped while this job was running; not run again to avoid running it twice"}
			e.Updated = now
		}
	}
	if err := j.rewrite(); err != nil {
		j.unlock()
		return nil, err
	}
	return j, nil
}

func (j *Journal) unlock() {
	if j.lock != nil {
		j.lock.Close()
		j.lock = nil
	}
}

func (j *Journal) load() error {
	f, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("orchestrator: open journal: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.ID == "" {
			// A torn last line from a crash mid-append: everything
			// before it was fsynced, so skip it.
			continue
		}
		j.apply(r)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("orchestrator: read journal %s: %w", j.path, err)
	}
	return nil
}

func (j *Journal) apply(r record) {
	e := j.jobs[r.ID]
	if e == nil {
		e = &Entry{Job: Job{ID: r.ID}}
		j.jobs[r.ID] = e
	}
	if r.Type != "" {
		e.Job.Type = r.Type
	}
	if r.Payload != nil {
		e.Job.Payload = r.Payload
	}
	if r.State != "" && rank(r.State) >= rank(e.State) {
		e.State = r.State
	}
	if r.Result != nil {
		e.Result = r.Result
	}
	if r.Reported {
		e.Reported = true
	}
	e.Updated = time.UnixMilli(r.Time)
}

func rank(state string) int {
	switch state {
	case StateReceived:
		return 1
	case StateRunning:
		return 2
	case StateDone:
		return 3
	}
	return 0
}

// rewrite writes the live records to a new file and renames it over the old
// one. Reported results older than Retain are forgotten.
func (j *Journal) rewrite() error {
	retain := j.Retain
	if retain == 0 {
		retain = 24 * time.Hour
	}
	cutoff := j.now().Add(-retain)
	maxReported := j.MaxReported
	if maxReported <= 0 {
		maxReported = 100_000
	}
	var reported []*Entry
	for _, e := range j.jobs {
		if e.Reported {
			reported = append(reported, e)
		}
	}
	if len(reported) > maxReported {
		slices.SortFunc(reported, func(a, b *Entry) int { return a.Updated.Compare(b.Updated) })
		for _, e := range reported[:len(reported)-maxReported] {
			delete(j.jobs, e.Job.ID)
		}
	}
	tmp := j.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("orchestrator: compact journal: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	n := 0
	for id, e := range j.jobs {
		if e.Reported && e.Updated.Before(cutoff) {
			delete(j.jobs, id)
			continue
		}
		r := record{ID: id, State: e.State, Type: e.Job.Type, Result: e.Result, Reported: e.Reported, Time: e.Updated.UnixMilli()}
		if e.State != StateDone {
			r.Payload = e.Job.Payload // needed only to run it later
		}
		if err := enc.Encode(r); err != nil {
			f.Close()
			return fmt.Errorf("orchestrator: compact journal: %w", err)
		}
		n++
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("orchestrator: compact journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("orchestrator: compact journal: fsync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("orchestrator: compact journal: %w", err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		return fmt.Errorf("orchestrator: compact journal: %w", err)
	}
	syncDir(filepath.Dir(j.path))
	if j.f != nil {
		j.f.Close()
	}
	j.f, err = os.OpenFile(j.path, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("orchestrator: reopen journal: %w", err)
	}
	j.w = bufio.NewWriterSize(j.f, 64*1024)
	j.lines = n
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not every file system supports it
		d.Close()
	}
}

// Get returns a copy of the journal's entry for id.
func (j *Journal) Get(id string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.jobs[id]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// Unreported returns the results that the orchestrator has not acknowledged.
func (j *Journal) Unreported() []Result {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Result
	for _, e := range j.jobs {
		if e.State == StateDone && !e.Reported && e.Result != nil {
			out = append(out, *e.Result)
		}
	}
	return out
}

// Pending returns the jobs received but never started, oldest first is not
// guaranteed.
func (j *Journal) Pending() []Job {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Job
	for _, e := range j.jobs {
		if e.State == StateReceived {
			out = append(out, e.Job)
		}
	}
	return out
}

// Received records a newly delivered job. It reports the existing entry and
// false when the id is already known (a redelivery).
func (j *Journal) Received(job Job) (Entry, bool, error) {
	j.mu.Lock()
	if e, ok := j.jobs[job.ID]; ok {
		cp := *e
		j.mu.Unlock()
		return cp, false, nil
	}
	e := &Entry{Job: job, State: StateReceived, Updated: j.now()}
	j.jobs[job.ID] = e
	err := j.appendLocked(record{ID: job.ID, State: StateReceived, Type: job.Type, Payload: job.Payload, Time: e.Updated.UnixMilli()})
	cp := *e
	j.mu.Unlock()
	return cp, true, err
}

// Start moves a job from received to running and waits until that is on
// disk. It returns false when the job is not in the received state (another
// delivery already started it): the caller must not run it.
func (j *Journal) Start(id string) (bool, error) {
	j.mu.Lock()
	e, ok := j.jobs[id]
	if !ok || e.State != StateReceived {
		j.mu.Unlock()
		return false, nil
	}
	e.State, e.Updated = StateRunning, j.now()
	err := j.appendLocked(record{ID: id, State: StateRunning, Time: e.Updated.UnixMilli()})
	if err != nil {
		j.mu.Unlock()
		return false, err
	}
	return true, j.syncUnlock()
}

// Finish stores a job's result and waits until it is on disk.
func (j *Journal) Finish(res Result) error {
	j.mu.Lock()
	e, ok := j.jobs[res.ID]
	if !ok {
		e = &Entry{Job: Job{ID: res.ID}}
		j.jobs[res.ID] = e
	}
	e.State, e.Result, e.Updated = StateDone, &res, j.now()
	e.Job.Payload = nil // only needed to run the job
	err := j.appendLocked(record{ID: res.ID, State: StateDone, Result: &res, Time: e.Updated.UnixMilli()})
	if err != nil {
		j.mu.Unlock()
		return err
	}
	return j.syncUnlock()
}

// MarkReported records that the orchestrator acknowledged these results.
// It does not wait for the disk: losing the mark only means reporting again.
func (j *Journal) MarkReported(ids ...string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.now()
	for _, id := range ids {
		e, ok := j.jobs[id]
		if !ok || e.Reported || e.State != StateDone {
			continue
		}
		e.Reported, e.Updated = true, now
		if err := j.appendLocked(record{ID: id, Reported: true, Time: now.UnixMilli()}); err != nil {
			return err
		}
	}
	if !j.syncing {
		return j.w.Flush()
	}
	return nil
}

func (j *Journal) appendLocked(r record) error {
	if j.closed {
		return errors.New("orchestrator: journal is closed")
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("orchestrator: journal record: %w", err)
	}
	b = append(b, '\n')
	if _, err := j.w.Write(b); err != nil {
		return fmt.Errorf("orchestrator: write journal: %w", err)
	}
	j.lines++
	return nil
}

// syncUnlock makes everything appended so far durable, then unlocks. Callers
// arriving while an fsync runs wait for the next one, which covers all of
// them: one fsync per group, not per job.
func (j *Journal) syncUnlock() error {
	if j.syncing {
		ch := make(chan error, 1)
		j.waiters = append(j.waiters, ch)
		j.mu.Unlock()
		return <-ch
	}
	j.syncing = true
	var err, own error
	for first := true; ; first = false {
		waiters := j.waiters
		j.waiters = nil
		err = j.w.Flush()
		f := j.f
		j.mu.Unlock()
		if err == nil {
			if serr := f.Sync(); serr != nil {
				err = fmt.Errorf("orchestrator: fsync journal: %w", serr)
			}
		}
		j.mu.Lock()
		if first {
			own = err
		}
		for _, w := range waiters {
			w <- err
		}
		if len(j.waiters) == 0 {
			break
		}
	}
	j.syncing = false
	if own == nil && j.lines > 1024 && j.lines > 2*len(j.jobs) {
		own = j.rewrite()
	}
	j.mu.Unlock()
	return own
}

// Close flushes and closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	err := j.w.Flush()
	if serr := j.f.Sync(); err == nil {
		err = serr
	}
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.unlock()
	return err
}
