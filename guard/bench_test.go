package guard

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func BenchmarkValidatorsCheck(b *testing.B) {
	mg := metagraph{}
	for i := 0; i < 256; i++ {
		mg["hotkey"+strconv.Itoa(i)] = Neuron{UID: uint16(i), StakeWeight: 5000 * RaoPerTAO, ValidatorPermit: true}
	}
	v := &Validators{Metagraph: mg, MinStake: 1000 * RaoPerTAO, DenyList: []string{"x"}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, ref := v.Check("hotkey42"); ref != nil {
			b.Fatal(ref)
		}
	}
}

func BenchmarkRateLimitAllow(b *testing.B) {
	l := &RateLimit{Rate: 1e9, Burst: 1e9}
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", 0, now)
		}
	})
}

// BenchmarkObserveServed is the access log (JSON, to io.Discard) and the
// request counter of one served request: Observe's cost around a handler.
func BenchmarkObserveServed(b *testing.B) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	o := &Observe{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Metrics: m,
		Route: func(*http.Request) string { return "POST /cvm" }}
	h := o.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateFrom(r.Context())
		st.Caller = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
		w.WriteHeader(http.StatusOK)
	}))
	r := httptest.NewRequest("POST", "/cvm", nil)
	r.RemoteAddr = "127.0.0.1:40000"
	var w discardWriter
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(&w, r)
	}
}

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}
func (*discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (*discardWriter) WriteHeader(int)             {}
