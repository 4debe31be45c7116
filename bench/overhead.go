package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/minerkit/minerkit/guard"
)

// Overhead is the guard's own cost per request, measured in-process and
// serially: the full stack's ServeHTTP time minus the time spent inside
// signature verification (epistula.Verifier.VerifyParsed: key cache, sr25519
// verify, replay cache), and minus the handler.
type Overhead struct {
	N             int
	P50, P99, Max time.Duration
	// Verify is the median time inside verification, for scale.
	Verify time.Duration
}

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

type probeKey struct{}

type probe struct {
	verify, handler time.Duration
	status          bool
}

// MeasureOverhead runs reqs through the full stack one by one.
func MeasureOverhead(f *Fixture, reqs []Request, window time.Duration) (Overhead, error) {
	var handlerErr error
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		jsonHandler(w, r)
		p := r.Context().Value(probeKey{}).(*probe)
		p.handler = time.Since(t0)
		p.verify = guard.FromContext(r.Context()).Verify
		p.status = true
	})
	h, err := f.fullAround(io.Discard, window, inner)
	if err != nil {
		return Overhead{}, err
	}
	over := make([]time.Duration, 0, len(reqs))
	ver := make([]time.Duration, 0, len(reqs))
	w := &discardWriter{h: http.Header{}}
	for _, rq := range reqs {
		p := &probe{}
		r, err := http.NewRequestWithContext(context.WithValue(context.Background(), probeKey{}, p), "POST", "/forward", bytes.NewReader(rq.Body))
		if err != nil {
			return Overhead{}, err
		}
		r.Header = rq.Header
		clear(w.h)
		t0 := time.Now()
		h.ServeHTTP(w, r)
		total := time.Since(t0)
		if !p.status {
			handlerErr = errRefused
			continue
		}
		over = append(over, total-p.verify-p.handler)
		ver = append(ver, p.verify)
	}
	if len(over) == 0 {
		return Overhead{}, handlerErr
	}
	slices.Sort(over)
	slices.Sort(ver)
	return Overhead{N: len(over), P50: over[len(over)/2], P99: over[len(over)*99/100], Max: over[len(over)-1], Verify: ver[len(ver)/2]}, handlerErr
}
