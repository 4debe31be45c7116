package validator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/validator"
)

func key(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fakeChain serves a fixed Subnet and records set_weights.
type fakeChain struct {
	mu   sync.Mutex
	sub  validator.Subnet
	sets []weightsCall
	err  error
}

type weightsCall struct {
	uids, weights []uint16
	version       uint64
}

func (f *fakeChain) Subnet(ctx context.Context, netuid uint16) (*validator.Subnet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sub
	s.Neurons = append([]metagraph.Neuron(nil), f.sub.Neurons...)
	s.LastUpdate = append([]uint64(nil), f.sub.LastUpdate...)
	return &s, nil
}

func (f *fakeChain) SetWeights(ctx context.Context, netuid uint16, uids, weights []uint16, version uint64) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return 0, f.err
	}
	f.sets = append(f.sets, weightsCall{uids, weights, version})
	return f.sub.Block, nil
}

func (f *fakeChain) setBlock(b uint64) {
	f.mu.Lock()
	f.sub.Block = b
	f.mu.Unlock()
}

// epistulaMiner answers 200 to requests signed for its hotkey, 401 otherwise.
func epistulaMiner(t *testing.T, self *keys.Keypair, seen chan<- string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		caller, err := epistula.Verify(r.Header, body, time.Now(), self.Address())
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"no","reason":"`+string(epistula.ReasonOf(err))+`"}`)
			return
		}
		if seen != nil {
			seen <- caller + " " + r.Method + " " + r.URL.Path + " " + string(body)
		}
		io.WriteString(w, `{"gpu_type":"none"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStepQueriesScoresAndSetsWeights(t *testing.T) {
	ctx := context.Background()
	val := key(t, "//Val")
	good, bad, gone := key(t, "//Good"), key(t, "//Bad"), key(t, "//Gone")
	seen := make(chan string, 10)
	goodSrv := epistulaMiner(t, good, seen)
	badSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	}))
	t.Cleanup(badSrv.Close)
	goneSrv := httptest.NewServer(http.NotFoundHandler())
	goneURL := goneSrv.URL
	goneSrv.Close()

	ch := &fakeChain{sub: validator.Subnet{
		NetUID: 3, Block: 100, Tempo: 10, WeightsVersion: 7, WeightsRateLimit: 5,
		Neurons: []metagraph.Neuron{
			{UID: 0, HotkeyPub: val.Public(), ValidatorPermit: true, Stake: 5000e9},
			{UID: 1, HotkeyPub: good.Public(), Commitment: []byte(goodSrv.URL)},
			{UID: 2, HotkeyPub: bad.Public(), Commitment: []byte(badSrv.URL + "/")},
			{UID: 3, HotkeyPub: gone.Public(), Commitment: []byte(goneURL)},
			{UID: 4, HotkeyPub: key(t, "//Silent").Public(), Commitment: []byte("not a url")},
		},
		LastUpdate: []uint64{90, 0, 0, 0, 0},
	}}
	v, err := validator.New(validator.Config{NetUID: 3, Timeout: 2 * time.Second, AllowPrivate: true, Concurrency: 2}, val, ch)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var results []validator.Result
	var events []validator.WeightsEvent
	v.OnResult = func(r validator.Result) { mu.Lock(); results = append(results, r); mu.Unlock() }
	v.OnWeights = func(e validator.WeightsEvent) { mu.Lock(); events = append(events, e); mu.Unlock() }

	if err := v.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if got := <-seen; got != val.Address()+" POST /cvm {}" {
		t.Errorf("miner saw %q", got)
	}
	byUID := map[uint16]validator.Result{}
	for _, r := range results {
		byUID[r.UID] = r
	}
	if len(byUID) != 3 {
		t.Fatalf("queried %d miners, want 3 (uids 1-3): %+v", len(byUID), results)
	}
	if r := byUID[1]; r.Status != 200 || r.Score < 0.7 || r.Source != "commitment" {
		t.Errorf("good miner: %+v", r)
	}
	if r := byUID[2]; r.Status != 500 || r.Score != 0 {
		t.Errorf("bad miner: %+v", r)
	}
	if r := byUID[3]; r.Status != 0 || r.Err == nil || r.Score != 0 {
		t.Errorf("gone miner: %+v", r)
	}
	if len(ch.sets) != 1 {
		t.Fatalf("set_weights %d times, want 1 (events %+v)", len(ch.sets), events)
	}
	if s := ch.sets[0]; len(s.uids) != 1 || s.uids[0] != 1 || s.weights[0] != 65535 || s.version != 7 {
		t.Errorf("set_weights %+v, want uid 1 weight 65535 version 7", s)
	}
	st := v.Stats()
	if st.Queries != 3 || st.OK != 1 || st.Failed != 2 || st.WeightsSet != 1 || st.LastWeightsBlock != 100 || !st.Permit {
		t.Errorf("stats %+v", st)
	}

	// Within the tempo: no second set_weights.
	ch.setBlock(105)
	if err := v.Step(ctx); err != nil {
		t.Fatal(err)
	}
	<-seen
	if len(ch.sets) != 1 {
		t.Fatalf("set weights again within the tempo")
	}
	if e := events[len(events)-1]; e.Set || !strings.Contains(e.Skipped, "last weights at block 100; next at block 110") {
		t.Errorf("event %+v", e)
	}
	ch.setBlock(110)
	if err := v.Step(ctx); err != nil {
		t.Fatal(err)
	}
	<-seen
	if len(ch.sets) != 2 {
		t.Fatalf("did not set weights after a tempo: %+v", events[len(events)-1])
	}
}

func TestWeightsRules(t *testing.T) {
	val, good := key(t, "//Val"), key(t, "//Good")
	srv := epistulaMiner(t, good, nil)
	base := func() validator.Subnet {
		return validator.Subnet{
			NetUID: 1, Block: 50, Tempo: 10, WeightsVersion: 3, WeightsRateLimit: 4,
			Neurons: []metagraph.Neuron{
				{UID: 0, HotkeyPub: good.Public(), Commitment: []byte(srv.URL)},
				{UID: 1, HotkeyPub: val.Public(), ValidatorPermit: true},
			},
			LastUpdate: []uint64{0, 10},
		}
	}
	tests := []struct {
		name    string
		edit    func(*validator.Subnet)
		cfg     validator.Config
		chErr   error
		set     bool
		skipped string
		err     string
	}{
		{name: "sets", set: true},
		{name: "no permit", edit: func(s *validator.Subnet) { s.Neurons[1].ValidatorPermit = false }, skipped: "no validator permit"},
		{name: "rate limit", edit: func(s *validator.Subnet) { s.LastUpdate[1] = 48 }, skipped: "weights rate limit"},
		{name: "within the tempo of the chain's last update", edit: func(s *validator.Subnet) { s.LastUpdate[1] = 45 }, skipped: "next at block 55"},
		{name: "a tempo after the chain's last update", edit: func(s *validator.Subnet) { s.LastUpdate[1] = 40 }, set: true},
		{name: "commit reveal", edit: func(s *validator.Subnet) { s.CommitReveal = true }, skipped: "commit-reveal"},
		{name: "not registered", edit: func(s *validator.Subnet) { s.Neurons = s.Neurons[:1] }, skipped: "not registered"},
		{name: "version key too low", cfg: validator.Config{VersionKey: 2}, err: "set its version key to 3"},
		{name: "version key above", cfg: validator.Config{VersionKey: 9}, set: true},
		{name: "chain refuses", chErr: errors.New("SettingWeightsTooFast"), err: "SettingWeightsTooFast"},
		{name: "no scores", edit: func(s *validator.Subnet) { s.Neurons[0].Commitment = nil }, skipped: "no miner has a score"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := base()
			if tt.edit != nil {
				tt.edit(&sub)
			}
			ch := &fakeChain{sub: sub, err: tt.chErr}
			cfg := tt.cfg
			cfg.NetUID, cfg.AllowPrivate = 1, true
			v, err := validator.New(cfg, val, ch)
			if err != nil {
				t.Fatal(err)
			}
			var last validator.WeightsEvent
			v.OnWeights = func(e validator.WeightsEvent) { last = e }
			err = v.Step(context.Background())
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if last.Set != tt.set || !strings.Contains(last.Skipped, tt.skipped) {
				t.Fatalf("event %+v, want set=%v skipped~%q", last, tt.set, tt.skipped)
			}
			if tt.set {
				want := max(tt.cfg.VersionKey, 3)
				if len(ch.sets) != 1 || ch.sets[0].version != want {
					t.Fatalf("sets %+v, want version %d", ch.sets, want)
				}
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	self, a, b, c, d, e := key(t, "//V"), key(t, "//A"), key(t, "//B"), key(t, "//C"), key(t, "//D"), key(t, "//E")
	axon := metagraph.Axon{IP: netip.MustParseAddr("203.0.113.9"), Port: 8091}
	neurons := []metagraph.Neuron{
		{UID: 0, HotkeyPub: self.Public(), Commitment: []byte("https://198.51.100.1")},
		{UID: 1, HotkeyPub: a.Public(), Commitment: []byte(" https://miner.example:8443/api/ \n"), Axon: axon},
		{UID: 2, HotkeyPub: b.Public(), Commitment: []byte(`{"url":"x"}`), Axon: axon},
		{UID: 3, HotkeyPub: c.Public(), Commitment: []byte("http://127.0.0.1:8091")},
		{UID: 4, HotkeyPub: d.Public(), Axon: metagraph.Axon{IP: netip.MustParseAddr("10.0.0.2"), Port: 1}},
		{UID: 5, HotkeyPub: e.Public()},
	}
	for _, tt := range []struct {
		allowPrivate bool
		want         []string
	}{
		{false, []string{"1 https://miner.example:8443/api commitment", "2 http://203.0.113.9:8091 axon"}},
		{true, []string{"1 https://miner.example:8443/api commitment", "2 http://203.0.113.9:8091 axon", "3 http://127.0.0.1:8091 commitment", "4 http://10.0.0.2:1 axon"}},
	} {
		var got []string
		for _, tg := range validator.Discover(neurons, self.Public(), tt.allowPrivate) {
			got = append(got, strings.Join([]string{itoa(tg.UID), tg.URL, tg.Source}, " "))
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("allowPrivate=%v:\n got %q\nwant %q", tt.allowPrivate, got, tt.want)
		}
	}
}

func itoa(u uint16) string {
	if u == 0 {
		return "0"
	}
	var b []byte
	for u > 0 {
		b = append([]byte{byte('0' + u%10)}, b...)
		u /= 10
	}
	return string(b)
}

func TestEndpointFromCommitment(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"http://1.2.3.4:8091", "http://1.2.3.4:8091", true},
		{"https://m.example/path/?q=1#f", "https://m.example/path", true},
		{"ws://1.2.3.4:80", "", false},
		{"http://user:pw@1.2.3.4", "", false},
		{"http://1.2.3.4:0", "", false},
		{"http://1.2.3.4:99999", "", false},
		{"http:///nohost", "", false},
		{"", "", false},
		{"\xff\xfe", "", false},
	} {
		got, ok := validator.EndpointFromCommitment([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("%q: got %q %v, want %q %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzEndpointFromCommitment(f *testing.F) {
	for _, s := range []string{"http://1.2.3.4:8091", "https://[::1]:1/x", "http://%zz", " http://a ", "tcp://x:1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u, ok := validator.EndpointFromCommitment(b)
		if !ok {
			return
		}
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			t.Fatalf("endpoint %q from %q", u, b)
		}
		// A URL we accept must parse again to itself.
		if u2, ok := validator.EndpointFromCommitment([]byte(u)); !ok || u2 != u {
			t.Fatalf("endpoint %q re-parses as %q %v", u, u2, ok)
		}
	})
}

func TestAvailabilityLatency(t *testing.T) {
	s := validator.AvailabilityLatency{Target: 100 * time.Millisecond}
	for _, tt := range []struct {
		r    validator.Result
		want float64
	}{
		{validator.Result{Status: 200, Latency: 10 * time.Millisecond}, 1},
		{validator.Result{Status: 204, Latency: 200 * time.Millisecond}, 0.85},
		{validator.Result{Status: 403}, 0},
		{validator.Result{Status: 200, Err: errors.New("cut")}, 0},
		{validator.Result{}, 0},
	} {
		if got := s.Score(&tt.r); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("%+v: score %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestRefusalReason(t *testing.T) {
	val, m := key(t, "//Val"), key(t, "//M")
	srv := epistulaMiner(t, m, nil)
	// Signed for another receiver: the miner refuses with its reason.
	ch := &fakeChain{sub: validator.Subnet{Block: 1, Neurons: []metagraph.Neuron{{UID: 0, HotkeyPub: m.Public(), Commitment: []byte(srv.URL)}}}}
	v, err := validator.New(validator.Config{AllowPrivate: true}, val, ch)
	if err != nil {
		t.Fatal(err)
	}
	r := v.Query(context.Background(), validator.Target{UID: 0, Hotkey: key(t, "//Other").Address(), URL: srv.URL})
	if r.Status != 401 || r.Reason != "wrong_receiver" || r.Score != 0 {
		t.Fatalf("%+v", r)
	}
}

func TestPrivateNetwork(t *testing.T) {
	for _, tt := range []struct {
		eps  []string
		want bool
	}{
		{[]string{"ws://127.0.0.1:9944"}, true},
		{[]string{"ws://localhost:9944", "ws://10.1.2.3:9944"}, true},
		{[]string{"ws://127.0.0.1:9944", "wss://entrypoint-finney.opentensor.ai:443"}, false},
		{nil, false},
	} {
		if got := validator.PrivateNetwork(tt.eps); got != tt.want {
			t.Errorf("%v: %v, want %v", tt.eps, got, tt.want)
		}
	}
}

// A host name that resolves to a private address is refused at connect
// time when AllowPrivate is off.
func TestRefusePrivateAtDial(t *testing.T) {
	val, m := key(t, "//Val"), key(t, "//M")
	srv := epistulaMiner(t, m, nil)
	ch := &fakeChain{sub: validator.Subnet{Block: 1}}
	v, err := validator.New(validator.Config{}, val, ch)
	if err != nil {
		t.Fatal(err)
	}
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	r := v.Query(context.Background(), validator.Target{UID: 0, Hotkey: m.Address(), URL: url})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "private address") || r.Score != 0 {
		t.Fatalf("%+v", r)
	}
}
