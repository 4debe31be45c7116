package orchestrator

import (
	"math/rand/v2"
	"time"
)

// Backoff computes full-jitter exponential delays: attempt n waits a uniform
// random time in [0, min(Max, Min·2ⁿ)). Full jitter spreads a fleet of
// miners reconnecting to a restarted orchestrator instead of having them all
// return in waves.
type Backoff struct {
	// Min is the first ceiling; if zero, 250 ms.
	Min time.Duration
	// Max caps the ceiling; if zero, 60 s.
	Max time.Duration
}

// Delay returns the wait before retry number attempt (0-based).
func (b Backoff) Delay(attempt int) time.Duration {
	return b.delay(attempt, rand.Float64())
}

func (b Backoff) delay(attempt int, r float64) time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = 250 * time.Millisecond
	}
	if hi <= 0 {
		hi = 60 * time.Second
	}
	ceil := lo
	for i := 0; i < attempt && ceil < hi; i++ {
		ceil *= 2
	}
	if ceil > hi {
		ceil = hi
	}
	return time.Duration(r * float64(ceil))
}
