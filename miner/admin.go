package miner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/minerkit/minerkit/buildinfo"
	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/subtensor"
)

// ReadyReport is the body of /ready.
type ReadyReport struct {
	Ready bool `json:"ready"`
	// Reasons says why the miner is not ready (empty when ready).
	Reasons []string `json:"reasons,omitempty"`
	// Warnings are conditions that degrade the service without stopping
	// it (a shared store down with the local fallback on).
	Warnings  []string        `json:"warnings,omitempty"`
	Hotkey    string          `json:"hotkey"`
	NetUID    uint16          `json:"netuid"`
	Metagraph MetagraphReport `json:"metagraph"`
	Endpoint  map[string]any  `json:"endpoint,omitempty"`
	InFlight  int64           `json:"in_flight"`
}

// MetagraphReport describes the Syncer in /ready.
type MetagraphReport struct {
	Block         uint64  `json:"block"`
	Head          uint64  `json:"head,omitempty"`
	AgeSeconds    float64 `json:"age_seconds"`
	MaxAgeSeconds float64 `json:"max_age_seconds"`
	Fresh         bool    `json:"fresh"`
	Reachable     bool    `json:"chain_reachable"`
	LastError     string  `json:"last_error,omitempty"`
	Failures      int     `json:"consecutive_failures"`
	Neurons       int     `json:"neurons"`
	Validators    int     `json:"validators"`
}

// Ready reports whether the miner should receive traffic: the metagraph is
// fresh, the chain answered the last sync, and the server is not shutting
// down.
func (s *Server) Ready() ReadyReport {
	st := s.syncer.Status()
	r := ReadyReport{
		Hotkey: s.Hotkey(),
		NetUID: s.cfg.NetUID,
		Metagraph: MetagraphReport{
			Block: st.Block, Head: st.Head, Fresh: st.Fresh, Reachable: st.Reachable,
			MaxAgeSeconds: st.MaxAge.Seconds(), Failures: st.Failures,
			Neurons: st.Neurons, Validators: st.Validators,
		},
		InFlight: s.inFlight.Load(),
	}
	if st.LastError != nil {
		r.Metagraph.LastError = st.LastError.Error()
	}
	switch {
	case st.TakenAt.IsZero():
		r.Reasons = append(r.Reasons, "metagraph not synced yet")
	case !st.Fresh:
		r.Metagraph.AgeSeconds = st.Age.Seconds()
		r.Reasons = append(r.Reasons, "metagraph stale: "+st.Age.Round(1e9).String()+" old, limit "+st.MaxAge.String())
	default:
		r.Metagraph.AgeSeconds = st.Age.Seconds()
	}
	switch {
	case !st.Reachable && st.Waiting > 0:
		r.Reasons = append(r.Reasons, "chain not answering for "+st.Waiting.Round(time.Millisecond).String())
	case !st.Reachable && errors.Is(st.LastError, subtensor.ErrStakeUnreadable):
		// The gate cannot know callers' stake weight on this runtime: it
		// keeps refusing (fail closed) and says why here.
		r.Reasons = append(r.Reasons, "stake weights unreadable, the gate refuses every caller: "+r.Metagraph.LastError)
	case !st.Reachable && !st.LastAttempt.IsZero():
		r.Reasons = append(r.Reasons, "chain unreachable: "+r.Metagraph.LastError)
	}
	reason, warning := s.guards.storeReport(context.Background())
	if reason != "" {
		r.Reasons = append(r.Reasons, reason)
	}
	if warning != "" {
		r.Warnings = append(r.Warnings, warning)
	}
	if p, ok := s.replay.(interface{ Ping(context.Context) error }); ok && s.guards.store == nil {
		if err := p.Ping(context.Background()); err != nil {
			r.Reasons = append(r.Reasons, "replay store unreachable: "+err.Error())
		}
	}
	if s.draining.Load() {
		r.Reasons = append(r.Reasons, "shutting down")
	}
	for what, res := range s.endpoint.snapshot() {
		if r.Endpoint == nil {
			r.Endpoint = map[string]any{}
		}
		if res.err != nil {
			r.Endpoint[what] = "error: " + res.err.Error()
		} else {
			r.Endpoint[what] = "on chain"
		}
	}
	r.Ready = len(r.Reasons) == 0
	return r
}

func (s *Server) adminMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		jsonreq.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		rep := s.Ready()
		status := http.StatusOK
		if !rep.Ready {
			status = http.StatusServiceUnavailable
		}
		jsonreq.WriteJSON(w, status, rep)
	})
	m.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	m.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		jsonreq.WriteJSON(w, http.StatusOK, buildinfo.Read())
	})
	if s.cfg.Pprof {
		// On the admin mux only, and only when asked: net/http/pprof also
		// registers them on http.DefaultServeMux, which minerkit never serves.
		m.HandleFunc("GET /debug/pprof/", pprof.Index)
		m.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		m.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		m.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		m.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return m
}

// Metric names served on /metrics besides the guard's and the Go runtime's.
var (
	descBlock      = prometheus.NewDesc("minerkit_metagraph_block", "Block of the current metagraph snapshot.", nil, nil)
	descHead       = prometheus.NewDesc("minerkit_metagraph_head", "Latest block announced by the chain.", nil, nil)
	descAge        = prometheus.NewDesc("minerkit_metagraph_age_seconds", "Age of the current metagraph snapshot (-1: none yet).", nil, nil)
	descNeurons    = prometheus.NewDesc("minerkit_metagraph_neurons", "Neurons in the current snapshot.", nil, nil)
	descValidators = prometheus.NewDesc("minerkit_metagraph_validators", "Neurons with a validator permit in the current snapshot.", nil, nil)
	descSyncs      = prometheus.NewDesc("minerkit_metagraph_syncs_total", "Successful metagraph syncs, by kind (scheduled or early).", []string{"kind"}, nil)
	descFailures   = prometheus.NewDesc("minerkit_metagraph_sync_failures", "Consecutive failed metagraph syncs.", nil, nil)
	descReachable  = prometheus.NewDesc("minerkit_chain_reachable", "1 when the last metagraph sync succeeded.", nil, nil)
	descReady      = prometheus.NewDesc("minerkit_miner_ready", "1 when /ready answers 200.", nil, nil)
	descInFlight   = prometheus.NewDesc("minerkit_miner_in_flight_requests", "Requests being served.", nil, nil)
	descInfo       = prometheus.NewDesc("minerkit_miner_info", "The miner's hotkey and subnet.", []string{"hotkey", "netuid"}, nil)
)

// statusCollector reads the Server's state at scrape time, so nothing on the
// request path updates these metrics.
type statusCollector struct{ s *Server }

func (c *statusCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBlock, descHead, descAge, descNeurons, descValidators, descSyncs, descFailures, descReachable, descReady, descInFlight, descInfo} {
		ch <- d
	}
}

func (c *statusCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	st := s.syncer.Status()
	age := -1.0
	if !st.TakenAt.IsZero() {
		age = st.Age.Seconds()
	}
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	g(descBlock, float64(st.Block))
	g(descHead, float64(st.Head))
	g(descAge, age)
	g(descNeurons, float64(st.Neurons))
	g(descValidators, float64(st.Validators))
	ch <- prometheus.MustNewConstMetric(descSyncs, prometheus.CounterValue, float64(st.Syncs-st.EarlySyncs), "scheduled")
	ch <- prometheus.MustNewConstMetric(descSyncs, prometheus.CounterValue, float64(st.EarlySyncs), "early")
	g(descFailures, float64(st.Failures))
	g(descReachable, b2f(st.Reachable))
	g(descReady, b2f(s.Ready().Ready))
	g(descInFlight, float64(s.inFlight.Load()))
	g(descInfo, 1, s.Hotkey(), itoa(uint64(s.cfg.NetUID)))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func mustURL(p string) *url.URL { return &url.URL{Path: p} }

// NewLogger returns a slog.Logger writing to w (nil: stderr) in format
// ("text" or "json") at level ("debug", "info", "warn", "error").
func NewLogger(w io.Writer, format, level string) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
