package miner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/onchain"
	"github.com/minerkit/minerkit/settings"
	"github.com/minerkit/minerkit/subtensor"
)

// fakeSource is an in-memory chain for the Syncer.
type fakeSource struct {
	mu      sync.Mutex
	block   uint64
	neurons []metagraph.Neuron
	down    error
}

func (f *fakeSource) Snapshot(ctx context.Context, netuid uint16) (*metagraph.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down != nil {
		return nil, f.down
	}
	return metagraph.NewSnapshot(netuid, f.block, time.Time{}, f.neurons)
}

func (f *fakeSource) set(block uint64, ns []metagraph.Neuron, down error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.block, f.down = block, down
	if ns != nil {
		f.neurons = ns
	}
}

// syncBuffer is a concurrency-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustKey(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testServer is a running Server on loopback.
type testServer struct {
	srv    *Server
	api    string // http://127.0.0.1:port
	admin  string
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func testConfig() Config {
	c := DefaultConfig()
	c.NetUID = 1
	c.MinStake = subtensor.TAO(100)
	c.ShutdownTimeout = settings.Duration(5 * time.Second)
	c.LogLevel = "debug"
	return c
}

// testLog is a debug logger into a buffer the test reads: give the option
// to New and the buffer to startServer.
func testLog() (*syncBuffer, Option) {
	b := &syncBuffer{}
	return b, WithLogger(slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// startServer starts srv (built by the caller, routes added) on loopback.
// sharedAdmin serves the admin routes on the API listener.
func startServer(t *testing.T, srv *Server, log *syncBuffer, sharedAdmin bool) *testServer {
	t.Helper()
	ts := &testServer{srv: srv, log: log, done: make(chan error, 1)}
	api, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.api = "http://" + api.Addr().String()
	var admin net.Listener
	if sharedAdmin {
		ts.admin = ts.api
	} else {
		admin, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ts.admin = "http://" + admin.Addr().String()
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts.cancel = cancel
	go func() { ts.done <- srv.Serve(ctx, api, admin) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-ts.done:
		case <-time.After(10 * time.Second):
			t.Error("server did not stop within 10 s")
		}
	})
	return ts
}

func (ts *testServer) stop(t *testing.T) error {
	t.Helper()
	ts.cancel()
	select {
	case err := <-ts.done:
		ts.done <- err // for Cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop within 10 s")
		return nil
	}
}

func getJSON(t *testing.T, url string, into any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("GET %s: %v: %s", url, err, b)
		}
	}
	return resp.StatusCode
}

func getText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestNewRefusesBadInput(t *testing.T) {
	bad := testConfig()
	bad.RateBurst = 0
	tests := []struct {
		name string
		cfg  Config
		key  keys.Signer
		src  metagraph.Source
	}{
		{"bad config", bad, mustKey(t, "//Miner"), &fakeSource{}},
		{"no key", testConfig(), nil, &fakeSource{}},
		{"no source", testConfig(), mustKey(t, "//Miner"), nil},
	}
	for _, tc := range tests {
		if _, err := New(tc.cfg, tc.key, tc.src); err == nil {
			t.Errorf("%s: New accepted it", tc.name)
		}
	}
}

func TestReadyFollowsMetagraph(t *testing.T) {
	src := &fakeSource{}
	src.set(0, nil, errors.New("dial tcp 127.0.0.1:9944: connection refused"))
	now := time.Unix(1_800_000_000, 0)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	lg, logOpt := testLog()
	srv, err := New(testConfig(), mustKey(t, "//Miner"), src, logOpt)
	if err != nil {
		t.Fatal(err)
	}
	srv.Syncer().Now = clock
	ts := startServer(t, srv, lg, false)

	// The chain is down from the start: not ready, and /health still ok.
	<-srv.Syncer().Notify()
	var rep ReadyReport
	if code := getJSON(t, ts.admin+"/ready", &rep); code != 503 || rep.Ready || !strings.Contains(strings.Join(rep.Reasons, ";"), "not synced yet") {
		t.Fatalf("/ready before the first sync: %d %+v", code, rep)
	}
	if code := getJSON(t, ts.admin+"/health", nil); code != 200 {
		t.Fatalf("/health = %d", code)
	}

	// The chain comes up.
	src.set(100, []metagraph.Neuron{{HotkeyPub: mustKey(t, "//V1").Public(), ValidatorPermit: true, Stake: 500 * metagraph.RaoPerTAO}}, nil)
	if err := srv.Syncer().Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep = ReadyReport{}
	if code := getJSON(t, ts.admin+"/ready", &rep); code != 200 || !rep.Ready || rep.Metagraph.Block != 100 || rep.Metagraph.Validators != 1 {
		t.Fatalf("/ready after sync: %d %+v", code, rep)
	}
	m := getText(t, ts.admin+"/metrics")
	for _, want := range []string{"minerkit_metagraph_block 100", "minerkit_miner_ready 1", "minerkit_chain_reachable 1",
		"minerkit_metagraph_validators 1", `minerkit_miner_info{hotkey="` + srv.Hotkey() + `",netuid="1"} 1`, "go_goroutines", "minerkit_build_info{"} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	var ver struct {
		GoVersion string `json:"go_version"`
	}
	if code := getJSON(t, ts.admin+"/version", &ver); code != 200 || ver.GoVersion == "" {
		t.Fatalf("/version: %d %+v", code, ver)
	}

	// The chain goes down again: the snapshot stays, /ready says why.
	src.set(0, nil, errors.New("connection reset by peer"))
	srv.Syncer().Sync(context.Background())
	rep = ReadyReport{}
	if code := getJSON(t, ts.admin+"/ready", &rep); code != 503 || rep.Metagraph.Block != 100 || !strings.Contains(strings.Join(rep.Reasons, ";"), "chain unreachable: ") {
		t.Fatalf("/ready with the chain down: %d %+v", code, rep)
	}
	// A runtime whose stake cannot be read: the gate stays closed and
	// /ready names the stake, not the network.
	src.set(0, nil, fmt.Errorf("metagraph: %w: no SubtensorModule pallet", subtensor.ErrStakeUnreadable))
	srv.Syncer().Sync(context.Background())
	rep = ReadyReport{}
	if code := getJSON(t, ts.admin+"/ready", &rep); code != 503 || !strings.Contains(strings.Join(rep.Reasons, ";"), "stake weights unreadable") {
		t.Fatalf("/ready with stake unreadable: %d %+v", code, rep)
	}
	// And time passes: stale too.
	clockMu.Lock()
	now = now.Add(time.Hour)
	clockMu.Unlock()
	rep = ReadyReport{}
	getJSON(t, ts.admin+"/ready", &rep)
	// (The background Syncer may have failed again meanwhile: ≥ 1.)
	if !strings.Contains(strings.Join(rep.Reasons, ";"), "metagraph stale") || rep.Metagraph.AgeSeconds != 3600 || rep.Metagraph.Failures < 1 {
		t.Fatalf("/ready when stale: %+v", rep)
	}
	m = getText(t, ts.admin+"/metrics")
	for _, want := range []string{"minerkit_metagraph_age_seconds 3600", "minerkit_chain_reachable 0", "minerkit_miner_ready 0"} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !strings.Contains(ts.log.String(), "metagraph sync failed; serving the last snapshot") {
		t.Errorf("log lacks the sync failure:\n%s", ts.log)
	}
	// The admin routes are not on the API listener by default.
	if code := getJSON(t, ts.api+"/metrics", nil); code != 404 {
		t.Fatalf("API /metrics = %d, want 404", code)
	}
}

func TestSharedAdminListener(t *testing.T) {
	src := &fakeSource{}
	src.set(5, nil, nil)
	lg, logOpt := testLog()
	srv, _ := New(testConfig(), mustKey(t, "//Miner"), src, logOpt)
	srv.HandlePublic("GET /health", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jsonreq.WriteJSON(w, 200, map[string]string{"status": "mine"})
	}))
	ts := startServer(t, srv, lg, true)
	srv.Syncer().Wait(context.Background())
	var h map[string]string
	if code := getJSON(t, ts.api+"/health", &h); code != 200 || h["status"] != "mine" {
		t.Fatalf("/health = %d %v (the subnet's own /health must win)", code, h)
	}
	if code := getJSON(t, ts.api+"/ready", nil); code != 200 {
		t.Fatalf("/ready = %d", code)
	}
	if !strings.Contains(getText(t, ts.api+"/metrics"), "minerkit_metagraph_block 5") {
		t.Fatal("/metrics missing on the shared listener")
	}
}

func TestGracefulDrain(t *testing.T) {
	src := &fakeSource{}
	src.set(1, nil, nil)
	lg, logOpt := testLog()
	srv, _ := New(testConfig(), mustKey(t, "//Miner"), src, logOpt)
	entered, release := make(chan struct{}), make(chan struct{})
	srv.HandlePublic("POST /slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		jsonreq.WriteJSON(w, 200, map[string]string{"done": "yes"})
	}))
	ts := startServer(t, srv, lg, false)

	type result struct {
		code int
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Post(ts.api+"/slow", "application/json", strings.NewReader(`{}`))
		if err != nil {
			res <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		res <- result{code: resp.StatusCode, body: string(b)}
	}()
	<-entered
	ts.cancel()
	// Shutdown closes the listeners at once; wait until new connections fail.
	apiAddr, _ := srv.Addrs()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", apiAddr.String(), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepting 5 s after shutdown began")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-ts.done:
		t.Fatalf("Serve returned %v with a request in flight", err)
	default:
	}
	if srv.Ready().Ready || !strings.Contains(strings.Join(srv.Ready().Reasons, ";"), "shutting down") {
		t.Fatalf("ready while draining: %+v", srv.Ready())
	}
	close(release)
	r := <-res
	if r.err != nil || r.code != 200 || !strings.Contains(r.body, `"done":"yes"`) {
		t.Fatalf("in-flight request: %+v", r)
	}
	if err := ts.stop(t); err != nil {
		t.Fatalf("Serve = %v after a clean drain", err)
	}
	if !strings.Contains(ts.log.String(), "draining requests in flight") || !strings.Contains(ts.log.String(), "miner stopped") {
		t.Fatalf("log:\n%s", ts.log)
	}
}

func TestShutdownTimeoutCutsStuckRequests(t *testing.T) {
	src := &fakeSource{}
	src.set(1, nil, nil)
	cfg := testConfig()
	cfg.ShutdownTimeout = settings.Duration(50 * time.Millisecond)
	lg, logOpt := testLog()
	srv, _ := New(cfg, mustKey(t, "//Miner"), src, logOpt)
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	srv.HandlePublic("GET /stuck", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	}))
	ts := startServer(t, srv, lg, false)
	go http.Get(ts.api + "/stuck")
	<-entered
	if err := ts.stop(t); err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Fatalf("Serve = %v, want the shutdown timeout", err)
	}
}

type fakeRegistrar struct {
	calls   atomic.Int32
	maxBurn atomic.Uint64
}

func (f *fakeRegistrar) EnsureRegistered(ctx context.Context, netuid uint16, hotkey keys.PublicKey, maxBurn uint64) (uint16, error) {
	f.calls.Add(1)
	f.maxBurn.Store(maxBurn)
	return 7, nil
}

type fakeCommitter struct {
	failures atomic.Int32 // fail this many times first
	calls    atomic.Int32
	data     atomic.Value
	done     chan struct{}
}

func (f *fakeCommitter) Commit(ctx context.Context, netuid uint16, data []byte) (bool, error) {
	n := f.calls.Add(1)
	if n <= f.failures.Load() {
		return false, errors.New("pool: Invalid Transaction: Custom error: 10")
	}
	f.data.Store(string(data))
	close(f.done)
	return true, nil
}

type fakeAxon struct{ got chan netip.AddrPort }

func (f *fakeAxon) ServeAxon(ctx context.Context, netuid uint16, addr netip.AddrPort) (bool, error) {
	f.got <- addr
	return false, nil
}

func TestRegisterAndAnnounce(t *testing.T) {
	src := &fakeSource{}
	src.set(1, nil, nil)
	cfg := testConfig()
	cfg.Register, cfg.MaxBurnTAO = true, subtensor.Rao(2_500_000_000)
	cfg.ExternalURL = "http://203.0.113.7:8091"
	cfg.AxonIP, cfg.Listen = "203.0.113.7", ":8091"
	lg, logOpt := testLog()
	reg := &fakeRegistrar{}
	com := &fakeCommitter{done: make(chan struct{})}
	com.failures.Store(1)
	ax := &fakeAxon{got: make(chan netip.AddrPort, 1)}
	srv, _ := New(cfg, mustKey(t, "//Miner"), src, logOpt, WithRegistrar(reg), WithCommitter(com), WithAxonServer(ax))
	ts := startServer(t, srv, lg, false)
	select {
	case <-com.done:
	case <-time.After(10 * time.Second):
		t.Fatal("commitment not retried")
	}
	if got := <-ax.got; got.String() != "203.0.113.7:8091" {
		t.Fatalf("axon %s", got)
	}
	if reg.calls.Load() != 1 || reg.maxBurn.Load() != 2_500_000_000 {
		t.Fatalf("registrar: %d calls, max burn %d", reg.calls.Load(), reg.maxBurn.Load())
	}
	if com.data.Load() != cfg.ExternalURL || com.calls.Load() != 2 {
		t.Fatalf("commit %v after %d calls", com.data.Load(), com.calls.Load())
	}
	// Stopping waits for the announcer, so its log is complete.
	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}
	log := ts.log.String()
	for _, want := range []string{"hotkey registered", "uid=7", "announcing the endpoint failed; retrying", "endpoint announced on chain", "endpoint already on chain"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// A commitment that keeps failing does not hold back serve_axon: each
// round tries every pending announcement.
func TestFailingCommitmentDoesNotHoldBackAxon(t *testing.T) {
	src := &fakeSource{}
	src.set(1, nil, nil)
	cfg := testConfig()
	cfg.ExternalURL = "http://203.0.113.7:8091"
	cfg.AxonIP, cfg.Listen = "203.0.113.7", ":8091"
	lg, logOpt := testLog()
	com := &fakeCommitter{done: make(chan struct{})}
	com.failures.Store(1 << 30)
	ax := &fakeAxon{got: make(chan netip.AddrPort, 4)}
	srv, _ := New(cfg, mustKey(t, "//Miner"), src, logOpt, WithCommitter(com), WithAxonServer(ax))
	ts := startServer(t, srv, lg, false)
	select {
	case got := <-ax.got:
		if got.String() != "203.0.113.7:8091" {
			t.Fatalf("axon %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve_axon never sent while the commitment kept failing")
	}
	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}
}

type failingRegistrar struct{}

func (failingRegistrar) EnsureRegistered(context.Context, uint16, keys.PublicKey, uint64) (uint16, error) {
	return 0, errors.New("not enough balance: need 1 τ, have 0 τ")
}

func TestRegisterFailureStops(t *testing.T) {
	cfg := testConfig()
	cfg.Register = true
	srv, _ := New(cfg, mustKey(t, "//Miner"), &fakeSource{}, WithRegistrar(failingRegistrar{}), WithLogger(slog.New(slog.DiscardHandler)))
	api, _ := net.Listen("tcp", "127.0.0.1:0")
	err := srv.Serve(context.Background(), api, nil)
	if err == nil || !strings.Contains(err.Error(), "not enough balance") {
		t.Fatalf("Serve = %v", err)
	}
	if err := srv.Serve(context.Background(), api, nil); err == nil {
		t.Fatal("second Serve accepted")
	}
}

func TestPprofOnlyWhenAsked(t *testing.T) {
	for _, on := range []bool{false, true} {
		src := &fakeSource{}
		src.set(5, nil, nil)
		cfg := testConfig()
		cfg.Pprof = on
		lg, logOpt := testLog()
		srv, err := New(cfg, mustKey(t, "//Miner"), src, logOpt)
		if err != nil {
			t.Fatal(err)
		}
		ts := startServer(t, srv, lg, false)
		want := http.StatusNotFound
		if on {
			want = http.StatusOK
		}
		if code := getJSON(t, ts.admin+"/debug/pprof/cmdline", nil); code != want {
			t.Errorf("pprof %v: admin /debug/pprof/cmdline = %d, want %d", on, code, want)
		}
		if code := getJSON(t, ts.api+"/debug/pprof/cmdline", nil); code == http.StatusOK {
			t.Errorf("pprof %v: profiles served on the API listener", on)
		}
	}
}

type pingStore struct{ err error }

func (pingStore) Seen(string, string, time.Time) (bool, error) { return false, nil }
func (p pingStore) Ping(context.Context) error                 { return p.err }

// With the replay store down every signed request would get 503: /ready
// says so, so that a load balancer stops sending traffic.
func TestReadyReportsReplayStore(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{{nil, false}, {errors.New("dial tcp 127.0.0.1:6379: connection refused"), true}} {
		srv, err := New(testConfig(), mustKey(t, "//Miner"), &fakeSource{}, WithReplay(pingStore{tc.err}))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(strings.Join(srv.Ready().Reasons, ";"), "replay store unreachable: ")
		if got != tc.want {
			t.Errorf("ping error %v: reasons %v", tc.err, srv.Ready().Reasons)
		}
	}
}

// A Server is usable as New returns it: its Logger is set, so a handler
// that logs through it does not panic.
func TestNewSetsLogger(t *testing.T) {
	srv, err := New(testConfig(), mustKey(t, "//Miner"), &fakeSource{})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Logger() == nil {
		t.Fatal("Logger is nil after New")
	}
	srv.Logger().Debug("usable")
}

// Options complete the Server in New: nothing is set on it afterwards.
func TestNewOptions(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	com := &fakeCommitter{done: make(chan struct{})}
	ax := &fakeAxon{got: make(chan netip.AddrPort, 1)}
	srv, err := New(testConfig(), mustKey(t, "//Miner"), &fakeSource{},
		WithLogger(log), WithCommitter(com), WithAxonServer(ax), WithRegistrar(&fakeRegistrar{}))
	if err != nil {
		t.Fatal(err)
	}
	if srv.Logger() != log || srv.committer != com || srv.axonServer != ax || srv.registrar == nil {
		t.Fatalf("options not applied: %+v", srv)
	}
	chain := &onchain.Chain{}
	srv, err = New(testConfig(), mustKey(t, "//Miner"), &fakeSource{}, WithChain(chain))
	if err != nil {
		t.Fatal(err)
	}
	if srv.committer != chain || srv.axonServer != chain || srv.registrar != nil {
		t.Fatal("WithChain: a chain without a coldkey commits and serves the axon but does not register")
	}
}
