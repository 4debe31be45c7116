package validator_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/validator"
)

type echoSynapse struct {
	axon.Synapse
	Text  string  `json:"text"`
	Reply *string `json:"reply"`
}

func (echoSynapse) RequiredHashFields() []string { return []string{"text"} }
func (echoSynapse) SynapseName() string          { return "Echo" }

// With Config.Synapse the validator queries with the Axon protocol: the
// miner verifies the dendrite's signature for its own hotkey and answers the
// synapse; a miner that refuses scores 0 with the refusal's reason.
func TestStepQueriesWithAxon(t *testing.T) {
	val, good, picky := key(t, "//Val"), key(t, "//Good"), key(t, "//Picky")
	rt, err := axon.NewRoute(func(_ context.Context, e *echoSynapse) error {
		r := strings.ToUpper(e.Text)
		e.Reply = &r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	miner := func(self string, refuse bool) *httptest.Server {
		v := &axon.Verifier{Self: self}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if refuse {
				axon.WriteError(w, axon.Blacklisted("Unrecognized hotkey"))
				return
			}
			body, _ := io.ReadAll(r.Body)
			p, err := axon.ParseHeaders(r.Header)
			if err == nil {
				var h string
				if h, err = rt.Spec().BodyHash(body); err == nil {
					_, err = v.Verify(&p, h, time.Now())
				}
			}
			if err != nil {
				axon.WriteError(w, err.(*axon.Error))
				return
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			rt.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	goodSrv, pickySrv := miner(good.Address(), false), miner(picky.Address(), true)
	ch := &fakeChain{sub: validator.Subnet{
		NetUID: 3, Block: 100, Tempo: 10, WeightsRateLimit: 5,
		Neurons: []metagraph.Neuron{
			{UID: 0, HotkeyPub: val.Public(), ValidatorPermit: true, Stake: 5000e9},
			{UID: 1, HotkeyPub: good.Public(), Commitment: []byte(goodSrv.URL)},
			{UID: 2, HotkeyPub: picky.Public(), Commitment: []byte(pickySrv.URL)},
		},
		LastUpdate: []uint64{90, 0, 0},
	}}
	v, err := validator.New(validator.Config{NetUID: 3, Timeout: 2 * time.Second, AllowPrivate: true,
		Synapse: "Echo", Body: []byte(`{"text":"hi","reply":null}`), HashFields: []string{"text"}}, val, ch)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[uint16]validator.Result{}
	v.OnResult = func(r validator.Result) { mu.Lock(); got[r.UID] = r; mu.Unlock() }
	v.Scorer = validator.ScorerFunc(func(r *validator.Result) float64 {
		if r.OK() && strings.Contains(string(r.Body), `"reply":"HI"`) {
			return 1
		}
		return 0
	})
	if err := v.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := got[1]; r.Status != 200 || r.Score != 1 {
		t.Errorf("good miner: %+v %s", r, r.Body)
	}
	if r := got[2]; r.Status != 403 || r.Reason != "blacklisted" || r.Score != 0 {
		t.Errorf("picky miner: %+v %s", r, r.Body)
	}
}
