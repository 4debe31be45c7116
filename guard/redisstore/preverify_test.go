package redisstore

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/internal/redistest"
	"github.com/minerkit/minerkit/keys"
)

// verifications is the number of signatures a guard verified (its verify
// histogram's count).
func verifications(t *testing.T, reg *prometheus.Registry) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "minerkit_guard_verify_duration_seconds" {
			return mf.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return 0
}

// TestReplayRefusedBeforeVerification: under a shared Redis store, a
// replica refuses a replay it has itself seen recorded before verifying it
// and without asking Redis (its recent set); a replay it has not seen goes
// to Redis, the truth, after verification, and is then known locally too.
// Removing the recent set fails this test.
func TestReplayRefusedBeforeVerification(t *testing.T) {
	sock := redistest.Start(t)
	miner, _ := keys.FromSURI("//Bob")
	alice, _ := keys.FromSURI("//Alice")
	type rep struct {
		url string
		reg *prometheus.Registry
		rt  *roundTrips
	}
	start := func() rep {
		c := sock.Client(t)
		rt := &roundTrips{}
		c.AddHook(rt)
		reg := prometheus.NewRegistry()
		m, err := guard.NewMetrics(reg)
		if err != nil {
			t.Fatal(err)
		}
		g := guard.New(miner.Address())
		g.Metrics = m
		g.RateLimit = &guard.RateLimit{Rate: 100, Burst: 100}
		g.Shared = &guard.Shared{Store: New(c, "")}
		srv := httptest.NewServer(g.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
		t.Cleanup(srv.Close)
		return rep{srv.URL, reg, rt}
	}
	r1, r2 := start(), start()
	for _, r := range []rep{r1, r2} { // the first call loads the script
		if code, body := send(t, r.url, epistula.Sign(alice, nil, miner.Address(), time.Now())); code != 200 {
			t.Fatalf("warm-up: %d %s", code, body)
		}
	}
	h := epistula.Sign(alice, nil, miner.Address(), time.Now())
	check := func(what string, r rep, wantCode int, wantVerified, wantRedis int64) {
		t.Helper()
		v0, n0 := verifications(t, r.reg), r.rt.n.Load()
		code, body := send(t, r.url, h)
		if code != wantCode || wantCode == 401 && !strings.Contains(body, "replayed") {
			t.Fatalf("%s: %d %s, want %d", what, code, body, wantCode)
		}
		if v := int64(verifications(t, r.reg) - v0); v != wantVerified {
			t.Fatalf("%s: %d verifications, want %d", what, v, wantVerified)
		}
		if n := r.rt.n.Load() - n0; n != wantRedis {
			t.Fatalf("%s: %d Redis round trips, want %d", what, n, wantRedis)
		}
	}
	check("first copy, replica 1", r1, 200, 1, 1)
	check("second copy, replica 1", r1, 401, 0, 0)
	check("third copy, replica 2 (never saw it)", r2, 401, 1, 1)
	check("fourth copy, replica 2", r2, 401, 0, 0)
}
