package axon

import (
	"errors"
	"fmt"
	"net/http"
)

// Reason names why a request was refused. The values are stable: they appear
// in logs and metric labels (those shared with Epistula have its names).
type Reason string

// The reasons of refusals this package decides.
const (
	ReasonMalformed      Reason = "malformed"
	ReasonUnknownSynapse Reason = "unknown_synapse"
	ReasonStale          Reason = "stale"
	ReasonFromTheFuture  Reason = "from_the_future"
	ReasonBadSignature   Reason = "bad_signature"
	ReasonUnsigned       Reason = "unsigned"
	ReasonReplayed       Reason = "replayed"
	ReasonBodyHash       Reason = "body_hash_mismatch"
	ReasonUnavailable    Reason = "replay_cache_unavailable"
	ReasonHandler        Reason = "handler_error"
)

// Sentinel errors, one per family of Reason; errors.Is matches them.
var (
	ErrMalformed     = errors.New("axon: malformed request")
	ErrNotVerified   = errors.New("axon: request not verified")
	ErrUnknown       = errors.New("axon: unknown synapse")
	ErrBodyHash      = errors.New("axon: body hash mismatch")
	ErrUnavailable   = errors.New("axon: replay cache unavailable")
	ErrHandlerFailed = errors.New("axon: handler failed")
)

// Error is a refused or failed request as a Python axon answers it: the HTTP
// status, and Message, the text of {"message": …} (the SDK's wording where
// the SDK has one: "Not Verified with error: …", "Forbidden. Key is
// blacklisted: …").
type Error struct {
	Status  int
	Reason  Reason
	Message string
	// Err is the cause, if any.
	Err error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the sentinel of e's Reason and the cause.
func (e *Error) Unwrap() []error {
	var s error
	switch e.Reason {
	case ReasonMalformed:
		s = ErrMalformed
	case ReasonUnknownSynapse:
		s = ErrUnknown
	case ReasonBodyHash:
		s = ErrBodyHash
	case ReasonUnavailable:
		s = ErrUnavailable
	case ReasonHandler:
		s = ErrHandlerFailed
	default:
		s = ErrNotVerified
	}
	if e.Err != nil {
		return []error{s, e.Err}
	}
	return []error{s}
}

// ReasonOf returns the Reason of an *Error in err's chain, or "".
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// notVerified is the SDK's 401: "Not Verified with error: {detail}".
func notVerified(r Reason, format string, args ...any) *Error {
	return &Error{Status: http.StatusUnauthorized, Reason: r, Message: "Not Verified with error: " + fmt.Sprintf(format, args...)}
}

func malformed(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Reason: ReasonMalformed,
		Message: "Improperly formatted request. " + fmt.Sprintf(format, args...)}
}

// Blacklisted is the SDK's 403 for a refused caller: "Forbidden. Key is
// blacklisted: {reason}.".
func Blacklisted(reason string) *Error {
	return &Error{Status: http.StatusForbidden, Reason: "blacklisted", Message: "Forbidden. Key is blacklisted: " + reason + "."}
}

// UnknownSynapse is the SDK's 404 for a route no synapse is registered at.
func UnknownSynapse(name string, available []string) *Error {
	list := []byte{'['}
	for i, a := range available {
		if i > 0 {
			list = append(list, ", "...)
		}
		list = AppendPyRepr(list, a)
	}
	list = append(list, ']')
	return &Error{Status: http.StatusNotFound, Reason: ReasonUnknownSynapse,
		Message: fmt.Sprintf("Synapse name '%s' not found. Available synapses %s", name, list)}
}

// HandlerError lets a synapse handler answer with a status and message of
// its own (a 400 for a request it cannot serve, a 503 when busy). Any other
// error from a handler is a 500 whose message hides the details.
func HandlerError(status int, message string) *Error {
	return &Error{Status: status, Reason: ReasonHandler, Message: message}
}
