package guard

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

// Reasons the guard's own layers give; Epistula failures use the epistula
// package's reasons (epistula.ReasonStale, …).
const (
	ReasonBodyTooLarge   = "body_too_large"
	ReasonBodyUnreadable = "body_unreadable"
	ReasonDenied         = "denied"
	ReasonNotRegistered  = "not_registered"
	ReasonNoPermit       = "no_validator_permit"
	ReasonStakeTooLow    = "stake_too_low"
	ReasonRateLimited    = "rate_limited"
)

// Refusal is a request a layer turned away.
type Refusal struct {
	// Status is the HTTP status: 400, 401, 403, 413, 429 or 503.
	Status int
	// Reason is the stable machine-readable reason.
	Reason string
	// Err says what was wrong and what to do next; it is sent to the caller.
	Err error
	// RetryAfter is set for 429: when the caller may try again.
	RetryAfter time.Duration

	// shedExempt: not counted against the client's address by Shed (the
	// refusal is not the address's doing, e.g. a claimed hotkey's budget).
	shedExempt bool
}

func (r *Refusal) Error() string { return r.Err.Error() }

func (r *Refusal) Unwrap() error { return r.Err }

// DenyFunc writes the response for a refused request. WriteRefusal is the
// default; replace it to change the body's shape.
type DenyFunc func(w http.ResponseWriter, r *http.Request, ref *Refusal)

// WriteRefusal writes ref as {"error": "...", "reason": "..."} with ref's
// status, and Retry-After (whole seconds, rounded up) when set.
func WriteRefusal(w http.ResponseWriter, _ *http.Request, ref *Refusal) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if ref.RetryAfter > 0 {
		secs := int64((ref.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	w.WriteHeader(ref.Status)
	b, _ := json.Marshal(struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}{ref.Err.Error(), ref.Reason})
	w.Write(append(b, '\n'))
}

// epistulaStatus maps an Epistula reason to its HTTP status.
func epistulaStatus(r epistula.Reason) int {
	switch r {
	case epistula.ReasonMalformed, epistula.ReasonUnsupportedVersion:
		return http.StatusBadRequest
	case epistula.ReasonUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusUnauthorized
}

func deny(d DenyFunc, w http.ResponseWriter, r *http.Request, ref *Refusal) {
	if st := stateFrom(r.Context()); st != nil {
		st.Reason = ref.Reason
		countShed(w, r, st, ref)
	}
	if d == nil {
		d = WriteRefusal
	}
	d(w, r, ref)
}
