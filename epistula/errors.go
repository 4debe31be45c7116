package epistula

import (
	"errors"
	"fmt"
)

// Reason names why a request was refused. The values are stable: they appear
// in JSON error bodies, logs and metric labels.
type Reason string

// The reasons Verify can return.
const (
	ReasonMalformed          Reason = "malformed"
	ReasonUnsupportedVersion Reason = "unsupported_version"
	ReasonStale              Reason = "stale"
	ReasonFromTheFuture      Reason = "from_the_future"
	ReasonWrongReceiver      Reason = "wrong_receiver"
	ReasonBadSignature       Reason = "bad_signature"
	ReasonReplayed           Reason = "replayed"
	// ReasonUnavailable means the request could not be checked (the replay
	// cache is full or unreachable). The request may be valid; it is refused
	// anyway, because accepting it could accept a replay.
	ReasonUnavailable Reason = "replay_cache_unavailable"
)

// Sentinel errors, one per Reason. Every error Verify returns is an *Error
// that wraps exactly one of them, so errors.Is(err, ErrStale) works.
var (
	ErrMalformed          = errors.New("epistula: malformed request")
	ErrUnsupportedVersion = errors.New("epistula: unsupported version")
	ErrStale              = errors.New("epistula: stale request")
	ErrFromTheFuture      = errors.New("epistula: request from the future")
	ErrWrongReceiver      = errors.New("epistula: request signed for another receiver")
	ErrBadSignature       = errors.New("epistula: bad signature")
	ErrReplayed           = errors.New("epistula: replayed request")
	ErrUnavailable        = errors.New("epistula: replay cache unavailable")
)

var reasonErr = map[Reason]error{
	ReasonMalformed:          ErrMalformed,
	ReasonUnsupportedVersion: ErrUnsupportedVersion,
	ReasonStale:              ErrStale,
	ReasonFromTheFuture:      ErrFromTheFuture,
	ReasonWrongReceiver:      ErrWrongReceiver,
	ReasonBadSignature:       ErrBadSignature,
	ReasonReplayed:           ErrReplayed,
	ReasonUnavailable:        ErrUnavailable,
}

// Error is a refused request: the Reason, and a Detail meant for the caller
// (it says what was wrong and what to do next).
type Error struct {
	Reason Reason
	Detail string
	// Err is the underlying cause when there is one (e.g. the replay cache's
	// own error); nil otherwise.
	Err error
}

func (e *Error) Error() string {
	s := reasonErr[e.Reason].Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the sentinel error of e's Reason and the cause, if any.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{reasonErr[e.Reason], e.Err}
	}
	return []error{reasonErr[e.Reason]}
}

// ReasonOf returns the Reason of an error returned by Verify, or "" when err
// is nil or not an *Error.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func newError(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Detail: fmt.Sprintf(format, args...)}
}
