package guard

import (
	"fmt"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of RateLimit.
const (
	DefaultRate       = 10
	DefaultMaxHotkeys = 4096
)

// RateLimit gives each caller hotkey a token bucket: Rate requests per second
// with bursts of Burst, optionally scaled by stake. Beyond it, 429 with
// Retry-After. It must follow Epistula (and Validators, for stake scaling).
// Set the fields before use; do not copy a RateLimit after use.
type RateLimit struct {
	// Rate is requests per second per hotkey; if zero, DefaultRate.
	Rate float64
	// Burst is the bucket size; if zero, max(1, Rate).
	Burst float64
	// StakeUnit, if non-zero, scales each caller's Rate and Burst by
	// StakeWeight/StakeUnit (rao), never below 1: a validator with ten
	// times StakeUnit may send ten times Rate.
	StakeUnit uint64
	// MaxHotkeys bounds the number of buckets; if zero, DefaultMaxHotkeys.
	// When full, the buckets that have refilled are dropped (a new one
	// would start the same); if none has, a new hotkey is refused as over
	// its limit until one does. A limited caller is never given a fresh
	// bucket. Behind Validators the callers are a few hundred validators
	// and the table never fills.
	MaxHotkeys int
	// Now is the clock; if nil, time.Now.
	Now func() time.Time
	// Deny writes refusals; if nil, WriteRefusal.
	Deny DenyFunc

	buckets sync.Map // hotkey → *bucket
	n       atomic.Int64
	evict   sync.Mutex // one eviction pass at a time
}

type bucket struct {
	mu          sync.Mutex
	tokens      float64
	last        int64   // Unix ns of the last refill
	rate, burst float64 // the caller's limits at its last request
}

// Allow takes one token from hotkey's bucket at time now. When empty it
// returns false and how long until a token is available.
func (l *RateLimit) Allow(hotkey string, stake uint64, now time.Time) (bool, time.Duration) {
	rate, burst := l.limits(stake)
	b := l.bucket(hotkey, burst, now)
	if b == nil { // the table is full of callers still over their limits
		return false, time.Second
	}
	t := now.UnixNano()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rate, b.burst = rate, burst
	if t > b.last {
		b.tokens = math.Min(burst, b.tokens+float64(t-b.last)/1e9*rate)
		b.last = t
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / rate * 1e9)
	return false, max(wait, time.Nanosecond)
}

func (l *RateLimit) limits(stake uint64) (rate, burst float64) {
	rate = l.Rate
	if rate <= 0 {
		rate = DefaultRate
	}
	burst = l.Burst
	if burst <= 0 {
		burst = math.Max(1, rate)
	}
	if l.StakeUnit > 0 {
		if f := float64(stake) / float64(l.StakeUnit); f > 1 {
			rate, burst = rate*f, burst*f
		}
	}
	return rate, burst
}

func (l *RateLimit) bucket(hotkey string, burst float64, now time.Time) *bucket {
	if b, ok := l.buckets.Load(hotkey); ok {
		return b.(*bucket)
	}
	max := l.MaxHotkeys
	if max <= 0 {
		max = DefaultMaxHotkeys
	}
	if l.n.Load() >= int64(max) {
		l.dropRefilled(now)
		if l.n.Load() >= int64(max) {
			return nil
		}
	}
	b, loaded := l.buckets.LoadOrStore(hotkey, &bucket{tokens: burst, last: now.UnixNano()})
	if !loaded {
		l.n.Add(1)
	}
	return b.(*bucket)
}

// dropRefilled removes the buckets that are full again at now: recreating
// one later gives its caller nothing it does not have.
func (l *RateLimit) dropRefilled(now time.Time) {
	if !l.evict.TryLock() {
		return // another request is evicting
	}
	defer l.evict.Unlock()
	t := now.UnixNano()
	l.buckets.Range(func(k, v any) bool {
		b := v.(*bucket)
		b.mu.Lock()
		full := b.rate > 0 && b.tokens+float64(t-b.last)/1e9*b.rate >= b.burst
		b.mu.Unlock()
		if full {
			l.buckets.Delete(k)
			l.n.Add(-1)
		}
		return true
	})
}

// Handler returns next behind the rate limit.
func (l *RateLimit) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := withState(r)
		if st.Caller == "" {
			deny(l.Deny, w, r, &Refusal{Status: http.StatusUnauthorized, Reason: ReasonNotAuthenticated,
				Err: fmt.Errorf("guard: request is not authenticated: put RateLimit behind Epistula")})
			return
		}
		now := time.Now
		if l.Now != nil {
			now = l.Now
		}
		var stake uint64
		if st.HasNeuron {
			stake = st.Neuron.StakeWeight
		}
		if ok, wait := l.Allow(st.Caller, stake, now()); !ok {
			deny(l.Deny, w, r, &Refusal{Status: http.StatusTooManyRequests, Reason: ReasonRateLimited, RetryAfter: wait,
				Err: fmt.Errorf("guard: hotkey %s is over its rate limit: retry in %v", st.Caller, wait.Round(time.Millisecond))})
			return
		}
		next.ServeHTTP(w, r)
	})
}
