package demo

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

type stepState uint8

const (
	pending stepState = iota
	running
	done
	failed
)

// Step is one stage of the demo as the View shows it and the Summary records
// it.
type Step struct {
	Key    string `json:"key"`
	Title  string `json:"title"`
	Done   bool   `json:"done"`
	Detail string `json:"detail,omitempty"`
	// Block is the chain's block when the step finished.
	Block uint64 `json:"block,omitempty"`
	// AtMs is the time since the start when the step finished.
	AtMs int64 `json:"at_ms,omitempty"`

	state stepState
}

// The steps, in the order they happen.
var stepTitles = [][2]string{
	{"devnet", "devnet started"},
	{"wallets", "wallets created"},
	{"funded", "wallets funded"},
	{"registered", "neurons registered"},
	{"staked", "validator staked"},
	{"serving", "miner serving"},
	{"committed", "endpoint committed"},
	{"permit", "validator permit"},
	{"queries", "queries accepted"},
	{"refused403", "unauthorized refused"},
	{"refused401", "replay refused"},
	{"axon", "axon query answered"},
	{"weights", "weights set"},
	{"incentive", "incentive, emission"},
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// View shows the demo's progress on w: redrawn in place when live (a
// terminal), otherwise one line per finished step. It is safe for concurrent
// use.
type View struct {
	w     io.Writer
	live  bool
	width int
	start time.Time

	mu     sync.Mutex
	steps  []*Step
	byKey  map[string]*Step
	header string
	status string
	block  uint64
	drawn  int
	frame  int
	closed bool
}

// NewView returns a View writing to w (nil: nowhere). When live, lines are
// cut to width columns (if positive) so that redrawing in place works.
func NewView(w io.Writer, live bool, width int) *View {
	if w == nil {
		w = io.Discard
	}
	v := &View{w: w, live: live, width: width, start: time.Now(), byKey: map[string]*Step{}}
	for _, t := range stepTitles {
		s := &Step{Key: t[0], Title: t[1]}
		v.steps = append(v.steps, s)
		v.byKey[t[0]] = s
	}
	return v
}

func (v *View) elapsed() time.Duration { return time.Since(v.start) }

// setHeader sets the first line (live) or prints it (plain).
func (v *View) setHeader(h string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.header = h
	if !v.live {
		fmt.Fprintln(v.w, h)
	}
}

func (v *View) setBlock(b uint64) {
	v.mu.Lock()
	v.block = max(v.block, b)
	v.mu.Unlock()
}

// setStatus sets the live status line (not shown in plain mode).
func (v *View) setStatus(s string) {
	v.mu.Lock()
	v.status = s
	v.mu.Unlock()
}

// begin marks a step as running with a detail ("waiting for …").
func (v *View) begin(key, detail string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s := v.byKey[key]; s != nil && (s.state == pending || s.state == running) {
		s.state, s.Detail = running, detail
	}
}

// finish marks a step done at block with its detail.
func (v *View) finish(key string, block uint64, format string, args ...any) {
	v.end(key, done, block, fmt.Sprintf(format, args...))
}

// fail marks a step failed.
func (v *View) fail(key string, detail string) { v.end(key, failed, v.currentBlock(), detail) }

func (v *View) currentBlock() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.block
}

func (v *View) end(key string, st stepState, block uint64, detail string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.byKey[key]
	if s == nil || s.state == done || s.state == failed {
		return
	}
	s.state, s.Detail, s.Block, s.AtMs = st, detail, block, v.elapsed().Milliseconds()
	s.Done = st == done
	v.block = max(v.block, block)
	if !v.live {
		fmt.Fprintln(v.w, v.stepLine(s))
	}
}

func (v *View) isDone(key string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.byKey[key]
	return s != nil && s.state == done
}

// current returns the first step not done (the one a failure belongs to).
func (v *View) current() *Step {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, s := range v.steps {
		if s.state != done {
			return s
		}
	}
	return nil
}

// Steps returns a copy of the steps.
func (v *View) Steps() []Step {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]Step, len(v.steps))
	for i, s := range v.steps {
		out[i] = *s
	}
	return out
}

func (v *View) stepLine(s *Step) string {
	mark, when := "·", "           "
	switch s.state {
	case running:
		mark = spinner[v.frame%len(spinner)]
	case done:
		mark = "✓"
	case failed:
		mark = "✗"
	}
	if s.state == done || s.state == failed {
		when = fmt.Sprintf("%4.1fs #%-3d", float64(s.AtMs)/1000, s.Block)
	}
	return strings.TrimRight(fmt.Sprintf("  %s %s %-21s %s", mark, when, s.Title, s.Detail), " ")
}

// draw redraws the live view in place.
func (v *View) draw() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.live || v.closed {
		return
	}
	v.frame++
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", v.drawn)
	}
	lines := []string{fmt.Sprintf("%s · block %d · %.1fs", v.header, v.block, v.elapsed().Seconds())}
	for _, s := range v.steps {
		lines = append(lines, v.stepLine(s))
	}
	lines = append(lines, "  "+v.status)
	for _, l := range lines {
		b.WriteString("\r\x1b[2K")
		b.WriteString(cut(l, v.width-1))
		b.WriteByte('\n')
	}
	v.drawn = len(lines)
	io.WriteString(v.w, b.String())
}

// run redraws every 100 ms until stop is closed, then draws a last time.
func (v *View) run(stop <-chan struct{}) {
	if !v.live {
		return
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		v.draw()
		select {
		case <-stop:
			v.draw()
			v.mu.Lock()
			v.closed = true
			v.mu.Unlock()
			return
		case <-t.C:
		}
	}
}

// cut shortens s to at most n runes (every rune the view writes is one
// column wide), ending with "…" when it cut.
func cut(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
