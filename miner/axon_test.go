package miner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
)

type dummySynapse struct {
	axon.Synapse
	DummyInput  int  `json:"dummy_input"`
	DummyOutput *int `json:"dummy_output"`
}

func (dummySynapse) RequiredHashFields() []string { return []string{"dummy_input"} }
func (dummySynapse) SynapseName() string          { return "Dummy" }

type promptSynapse struct {
	axon.Synapse
	Prompt      string            `json:"prompt"`
	Stops       []string          `json:"stops"`
	Temperature float64           `json:"temperature"`
	Meta        map[string]string `json:"meta"`
	Completion  string            `json:"completion"`
}

func (promptSynapse) RequiredHashFields() []string {
	return []string{"prompt", "stops", "temperature", "meta"}
}
func (promptSynapse) SynapseName() string { return "Prompt" }

type boomSynapse struct{ axon.Synapse }

func (boomSynapse) SynapseName() string { return "Boom" }

type streamSynapse struct {
	axon.Synapse
	Prompt string `json:"prompt"`
}

func (streamSynapse) RequiredHashFields() []string { return []string{"prompt"} }
func (streamSynapse) SynapseName() string          { return "StreamPrompt" }

func startAxonMiner(t *testing.T, mutate func(*Config)) *guardedMiner {
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
	rt, err := axon.NewRoute(func(ctx context.Context, d *dummySynapse) error {
		out := d.DummyInput * 2
		d.DummyOutput = &out
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.HandleSynapse(rt); err != nil {
		t.Fatal(err)
	}
	pr, err := axon.NewRoute(func(ctx context.Context, p *promptSynapse) error {
		p.Completion = p.Prompt + " (" + strings.Join(p.Stops, "|") + ")"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.HandleSynapse(pr); err != nil {
		t.Fatal(err)
	}
	st, err := axon.NewStreamRoute(func(ctx context.Context, p *streamSynapse, out *axon.Stream) error {
		for _, w := range strings.Fields(p.Prompt) {
			if _, err := io.WriteString(out, "data: "+w+"\n\n"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.HandleSynapse(st); err != nil {
		t.Fatal(err)
	}
	boom, _ := axon.NewRoute(func(context.Context, *boomSynapse) error { panic("boom") })
	if err := srv.HandleSynapse(boom); err != nil {
		t.Fatal(err)
	}
	srv.Handle("POST /echo", jsonreq.Func(func(ctx context.Context, req *echoReq) (echoResp, error) {
		return echoResp{Msg: req.Msg}, nil
	}))
	srv.Syncer().EarlyGap = time.Hour
	ts := startServer(t, srv, lg, false)
	if _, err := srv.Syncer().Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &guardedMiner{testServer: ts, src: src, miner: mk, v1: mustKey(t, "//V1")}
}

func (g *guardedMiner) axonCall(key keys.Signer, in int) (*dummySynapse, error) {
	c := &axon.Client{Signer: key}
	d := &dummySynapse{DummyInput: in}
	err := c.Call(context.Background(), axon.Target{URL: g.api, Hotkey: g.miner.Address()}, d, 5*time.Second)
	return d, err
}

func send(t *testing.T, req *http.Request, body []byte) (int, string) {
	t.Helper()
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m struct{ Message string }
	json.Unmarshal(b, &m)
	return resp.StatusCode, m.Message
}

func TestAxonServe(t *testing.T) {
	g := startAxonMiner(t, nil)
	d, err := g.axonCall(g.v1, 21)
	if err != nil {
		t.Fatal(err)
	}
	if *d.DummyOutput != 42 || *d.Axon.StatusCode != 200 {
		t.Errorf("answer %+v", d)
	}

	// Unregistered, no permit, low stake: 403 with the SDK's wording.
	for suri, want := range map[string]string{
		"//Stranger": "is not registered on this subnet",
		"//NoPermit": "has no validator permit",
		"//LowStake": "this miner requires",
	} {
		_, err := g.axonCall(mustKey(t, suri), 1)
		var se *axon.StatusError
		if !errors.As(err, &se) || se.Status != 403 || !strings.HasPrefix(se.Message, "Forbidden. Key is blacklisted: hotkey ") ||
			!strings.Contains(se.Message, want) || !strings.HasSuffix(se.Message, ".") {
			t.Errorf("%s: %v", suri, err)
		}
	}

	// The same request twice: the second is a replay.
	c := &axon.Client{Signer: g.v1}
	req, err := c.Request(context.Background(), axon.Target{URL: g.api, Hotkey: g.miner.Address()}, &dummySynapse{DummyInput: 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if st, msg := send(t, req.Clone(context.Background()), body); st != 200 {
		t.Fatalf("first: %d %s", st, msg)
	}
	if st, msg := send(t, req.Clone(context.Background()), body); st != 401 || msg != "Not Verified with error: Nonce is too old, a newer one was last processed" {
		t.Errorf("replay: %d %q", st, msg)
	}
	// A changed body no longer matches the signed hash.
	req2, _ := c.Request(context.Background(), axon.Target{URL: g.api, Hotkey: g.miner.Address()}, &dummySynapse{DummyInput: 4}, 0)
	body2, _ := io.ReadAll(req2.Body)
	if st, msg := send(t, req2, bytes.Replace(body2, []byte(`"dummy_input":4`), []byte(`"dummy_input":5`), 1)); st != 400 || !strings.HasPrefix(msg, "Hash mismatch") {
		t.Errorf("tampered: %d %q", st, msg)
	}
	// Signed for another miner.
	req3, _ := c.Request(context.Background(), axon.Target{URL: g.api, Hotkey: mustKey(t, "//Other").Address()}, &dummySynapse{DummyInput: 4}, 0)
	body3, _ := io.ReadAll(req3.Body)
	if st, msg := send(t, req3, body3); st != 401 || !strings.HasPrefix(msg, "Not Verified with error: Signature mismatch") {
		t.Errorf("other miner: %d %q", st, msg)
	}
	// Unsigned.
	req4, _ := c.Request(context.Background(), axon.Target{URL: g.api, Hotkey: g.miner.Address()}, &dummySynapse{DummyInput: 4}, 0)
	body4, _ := io.ReadAll(req4.Body)
	delete(req4.Header, axon.HeaderDendriteSignature)
	if st, msg := send(t, req4, body4); st != 401 || !strings.Contains(msg, "Missing Signature") {
		t.Errorf("unsigned: %d %q", st, msg)
	}

	// The ping route, and an unknown synapse.
	ping := &axon.Synapse{}
	if err := c.Call(context.Background(), axon.Target{URL: g.api, Hotkey: g.miner.Address()}, ping, time.Second); err != nil || *ping.Axon.StatusCode != 200 {
		t.Errorf("ping: %v", err)
	}
	req5, _ := c.Request(context.Background(), axon.Target{URL: g.api, Hotkey: g.miner.Address()}, &dummySynapse{}, 0)
	req5.URL.Path = "/Nope"
	body5, _ := io.ReadAll(req5.Body)
	if st, msg := send(t, req5, body5); st != 404 || msg != "Synapse name 'Nope' not found. Available synapses ['Synapse', 'Dummy', 'Prompt', 'StreamPrompt', 'Boom']" {
		t.Errorf("unknown: %d %q", st, msg)
	}
	// A handler's panic: a 500 {"message"} the dendrite reads, and an ERROR
	// log line.
	boomErr := c.Call(context.Background(), axon.Target{URL: g.api, Hotkey: g.miner.Address()}, &boomSynapse{}, time.Second)
	var boomSE *axon.StatusError
	if !errors.As(boomErr, &boomSE) || boomSE.Status != 500 || boomSE.Message != "Internal Server Error" {
		t.Errorf("panic: %v", boomErr)
	}
	// Epistula still works beside it.
	if r := g.post(t, g.v1, `{"msg":"hi"}`); r.status != 200 {
		t.Errorf("epistula: %+v", r)
	}
	// The access log names the caller and route of Axon requests.
	if !strings.Contains(g.log.String(), "route=\"POST /Dummy\"") {
		t.Errorf("no access log line for POST /Dummy:\n%s", g.log.String())
	}
}

// One rate-limit bucket per validator, whichever protocol it calls with.
func TestAxonSharesRateLimit(t *testing.T) {
	g := startAxonMiner(t, func(c *Config) { c.RatePerSec, c.RateBurst = 0.01, 2 })
	if r := g.post(t, g.v1, `{"msg":"hi"}`); r.status != 200 {
		t.Fatalf("epistula: %+v", r)
	}
	if _, err := g.axonCall(g.v1, 1); err != nil {
		t.Fatal(err)
	}
	_, err := g.axonCall(g.v1, 1)
	var se *axon.StatusError
	if !errors.As(err, &se) || se.Status != 429 || !strings.HasPrefix(se.Message, "Too Many Requests: hotkey") {
		t.Errorf("third call: %v", err)
	}
}

// A synapse whose route an Epistula handler already serves is an error,
// not net/http's panic; so is the same synapse twice.
func TestHandleSynapseConflicts(t *testing.T) {
	src := &fakeSource{}
	src.set(100, neuronsFor(t), nil)
	srv, err := New(testConfig(), mustKey(t, "//Miner"), src)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle("POST /Dummy", http.NotFoundHandler())
	rt, _ := axon.NewRoute(func(context.Context, *dummySynapse) error { return nil })
	if err := srv.HandleSynapse(rt); err == nil || !strings.Contains(err.Error(), "already served") {
		t.Errorf("over an Epistula route: %v", err)
	}
	if err := srv.HandleSynapse(axon.Ping()); err == nil {
		t.Error("a second /Synapse passed")
	}
}

func TestNoAxon(t *testing.T) {
	g := startAxonMiner(t, func(c *Config) { c.NoAxon = true })
	_, err := g.axonCall(g.v1, 1)
	var se *axon.StatusError
	if !errors.As(err, &se) || se.Status != 404 {
		t.Errorf("with no_axon: %v", err)
	}
	if len(g.srv.Synapses()) != 0 {
		t.Errorf("synapses %v", g.srv.Synapses())
	}
}

// BenchmarkAxonRequest is one Axon request through the whole miner handler
// (guard, route, answer) in process: pre-signed, unique uuids.
func BenchmarkAxonRequest(b *testing.B) {
	src := &fakeSource{}
	v1 := mustKey(b, "//V1")
	src.set(100, []metagraph.Neuron{{HotkeyPub: v1.Public(), ValidatorPermit: true, Stake: 5000 * metagraph.RaoPerTAO}}, nil)
	cfg := testConfig()
	cfg.RatePerSec, cfg.RateBurst = 1e9, 1e9
	cfg.LogLevel = "error"
	mk := mustKey(b, "//Miner")
	srv, err := New(cfg, mk, src, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	rt, _ := axon.NewRoute(func(ctx context.Context, d *dummySynapse) error {
		out := d.DummyInput * 2
		d.DummyOutput = &out
		return nil
	})
	srv.HandleSynapse(rt)
	if err := srv.Syncer().Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	type signed struct {
		h    http.Header
		body []byte
	}
	reqs := make([]signed, b.N)
	for i := range reqs {
		c := &axon.Client{Signer: v1}
		req, err := c.Request(context.Background(), axon.Target{URL: "http://miner", Hotkey: mk.Address()}, &dummySynapse{DummyInput: i}, 0)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(req.Body)
		reqs[i] = signed{req.Header, body}
	}
	h := srv.axonNotFound(srv.mux)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/Dummy", bytes.NewReader(reqs[i].body))
		req.Header = reqs[i].h
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// Answers carry the axon's identity as a Python axon's do (version, uuid,
// nonce, hotkey) and, with AxonSignAnswers, a signature a validator can
// check with axon.VerifyAnswer.
func TestAxonAnswerIdentity(t *testing.T) {
	for _, sign := range []bool{false, true} {
		g := startAxonMiner(t, func(c *Config) { c.AxonSignAnswers = sign })
		d, err := g.axonCall(g.v1, 5)
		if err != nil {
			t.Fatal(err)
		}
		a := d.Axon
		if a.Version == nil || *a.Version != axon.SDKVersion || a.UUID == nil || len(*a.UUID) != 36 ||
			a.Nonce == nil || *a.Nonce < time.Now().Add(-time.Minute).UnixNano() || a.Hotkey == nil || *a.Hotkey != g.miner.Address() {
			t.Fatalf("sign=%v: axon %+v", sign, a)
		}
		err = axon.VerifyAnswer(&d.Synapse, g.miner.Address())
		switch {
		case !sign && !errors.Is(err, axon.ErrAnswerUnsigned):
			t.Errorf("unsigned answer: %v", err)
		case sign && err != nil:
			t.Errorf("signed answer: %v", err)
		}
		if sign {
			if err := axon.VerifyAnswer(&d.Synapse, g.v1.Address()); err == nil {
				t.Error("an answer verified for another hotkey")
			}
			bad := *d
			n := *a.Nonce + 1
			bad.Axon.Nonce = &n
			if err := axon.VerifyAnswer(&bad.Synapse, g.miner.Address()); !errors.Is(err, axon.ErrAnswerBadSig) {
				t.Errorf("changed nonce: %v", err)
			}
		}
	}
}
