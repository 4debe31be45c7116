package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// lockedBuffer is a bytes.Buffer safe for the serve goroutine's log writes
// and the test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// logRecord returns the first JSON log line whose msg is msg.
func (l *lockedBuffer) logRecord(msg string) (map[string]any, bool) {
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			return rec, true
		}
	}
	return nil, false
}

// eventually polls cond every 20 ms until it holds or 20 s have passed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// devnetSubnet registers the given hotkeys on subnet 1 (paid by //Alice)
// and stakes on the ones with a stake, then waits for an epoch that hands
// out validator permits. It returns the UIDs by SURI.
func devnetSubnet(t *testing.T, ctx context.Context, node *devnet.Node, c *subtensor.Client, neurons []struct {
	suri  string
	stake uint64
}) map[string]uint16 {
	t.Helper()
	alice, _ := keys.FromSURI("//Alice")
	uids := map[string]uint16{}
	for _, n := range neurons {
		k, _ := keys.FromSURI(n.suri)
		r, err := c.BurnedRegister(ctx, alice, k.Public(), 1, subtensor.RegisterOptions{})
		if err != nil {
			t.Fatalf("register %s: %v", n.suri, err)
		}
		uids[n.suri] = r.UID
		if n.stake > 0 {
			if _, err := c.AddStake(ctx, alice, k.Public(), 1, subtensor.TAO(n.stake), subtensor.TxOptions{}); err != nil {
				t.Fatalf("stake on %s: %v", n.suri, err)
			}
		}
	}
	eventually(t, "validator permits", func() bool {
		m, err := c.SubnetMetagraph(ctx, 1)
		if err != nil {
			return false
		}
		for _, n := range neurons {
			if k, _ := keys.FromSURI(n.suri); subtensor.GetBool(m.ValidatorPermit, m.UIDOf(k.Public())) != (n.stake > 0) {
				return false
			}
		}
		return true
	})
	return uids
}

// startServe runs the real serve command in process with args (they must
// include --admin-listen and --log-format json), logging to a buffer, until
// /ready answers 200. It returns the admin URL and the log; the command is
// stopped, and must end cleanly, when the test ends.
func startServe(t *testing.T, ctx context.Context, args ...string) (admin string, log *lockedBuffer) {
	t.Helper()
	log = new(lockedBuffer)
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		root := newRootCmd()
		root.SetArgs(append([]string{"serve"}, args...))
		root.SetOut(io.Discard)
		root.SetErr(log)
		served <- root.ExecuteContext(serveCtx)
	}()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	eventually(t, "the miner to listen", func() bool {
		select {
		case err := <-served:
			served <- err // for the cleanup
			t.Fatalf("serve stopped: %v\n%s", err, log.String())
		default:
		}
		rec, ok := log.logRecord("miner serving")
		if ok {
			admin = "http://" + rec["admin"].(string)
		}
		return ok
	})
	eventually(t, "/ready", func() bool {
		resp, err := http.Get(admin + "/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return admin, log
}

// TestServeAndQueryOnDevnet runs the real `minerkit serve` (the compute
// miner behind the guard, its metagraph from the devnet over WebSocket) and
// calls it with `minerkit query` as validators and non-validators would.
func TestServeAndQueryOnDevnet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	node, err := devnet.Start(ctx, devnet.Config{BlockTime: 40 * time.Millisecond, Genesis: devnettest.Genesis()})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{node.URL()}}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	uids := devnetSubnet(t, ctx, node, c, []struct {
		suri  string
		stake uint64
	}{
		{"//Miner", 0},
		{"//V1", 5000},     // a validator with a permit and enough stake
		{"//LowStake", 10}, // a permit, but below --min-stake 100
		{"//NoPermit", 0},  // registered, no stake, so no permit
	})

	dir := t.TempDir()
	t.Setenv("BT_WALLET_PATH", dir)
	t.Setenv("BT_WALLET_NAME", "miner")
	t.Setenv("BT_WALLET_HOTKEY", "")
	t.Setenv("BT_SUBTENSOR_NETWORK", node.URL())
	chainWallet(t, dir, "miner", "//MinerCold", "//Miner")
	minerKey, _ := keys.FromSURI("//Miner")

	port := freePort(t)
	api := fmt.Sprintf("http://127.0.0.1:%d", port)
	admin, serveLog := startServe(t, ctx, "--netuid", "1",
		"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--admin-listen", "127.0.0.1:0",
		"--external-url", api, "--min-stake", "100", "--rate-per-sec", "1", "--rate-burst", "8",
		"--sync-interval", "2", "--log-format", "json",
		"--gpu-type", "NVIDIA H100 80GB HBM3", "--vram-gb", "80", "--gpu-count", "8", "--bid-per-hour", "2.5")
	eventually(t, "the committed URL", func() bool {
		cm, err := c.Commitment(ctx, 1, minerKey.Public())
		return err == nil && cm.Text() == api
	})

	query := func(args ...string) (queryResult, string) {
		t.Helper()
		out, errOut, err := runCLI(t, "", append([]string{"query", "--json"}, args...)...)
		var r queryResult
		if jerr := json.Unmarshal([]byte(out), &r); jerr != nil {
			t.Fatalf("query %v: %v (%v)\n%s\n%s", args, jerr, err, out, errOut)
		}
		if (r.Status == 200) != (err == nil) {
			t.Fatalf("query %v: status %d but error %v", args, r.Status, err)
		}
		return r, out
	}
	minerUID := strconv.Itoa(int(uids["//Miner"]))

	// By UID: the endpoint (the committed URL) and the receiver come from
	// the chain.
	r, _ := query("--netuid", "1", "--uid", minerUID, "--path", "/cvm", "--suri", "//V1", "--body", `{"nonce":"00ff"}`)
	var offer struct {
		GPUType     string  `json:"gpu_type"`
		GPUCount    int     `json:"gpu_count"`
		VRAMGB      int     `json:"vram_gb"`
		Bid         float64 `json:"bid_per_hour"`
		Attestation struct {
			Kind, Nonce string
		} `json:"attestation"`
	}
	b, _ := json.Marshal(r.Body)
	if err := json.Unmarshal(b, &offer); err != nil || r.Status != 200 || r.URL != api+"/cvm" || r.Receiver != minerKey.Address() ||
		offer.GPUType != "NVIDIA H100 80GB HBM3" || offer.GPUCount != 8 || offer.VRAMGB != 80 || offer.Bid != 2.5 ||
		offer.Attestation.Kind != "none" || offer.Attestation.Nonce != "00ff" {
		t.Fatalf("query by UID: %+v\n%s", r, b)
	}
	// A UID nobody holds: the error says so and where to look.
	if _, _, err := runCLI(t, "", "query", "--netuid", "1", "--uid", "99", "--path", "/cvm", "--suri", "//V1"); err == nil || !strings.Contains(err.Error(), "UID 99 is not in use on netuid 1") {
		t.Fatalf("query of an unused UID: %v", err)
	}
	// The text form, as an operator sees it.
	out, _, err := runCLI(t, "", "query", "--netuid", "1", "--uid", minerUID, "--path", "/cvm", "--suri", "//V1", "-v")
	t.Logf("$ minerkit query --netuid 1 --uid %s --path /cvm --suri //V1 -v\n%s", minerUID, out)
	if err != nil || !strings.Contains(out, "HTTP 200 OK") || !strings.Contains(out, `"gpu_type": "NVIDIA H100 80GB HBM3"`) ||
		!strings.Contains(out, "Content-Type: application/json") || !strings.Contains(out, "UID "+minerUID+", commitment") ||
		!strings.Contains(out, "> Epistula-Signed-By: "+keysAddr("//V1")) || !strings.Contains(out, "> Epistula-Signed-For: "+minerKey.Address()) ||
		!strings.Contains(out, "> Epistula-Request-Signature: 0x") {
		t.Fatalf("query text: %v\n%s", err, out)
	}

	direct := []string{"--url", api, "--receiver", minerKey.Address(), "--path", "/cvm"}
	nowMs := time.Now().UnixMilli()
	tests := []struct {
		name   string
		args   []string
		status int
		reason string
	}{
		{"registered without a permit", []string{"--suri", "//NoPermit"}, 403, guard.ReasonNoPermit},
		{"unregistered key", []string{"--suri", "//Stranger"}, 403, guard.ReasonNotRegistered},
		{"permit but low stake", []string{"--suri", "//LowStake"}, 403, guard.ReasonStakeTooLow},
		{"first use of a uuid", []string{"--suri", "//V1", "--uuid", "6f1c1a52-3d2b-4f0e-9a55-0c2f1d7e8b90"}, 200, ""},
		{"the same uuid again", []string{"--suri", "//V1", "--uuid", "6f1c1a52-3d2b-4f0e-9a55-0c2f1d7e8b90"}, 401, string(epistula.ReasonReplayed)},
		{"a minute old", []string{"--suri", "//V1", "--timestamp", strconv.FormatInt(nowMs-60_000, 10)}, 401, string(epistula.ReasonStale)},
		// Off by default: its signature names no receiver (--accept-x-epistula).
		{"the X-Epistula variant", []string{"--suri", "//V1", "--variant", "x"}, 400, string(epistula.ReasonUnsupportedVersion)},
		{"signed for another miner", []string{"--suri", "//V1", "--url", api, "--receiver", keysAddr("//OtherMiner")}, 401, string(epistula.ReasonWrongReceiver)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, out := query(append(append([]string{}, direct...), tc.args...)...)
			if r.Status != tc.status || r.Reason != tc.reason {
				t.Fatalf("got %d %q, want %d %q\n%s", r.Status, r.Reason, tc.status, tc.reason, out)
			}
			if tc.status != 200 && r.Error == "" {
				t.Fatalf("refusal without words:\n%s", out)
			}
		})
	}

	// --url with --netuid: the receiver is whoever announced that URL.
	if r, out := query("--url", api, "--netuid", "1", "--path", "/cvm", "--suri", "//V1"); r.Status != 200 || r.Receiver != minerKey.Address() || r.UID == nil || *r.UID != int(uids["//Miner"]) {
		t.Fatalf("query --url --netuid:\n%s", out)
	}

	// The same miner over the Axon protocol, as a Python validator's
	// dendrite calls it: same port, same guard.
	r, out = query("--netuid", "1", "--uid", minerUID, "--axon", "ComputeOffer", "--body", `{"nonce":"00ff"}`, "--hash-fields", "nonce", "--suri", "//V1")
	if r.Status != 200 || r.URL != api+"/ComputeOffer" || !strings.Contains(out, `"gpu_type": "NVIDIA H100 80GB HBM3"`) ||
		!strings.Contains(out, `"status_message": "Success"`) || r.AxonSignature != "unsigned" {
		t.Fatalf("query --axon:\n%s", out)
	}
	out, _, err = runCLI(t, "", "query", "--netuid", "1", "--uid", minerUID, "--axon", "ComputeOffer", "--body", `{"nonce":"00ff"}`, "--hash-fields", "nonce", "--suri", "//V1")
	t.Logf("$ minerkit query --netuid 1 --uid %s --axon ComputeOffer --body '{\"nonce\":\"00ff\"}' --hash-fields nonce --suri //V1\n%s", minerUID, out)
	if err != nil || !strings.Contains(out, "HTTP 200 OK") || !strings.Contains(out, "bt_header_axon_status_code: 200") ||
		!strings.Contains(out, "axon signature: unsigned") {
		t.Fatalf("query --axon, text: %v\n%s", err, out)
	}
	r, out = query("--url", api, "--receiver", minerKey.Address(), "--axon", "ComputeOffer", "--body", `{"nonce":"00ff"}`, "--hash-fields", "nonce", "--suri", "//Stranger")
	if r.Status != 403 || !strings.HasPrefix(r.Error, "Forbidden. Key is blacklisted: hotkey "+keysAddr("//Stranger")+" is not registered") {
		t.Fatalf("query --axon by an unregistered key:\n%s", out)
	}

	// A flood from one validator: what is left of the burst (7) passes, the
	// rest is 429.
	out, _, err = runCLI(t, "", append(append([]string{"query", "--json"}, direct...), "--suri", "//V1", "--repeat", "20")...)
	var flood queryReport
	if jerr := json.Unmarshal([]byte(out), &flood); jerr != nil || err == nil || len(flood.Requests) != 20 {
		t.Fatalf("flood: %v %v\n%s", jerr, err, out)
	}
	if flood.Statuses["429"] < 10 || flood.Statuses["200"]+flood.Statuses["429"] != 20 {
		t.Fatalf("flood statuses %v", flood.Statuses)
	}
	last := flood.Requests[19]
	if last.Status != 429 || last.Reason != guard.ReasonRateLimited || last.Headers["Retry-After"] == "" {
		t.Fatalf("last of the flood: %+v", last)
	}

	// Each reason is in the access log and in /metrics.
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	logText := serveLog.String()
	logged := map[string]bool{} // "reason status" of each access-log record
	sc := bufio.NewScanner(strings.NewReader(logText))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			Msg, Reason string
			Status      int
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "request" {
			if rec.Reason == "" {
				rec.Reason = "ok"
			}
			logged[fmt.Sprintf("%s %d", rec.Reason, rec.Status)] = true
		}
	}
	for _, want := range []struct {
		reason string
		status int
	}{
		{"ok", 200}, {guard.ReasonNoPermit, 403}, {guard.ReasonNotRegistered, 403}, {guard.ReasonStakeTooLow, 403},
		{string(epistula.ReasonReplayed), 401}, {string(epistula.ReasonStale), 401}, {string(epistula.ReasonWrongReceiver), 401},
		{guard.ReasonRateLimited, 429},
	} {
		series := fmt.Sprintf(`minerkit_guard_requests_total{reason=%q,route="POST /cvm",status="%d"}`, want.reason, want.status)
		if !bytes.Contains(metrics, []byte(series)) {
			t.Errorf("/metrics lacks %s", series)
		}
		if !logged[fmt.Sprintf("%s %d", want.reason, want.status)] {
			t.Errorf("access log lacks reason %q with status %d", want.reason, want.status)
		}
	}
	if !strings.Contains(logText, `"caller":"`+keysAddr("//V1")+`"`) {
		t.Errorf("access log lacks the caller")
	}
	if t.Failed() {
		t.Logf("serve log:\n%s", logText)
	}
}

func keysAddr(suri string) string {
	k, err := keys.FromSURI(suri)
	if err != nil {
		panic(err)
	}
	return k.Address()
}
