package orchestrator

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type fakeLink struct {
	link
	max int
}

func (f fakeLink) MaxPayload() int { return f.max }

func TestFitAndBatch(t *testing.T) {
	big := Result{ID: "big", OK: true, Result: []byte(`"` + strings.Repeat("x", 5000) + `"`)}
	small := Result{ID: "s", OK: true, Result: []byte(`1`)}
	if r := fit(fakeLink{max: 0}, big); !r.OK {
		t.Error("no limit known: result changed")
	}
	if r := fit(fakeLink{max: 1000}, big); r.OK || !strings.Contains(r.Error, "too large") {
		t.Errorf("fit = %+v", r)
	}
	if r := fit(fakeLink{max: 1000}, small); !r.OK {
		t.Errorf("small result changed: %+v", r)
	}
	rs := []Result{small, small, small}
	if got := batch(fakeLink{max: 0}, rs, 2); len(got) != 2 {
		t.Errorf("count limit: %d results", len(got))
	}
	many := make([]Result, 100)
	for i := range many {
		many[i] = Result{ID: "m", OK: true, Result: []byte(`"` + strings.Repeat("y", 100) + `"`)}
	}
	got := batch(fakeLink{max: 2000}, many, 256)
	if len(got) == 0 || len(got) >= 20 {
		t.Errorf("size limit: %d results in one batch", len(got))
	}
	if got := batch(fakeLink{max: 1000}, []Result{big}, 256); len(got) != 1 || got[0].OK {
		t.Errorf("single oversized result: %+v", got)
	}
}

func TestMetricsCollect(t *testing.T) {
	c := &Client{}
	c.metrics.observe("inference", "ok", 3*time.Millisecond)
	c.metrics.observe("inference", "timeout", time.Second)
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, lp := range m.GetLabel() {
				key += "," + lp.GetName() + "=" + lp.GetValue()
			}
			switch {
			case m.GetCounter() != nil:
				got[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				got[key] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				got[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	for key, want := range map[string]float64{
		"minerkit_orchestrator_jobs_total,outcome=ok,type=inference":      1,
		"minerkit_orchestrator_jobs_total,outcome=timeout,type=inference": 1,
		"minerkit_orchestrator_job_duration_seconds,type=inference":       2,
		"minerkit_orchestrator_connected":                                 0,
		"minerkit_orchestrator_connects_total":                            0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
}
