package storetest

import (
	"context"
	"sync"
	"time"

	"github.com/minerkit/minerkit/guard"
)

// Memory is the reference guard.Store, in one process's memory: the
// contract's meaning written plainly, for tests that need a Store without
// Redis. It shares nothing between processes (which is what a Store is
// for), so miners use guard/redisstore. The zero value is ready.
type Memory struct {
	mu      sync.Mutex
	seen    map[string]time.Time // caller "\x00" id → expiry
	buckets map[string]*bucket   // caller → allowance
	admits  int
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Admit implements guard.Store.
func (m *Memory) Admit(_ context.Context, a guard.Admission) (guard.Verdict, error) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen, m.buckets = map[string]time.Time{}, map[string]*bucket{}
	}
	if m.admits++; m.admits%1024 == 0 {
		for k, exp := range m.seen {
			if !exp.After(now) {
				delete(m.seen, k)
			}
		}
	}
	if a.ID != "" {
		key := a.Caller + "\x00" + a.ID
		if exp, ok := m.seen[key]; ok && exp.After(now) {
			return guard.Verdict{Replayed: true}, nil
		}
		m.seen[key] = a.Expiry
	}
	if a.Rate <= 0 {
		return guard.Verdict{}, nil
	}
	burst := max(a.Burst, 1)
	b, ok := m.buckets[a.Caller]
	if !ok {
		b = &bucket{tokens: burst, last: now}
		m.buckets[a.Caller] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*a.Rate)
	b.last = now
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) / a.Rate * float64(time.Second))
		return guard.Verdict{Limited: true, RetryAfter: wait}, nil
	}
	b.tokens--
	return guard.Verdict{}, nil
}

var _ guard.Store = (*Memory)(nil)
