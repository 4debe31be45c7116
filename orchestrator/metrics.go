package orchestrator

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric names, stable: dashboards and alerts depend on them.
var (
	descConnected   = prometheus.NewDesc("minerkit_orchestrator_connected", "1 while an authenticated orchestrator connection is up.", nil, nil)
	descConnects    = prometheus.NewDesc("minerkit_orchestrator_connects_total", "Authenticated connections made.", nil, nil)
	descDialFails   = prometheus.NewDesc("minerkit_orchestrator_dial_failures_total", "Failed connection attempts, refusals included.", nil, nil)
	descAuthRefused = prometheus.NewDesc("minerkit_orchestrator_auth_refused_total", "Connection attempts whose credentials the orchestrator refused.", nil, nil)
	descInFlight    = prometheus.NewDesc("minerkit_orchestrator_jobs_in_flight", "Jobs queued or running.", nil, nil)
	descReplayed    = prometheus.NewDesc("minerkit_orchestrator_jobs_replayed_total", "Redelivered jobs answered from the journal without running.", nil, nil)
	descReported    = prometheus.NewDesc("minerkit_orchestrator_results_reported_total", "Results acknowledged through the results event.", nil, nil)
	descUnreported  = prometheus.NewDesc("minerkit_orchestrator_results_unreported", "Results in the journal the orchestrator has not acknowledged.", nil, nil)
	descConfirmed   = prometheus.NewDesc("minerkit_orchestrator_acks_confirmed_total", "Job acknowledgements proven delivered by a later ping/pong round trip.", nil, nil)
)

// jobMetrics are the per-job series, created with the first Collect or job.
type jobMetrics struct {
	once     sync.Once
	jobs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func (m *jobMetrics) init() {
	m.once.Do(func() {
		m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minerkit_orchestrator_jobs_total",
			Help: "Jobs run, by type and outcome (ok, error, timeout, cancelled).",
		}, []string{"type", "outcome"})
		m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "minerkit_orchestrator_job_duration_seconds",
			Help:    "Time from handler start to result, by job type.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10), // 1 ms … 4.4 min
		}, []string{"type"})
	})
}

func (m *jobMetrics) observe(jobType, outcome string, d time.Duration) {
	m.init()
	m.jobs.WithLabelValues(jobType, outcome).Inc()
	m.duration.WithLabelValues(jobType).Observe(d.Seconds())
}

// Describe implements prometheus.Collector: register a Client with a
// prometheus.Registry to export its metrics.
func (c *Client) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descConnected, descConnects, descDialFails, descAuthRefused, descInFlight, descReplayed, descReported, descUnreported, descConfirmed} {
		ch <- d
	}
	c.metrics.init()
	c.metrics.jobs.Describe(ch)
	c.metrics.duration.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c *Client) Collect(ch chan<- prometheus.Metric) {
	s := c.Stats()
	connected, inFlight := 0.0, 0.0
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	if st != nil {
		st.mu.Lock()
		if st.link != nil {
			connected = 1
		}
		inFlight = float64(len(st.jobs))
		st.mu.Unlock()
	}
	ch <- prometheus.MustNewConstMetric(descConnected, prometheus.GaugeValue, connected)
	ch <- prometheus.MustNewConstMetric(descConnects, prometheus.CounterValue, float64(s.Connects))
	ch <- prometheus.MustNewConstMetric(descDialFails, prometheus.CounterValue, float64(s.DialFailures))
	ch <- prometheus.MustNewConstMetric(descAuthRefused, prometheus.CounterValue, float64(s.AuthRefused))
	ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, inFlight)
	ch <- prometheus.MustNewConstMetric(descReplayed, prometheus.CounterValue, float64(s.Replayed))
	ch <- prometheus.MustNewConstMetric(descReported, prometheus.CounterValue, float64(s.Reported))
	ch <- prometheus.MustNewConstMetric(descConfirmed, prometheus.CounterValue, float64(s.Confirmed))
	if c.Journal != nil {
		ch <- prometheus.MustNewConstMetric(descUnreported, prometheus.GaugeValue, float64(len(c.Journal.Unreported())))
	}
	c.metrics.init()
	c.metrics.jobs.Collect(ch)
	c.metrics.duration.Collect(ch)
}
