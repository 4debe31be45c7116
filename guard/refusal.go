package guard

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

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
	// body, if set, is WriteRefusal's body, built once (a static refusal).
	body []byte
}

func (r *Refusal) Error() string { return r.Err.Error() }

func (r *Refusal) Unwrap() error { return r.Err }

// DenyFunc writes the response for a refused request. WriteRefusal is the
// default; replace it to change the body's shape.
type DenyFunc func(w http.ResponseWriter, r *http.Request, ref *Refusal)

// WriteRefusal writes ref as {"error": "...", "reason": "..."} with ref's
// status, and Retry-After (whole seconds, rounded up) when set. The header
// values are shared slices and the body is encoded by hand (byte for byte
// what encoding/json writes) into one buffer: a refusal allocates little.
func WriteRefusal(w http.ResponseWriter, _ *http.Request, ref *Refusal) {
	h := w.Header()
	h["Content-Type"] = hdrJSON
	h["Cache-Control"] = hdrNoStore
	if ref.RetryAfter > 0 {
		secs := int64((ref.RetryAfter + time.Second - 1) / time.Second)
		if secs < int64(len(retryAfterValues)) {
			h["Retry-After"] = retryAfterValues[secs]
		} else {
			h["Retry-After"] = []string{strconv.FormatInt(secs, 10)}
		}
	}
	w.WriteHeader(ref.Status)
	if ref.body != nil {
		w.Write(ref.body)
		return
	}
	w.Write(refusalBody(ref))
}

// refusalBody is WriteRefusal's body for ref.
func refusalBody(ref *Refusal) []byte {
	msg := ref.Err.Error()
	b := make([]byte, 0, len(`{"error":"","reason":""}`)+len(msg)+len(ref.Reason)+8)
	b = append(b, `{"error":`...)
	b = appendJSONString(b, msg)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, ref.Reason)
	return append(b, "}\n"...)
}

// Header values WriteRefusal shares between answers (never modified in
// place: net/http only reads them, and Header.Add appends to a copy since
// their capacity is their length).
var (
	hdrJSON          = []string{"application/json"}
	hdrNoStore       = []string{"no-store"}
	retryAfterValues = func() [][]string {
		v := make([][]string, 121)
		for i := range v {
			v[i] = []string{strconv.Itoa(i)}
		}
		return v
	}()
)

// appendJSONString appends s as encoding/json writes a string (HTML-safe:
// <, > and & escaped; invalid UTF-8 as \ufffd; U+2028 and U+2029 escaped).
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
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
