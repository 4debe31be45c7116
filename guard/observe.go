package guard

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the guard's Prometheus metrics (names in the package doc).
type Metrics struct {
	requests *prometheus.CounterVec
	verify   prometheus.Histogram
	duration *prometheus.HistogramVec

	// counters holds requests' children already looked up: a map hit
	// under a read lock costs less than hashing three label values.
	mu        sync.RWMutex
	counters  map[counterKey]prometheus.Counter
	durations map[string]prometheus.Observer
}

type counterKey struct {
	route  string
	status int
	reason string
}

// counter returns the requests counter of (route, status, reason); reason
// is "ok" for served requests.
func (m *Metrics) counter(route string, status int, reason string) prometheus.Counter {
	k := counterKey{route, status, reason}
	m.mu.RLock()
	c, ok := m.counters[k]
	m.mu.RUnlock()
	if ok {
		return c
	}
	c = m.requests.WithLabelValues(route, statusText(status), reason)
	m.mu.Lock()
	// Routes and reasons are a fixed set (every label value is a time
	// series already); the bound guards against a caller's mistake.
	if len(m.counters) < 4096 {
		if m.counters == nil {
			m.counters = make(map[counterKey]prometheus.Counter)
		}
		m.counters[k] = c
	}
	m.mu.Unlock()
	return c
}

// served returns the served-request duration histogram of route.
func (m *Metrics) served(route string) prometheus.Observer {
	m.mu.RLock()
	h, ok := m.durations[route]
	m.mu.RUnlock()
	if ok {
		return h
	}
	h = m.duration.WithLabelValues(route)
	m.mu.Lock()
	if len(m.durations) < 1024 {
		if m.durations == nil {
			m.durations = make(map[string]prometheus.Observer)
		}
		m.durations[route] = h
	}
	m.mu.Unlock()
	return h
}

// NewMetrics creates the guard's metrics and registers them with reg
// (prometheus.DefaultRegisterer or a registry of your own); a nil reg leaves
// them unregistered. Registering twice with one registry fails: create one
// Metrics per registry and share it.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minerkit_guard_requests_total",
			Help: "Requests seen by the guard, by route, HTTP status and reason (ok when served).",
		}, []string{"route", "status", "reason"}),
		verify: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "minerkit_guard_verify_duration_seconds",
			Help:    "Time to verify one Epistula request: key lookup, sr25519 verify, replay cache.",
			Buckets: []float64{25e-6, 50e-6, 100e-6, 200e-6, 400e-6, 800e-6, 1.6e-3, 3.2e-3, 6.4e-3, 12.8e-3},
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "minerkit_guard_request_duration_seconds",
			Help: "Time from the guard's first look at a served request to the end of its handler, by route (refusals are counted in minerkit_guard_requests_total, not here).",
			// 100 µs (a request checked and answered) to 30 s (a long
			// inference), factor 2 and a bit.
			Buckets: []float64{100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.verify, m.duration} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// Observe is the outermost layer: it records every request, served or
// refused, in the metrics and the access log.
type Observe struct {
	// Logger, if non-nil, receives one Info record per request.
	Logger *slog.Logger
	// Metrics, if non-nil, counts requests.
	Metrics *Metrics
	// Route names the route for the metric label and the log. If nil, the
	// request's ServeMux pattern after the handler ran, or "unmatched".
	// Never return raw paths: every label value is a time series.
	Route func(*http.Request) string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (Info.Client); if nil, the client is the TCP peer.
	TrustedProxies *TrustedProxies
	// RefusalLogBurst and RefusalLogInterval sample refusals in the access
	// log: per reason, the first RefusalLogBurst of each interval are logged
	// in full and the rest summed up in one "refusals suppressed" record
	// (counts per caller), so a flood cannot fill the disk. If zero,
	// DefaultRefusalLogBurst and DefaultRefusalLogInterval. Metrics stay
	// exact. LogAllRefusals turns sampling off.
	RefusalLogBurst    int
	RefusalLogInterval time.Duration
	// Now is the clock of the refusal sampler's windows; if nil, time.Now.
	Now            func() time.Time
	LogAllRefusals bool

	sampler refusalSampler
}

// Handler returns next with metrics and access logging. o must not be
// copied after Handler is called (it holds the refusal sampler's state).
func (o *Observe) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		if o.Now != nil {
			t0 = o.Now()
		}
		r, st := withState(r)
		st.rw = statusWriter{ResponseWriter: w}
		st.Client = o.TrustedProxies.ClientAddr(r)
		next.ServeHTTP(&st.rw, r)
		status := st.rw.status
		if status == 0 {
			status = http.StatusOK
		}
		route := "unmatched"
		if o.Route != nil {
			route = o.Route(r)
		} else if r.Pattern != "" {
			route = r.Pattern
		}
		reason := st.Reason
		if o.Metrics != nil {
			label := reason
			if label == "" {
				label = "ok"
			}
			o.Metrics.counter(route, status, label).Inc()
			if reason == "" {
				o.Metrics.served(route).Observe(o.since(t0).Seconds())
			}
		}
		if o.Logger != nil && !o.LogAllRefusals {
			burst, interval := o.RefusalLogBurst, o.RefusalLogInterval
			if burst <= 0 {
				burst = DefaultRefusalLogBurst
			}
			if interval <= 0 {
				interval = DefaultRefusalLogInterval
			}
			if reason != "" {
				if !o.sampler.allow(r.Context(), o.Logger, t0, burst, interval, reason, st.Caller) {
					return
				}
			} else {
				o.sampler.flushIfDue(r.Context(), o.Logger, t0, interval)
			}
		}
		if o.Logger != nil && o.Logger.Enabled(r.Context(), slog.LevelInfo) {
			// The record is built here rather than by Logger.LogAttrs, which
			// walks the stack for a source position (this line, of no use
			// to anyone) and reads the clock a second time.
			now := time.Now()
			rec := slog.NewRecord(now, slog.LevelInfo, "request", 0)
			attrs := [7]slog.Attr{
				slog.String("caller", st.Caller),
				slog.String("client", clientString(st.Client, r)),
				slog.String("route", route),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Duration("latency", now.Sub(t0)),
				slog.String("reason", reason),
			}
			n := len(attrs)
			if reason == "" {
				n--
			}
			rec.AddAttrs(attrs[:n]...)
			_ = o.Logger.Handler().Handle(r.Context(), rec)
		}
	})
}

// since is the time from t0 on o's clock.
func (o *Observe) since(t0 time.Time) time.Duration {
	if o.Now != nil {
		return o.Now().Sub(t0)
	}
	return time.Since(t0)
}

func statusText(code int) string {
	switch code {
	case 200:
		return "200"
	case 400:
		return "400"
	case 401:
		return "401"
	case 403:
		return "403"
	case 413:
		return "413"
	case 429:
		return "429"
	case 503:
		return "503"
	}
	return strconv.Itoa(code)
}

// clientString is a as text: the host part of r.RemoteAddr when that is
// how a writes (the usual case, no allocation), else a.String().
func clientString(a netip.Addr, r *http.Request) string {
	if !a.IsValid() {
		return r.RemoteAddr
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = strings.TrimSuffix(strings.TrimPrefix(host[:i], "["), "]")
	}
	var buf [64]byte
	if string(a.AppendTo(buf[:0])) == host {
		return host
	}
	return a.String()
}
