// Command serveload measures the whole `minerkit serve` process over
// loopback: the built minerkit binary serves the compute miner (POST /cvm
// behind Epistula → validator gate → rate limit, access log and metrics) on
// an in-process devnet whose subnet holds 256 UIDs, 64 of them validators
// with permits; pre-signed unique requests come from the 64 validator
// hotkeys. It reports req/s and client-side p50/p99 beside the bare-verify
// limit (package bench's one-sr25519-verify handler) and a Node peer
// (bench/peers/epistula-node.js: node:http + @polkadot/util-crypto doing the
// same checks), in alternating rounds, with medians.
//
//	go run ./bench/cmd/serveload [-c 32] [-rounds 3] [-duration 1s] [-requests 20000] [-bin bin/minerkit]
//	                             [-only serve] [-profile DIR]
//
// -only loads a subset of the servers; -profile writes serve's CPU and
// allocation profiles of every round (through serve --pprof).
//
// Targets: serve ≥ 90 % of the bare-verify limit, ≥ 5× the Node peer.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/minerkit/minerkit/bench"
	"github.com/minerkit/minerkit/bench/serve"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(1)
	}
}

// server is one thing under load.
type server struct {
	name string
	url  string
	proc *serve.Proc // nil: in this process
	// axon: the server gets the round's Axon requests (in lanes) instead
	// of the Epistula ones.
	axon bool
	// skip: not loaded (-only).
	skip bool
	runs []bench.Result
}

type report struct {
	CPUs         int                      `json:"cpus"`
	Concurrency  int                      `json:"concurrency"`
	Rounds       int                      `json:"rounds"`
	UIDs         int                      `json:"uids"`
	Validators   int                      `json:"validators"`
	Results      map[string]bench.Summary `json:"results"`
	ServeVsBare  float64                  `json:"serve_vs_bare"`
	ServeVsBareC float64                  `json:"serve_vs_bare_per_cpu"`
	// ServeVsBareProc compares with the bare handler in a process of its
	// own, the topology serve has.
	ServeVsBareProc  float64 `json:"serve_vs_bare_own_process"`
	ServeVsBareProcC float64 `json:"serve_vs_bare_own_process_per_cpu"`
	ServeVsBareProcS float64 `json:"serve_vs_bare_own_process_per_server_cpu"`
	// ServeVsNode* compare with the wasm Node peer (util-crypto 13.5).
	ServeVsNode  float64 `json:"serve_vs_node"`
	ServeVsNodeC float64 `json:"serve_vs_node_per_cpu"`
	ServeVsNodeS float64 `json:"serve_vs_node_per_server_cpu"`
	// ServeAxon* compare serve's Axon route (the ComputeOffer synapse, as
	// the Python SDK's dendrite sends it) with the bare verify in its own
	// process, the wasm Node peer and serve's own Epistula route, per
	// server CPU-second.
	ServeAxonVsBareProcS float64 `json:"serve_axon_vs_bare_own_process_per_server_cpu,omitempty"`
	ServeAxonVsNodeS     float64 `json:"serve_axon_vs_node_per_server_cpu,omitempty"`
	ServeAxonVsEpistulaS float64 `json:"serve_axon_vs_epistula_per_server_cpu,omitempty"`
	// LoadBefore and LoadAfter are /proc/loadavg's 1-minute figure: other
	// work on the machine during the runs.
	LoadBefore string `json:"load_before,omitempty"`
	LoadAfter  string `json:"load_after,omitempty"`
}

// loadavg returns the 1-minute load average ("" where /proc has none).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// axonFields are the i-th ComputeOffer synapse's fields: a unique nonce.
func axonFields(i int) []byte {
	return []byte(`{"nonce":"` + fmt.Sprintf("%016x", i) + `","offer":null}`)
}

// body is the i-th /cvm request: a unique attestation nonce.
func body(i int) []byte { return []byte(`{"nonce":"` + fmt.Sprintf("%016x", i) + `"}`) }

func run() error {
	conc := flag.Int("c", 32, "concurrent client connections")
	dur := flag.Duration("duration", 3*time.Second, "length of each run")
	rounds := flag.Int("rounds", 3, "alternating rounds (bare, serve, node, rotated); medians are reported")
	// A quiet 2-core machine answers about 23,000 requests a second: enough
	// pre-signed requests keep every run its full length.
	n := flag.Int("requests", 100000, "at most this many pre-signed requests per run")
	uids := flag.Int("uids", 256, "UIDs in the devnet subnet")
	nval := flag.Int("validators", 64, "validators among them (they sign the requests)")
	bin := flag.String("bin", "", "the minerkit binary (default: build ./cmd/minerkit into a temporary directory)")
	peer := flag.String("peer", "bench/peers/epistula-node.js", "the Node peer script (\"\": skip it)")
	withAxon := flag.Bool("axon", true, "also load serve's Axon route (POST /ComputeOffer, signed as the Python SDK's dendrite signs)")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	serveArgs := flag.String("serve-args", "", "extra flags for minerkit serve, space-separated (e.g. \"--log-level warn\")")
	only := flag.String("only", "", "load only the servers whose name contains one of these comma-separated words (e.g. \"serve\"; the others still start)")
	profDir := flag.String("profile", "", "write serve's CPU and allocation profiles of every round to this directory (passes --pprof to serve)")
	bareChild := flag.Bool("bare-child", false, "(internal) serve the bare-verify handler in this process, print its URL, run until SIGTERM")
	flag.Parse()
	if *bareChild {
		return serveBare(*nval)
	}
	if *n < 1 || *conc < 1 || *rounds < 1 || *rounds > 20 || *nval < 1 || *uids <= *nval {
		return errors.New("-requests, -c, -rounds (≤ 20), -validators must be positive and -uids above -validators")
	}
	say := func(format string, args ...any) {
		if !*asJSON {
			fmt.Printf(format, args...)
		}
	}
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "serveload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "minerkit")
		say("building minerkit ...\n")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/minerkit")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build minerkit (run from the repository root, or pass -bin): %w", err)
		}
	}

	f, err := bench.NewFixture(*nval)
	if err != nil {
		return err
	}
	say("machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	t0 := time.Now()
	subnet, err := serve.StartSubnet(ctx, serve.SubnetConfig{Validators: f.Validators, Miner: f.Miner, N: *uids, StakeTAO: 2000})
	if err != nil {
		return err
	}
	defer subnet.Close()
	say("devnet subnet: %d UIDs, %d validators with permits (built in %v)\n", len(subnet.Neurons), *nval, time.Since(t0).Round(time.Millisecond))

	// Requests are signed ahead of the runs: a wide window keeps them fresh
	// (it does not change the cost of a check).
	const window = 5 * time.Minute
	extra := strings.Fields(*serveArgs)
	if *profDir != "" {
		if err := os.MkdirAll(*profDir, 0o755); err != nil {
			return err
		}
		extra = append(extra, "--pprof")
	}
	sv, err := serve.StartServe(ctx, serve.ServeConfig{
		Binary: *bin, ChainURL: subnet.Node.URL(), Miner: f.Miner, Dir: tmp,
		Args: []string{"--epistula-window", window.String(), "--min-stake", "1000",
			"--rate-per-sec", "1000000", "--rate-burst", "1000000",
			"--gpu-type", "bench GPU", "--vram-gb", "80", "--gpu-count", "1", "--bid-per-hour", "1"},
		Extra: extra,
	})
	if err != nil {
		return err
	}
	defer sv.Stop()
	say("minerkit serve: %s (ready; admin %s)\n", sv.URL, sv.Admin)

	bareURL, stopBare, err := bench.Serve(f.Bare())
	if err != nil {
		return err
	}
	defer stopBare()
	// The same bare handler as a process of its own: the limit with the
	// topology serve has (two processes, two Go runtimes).
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bareProc, err := serve.StartChild(exec.Command(self, "-bare-child", "-validators", strconv.Itoa(*nval)))
	if err != nil {
		return fmt.Errorf("start the bare-verify child: %w", err)
	}
	defer bareProc.Stop()
	servers := []*server{
		{name: "bare verify (limit)", url: bareURL},
		{name: "bare verify, own proc", url: bareProc.URL, proc: bareProc},
		{name: "minerkit serve", url: sv.URL, proc: sv},
	}
	const axonName = "minerkit serve, axon"
	if *withAxon {
		if *nval%*conc != 0 {
			return fmt.Errorf("-axon needs -c to divide -validators (%d): each validator's nonces must stay in one connection, in order", *nval)
		}
		servers = append(servers, &server{name: axonName, url: strings.TrimSuffix(sv.URL, "/cvm") + "/ComputeOffer", proc: sv, axon: true})
	}
	if *peer != "" {
		// The best Node peer first (util-crypto 13.5: schnorrkel in wasm),
		// then util-crypto 14's pure-JavaScript sr25519, about 10× slower.
		for _, p := range []struct{ name, crypto string }{
			{"node peer (wasm)", "util-crypto-13"},
			{"node peer (pure JS)", "@polkadot/util-crypto"},
		} {
			np, err := serve.StartNode(ctx, serve.NodeConfig{Script: *peer, Crypto: p.crypto, Self: f.Miner.Address(), Window: window,
				MinStake: 1000 * 1_000_000_000, Neurons: subnet.Neurons})
			if err != nil {
				return err
			}
			defer np.Stop()
			servers = append(servers, &server{name: p.name, url: np.URL, proc: np})
			say("%s: %s\n", p.name, np.URL)
		}
	}
	say("load: %d connections, %d rounds of %v per server, at most %d pre-signed requests per run from %d validators\n\n",
		*conc, *rounds, *dur, *n, *nval)

	runOne := func(s *server, reqs, axonReqs []bench.Request) (bench.Result, error) {
		var cpu0 time.Duration
		if s.proc != nil {
			cpu0 = s.proc.CPU()
		}
		load := bench.Load
		if s.axon {
			load, reqs = bench.LoadOrdered, axonReqs
		}
		var prof *profiles
		if *profDir != "" && s.proc == sv {
			prof = startProfiles(ctx, sv.Admin, *dur)
		}
		res, err := load(ctx, s.url, reqs, *conc, *dur)
		if prof != nil {
			if perr := prof.save(*profDir, s.name); perr != nil {
				say("profile of %s: %v\n", s.name, perr)
			}
		}
		if s.proc != nil {
			res.ServerCPU = s.proc.CPU() - cpu0
			res.CPU += res.ServerCPU
		}
		return res, err
	}
	signAxon := func(n, offset int) ([]bench.Request, error) {
		if !*withAxon {
			return nil, nil
		}
		return f.SignAxon(n, "ComputeOffer", func(i int) []byte { return axonFields(i + offset) }, []string{"nonce"})
	}
	warm := f.Sign(2000, func(i int) []byte { return body(i) })
	warmAxon, err := signAxon(2000, 0)
	if err != nil {
		return err
	}
	loadBefore := loadavg()
	say("load average before the runs: %s\n", loadBefore)
	if *only != "" {
		// The first three stay in the list (the ratios name them); the
		// others are dropped, and the first three are only skipped.
		keep := servers[:0]
		for i, s := range servers {
			if matches(s.name, *only) {
				keep = append(keep, s)
			} else if i < 3 {
				s.skip = true
				keep = append(keep, s)
			}
		}
		servers = keep
	}
	for _, s := range servers {
		if s.skip {
			continue
		}
		if _, err := runOne(s, warm, warmAxon); err != nil {
			return fmt.Errorf("warm-up of %s: %w", s.name, err)
		}
	}
	for round := 0; round < *rounds; round++ {
		// One batch per round, sent once to each server (each has its own
		// replay cache).
		reqs := f.Sign(*n, func(i int) []byte { return body(i + (round+1)*10_000_000) })
		axonReqs, err := signAxon(*n, (round+1)*10_000_000)
		if err != nil {
			return err
		}
		for k := range servers {
			s := servers[(k+round)%len(servers)]
			if s.skip {
				continue
			}
			res, err := runOne(s, reqs, axonReqs)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if res.Requests == *n {
				say("note: all %d pre-signed requests were used before %v: raise -requests\n", *n, *dur)
			}
			s.runs = append(s.runs, res)
			say("round %d  %-20s %v\n", round+1, s.name, res)
		}
	}

	rep := report{CPUs: runtime.NumCPU(), Concurrency: *conc, Rounds: *rounds, UIDs: len(subnet.Neurons), Validators: *nval, Results: map[string]bench.Summary{}}
	rep.LoadBefore, rep.LoadAfter = loadBefore, loadavg()
	say("\nload average after the runs: %s\nmedians of %d rounds:\n", rep.LoadAfter, *rounds)
	for _, s := range servers {
		if s.skip {
			continue
		}
		r := bench.Median(s.runs)
		rep.Results[s.name] = r
		say("%-22s %7.0f req/s  %7.0f req/CPU-s  %7.0f req/server-CPU-s  p50 %7.0fµs  p99 %7.0fµs\n", s.name, r.RPS, r.PerCPUSec, r.PerServerCPUSec, r.P50us, r.P99us)
	}
	bare, bareOwn, srv := rep.Results[servers[0].name], rep.Results[servers[1].name], rep.Results[servers[2].name]
	if bare.RPS > 0 && srv.RPS > 0 {
		rep.ServeVsBare, rep.ServeVsBareC = srv.RPS/bare.RPS, srv.PerCPUSec/bare.PerCPUSec
		say("\nserve / bare verify (in-process):  throughput %5.1f %%, requests per CPU-second %5.1f %%  (target ≥ 90 %%)\n", 100*rep.ServeVsBare, 100*rep.ServeVsBareC)
	}
	if bareOwn.RPS > 0 && srv.RPS > 0 {
		rep.ServeVsBareProc, rep.ServeVsBareProcC = srv.RPS/bareOwn.RPS, srv.PerCPUSec/bareOwn.PerCPUSec
		say("serve / bare verify (own process): throughput %5.1f %%, requests per CPU-second %5.1f %%\n", 100*rep.ServeVsBareProc, 100*rep.ServeVsBareProcC)
	}
	if srv.PerServerCPUSec > 0 && rep.Results[servers[1].name].PerServerCPUSec > 0 {
		rep.ServeVsBareProcS = srv.PerServerCPUSec / rep.Results[servers[1].name].PerServerCPUSec
		say("serve / bare verify (own process): requests per server CPU-second %5.1f %%  (target ≥ 90 %%)\n", 100*rep.ServeVsBareProcS)
	}
	// The wasm peer, the best Node miner, by name: the Axon row may come
	// before it.
	if node, ok := rep.Results["node peer (wasm)"]; ok && srv.RPS > 0 {
		rep.ServeVsNode, rep.ServeVsNodeC = srv.RPS/node.RPS, srv.PerCPUSec/node.PerCPUSec
		if node.PerServerCPUSec > 0 {
			rep.ServeVsNodeS = srv.PerServerCPUSec / node.PerServerCPUSec
		}
		say("serve / node peer (wasm):          throughput %.1f×, requests per CPU-second %.1f×, per server CPU-second %.1f×  (target ≥ 5×)\n",
			rep.ServeVsNode, rep.ServeVsNodeC, rep.ServeVsNodeS)
	}
	if ax, ok := rep.Results[axonName]; ok && ax.PerServerCPUSec > 0 {
		if b := rep.Results[servers[1].name].PerServerCPUSec; b > 0 {
			rep.ServeAxonVsBareProcS = ax.PerServerCPUSec / b
		}
		if srv.PerServerCPUSec > 0 {
			rep.ServeAxonVsEpistulaS = ax.PerServerCPUSec / srv.PerServerCPUSec
		}
		if node, ok := rep.Results["node peer (wasm)"]; ok && node.PerServerCPUSec > 0 {
			rep.ServeAxonVsNodeS = ax.PerServerCPUSec / node.PerServerCPUSec
		}
		say("serve axon / bare verify (own process): requests per server CPU-second %5.1f %%; / serve epistula %5.1f %%; / node peer (wasm) %.1f×\n",
			100*rep.ServeAxonVsBareProcS, 100*rep.ServeAxonVsEpistulaS, rep.ServeAxonVsNodeS)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return nil
}

// serveBare is the -bare-child mode: package bench's bare-verify handler for
// the same fixture keys, on a loopback port.
func serveBare(nval int) error {
	f, err := bench.NewFixture(nval)
	if err != nil {
		return err
	}
	url, stop, err := bench.Serve(f.Bare())
	if err != nil {
		return err
	}
	defer stop()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	if err := json.NewEncoder(os.Stdout).Encode(map[string]string{"url": url}); err != nil {
		return err
	}
	<-sig
	return nil
}

// matches reports whether name contains one of the comma-separated words.
func matches(name, words string) bool {
	for _, w := range strings.Split(words, ",") {
		if w = strings.TrimSpace(w); w != "" && strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// profiles are serve's CPU and allocation profiles of one run, fetched from
// its admin listener (--pprof) while the run goes on.
type profiles struct {
	done  chan struct{}
	cpu   []byte
	alloc []byte
	err   error
}

func startProfiles(ctx context.Context, admin string, d time.Duration) *profiles {
	secs := strconv.Itoa(max(1, int(d/time.Second)))
	p := &profiles{done: make(chan struct{})}
	get := func(path string, dst *[]byte) error {
		req, err := http.NewRequestWithContext(ctx, "GET", admin+path+"?seconds="+secs, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s: %s", path, resp.Status, b)
		}
		*dst = b
		return nil
	}
	go func() {
		defer close(p.done)
		errc := make(chan error, 1)
		go func() { errc <- get("/debug/pprof/allocs", &p.alloc) }()
		p.err = errors.Join(get("/debug/pprof/profile", &p.cpu), <-errc)
	}()
	return p
}

// save waits for the profiles and writes them as DIR/<name>-cpu-N.pb.gz and
// -alloc-N.pb.gz (N: the first free number).
func (p *profiles) save(dir, name string) error {
	<-p.done
	if p.err != nil {
		return p.err
	}
	slug := strings.NewReplacer(" ", "-", ",", "").Replace(name)
	for n := 1; ; n++ {
		cpu := filepath.Join(dir, fmt.Sprintf("%s-cpu-%d.pb.gz", slug, n))
		if _, err := os.Stat(cpu); err == nil {
			continue
		}
		if err := os.WriteFile(cpu, p.cpu, 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-alloc-%d.pb.gz", slug, n)), p.alloc, 0o644)
	}
}
