package guard

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the refusal log sampling.
const (
	DefaultRefusalLogBurst    = 10
	DefaultRefusalLogInterval = 10 * time.Second
	// refusalCallersKept bounds the callers counted by name per reason and
	// interval; the rest are counted together, so a flood of made-up
	// hotkeys cannot grow the table.
	refusalCallersKept = 16
)

// refusalSampler lets the first refusals of each reason in an interval
// through to the access log and counts the rest, which are summarised in
// one "refusals suppressed" record per reason when the interval is over.
type refusalSampler struct {
	// pending is set while a suppressed refusal waits for its summary, so
	// that served requests check it without taking the lock.
	pending atomic.Bool
	mu      sync.Mutex
	start   time.Time
	reasons map[string]*refusalCount
}

type refusalCount struct {
	logged, suppressed int
	callers            map[string]int
	other              int
}

// allow reports whether this refusal is logged in full; it also flushes the
// summaries of an interval that is over.
func (s *refusalSampler) allow(ctx context.Context, log *slog.Logger, now time.Time, burst int, interval time.Duration, reason, caller string) bool {
	s.mu.Lock()
	var flush map[string]*refusalCount
	var flushedStart time.Time
	if s.reasons == nil || now.Sub(s.start) >= interval {
		flush, flushedStart = s.reasons, s.start
		s.reasons, s.start = map[string]*refusalCount{}, now
		s.pending.Store(false)
	}
	c := s.reasons[reason]
	if c == nil {
		c = &refusalCount{callers: map[string]int{}}
		s.reasons[reason] = c
	}
	ok := c.logged < burst
	if ok {
		c.logged++
	} else {
		c.suppressed++
		s.pending.Store(true)
		if _, known := c.callers[caller]; known || len(c.callers) < refusalCallersKept {
			c.callers[caller]++
		} else {
			c.other++
		}
	}
	s.mu.Unlock()
	summarise(ctx, log, flush, flushedStart, now)
	return ok
}

// flushIfDue writes the summaries of an interval that is over (called for
// served requests too, so that a flood that stopped is still reported).
func (s *refusalSampler) flushIfDue(ctx context.Context, log *slog.Logger, now time.Time, interval time.Duration) {
	if !s.pending.Load() {
		return // nothing suppressed: the served path takes no lock
	}
	s.mu.Lock()
	if s.reasons == nil || now.Sub(s.start) < interval {
		s.mu.Unlock()
		return
	}
	flush, start := s.reasons, s.start
	s.reasons, s.start = map[string]*refusalCount{}, now
	s.pending.Store(false)
	s.mu.Unlock()
	summarise(ctx, log, flush, start, now)
}

func summarise(ctx context.Context, log *slog.Logger, counts map[string]*refusalCount, start, now time.Time) {
	reasons := make([]string, 0, len(counts))
	for r, c := range counts {
		if c.suppressed > 0 {
			reasons = append(reasons, r)
		}
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		c := counts[r]
		callers := make([]string, 0, len(c.callers))
		for k := range c.callers {
			callers = append(callers, k)
		}
		sort.Slice(callers, func(i, j int) bool { return c.callers[callers[i]] > c.callers[callers[j]] })
		attrs := []slog.Attr{
			slog.String("reason", r),
			slog.Int("suppressed", c.suppressed),
			slog.Int("logged", c.logged),
			slog.Duration("interval", now.Sub(start)),
		}
		// The callers with the most refusals, "address=count" (an empty
		// address: a request whose signer was never verified).
		var top strings.Builder
		for i, k := range callers {
			if i == 5 {
				break
			}
			if i > 0 {
				top.WriteByte(' ')
			}
			fmt.Fprintf(&top, "%s=%d", k, c.callers[k])
		}
		attrs = append(attrs, slog.String("callers", top.String()))
		if c.other > 0 {
			attrs = append(attrs, slog.Int("other_callers", c.other))
		}
		log.LogAttrs(ctx, slog.LevelWarn, "refusals suppressed", attrs...)
	}
}
