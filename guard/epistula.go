package guard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

// DefaultMaxBodyBytes is the body limit of Epistula when MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

// Epistula authenticates requests: it refuses malformed headers before
// reading the body, reads the body under a limit (413 beyond it), verifies
// the signature, and passes the request on with the body restored and the
// caller in the context (Caller, FromContext).
type Epistula struct {
	// Verifier holds the receiver (our hotkey), the windows and the replay
	// cache. Required.
	Verifier *epistula.Verifier
	// MaxBodyBytes limits the body; if zero, DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Metrics, if non-nil, records verification latency.
	Metrics *Metrics
	// Deny writes refusals; if nil, WriteRefusal.
	Deny DenyFunc
	// Now is the clock; if nil, time.Now.
	Now func() time.Time
}

// Handler returns next behind Epistula authentication.
func (e *Epistula) Handler(next http.Handler) http.Handler {
	if e.Verifier == nil {
		panic("guard: Epistula.Verifier is nil: set it to an *epistula.Verifier with Self = the miner's hotkey")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := withState(r)
		p, err := e.Verifier.ParseHeaders(r.Header)
		if err != nil {
			deny(e.Deny, w, r, epistulaRefusal(err))
			return
		}
		body, ref := e.readBody(r)
		if ref != nil {
			deny(e.Deny, w, r, ref)
			return
		}
		now := time.Now
		if e.Now != nil {
			now = e.Now
		}
		t0 := time.Now()
		hash := epistula.BodyHash(body)
		caller, err := e.Verifier.VerifyParsed(&p, &hash, now())
		st.Verify = time.Since(t0)
		if e.Metrics != nil {
			e.Metrics.verify.Observe(st.Verify.Seconds())
		}
		st.Caller = caller // set for replays too (their signature was good), for the access log
		if err != nil {
			deny(e.Deny, w, r, epistulaRefusal(err))
			return
		}
		st.body.Reset(body)
		r.Body = &st.body
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

func epistulaRefusal(err error) *Refusal {
	reason := epistula.ReasonOf(err)
	if reason == "" {
		reason = epistula.ReasonMalformed
	}
	return &Refusal{Status: epistulaStatus(reason), Reason: string(reason), Err: err}
}

// bodyReader is the request body handed on, read from memory.
type bodyReader struct {
	bytes.Reader
	b []byte
}

// Reset makes r read b.
func (r *bodyReader) Reset(b []byte) {
	r.b = b
	r.Reader.Reset(b)
}

// BodyBytes returns the unread rest of the body and consumes it, without a
// copy: handlers that know it (axon.Route) decode from the guard's buffer,
// which stays theirs until they return. The bytes must not be modified.
func (r *bodyReader) BodyBytes() []byte {
	rest := r.b[len(r.b)-r.Len():]
	r.Reader.Seek(0, io.SeekEnd)
	return rest
}

func (*bodyReader) Close() error { return nil }

func (e *Epistula) readBody(r *http.Request) ([]byte, *Refusal) {
	limit := e.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	tooLarge := func() *Refusal {
		return &Refusal{Status: http.StatusRequestEntityTooLarge, Reason: ReasonBodyTooLarge,
			Err: fmt.Errorf("guard: request body is larger than %d bytes: send less per request", limit)}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, tooLarge()
	}
	var buf []byte
	if r.ContentLength >= 0 {
		buf = make([]byte, 0, r.ContentLength+1) // +1 sees EOF without growing
	} else {
		buf = make([]byte, 0, 512)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, tooLarge()
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge()
			}
			return nil, &Refusal{Status: http.StatusBadRequest, Reason: ReasonBodyUnreadable,
				Err: fmt.Errorf("guard: read the request body: %w", err)}
		}
	}
}
