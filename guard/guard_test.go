package guard

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

func mustKey(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type metagraph map[string]Neuron

func (m metagraph) Lookup(h string) (Neuron, bool) { n, ok := m[h]; return n, ok }

// echo answers {"caller": ..., "body": ...} from what the guard passed on.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	caller, _ := Caller(r.Context())
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"caller": caller, "body": string(body), "uid": FromContext(r.Context()).Neuron.UID})
})

type testServer struct {
	*httptest.Server
	miner   *keys.Keypair
	reg     *prometheus.Registry
	log     *bytes.Buffer
	unknown []string
}

func newTestServer(t *testing.T, replay epistula.ReplayCache) *testServer {
	t.Helper()
	miner := mustKey(t, "//Bob")
	ts := &testServer{miner: miner, reg: prometheus.NewRegistry(), log: &bytes.Buffer{}}
	m, err := NewMetrics(ts.reg)
	if err != nil {
		t.Fatal(err)
	}
	mg := metagraph{
		mustKey(t, "//Alice").Address():   {UID: 0, StakeWeight: 50_000 * RaoPerTAO, ValidatorPermit: true},
		mustKey(t, "//Charlie").Address(): {UID: 2, StakeWeight: 50_000 * RaoPerTAO},
		mustKey(t, "//Dave").Address():    {UID: 3, StakeWeight: 10 * RaoPerTAO, ValidatorPermit: true},
		mustKey(t, "//Eve").Address():     {UID: 4, StakeWeight: 50_000 * RaoPerTAO, ValidatorPermit: true},
		mustKey(t, "//Rate").Address():    {UID: 5, StakeWeight: 50_000 * RaoPerTAO, ValidatorPermit: true},
	}
	g := New(miner.Address())
	g.Epistula.Verifier.Replay = replay
	g.Epistula.MaxBodyBytes = 1024
	g.Validators = &Validators{
		Metagraph: mg,
		MinStake:  1000 * RaoPerTAO,
		AllowList: []string{mustKey(t, "//Ferdie").Address()},
		DenyList:  []string{mustKey(t, "//Eve").Address()},
		Unknown:   func(h string) { ts.unknown = append(ts.unknown, h) },
	}
	g.RateLimit = &RateLimit{Rate: 1000, Burst: 1000}
	g.Metrics = m
	g.Logger = slog.New(slog.NewJSONHandler(ts.log, nil))
	mux := http.NewServeMux()
	mux.Handle("POST /forward", g.Handler(echo))
	rl := &RateLimit{Rate: 0.5, Burst: 2}
	g2 := *g
	g2.RateLimit = rl
	mux.Handle("POST /slow", g2.Handler(echo))
	ts.Server = httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) do(t *testing.T, path string, h http.Header, body io.Reader, chunked bool) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest("POST", ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if chunked {
		req.ContentLength = -1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	return resp.StatusCode, out, resp.Header
}

func TestGuard(t *testing.T) {
	ts := newTestServer(t, nil)
	bob := ts.miner.Address()
	body := []byte(`{"q":1}`)
	sign := func(suri string, body []byte, receiver string) http.Header {
		return epistula.Sign(mustKey(t, suri), body, receiver, time.Now())
	}
	replayed := sign("//Alice", body, bob)
	ts.do(t, "/forward", replayed, bytes.NewReader(body), false)

	tests := []struct {
		name    string
		h       http.Header
		body    []byte
		chunked bool
		status  int
		reason  string
	}{
		{"validator", sign("//Alice", body, bob), body, false, 200, ""},
		{"empty body", sign("//Alice", nil, bob), nil, false, 200, ""},
		{"chunked body", sign("//Alice", body, bob), body, true, 200, ""},
		{"allow-listed outsider", sign("//Ferdie", body, bob), body, false, 200, ""},
		{"X variant", epistula.SignX(mustKey(t, "//Alice"), body, time.Now()), body, false, 200, ""},
		{"no headers", http.Header{}, body, false, 400, "malformed"},
		{"version 3", func() http.Header { h := sign("//Alice", body, bob); h.Set("Epistula-Version", "3"); return h }(), body, false, 400, "unsupported_version"},
		{"bad signature", sign("//Alice", body, bob), []byte(`{"q":2}`), false, 401, "bad_signature"},
		{"stale", epistula.Sign(mustKey(t, "//Alice"), body, bob, time.Now().Add(-time.Minute)), body, false, 401, "stale"},
		{"future", epistula.Sign(mustKey(t, "//Alice"), body, bob, time.Now().Add(time.Minute)), body, false, 401, "from_the_future"},
		{"wrong receiver", sign("//Alice", body, mustKey(t, "//Alice").Address()), body, false, 401, "wrong_receiver"},
		{"no receiver", sign("//Alice", body, ""), body, false, 401, "wrong_receiver"},
		{"replayed", replayed, body, false, 401, "replayed"},
		{"not registered", sign("//Zed", body, bob), body, false, 403, ReasonNotRegistered},
		{"no permit", sign("//Charlie", body, bob), body, false, 403, ReasonNoPermit},
		{"stake too low", sign("//Dave", body, bob), body, false, 403, ReasonStakeTooLow},
		{"deny-listed", sign("//Eve", body, bob), body, false, 403, ReasonDenied},
		{"too large", sign("//Alice", make([]byte, 1025), bob), make([]byte, 1025), false, 413, ReasonBodyTooLarge},
		{"too large chunked", sign("//Alice", make([]byte, 1025), bob), make([]byte, 1025), true, 413, ReasonBodyTooLarge},
		{"at the limit", sign("//Alice", make([]byte, 1024), bob), make([]byte, 1024), true, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, _ := ts.do(t, "/forward", tt.h, bytes.NewReader(tt.body), tt.chunked)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, out)
			}
			if tt.reason != "" {
				if out["reason"] != tt.reason {
					t.Fatalf("reason %v, want %s: %v", out["reason"], tt.reason, out)
				}
				if msg, _ := out["error"].(string); msg == "" {
					t.Fatal("refusal without an error message")
				}
				return
			}
			signer := tt.h.Get("Epistula-Signed-By") + tt.h.Get("X-Epistula-Hotkey")
			if out["caller"] != signer || out["body"] != string(tt.body) {
				t.Fatalf("handler saw caller %v body %q, want %s %q", out["caller"], out["body"], signer, tt.body)
			}
		})
	}
	if len(ts.unknown) != 1 || ts.unknown[0] != mustKey(t, "//Zed").Address() {
		t.Errorf("Unknown called with %v", ts.unknown)
	}

	// Metrics: served and refused requests are counted with stable labels.
	counts := map[string]float64{}
	mfs, err := ts.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if mf.GetName() == "minerkit_guard_requests_total" {
				l := map[string]string{}
				for _, lp := range m.GetLabel() {
					l[lp.GetName()] = lp.GetValue()
				}
				counts[l["route"]+" "+l["status"]+" "+l["reason"]] += m.GetCounter().GetValue()
			}
			if mf.GetName() == "minerkit_guard_verify_duration_seconds" && m.GetHistogram().GetSampleCount() == 0 {
				t.Error("verify histogram is empty")
			}
		}
	}
	for k, want := range map[string]float64{
		"POST /forward 200 ok": 7, "POST /forward 401 replayed": 1, "POST /forward 403 stake_too_low": 1, "POST /forward 413 body_too_large": 2,
	} {
		if counts[k] != want {
			t.Errorf("requests_total{%s} = %v, want %v (all: %v)", k, counts[k], want, counts)
		}
	}
	// Access log: one JSON record per request with the documented fields.
	lines := strings.Split(strings.TrimSpace(ts.log.String()), "\n")
	if len(lines) != len(tests)+1 {
		t.Fatalf("%d log records, want %d", len(lines), len(tests)+1)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-2]), &rec); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"caller", "route", "path", "status", "latency", "reason"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("log record lacks %q: %s", k, lines[len(lines)-2])
		}
	}
	// A replay carried a good signature: the log names who sent it.
	replays := 0
	for _, l := range lines {
		var r map[string]any
		if json.Unmarshal([]byte(l), &r) == nil && r["reason"] == "replayed" {
			replays++
			if c, _ := r["caller"].(string); c == "" {
				t.Errorf("replayed request logged without its caller: %s", l)
			}
		}
	}
	if replays != 1 {
		t.Errorf("%d replayed records in the log, want 1", replays)
	}
}

func TestRateLimited(t *testing.T) {
	ts := newTestServer(t, nil)
	bob := ts.miner.Address()
	rate := mustKey(t, "//Rate")
	var last int
	var hdr http.Header
	for i := 0; i < 3; i++ {
		last, _, hdr = ts.do(t, "/slow", epistula.Sign(rate, nil, bob, time.Now()), nil, false)
	}
	if last != 429 || hdr.Get("Retry-After") == "" {
		t.Fatalf("third request: %d, Retry-After %q; want 429 with Retry-After", last, hdr.Get("Retry-After"))
	}
}

type brokenCache struct{}

func (brokenCache) Seen(string, string, time.Time) (bool, error) {
	return false, errors.New("redis: connection refused")
}

func TestReplayCacheUnavailable(t *testing.T) {
	ts := newTestServer(t, brokenCache{})
	status, out, _ := ts.do(t, "/forward", epistula.Sign(mustKey(t, "//Alice"), nil, ts.miner.Address(), time.Now()), nil, false)
	if status != 503 || out["reason"] != "replay_cache_unavailable" {
		t.Fatalf("%d %v, want 503 replay_cache_unavailable", status, out)
	}
}

func TestRateLimitStakeScaling(t *testing.T) {
	now := time.Unix(1000, 0)
	l := &RateLimit{Rate: 1, Burst: 1, StakeUnit: 1000 * RaoPerTAO}
	allowed := func(hotkey string, stake uint64) int {
		n := 0
		for i := 0; i < 100; i++ {
			if ok, _ := l.Allow(hotkey, stake, now); ok {
				n++
			}
		}
		return n
	}
	if n := allowed("small", 10*RaoPerTAO); n != 1 {
		t.Errorf("small stake burst %d, want 1", n)
	}
	if n := allowed("big", 10_000*RaoPerTAO); n != 10 {
		t.Errorf("10× stake burst %d, want 10", n)
	}
	ok, wait := l.Allow("small", 10*RaoPerTAO, now)
	if ok || wait != time.Second {
		t.Errorf("empty bucket: %v %v, want false 1s", ok, wait)
	}
	if ok, _ := l.Allow("small", 10*RaoPerTAO, now.Add(time.Second)); !ok {
		t.Error("bucket did not refill after 1/rate")
	}
}

func TestLayersNeedEpistula(t *testing.T) {
	for _, h := range []http.Handler{(&Validators{}).Handler(echo), (&RateLimit{}).Handler(echo)} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
		if rec.Code != 401 {
			t.Errorf("unauthenticated request: %d, want 401", rec.Code)
		}
	}
}

// TestCallerIsCanonical: a validator that writes its Signed-By under another
// SS58 prefix is still found in the metagraph, and the handler sees the
// Bittensor (prefix 42) address.
func TestCallerIsCanonical(t *testing.T) {
	ts := newTestServer(t, nil)
	alice := mustKey(t, "//Alice")
	h := epistula.Sign(alice, nil, ts.miner.Address(), time.Now())
	h.Set(epistula.HeaderSignedBy, keys.EncodeSS58(alice.Public(), 0))
	status, out, _ := ts.do(t, "/forward", h, nil, false)
	if status != 200 || out["caller"] != alice.Address() {
		t.Fatalf("%d %v, want 200 with caller %s", status, out, alice.Address())
	}
}
