package guard

import (
	"testing"
	"time"
)

// A full table drops only buckets that have refilled: a caller over its
// limit keeps its empty bucket (it used to be refilled with all the others),
// and a new hotkey waits while every bucket is still in use.
func TestRateLimitFullTable(t *testing.T) {
	now := time.Unix(1000, 0)
	l := &RateLimit{Rate: 1, Burst: 2, MaxHotkeys: 2}
	allow := func(hk string) bool {
		ok, _ := l.Allow(hk, 0, now)
		return ok
	}
	steps := []struct {
		name    string
		advance time.Duration
		hotkey  string
		want    bool
	}{
		{"A's burst", 0, "A", true},
		{"A's burst, second", 0, "A", true},
		{"A over its limit", 0, "A", false},
		{"B, a second hotkey", 0, "B", true},
		{"C: the table is full and no bucket has refilled", 0, "C", false},
		{"A is still limited: no bucket was reset", 0, "A", false},
		{"1.5 s on: B is full again, A is not; C takes B's place", 1500 * time.Millisecond, "C", true},
		{"A has refilled one token only", 0, "A", true},
		{"and is limited again", 0, "A", false},
		{"B starts a new, full bucket later", 3 * time.Second, "B", true},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if got := allow(s.hotkey); got != s.want {
			t.Fatalf("%s: allowed %v, want %v", s.name, got, s.want)
		}
	}
	if n := l.n.Load(); n > 2 {
		t.Fatalf("%d buckets, limit 2", n)
	}
}
