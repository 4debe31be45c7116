package orchestrator

import (
	"strings"
	"testing"
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
