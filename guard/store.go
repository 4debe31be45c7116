package guard

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/minerkit/minerkit/epistula"
)

// Store keeps the guard's per-caller state outside the process — the replay
// records and the rate-limit state — so that the replicas of one miner share
// it: a request accepted by one replica is a replay for all, and a
// validator's rate limit holds across all of them. One Admit call per
// request does both (guard/redisstore: one Redis round trip).
type Store interface {
	// Admit records a.ID for a.Caller until a.Expiry unless it is already
	// recorded (Replayed), then, if a.Rate is positive, takes one request
	// from a.Caller's allowance (Limited, with RetryAfter, when none is
	// left). Both happen atomically for all replicas. An error means
	// neither could be checked.
	Admit(ctx context.Context, a Admission) (Verdict, error)
}

// Admission is one authenticated request, as a Store sees it.
type Admission struct {
	// Caller is the verified signer's SS58 address.
	Caller string
	// ID names the request among the caller's (the Epistula uuid); ""
	// checks the rate limit only.
	ID string
	// Expiry is when the request leaves its window; the replay record may
	// be dropped then.
	Expiry time.Time
	// Rate is the caller's requests per second; zero or less: no limit.
	Rate float64
	// Burst is how many requests the caller may send at once (at least 1).
	Burst float64
}

// Verdict is a Store's answer for one Admission.
type Verdict struct {
	// Replayed: the request was already recorded; it must be refused.
	Replayed bool
	// Limited: the caller is over its rate; refuse, and say RetryAfter.
	Limited    bool
	RetryAfter time.Duration
}

// Shared puts the replay check and the rate limit in one Store call. It
// replaces the Epistula verifier's replay cache and RateLimit's in-process
// buckets (RateLimit still gives the limits: Rate, Burst, StakeUnit). Guard
// uses it when Guard.Shared is set; set the fields before Handler.
type Shared struct {
	// Store is the shared state. Required.
	Store Store
	// FallbackLocal, when true, serves on while Store fails, with this
	// process's own replay cache and buckets: a replay sent to another
	// replica is not caught and each replica grants the full rate. When
	// false (the default) a failing Store refuses every request with 503
	// (reason replay_cache_unavailable): fail closed.
	FallbackLocal bool
	// Timeout bounds one Admit call; if zero, DefaultStoreTimeout.
	Timeout time.Duration
	// Logger, if non-nil, receives an ERROR record when the Store starts
	// failing (then at most one per ErrorLogInterval, with the count) and a
	// WARN record when it answers again.
	Logger *slog.Logger

	local     *epistula.MemoryCache
	localInit sync.Once
	failing   atomic.Bool
	failures  atomic.Int64
	lastLog   atomic.Int64 // Unix ns of the last failure record
	metrics   *storeMetrics
}

// Defaults of Shared.
const (
	DefaultStoreTimeout = 250 * time.Millisecond
	ErrorLogInterval    = 10 * time.Second
)

type storeMetrics struct {
	errors *prometheus.CounterVec
}

// RegisterMetrics registers minerkit_guard_store_errors_total{outcome}
// (outcome "refused" or "local") with reg.
func (s *Shared) RegisterMetrics(reg prometheus.Registerer) error {
	m := &storeMetrics{errors: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "minerkit_guard_store_errors_total",
		Help: "Requests whose shared guard store (Redis) failed, by what was done: refused (503) or local (served with per-replica state).",
	}, []string{"outcome"})}
	if err := reg.Register(m.errors); err != nil {
		return err
	}
	s.metrics = m
	return nil
}

func (s *Shared) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultStoreTimeout
}

// admit asks the Store about a (a.ID "" checks the rate only), with limits
// from limit (nil: none) scaled by stake, falling back to this process's
// state if the Store fails and FallbackLocal is set. A non-nil Refusal is a
// 503 (the Store failed, fail closed).
func (s *Shared) admit(ctx context.Context, limit *RateLimit, a Admission, stake uint64) (Verdict, *Refusal) {
	if limit != nil {
		a.Rate, a.Burst = limit.limits(stake)
	}
	if a.ID == "" && a.Rate <= 0 {
		return Verdict{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	v, err := s.Store.Admit(ctx, a)
	cancel()
	if err == nil {
		if s.failing.Load() {
			s.noteRecovery()
		}
		return v, nil
	}
	s.noteFailure(err)
	if !s.FallbackLocal {
		return Verdict{}, &Refusal{Status: http.StatusServiceUnavailable, Reason: string(epistula.ReasonUnavailable),
			Err: fmt.Errorf("guard: the shared replay and rate-limit store is unavailable: retry later: %w", err)}
	}
	v, err = s.admitLocal(limit, a, stake)
	if err != nil {
		return Verdict{}, &Refusal{Status: http.StatusServiceUnavailable, Reason: string(epistula.ReasonUnavailable), Err: err}
	}
	return v, nil
}

func limitedRefusal(caller string, wait time.Duration) *Refusal {
	wait = max(wait, time.Nanosecond)
	return &Refusal{Status: http.StatusTooManyRequests, Reason: ReasonRateLimited, RetryAfter: wait,
		Err: fmt.Errorf("guard: hotkey %s is over its rate limit: retry in %v", caller, wait.Round(time.Millisecond))}
}

// ReplayCache returns an epistula.ReplayCache kept in the Store, with
// Shared's fallback, for verifiers that check replays themselves (the Axon
// protocol's, whose nonce rule runs first). Each Seen is one Store call.
func (s *Shared) ReplayCache() epistula.ReplayCache { return sharedReplay{s} }

type sharedReplay struct{ s *Shared }

func (r sharedReplay) Seen(signedBy, id string, expiry time.Time) (bool, error) {
	v, ref := r.s.admit(context.Background(), nil, Admission{Caller: signedBy, ID: id, Expiry: expiry}, 0)
	if ref != nil {
		return false, ref.Err
	}
	return v.Replayed, nil
}

// admitLocal is Admit with this process's state, while the Store fails.
func (s *Shared) admitLocal(limit *RateLimit, a Admission, stake uint64) (Verdict, error) {
	if a.ID != "" {
		s.localInit.Do(func() { s.local = epistula.NewMemoryCache(0, nil) })
		seen, err := s.local.Seen(a.Caller, a.ID, a.Expiry)
		if err != nil {
			return Verdict{}, fmt.Errorf("guard: local replay cache: %w", err)
		}
		if seen {
			return Verdict{Replayed: true}, nil
		}
	}
	if limit == nil {
		return Verdict{}, nil
	}
	now := time.Now
	if limit.Now != nil {
		now = limit.Now
	}
	ok, wait := limit.Allow(a.Caller, stake, now())
	return Verdict{Limited: !ok, RetryAfter: wait}, nil
}

func (s *Shared) noteFailure(err error) {
	n := s.failures.Add(1)
	first := !s.failing.Swap(true)
	if s.metrics != nil {
		outcome := "refused"
		if s.FallbackLocal {
			outcome = "local"
		}
		s.metrics.errors.WithLabelValues(outcome).Inc()
	}
	if s.Logger == nil {
		return
	}
	now := time.Now().UnixNano()
	last := s.lastLog.Load()
	if !first && now-last < int64(ErrorLogInterval) || !s.lastLog.CompareAndSwap(last, now) {
		return
	}
	if s.FallbackLocal {
		s.Logger.Error("SHARED GUARD STORE FAILING: serving with this replica's own replay cache and rate limits; replays through other replicas are NOT caught and each replica grants the full rate",
			"err", err, "failed_requests", n)
	} else {
		s.Logger.Error("shared guard store failing: refusing signed requests with 503 until it answers (fail closed)",
			"err", err, "failed_requests", n)
	}
}

func (s *Shared) noteRecovery() {
	if s.failing.Swap(false) && s.Logger != nil {
		s.Logger.Warn("shared guard store answers again", "failed_requests", s.failures.Swap(0))
	}
}
