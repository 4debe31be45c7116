package guard

import (
	"context"
	"net/http"
	"net/netip"
	"time"
)

// Info is what the guard learned about a request. Handlers read it with
// FromContext; later layers fill what earlier ones leave empty.
type Info struct {
	// Caller is the verified signer's SS58 hotkey ("" until Epistula passed).
	Caller string
	// Neuron is the caller's metagraph entry, valid when HasNeuron.
	Neuron    Neuron
	HasNeuron bool
	// Reason is why the request was refused, "" when it was served.
	Reason string
	// Verify is how long the Epistula verification took.
	Verify time.Duration
	// Client is the client's address: the TCP peer, or, when the peer is
	// one of Guard.TrustedProxies, the rightmost untrusted address of
	// X-Forwarded-For (see TrustedProxies.ClientAddr). Per-address
	// accounting must use it, never X-Forwarded-For itself.
	Client netip.Addr
}

// state is Info, the status-recording ResponseWriter, the request body
// reader and the request's context, in one allocation per request: state is
// itself the context that carries it.
type state struct {
	context.Context
	Info
	rw   statusWriter
	body bodyReader
	// shed and proxies are set by the shed layer (refusalshed.go).
	shed    *Shed
	proxies *TrustedProxies
}

type stateKey struct{}

// Value returns the state itself for stateKey and defers to the parent
// context otherwise.
func (s *state) Value(key any) any {
	if key == (stateKey{}) {
		return s
	}
	return s.Context.Value(key)
}

func stateFrom(ctx context.Context) *state {
	st, _ := ctx.Value(stateKey{}).(*state)
	return st
}

// withState returns r carrying a request state, creating one if r has none.
func withState(r *http.Request) (*http.Request, *state) {
	if st := stateFrom(r.Context()); st != nil {
		return r, st
	}
	st := &state{Context: r.Context()}
	return r.WithContext(st), st
}

// FromContext returns the guard's Info of the request with context ctx, or
// nil outside the guard.
func FromContext(ctx context.Context) *Info {
	if st := stateFrom(ctx); st != nil {
		return &st.Info
	}
	return nil
}

// Caller returns the verified caller's SS58 hotkey.
func Caller(ctx context.Context) (string, bool) {
	if st := stateFrom(ctx); st != nil && st.Caller != "" {
		return st.Caller, true
	}
	return "", false
}

// statusWriter records the status a handler writes. It unwraps for
// http.ResponseController (Flush, deadlines, Hijack).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
