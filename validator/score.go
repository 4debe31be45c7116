package validator

import "time"

// Result is the outcome of one query to one miner.
type Result struct {
	Target
	// Status is the HTTP status, 0 when no answer came (Err says why).
	Status int `json:"status"`
	// Reason is the "reason" of a JSON refusal body ({"error", "reason"}),
	// as the guard writes it: "not_registered", "replayed", ...
	Reason string `json:"reason,omitempty"`
	// Latency is the time from sending the request to reading the body.
	Latency time.Duration `json:"latency_ns"`
	// Body is the answer, read up to Config.MaxResponseBytes.
	Body []byte `json:"-"`
	// Err is the transport error or the body read error, if any.
	Err error `json:"-"`
	// Score is what the Scorer gave this answer, in [0, 1].
	Score float64 `json:"score"`
	// At is when the query was sent.
	At time.Time `json:"at"`
}

// OK reports whether the miner answered with a 2xx status.
func (r *Result) OK() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

// Scorer scores one answer in [0, 1]; values outside are clamped. A subnet
// replaces the default with its own check of the body. Score is called from
// several goroutines at once.
type Scorer interface {
	Score(r *Result) float64
}

// ScorerFunc adapts a function to a Scorer.
type ScorerFunc func(r *Result) float64

// Score calls f.
func (f ScorerFunc) Score(r *Result) float64 { return f(r) }

// AvailabilityLatency is the default Scorer: a miner that answers 2xx earns
// 0.7, plus up to 0.3 for answering fast (the full 0.3 at or below Target,
// then Target/latency). Anything else scores 0.
type AvailabilityLatency struct {
	// Target is the latency that earns the full latency share. If zero,
	// 250 ms.
	Target time.Duration
}

// Score implements Scorer.
func (s AvailabilityLatency) Score(r *Result) float64 {
	if !r.OK() {
		return 0
	}
	target := s.Target
	if target <= 0 {
		target = 250 * time.Millisecond
	}
	fast := 1.0
	if r.Latency > target {
		fast = float64(target) / float64(r.Latency)
	}
	return 0.7 + 0.3*fast
}

func clamp01(x float64) float64 {
	switch {
	case x != x || x < 0: // NaN too
		return 0
	case x > 1:
		return 1
	}
	return x
}
