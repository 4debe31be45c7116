package guard

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/minerkit/minerkit/epistula"
)

// memStore is a Store in memory that can be made to fail.
type memStore struct {
	mu     sync.Mutex
	seen   map[string]bool
	count  map[string]int
	down   bool
	admits []Admission
}

func (m *memStore) Admit(_ context.Context, a Admission) (Verdict, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return Verdict{}, errors.New("store: connection refused")
	}
	m.admits = append(m.admits, a)
	if a.ID != "" {
		if m.seen[a.Caller+a.ID] {
			return Verdict{Replayed: true}, nil
		}
		m.seen[a.Caller+a.ID] = true
	}
	if a.Rate > 0 {
		if float64(m.count[a.Caller]) >= a.Burst {
			return Verdict{Limited: true, RetryAfter: time.Second}, nil
		}
		m.count[a.Caller]++
	}
	return Verdict{}, nil
}

// TestShared: replay and rate limit come from the Store (one call per
// request, after the validator gate, with the stake-scaled limits); a
// failing Store refuses with 503, or, with FallbackLocal, serves from this
// process's state; the failure is logged once per interval and counted.
func TestShared(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(map[bool]string{false: "fail closed", true: "local fallback"}[fallback], func(t *testing.T) {
			miner, alice, eve := mustKey(t, "//Bob"), mustKey(t, "//Alice"), mustKey(t, "//Eve")
			store := &memStore{seen: map[string]bool{}, count: map[string]int{}}
			var logs bytes.Buffer
			reg := prometheus.NewRegistry()
			g := New(miner.Address())
			g.Validators = &Validators{Metagraph: metagraph{alice.Address(): {StakeWeight: 2000 * RaoPerTAO, ValidatorPermit: true}}}
			g.RateLimit = &RateLimit{Rate: 1, Burst: 2, StakeUnit: 1000 * RaoPerTAO}
			g.Shared = &Shared{Store: store, FallbackLocal: fallback}
			g.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			if err := g.Shared.RegisterMetrics(reg); err != nil {
				t.Fatal(err)
			}
			h := g.Handler(echo)
			send := func(hdr http.Header) (int, string) {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("POST", "/", nil)
				req.Header = hdr
				h.ServeHTTP(rec, req)
				return rec.Code, rec.Body.String()
			}
			sign := func() http.Header { return epistula.Sign(alice, nil, miner.Address(), time.Now()) }

			h1 := sign()
			if code, body := send(h1); code != 200 {
				t.Fatalf("first: %d %s", code, body)
			}
			if code, body := send(h1.Clone()); code != 401 || !strings.Contains(body, "replayed") {
				t.Fatalf("replay: %d %s", code, body)
			}
			// Stake 2× the unit: burst 4, rate 2/s; one spent (a replay
			// spends nothing).
			if a := store.admits[0]; a.Caller != alice.Address() || a.ID == "" || a.Rate != 2 || a.Burst != 4 {
				t.Fatalf("admission %+v", a)
			}
			for range 3 {
				send(sign())
			}
			if code, _ := send(sign()); code != 429 {
				t.Fatalf("over the burst: %d, want 429", code)
			}
			// A non-validator never reaches the Store.
			n := len(store.admits)
			if code, _ := send(epistula.Sign(eve, nil, miner.Address(), time.Now())); code != 403 || len(store.admits) != n {
				t.Fatalf("non-validator: %d, %d admissions", code, len(store.admits)-n)
			}

			store.mu.Lock()
			store.down = true
			store.mu.Unlock()
			h2 := sign()
			code, _ := send(h2)
			code2, _ := send(h2.Clone())
			switch {
			case !fallback && (code != 503 || code2 != 503):
				t.Fatalf("store down, fail closed: %d %d, want 503 503", code, code2)
			case fallback && (code != 200 || code2 != 401):
				t.Fatalf("store down, local fallback: %d then %d, want 200 then 401 (replay caught locally)", code, code2)
			}
			outcome := map[bool]string{false: "refused", true: "local"}[fallback]
			if got := counterValue(t, reg, "minerkit_guard_store_errors_total", outcome); got != 2 {
				t.Fatalf("store errors %v, want 2", got)
			}
			if c := strings.Count(logs.String(), "level=ERROR"); c != 1 {
				t.Fatalf("%d ERROR records for two failures in a row, want 1:\n%s", c, logs.String())
			}
			store.mu.Lock()
			store.down = false
			store.mu.Unlock()
			send(sign())
			if !strings.Contains(logs.String(), "shared guard store answers again") {
				t.Fatalf("no recovery record:\n%s", logs.String())
			}
		})
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == label {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
