package miner

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
)

// guardedMiner is a running miner with an in-memory metagraph:
//
//	//V1        validator permit, 5000 TAO
//	//LowStake  validator permit, 10 TAO (the miner asks for 100)
//	//NoPermit  registered, 5000 TAO, no permit
//	//Miner     the miner itself
//
// //Stranger is not registered until the test adds it. POST /echo answers
// the caller and the guard's view of it.
type guardedMiner struct {
	*testServer
	src   *fakeSource
	miner *keys.Keypair
	v1    *keys.Keypair
}

func neuronsFor(t *testing.T, extra ...metagraph.Neuron) []metagraph.Neuron {
	ns := []metagraph.Neuron{
		{HotkeyPub: mustKey(t, "//Miner").Public(), Stake: 0},
		{HotkeyPub: mustKey(t, "//V1").Public(), ValidatorPermit: true, Stake: 5000 * metagraph.RaoPerTAO},
		{HotkeyPub: mustKey(t, "//LowStake").Public(), ValidatorPermit: true, Stake: 10 * metagraph.RaoPerTAO},
		{HotkeyPub: mustKey(t, "//NoPermit").Public(), Stake: 5000 * metagraph.RaoPerTAO},
	}
	ns = append(ns, extra...)
	for i := range ns {
		ns[i].UID = uint16(i)
	}
	return ns
}

type echoReq struct {
	Msg string `json:"msg" validate:"required,maxlen=32"`
}

type echoResp struct {
	Caller string `json:"caller"`
	UID    uint16 `json:"uid"`
	Msg    string `json:"msg"`
}

func startGuarded(t *testing.T, mutate func(*Config)) *guardedMiner {
	t.Helper()
	src := &fakeSource{}
	src.set(100, neuronsFor(t), nil)
	cfg := testConfig()
	cfg.RatePerSec, cfg.RateBurst = 1000, 1000
	if mutate != nil {
		mutate(&cfg)
	}
	mk := mustKey(t, "//Miner")
	lg, logOpt := testLog()
	srv, err := New(cfg, mk, src, logOpt)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle("POST /echo", jsonreq.Func(func(ctx context.Context, req *echoReq) (echoResp, error) {
		info := guard.FromContext(ctx)
		return echoResp{Caller: info.Caller, UID: info.Neuron.UID, Msg: req.Msg}, nil
	}))
	srv.Handle("POST /panic", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	srv.Syncer().EarlyGap = time.Hour // early refreshes are tested on their own
	ts := startServer(t, srv, lg, false)
	if _, err := srv.Syncer().Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &guardedMiner{testServer: ts, src: src, miner: mk, v1: mustKey(t, "//V1")}
}

// client returns an http.Client that signs as key for the miner.
func (g *guardedMiner) client(key keys.Signer) *http.Client {
	recv := g.miner.Address()
	return &http.Client{Transport: &epistula.Transport{Signer: key, Receiver: func(*http.Request) string { return recv }}}
}

type reply struct {
	status     int
	reason     string
	field      string
	error      string
	body       string
	retryAfter string
}

func do(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var eb struct{ Error, Reason, Field string }
	json.Unmarshal(b, &eb)
	return reply{status: resp.StatusCode, reason: eb.Reason, field: eb.Field, error: eb.Error, body: string(b), retryAfter: resp.Header.Get("Retry-After")}
}

func (g *guardedMiner) post(t *testing.T, key keys.Signer, body string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", g.api+"/echo", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return do(t, g.client(key), req)
}

// postSigned sends body with the given pre-built Epistula headers.
func (g *guardedMiner) postSigned(t *testing.T, h http.Header, body string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", g.api+"/echo", strings.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	return do(t, http.DefaultClient, req)
}

func TestGuardedRequests(t *testing.T) {
	g := startGuarded(t, func(c *Config) {
		c.Deny = []string{mustKey(t, "//Denied").Address()}
		c.Allow = []string{mustKey(t, "//Friend").Address()}
	})
	body := `{"msg":"hello"}`
	now := time.Now()
	replayed := epistula.Sign(g.v1, []byte(body), g.miner.Address(), now)

	tests := []struct {
		name       string
		send       func() reply
		status     int
		reason     string
		wantCaller string
	}{
		{"staked validator", func() reply { return g.post(t, g.v1, body) }, 200, "", g.v1.Address()},
		{"allow-listed unknown key", func() reply { return g.post(t, mustKey(t, "//Friend"), body) }, 200, "", mustKey(t, "//Friend").Address()},
		{"registered without permit", func() reply { return g.post(t, mustKey(t, "//NoPermit"), body) }, 403, guard.ReasonNoPermit, ""},
		{"unregistered key", func() reply { return g.post(t, mustKey(t, "//Stranger"), body) }, 403, guard.ReasonNotRegistered, ""},
		{"stake below the minimum", func() reply { return g.post(t, mustKey(t, "//LowStake"), body) }, 403, guard.ReasonStakeTooLow, ""},
		{"deny-listed", func() reply { return g.post(t, mustKey(t, "//Denied"), body) }, 403, guard.ReasonDenied, ""},
		{"first use of a request", func() reply { return g.postSigned(t, replayed, body) }, 200, "", g.v1.Address()},
		{"the same request replayed", func() reply { return g.postSigned(t, replayed, body) }, 401, string(epistula.ReasonReplayed), ""},
		{"stale", func() reply {
			return g.postSigned(t, epistula.Sign(g.v1, []byte(body), g.miner.Address(), now.Add(-time.Minute)), body)
		}, 401, string(epistula.ReasonStale), ""},
		{"from the future", func() reply {
			return g.postSigned(t, epistula.Sign(g.v1, []byte(body), g.miner.Address(), now.Add(time.Minute)), body)
		}, 401, string(epistula.ReasonFromTheFuture), ""},
		{"signed for another miner", func() reply {
			return g.postSigned(t, epistula.Sign(g.v1, []byte(body), mustKey(t, "//OtherMiner").Address(), now), body)
		}, 401, string(epistula.ReasonWrongReceiver), ""},
		{"body changed after signing", func() reply {
			return g.postSigned(t, epistula.Sign(g.v1, []byte(body), g.miner.Address(), now), `{"msg":"hellO"}`)
		}, 401, string(epistula.ReasonBadSignature), ""},
		{"unsigned", func() reply { return g.postSigned(t, http.Header{"Content-Type": {"application/json"}}, body) }, 400, string(epistula.ReasonMalformed), ""},
		{"validator, unknown field", func() reply { return g.post(t, g.v1, `{"msg":"x","admin":true}`) }, 400, jsonreq.ReasonUnknownField, ""},
		{"validator, constraint", func() reply { return g.post(t, g.v1, `{"msg":""}`) }, 400, jsonreq.ReasonInvalidField, ""},
		{"validator, body too large", func() reply { return g.post(t, g.v1, `{"msg":"`+strings.Repeat("a", 2<<20)+`"}`) }, 413, guard.ReasonBodyTooLarge, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.send()
			if r.status != tc.status || r.reason != tc.reason {
				t.Fatalf("got %d %q (%s), want %d %q", r.status, r.reason, r.body, tc.status, tc.reason)
			}
			if tc.status == 200 {
				var er echoResp
				if err := json.Unmarshal([]byte(r.body), &er); err != nil || er.Caller != tc.wantCaller || er.Msg != "hello" {
					t.Fatalf("echo %s, want caller %s", r.body, tc.wantCaller)
				}
			} else if r.error == "" {
				t.Fatalf("refusal without an error text: %s", r.body)
			}
		})
	}
	if r := g.post(t, g.v1, `{"msg":"x","admin":true}`); r.field != "admin" {
		t.Fatalf("unknown field not named: %s", r.body)
	}

	// Each refusal reason is in the metrics and the access log.
	m := getText(t, g.admin+"/metrics")
	log := g.log.String()
	for _, reason := range []string{guard.ReasonNoPermit, guard.ReasonNotRegistered, guard.ReasonStakeTooLow, guard.ReasonDenied,
		string(epistula.ReasonReplayed), string(epistula.ReasonStale), string(epistula.ReasonFromTheFuture),
		string(epistula.ReasonWrongReceiver), string(epistula.ReasonBadSignature), string(epistula.ReasonMalformed), guard.ReasonBodyTooLarge} {
		if !strings.Contains(m, `reason="`+reason+`"`) {
			t.Errorf("/metrics lacks reason %q", reason)
		}
		if !strings.Contains(log, "reason="+reason) {
			t.Errorf("access log lacks reason %q", reason)
		}
	}
	for _, want := range []string{
		`minerkit_guard_requests_total{reason="ok",route="POST /echo",status="200"} 3`,
		// The handler's own refusals are labelled with their reasons too.
		`minerkit_guard_requests_total{reason="unknown_field",route="POST /echo",status="400"} 2`,
		`minerkit_guard_requests_total{reason="invalid_field",route="POST /echo",status="400"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grep(m, "minerkit_guard_requests_total"))
		}
	}
	if !strings.Contains(log, "caller="+g.v1.Address()) {
		t.Errorf("access log lacks the caller")
	}
}

func grep(s, sub string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestGuardedFlood(t *testing.T) {
	g := startGuarded(t, func(c *Config) { c.RatePerSec, c.RateBurst = 1, 5 })
	codes := map[int]int{}
	var last reply
	for range 20 {
		r := g.post(t, g.v1, `{"msg":"flood"}`)
		codes[r.status]++
		if r.status == 429 {
			last = r
		}
	}
	// 5 in the burst, maybe one refill during the run, the rest refused.
	if codes[200] < 5 || codes[200] > 7 || codes[429] != 20-codes[200] {
		t.Fatalf("status counts %v", codes)
	}
	if last.reason != guard.ReasonRateLimited || last.retryAfter == "" {
		t.Fatalf("429 reply %+v", last)
	}
	if n, err := strconv.Atoi(last.retryAfter); err != nil || n < 1 {
		t.Fatalf("Retry-After %q", last.retryAfter)
	}
	// Another validator is not affected by the first one's flood.
	g.src.set(101, neuronsFor(t, metagraph.Neuron{HotkeyPub: mustKey(t, "//V2").Public(), ValidatorPermit: true, Stake: 200 * metagraph.RaoPerTAO}), nil)
	g.srv.Syncer().Sync(context.Background())
	if r := g.post(t, mustKey(t, "//V2"), `{"msg":"hi"}`); r.status != 200 {
		t.Fatalf("second validator: %d %s", r.status, r.body)
	}
	if !strings.Contains(getText(t, g.admin+"/metrics"), `reason="rate_limited",route="POST /echo",status="429"`) {
		t.Fatal("/metrics lacks the 429s")
	}
}

func TestUnknownCallerTriggersEarlyRefresh(t *testing.T) {
	g := startGuarded(t, nil)
	g.srv.Syncer().EarlyGap = time.Millisecond
	newcomer := mustKey(t, "//Newcomer")
	// The newcomer registers on chain; the miner's snapshot does not know it.
	g.src.set(101, neuronsFor(t, metagraph.Neuron{HotkeyPub: newcomer.Public(), ValidatorPermit: true, Stake: 300 * metagraph.RaoPerTAO}), nil)
	ch := g.srv.Syncer().Notify()
	if r := g.post(t, newcomer, `{"msg":"hi"}`); r.status != 403 || r.reason != guard.ReasonNotRegistered {
		t.Fatalf("before the refresh: %d %s", r.status, r.body)
	}
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("no early refresh after an unknown caller")
	}
	if r := g.post(t, newcomer, `{"msg":"hi"}`); r.status != 200 {
		t.Fatalf("after the refresh: %d %s", r.status, r.body)
	}
	if st := g.srv.Syncer().Status(); st.EarlySyncs != 1 || st.Block != 101 {
		t.Fatalf("syncer status %+v", st)
	}
	if !strings.Contains(getText(t, g.admin+"/metrics"), `minerkit_metagraph_syncs_total{kind="early"} 1`) {
		t.Fatal("/metrics lacks the early sync")
	}
}

func TestGuardedDrainWithSignedRequest(t *testing.T) {
	src := &fakeSource{}
	src.set(100, neuronsFor(t), nil)
	mk := mustKey(t, "//Miner")
	lg, logOpt := testLog()
	srv, _ := New(testConfig(), mk, src, logOpt)
	entered, release := make(chan struct{}), make(chan struct{})
	srv.Handle("POST /work", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		jsonreq.WriteJSON(w, 200, map[string]string{"result": "done"})
	}))
	ts := startServer(t, srv, lg, false)
	srv.Syncer().Wait(context.Background())
	g := &guardedMiner{testServer: ts, src: src, miner: mk, v1: mustKey(t, "//V1")}
	res := make(chan reply, 1)
	go func() {
		req, _ := http.NewRequest("POST", ts.api+"/work", bytes.NewReader([]byte(`{}`)))
		res <- do(t, g.client(g.v1), req)
	}()
	<-entered
	ts.cancel()
	close(release)
	if r := <-res; r.status != 200 || !strings.Contains(r.body, "done") {
		t.Fatalf("in-flight signed request: %+v", r)
	}
	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkGuardLookup(b *testing.B) {
	src := &fakeSource{}
	ns := make([]metagraph.Neuron, 256)
	for i := range ns {
		var p keys.PublicKey
		p[0], p[1] = byte(i), 0x77
		ns[i] = metagraph.Neuron{UID: uint16(i), HotkeyPub: p, ValidatorPermit: i < 64, Stake: uint64(i) * metagraph.RaoPerTAO}
	}
	src.set(1, ns, nil)
	s := metagraph.NewSyncer(src, 1)
	if err := s.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	l := ValidatorLookup(s)
	hot := ns[10].HotkeyPub.Address()
	b.ReportAllocs()
	for b.Loop() {
		if n, ok := l.Lookup(hot); !ok || !n.ValidatorPermit {
			b.Fatal("miss")
		}
	}
}

// BenchmarkGuardedRequest serves pre-signed, unique requests from a staked
// validator through the Server's routes (guard + JSON handler), in process:
// the per-request cost of the miner without the network.
func BenchmarkGuardedRequest(b *testing.B) {
	src := &fakeSource{}
	ns := make([]metagraph.Neuron, 256)
	for i := range ns {
		k, _ := keys.FromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32))
		ns[i] = metagraph.Neuron{UID: uint16(i), HotkeyPub: k.Public(), ValidatorPermit: i < 64, Stake: 2000 * metagraph.RaoPerTAO}
	}
	src.set(1, ns, nil)
	validator, _ := keys.FromSeed(bytes.Repeat([]byte{byte(11)}, 32))
	mk := mustKey(b, "//Miner")
	cfg := testConfig()
	cfg.RatePerSec, cfg.RateBurst = 1e9, 1e9
	srv, err := New(cfg, mk, src, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	srv.Handle("POST /echo", jsonreq.Func(func(ctx context.Context, req *echoReq) (echoResp, error) {
		return echoResp{Msg: req.Msg}, nil
	}))
	if err := srv.Syncer().Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"msg":"hello"}`)
	const batch = 4096
	reqs := make([]*http.Request, batch)
	sign := func() {
		now := time.Now()
		for i := range reqs {
			r, _ := http.NewRequest("POST", "/echo", bytes.NewReader(body))
			r.Header = epistula.Sign(validator, body, mk.Address(), now)
			reqs[i] = r
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%batch == 0 {
			b.StopTimer()
			sign()
			b.StartTimer()
		}
		w := httptest.NewRecorder()
		srv.mux.ServeHTTP(w, reqs[i%batch])
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// A handler panic is a logged 500 inside the guard (access log included),
// not a closed connection.
func TestHandlerPanicIsA500(t *testing.T) {
	g := startGuarded(t, nil)
	req, _ := http.NewRequest("POST", g.api+"/panic", strings.NewReader(`{}`))
	r := do(t, g.client(g.v1), req)
	if r.status != 500 || r.reason != jsonreq.ReasonInternal {
		t.Fatalf("panic: %+v", r)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		logs := g.log.String()
		if strings.Contains(logs, "handler panicked") && strings.Contains(logs, "boom") && strings.Contains(logs, "status=500") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log lacks the panic or its 500 access line:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
