package guard

import (
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// clientString writes what netip.Addr.String writes, borrowing the text of
// RemoteAddr when it is the same.
func TestClientString(t *testing.T) {
	for _, tc := range []struct{ remote, addr string }{
		{"127.0.0.1:40000", "127.0.0.1"},
		{"[::1]:40000", "::1"},
		{"[fe80::1%eth0]:80", "fe80::1%eth0"},
		{"10.0.0.9:443", "203.0.113.7"},    // the client a trusted proxy named
		{"[::ffff:1.2.3.4]:80", "1.2.3.4"}, // unmapped
		{"1.2.3.4", "1.2.3.4"},             // no port
		{"[2001:db8::1]:1", "2001:db8::1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		a := netip.MustParseAddr(tc.addr)
		if got := clientString(a, r); got != a.String() {
			t.Errorf("%s, %s: %q, want %q", tc.remote, tc.addr, got, a.String())
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "pipe"
	if got := clientString(netip.Addr{}, r); got != "pipe" {
		t.Errorf("no address: %q", got)
	}
}

// The counters looked up once count as WithLabelValues does.
func TestMetricsCounter(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		m.counter("POST /cvm", 200, "ok").Inc()
	}
	m.counter("POST /cvm", 401, "bad_signature").Inc()
	m.counter("POST /x", 200, "ok").Inc()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "minerkit_guard_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			got[l["route"]+" "+l["status"]+" "+l["reason"]] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"POST /cvm 200 ok": 3, "POST /cvm 401 bad_signature": 1, "POST /x 200 ok": 1}
	if len(got) != len(want) {
		t.Errorf("series %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
}

// Served requests land in the duration histogram of their route, with the
// time their handler took; refusals do not.
func TestRequestDuration(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	o := &Observe{Metrics: m, Now: func() time.Time { return now }, Route: func(*http.Request) string { return "POST /cvm" }}
	h := o.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now = now.Add(3 * time.Millisecond)
		if r.URL.Path == "/refuse" {
			if st := FromContext(r.Context()); st != nil {
				st.Reason = "not_validator"
			}
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	for _, path := range []string{"/ok", "/ok", "/refuse"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", path, nil))
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "minerkit_guard_request_duration_seconds" {
			continue
		}
		if len(mf.GetMetric()) != 1 {
			t.Fatalf("%d series, want 1", len(mf.GetMetric()))
		}
		hg := mf.GetMetric()[0].GetHistogram()
		if hg.GetSampleCount() != 2 || math.Abs(hg.GetSampleSum()-0.006) > 1e-9 {
			t.Errorf("count %d, sum %v; want 2 served requests of 3 ms", hg.GetSampleCount(), hg.GetSampleSum())
		}
		return
	}
	t.Fatal("no minerkit_guard_request_duration_seconds")
}
