package miner

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/buildinfo"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/internal/redistest"
)

// TestSharedRedis: two replicas of one hotkey on one Redis refuse a replay
// sent to the other and hold one validator's rate limit between them. With
// Redis gone they refuse with 503 and fail /ready (fail closed), or, with
// redis_fallback local, serve on and say so in /ready's warnings.
func TestSharedRedis(t *testing.T) {
	rs := redistest.Start(t)
	shared := func(fallback string) func(*Config) {
		return func(c *Config) {
			c.Redis = rs.URL()
			c.RedisFallback = fallback
			c.RatePerSec, c.RateBurst = 0.01, 4
		}
	}
	r1 := startGuarded(t, shared(RedisFallbackClosed))
	r2 := startGuarded(t, shared(RedisFallbackClosed))
	local := startGuarded(t, shared(RedisFallbackLocal))
	body := `{"msg":"hello"}`

	h := epistula.Sign(r1.v1, []byte(body), r1.miner.Address(), time.Now())
	if r := r1.postSigned(t, h, body); r.status != 200 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	if r := r2.postSigned(t, h, body); r.status != 401 || r.reason != string(epistula.ReasonReplayed) {
		t.Fatalf("replay through the other replica: %d %s", r.status, r.body)
	}
	// Burst 4 between the replicas: one spent, three more, then 429.
	var got []int
	for i := range 5 {
		g := []*guardedMiner{r1, r2, local}[i%3]
		got = append(got, g.post(t, g.v1, body).status)
	}
	if want := []int{200, 200, 200, 429, 429}; !equalInts(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	if !strings.Contains(r1.log.String(), "guard state shared through Redis") {
		t.Error("the start log does not say the guard state is shared")
	}

	rs.Kill()
	if r := r1.post(t, r1.v1, body); r.status != 503 || r.reason != string(epistula.ReasonUnavailable) {
		t.Fatalf("Redis down: %d %s, want 503", r.status, r.body)
	}
	var rep ReadyReport
	if code := getJSON(t, r1.admin+"/ready", &rep); code != 503 || rep.Ready || !strings.Contains(strings.Join(rep.Reasons, ";"), "redis unreachable") {
		t.Fatalf("/ready with Redis down: %d %+v", code, rep)
	}
	lh := epistula.Sign(local.v1, []byte(body), local.miner.Address(), time.Now())
	if r := local.postSigned(t, lh, body); r.status != 200 {
		t.Fatalf("Redis down, local fallback: %d %s", r.status, r.body)
	}
	if r := local.postSigned(t, lh, body); r.status != 401 {
		t.Fatalf("Redis down, local fallback, replay: %d %s", r.status, r.body)
	}
	rep = ReadyReport{}
	if code := getJSON(t, local.admin+"/ready", &rep); code != 200 || len(rep.Warnings) != 1 {
		t.Fatalf("/ready with Redis down and the local fallback: %d %+v", code, rep)
	}
	if !strings.Contains(local.log.String(), "SHARED GUARD STORE FAILING") {
		t.Error("the local fallback was not logged")
	}
	for _, g := range []*guardedMiner{r1, local} {
		if m := getText(t, g.admin+"/metrics"); !strings.Contains(m, "minerkit_guard_store_errors_total") {
			t.Error("no minerkit_guard_store_errors_total in /metrics")
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestConfigRedisFallback(t *testing.T) {
	c := DefaultConfig()
	c.RedisFallback = "open"
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "redis_fallback") {
		t.Fatalf("Check: %v", err)
	}
	c = DefaultConfig()
	c.TrustedProxies = []string{"nginx.local"}
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "trusted_proxies") {
		t.Fatalf("Check: %v", err)
	}
}

// TestVersionEndpoint: GET /version on the API listener answers signed
// requests of validators with the build, and only when asked for.
func TestVersionEndpoint(t *testing.T) {
	on := startGuarded(t, func(c *Config) { c.VersionEndpoint = true })
	req, _ := http.NewRequest("GET", on.api+"/version", nil)
	r := do(t, on.client(on.v1), req)
	var bi buildinfo.Info
	if r.status != 200 || json.Unmarshal([]byte(r.body), &bi) != nil || bi.GoVersion == "" {
		t.Fatalf("signed: %d %s", r.status, r.body)
	}
	if r := do(t, http.DefaultClient, req); r.status != 400 {
		t.Fatalf("unsigned: %d %s, want 400", r.status, r.body)
	}
	if r := do(t, on.client(mustKey(t, "//NoPermit")), req); r.status != 403 || r.reason != guard.ReasonNoPermit {
		t.Fatalf("not a validator: %d %s, want 403", r.status, r.body)
	}
	off := startGuarded(t, nil)
	req, _ = http.NewRequest("GET", off.api+"/version", nil)
	if r := do(t, off.client(off.v1), req); r.status != 404 {
		t.Fatalf("off by default: %d %s, want 404", r.status, r.body)
	}
}

// TestAxonAcrossReplicas: Axon requests are replays across replicas too,
// and share one rate limit with the validator's Epistula requests.
func TestAxonAcrossReplicas(t *testing.T) {
	rs := redistest.Start(t)
	shared := func(c *Config) { c.Redis = rs.URL(); c.RatePerSec, c.RateBurst = 0.01, 4 }
	r1, r2 := startAxonMiner(t, shared), startAxonMiner(t, shared)
	c := &axon.Client{Signer: r1.v1}
	req, err := c.Request(context.Background(), axon.Target{URL: r1.api, Hotkey: r1.miner.Address()}, &dummySynapse{DummyInput: 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if st, msg := send(t, req.Clone(context.Background()), body); st != 200 {
		t.Fatalf("first: %d %s", st, msg)
	}
	other := req.Clone(context.Background())
	other.URL.Host = strings.TrimPrefix(r2.api, "http://")
	other.Host = other.URL.Host
	if st, msg := send(t, other, body); st != 401 {
		t.Fatalf("replay through the other replica: %d %s, want 401", st, msg)
	}
	// Burst 4, one spent: Epistula on r1, Axon on r2, Axon on r1, then 429.
	if r := r1.post(t, r1.v1, `{"msg":"hi"}`); r.status != 200 {
		t.Fatalf("epistula: %+v", r)
	}
	if _, err := r2.axonCall(r2.v1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := r1.axonCall(r1.v1, 1); err != nil {
		t.Fatal(err)
	}
	_, err = r2.axonCall(r2.v1, 1)
	var se *axon.StatusError
	if !errors.As(err, &se) || se.Status != 429 {
		t.Fatalf("fifth request across replicas and protocols: %v, want 429", err)
	}
}
