package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/internal/redistest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// asCLI makes the test binary run as minerkit itself, so that tests can
// start real `minerkit serve` processes (and kill them) without a build.
const asCLI = "MINERKIT_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// nginxBinary finds nginx (Debian puts it in /usr/sbin). Without it the test
// is skipped locally and fails in CI (.ci/run installs it and sets CI).
func nginxBinary(t *testing.T) string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("CI") != "" {
		t.Fatal("nginx not found: CI must install it (.ci/run: apt-get install nginx)")
	}
	t.Skip("nginx not installed: the replica test needs it (apt-get install nginx); CI runs it")
	return ""
}

// replicaProc is one `minerkit serve` process.
type replicaProc struct {
	cmd    *exec.Cmd
	log    *lockedBuffer
	api    string // http://127.0.0.1:port
	port   int
	admin  string
	exited chan error
}

// served counts the access-log records of caller with status.
func (r *replicaProc) served(caller string, status int) int {
	n := 0
	for _, line := range strings.Split(r.log.String(), "\n") {
		var rec struct {
			Msg, Caller string
			Status      int
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" && rec.Caller == caller && rec.Status == status {
			n++
		}
	}
	return n
}

// TestReplicasBehindNginx runs deploy/nginx.conf (its ports substituted) in
// front of three `minerkit serve` processes sharing one Redis, on a devnet:
// a replay through another replica is refused, one validator's rate limit
// holds across the replicas, and replicas stopped (SIGTERM) or killed
// (SIGKILL) under load lose no accepted request while nginx routes around
// them.
func TestReplicasBehindNginx(t *testing.T) {
	nginx := nginxBinary(t)
	rs := redistest.StartTCP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	node, err := devnet.Start(ctx, devnet.Config{BlockTime: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{node.URL()}}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// //Small first, while the pool's price is low: a few hundred α.
	devnetSubnet(t, ctx, node, c, []struct {
		suri  string
		stake uint64
	}{{"//Miner", 0}, {"//Small", 60}, {"//Big", 600_000}})
	small, _ := keys.FromSURI("//Small")
	big, _ := keys.FromSURI("//Big")
	minerKey, _ := keys.FromSURI("//Miner")
	m, err := c.Metagraph(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	smallW := uint64(subtensor.GetRao(m.TotalStake, m.UIDOf(small.Public())))
	bigW := uint64(subtensor.GetRao(m.TotalStake, m.UIDOf(big.Public())))
	// Rate 0.2/s, burst 10, scaled by stake / (2 × //Small's): //Small gets
	// exactly that, //Big hundreds of times more (the load below).
	// Written from integer rao: amounts are parsed exactly, to the rao.
	unitRao := 2 * smallW
	unit := fmt.Sprintf("%d.%09d", unitRao/1e9, unitRao%1e9)
	t.Logf("stake weights: //Small %d, //Big %d (rate × %.0f)", smallW, bigW, float64(bigW)/(2*float64(smallW)))
	if bigW/(2*smallW) < 2000 {
		t.Fatalf("//Big's stake weight is only %d× the unit; the load needs more", bigW/(2*smallW))
	}

	dir := t.TempDir()
	chainWallet(t, dir, "miner", "//MinerCold", "//Miner")
	env := append(os.Environ(), asCLI+"=1", "BT_WALLET_PATH="+dir, "BT_WALLET_NAME=miner", "BT_WALLET_HOTKEY=default",
		"BT_SUBTENSOR_NETWORK="+node.URL())
	start := func() *replicaProc {
		r := &replicaProc{log: &lockedBuffer{}, port: freePort(t), exited: make(chan error, 1)}
		r.api = fmt.Sprintf("http://127.0.0.1:%d", r.port)
		r.cmd = exec.Command(os.Args[0], "serve", "--netuid", "1",
			"--listen", fmt.Sprintf("127.0.0.1:%d", r.port), "--admin-listen", "127.0.0.1:0",
			"--redis", rs.URL(), "--trusted-proxies", "127.0.0.1",
			"--min-stake", "100", "--rate-per-sec", "0.2", "--rate-burst", "10", "--rate-stake-unit-tao", unit,
			"--sync-interval", "2", "--log-format", "json", "--gpu-type", "none", "--bid-per-hour", "1")
		r.cmd.Env = env
		r.cmd.Stdout, r.cmd.Stderr = io.Discard, r.log
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { r.exited <- r.cmd.Wait() }()
		t.Cleanup(func() {
			r.cmd.Process.Kill()
			<-r.exited
			r.exited <- nil
		})
		return r
	}
	reps := []*replicaProc{start(), start(), start()}
	for i, r := range reps {
		eventually(t, fmt.Sprintf("replica %d to be ready", i+1), func() bool {
			select {
			case err := <-r.exited:
				t.Fatalf("replica %d exited: %v\n%s", i+1, err, r.log.String())
			default:
			}
			if r.admin == "" {
				rec, ok := r.log.logRecord("miner serving")
				if !ok {
					return false
				}
				r.admin = "http://" + rec["admin"].(string)
			}
			resp, err := http.Get(r.admin + "/ready")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == 200
		})
	}

	front := startNginx(t, nginx, reps)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 20 * time.Second}
	body := []byte(`{"nonce":"00ff"}`)
	post := func(url string, h http.Header) (int, string, error) {
		req, _ := http.NewRequest("POST", url+"/cvm", bytes.NewReader(body))
		req.Header = h
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		var out struct{ Reason string }
		b, _ := io.ReadAll(resp.Body)
		json.Unmarshal(b, &out)
		return resp.StatusCode, out.Reason, nil
	}
	sign := func(k *keys.Keypair) http.Header { return epistula.Sign(k, body, minerKey.Address(), time.Now()) }

	// A request accepted through nginx is a replay for every replica.
	h := sign(big)
	if st, reason, err := post(front, h); st != 200 {
		t.Fatalf("through nginx: %d %s %v", st, reason, err)
	}
	for i, r := range append(reps, &replicaProc{api: front}) {
		if st, reason, err := post(r.api, h.Clone()); st != 401 || reason != string(epistula.ReasonReplayed) {
			t.Fatalf("replay sent to replica %d: %d %q %v, want 401 replayed", i+1, st, reason, err)
		}
	}
	// An Axon request through nginx: its underscore headers pass
	// (underscores_in_headers on), and the accepted request, sent again to
	// any replica, is refused (the nonce rule where it was served, the
	// shared replay record elsewhere).
	syn, err := axon.NewRaw("ComputeOffer", body, []string{"nonce"})
	if err != nil {
		t.Fatal(err)
	}
	areq, err := (&axon.Client{Signer: big}).Request(context.Background(), axon.Target{URL: front, Hotkey: minerKey.Address()}, syn, 0)
	if err != nil {
		t.Fatal(err)
	}
	abody, _ := io.ReadAll(areq.Body)
	sendAxon := func(base string) (int, string) {
		req, _ := http.NewRequest("POST", base+"/ComputeOffer", bytes.NewReader(abody))
		req.Header = areq.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Message string }
		b, _ := io.ReadAll(resp.Body)
		json.Unmarshal(b, &out)
		return resp.StatusCode, out.Message
	}
	if st, msg := sendAxon(front); st != 200 {
		t.Fatalf("Axon through nginx: %d %s", st, msg)
	}
	for i, r := range append(reps, &replicaProc{api: front}) {
		if st, msg := sendAxon(r.api); st != 401 || !strings.HasPrefix(msg, "Not Verified with error: Nonce is too old") {
			t.Fatalf("Axon replay sent to replica %d: %d %q, want 401", i+1, st, msg)
		}
	}

	// The client address is nginx's X-Forwarded-For entry, believed
	// because nginx is a trusted proxy.
	h = sign(big)
	h.Set("X-Forwarded-For", "198.51.100.7")
	if st, _, err := post(front, h); st != 200 {
		t.Fatalf("with X-Forwarded-For: %d %v", st, err)
	}
	eventually(t, "the client address in an access log", func() bool {
		for _, r := range reps {
			if strings.Contains(r.log.String(), `"client":"198.51.100.7"`) {
				return true
			}
		}
		return false
	})

	// //Small's burst of 10 holds across the three replicas, not 3 × 10.
	codes := map[int]int{}
	for range 30 {
		st, _, err := post(front, sign(small))
		if err != nil {
			t.Fatal(err)
		}
		codes[st]++
	}
	time.Sleep(200 * time.Millisecond) // the last access-log lines
	spread := 0
	for _, r := range reps {
		if r.served(small.Address(), 200) > 0 {
			spread++
		}
	}
	if codes[200] != 10 || codes[429] != 20 || spread < 2 {
		t.Fatalf("//Small through nginx: %v, served by %d replicas; want 10 × 200 and 20 × 429 across several replicas", codes, spread)
	}

	// Load from //Big; replica 3 is stopped (SIGTERM, as systemd stops it)
	// part way: every request is answered 200, and every 200 was served
	// exactly once (the access logs count what the clients got).
	servedBefore := 0
	for _, r := range reps {
		servedBefore += r.served(big.Address(), 200)
	}
	res := load(t, front, post, sign, big, 8, 2400*time.Millisecond, 800*time.Millisecond, func() {
		reps[2].cmd.Process.Signal(syscall.SIGTERM)
	})
	if err := <-reps[2].exited; err != nil {
		t.Fatalf("replica 3 after SIGTERM: %v", err)
	}
	reps[2].exited <- nil
	if res.other != 0 || res.errs != 0 || res.ok == 0 {
		t.Fatalf("stopping a replica under load: %d answered 200, %d other statuses %v, %d errors (%v)", res.ok, res.other, res.statuses, res.errs, res.firstErr)
	}
	time.Sleep(300 * time.Millisecond)
	servedAfter := 0
	for _, r := range reps {
		servedAfter += r.served(big.Address(), 200)
	}
	if got := servedAfter - servedBefore; got != res.ok {
		t.Fatalf("clients got %d × 200, the replicas logged %d served", res.ok, got)
	}
	if reps[2].served(big.Address(), 200) == 0 {
		t.Fatal("replica 3 served nothing before it was stopped: the load did not spread")
	}
	t.Logf("SIGTERM under load: %d requests, all 200, in %v (load %s)", res.ok, res.took, loadAvg())

	// Replica 2 is killed (SIGKILL) under load: nginx retries the requests
	// it held on replica 1; one it had already accepted is refused there as
	// a replay (never served twice); after the kill, everything is served.
	res = load(t, front, post, sign, big, 8, 2000*time.Millisecond, 600*time.Millisecond, func() {
		reps[1].cmd.Process.Kill()
	})
	if res.errs != 0 || res.other > 8 || res.other != res.statuses[401] || res.lateFailures != 0 {
		t.Fatalf("killing a replica under load: %d × 200, other statuses %v, %d errors (%v), %d failures after the kill settled",
			res.ok, res.statuses, res.errs, res.firstErr, res.lateFailures)
	}
	t.Logf("SIGKILL under load: %d × 200, %d refused as replays of requests the killed replica had accepted", res.ok, res.other)
}

type loadResult struct {
	ok, other, errs int
	statuses        map[int]int
	firstErr        error
	lateFailures    int // non-200 answers to requests sent 300 ms or more after the disruption
	took            time.Duration
}

// load sends signed requests from key through front with workers
// goroutines for d, calling disrupt after at.
func load(t *testing.T, front string, post func(string, http.Header) (int, string, error), sign func(*keys.Keypair) http.Header,
	key *keys.Keypair, workers int, d, at time.Duration, disrupt func()) loadResult {
	t.Helper()
	var mu sync.Mutex
	res := loadResult{statuses: map[int]int{}}
	t0 := time.Now()
	var disrupted atomic.Int64 // Unix ns of the disruption
	stop := time.AfterFunc(at, func() { disrupted.Store(time.Now().UnixNano()); disrupt() })
	defer stop.Stop()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Since(t0) < d {
				sent := time.Now().UnixNano()
				st, _, err := post(front, sign(key))
				mu.Lock()
				switch {
				case err != nil:
					res.errs++
					if res.firstErr == nil {
						res.firstErr = err
					}
				case st == 200:
					res.ok++
				default:
					res.other++
					res.statuses[st]++
				}
				if dis := disrupted.Load(); (err != nil || st != 200) && dis != 0 && sent > dis+int64(300*time.Millisecond) {
					res.lateFailures++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.took = time.Since(t0)
	return res
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// startNginx runs deploy/nginx.conf, its ports replaced by the replicas'
// and a free one, and returns nginx's URL.
func startNginx(t *testing.T, bin string, reps []*replicaProc) string {
	t.Helper()
	conf, err := os.ReadFile("../../deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	site := string(conf)
	port := freePort(t)
	subst := map[string]string{"listen 8091;": fmt.Sprintf("listen 127.0.0.1:%d;", port)}
	for i, r := range reps {
		subst[fmt.Sprintf("server 127.0.0.1:%d ", 18091+i)] = fmt.Sprintf("server 127.0.0.1:%d ", r.port)
	}
	for from, to := range subst {
		if n := strings.Count(site, from); n != 1 {
			t.Fatalf("deploy/nginx.conf has %q %d times, the test expects it once", from, n)
		}
		site = strings.Replace(site, from, to, 1)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "minerkit.conf"), []byte(site), 0o600); err != nil {
		t.Fatal(err)
	}
	// What Debian's /etc/nginx/nginx.conf provides around conf.d, in the
	// test's own directory, one process, in the foreground.
	mainConf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/minerkit.conf;
}
`, dir)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(mainConf), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", "stderr")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	eventually(t, "nginx to listen", func() bool {
		select {
		case err := <-exited:
			t.Fatalf("nginx exited: %v\n%s", err, logs.String())
		default:
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	return "http://" + addr
}
