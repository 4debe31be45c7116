// Command flood measures `minerkit serve` under attack (docs/bench-serve.md,
// "Under attack"): the built binary serves the compute miner (POST /cvm) on
// an in-process devnet subnet of 256 UIDs, 64 of them validators with
// permits. The server is pinned to the last CPU and this process (the
// validators' client) to the others when the machine has two CPUs or more
// (on two CPUs: server on CPU 1, clients on CPU 0). The attacker runs in a
// child process (flood -attack-child) on CPU 0 at the lowest priority
// (SCHED_IDLE, nice 19): the validators stand for other machines, so their
// client gets the CPU first.
//
// (a) For each attack class alone, offered at the miner's capacity, the
// server's CPU per request offered and per request sent (answered or
// failed), next to an accepted validator request's. (b) The 64 validators
// at half the miner's measured capacity, alone before every class and
// after the last, and beside an attacker offering the class at the full
// capacity: the validators' accepted req/s and p99 relative to the median
// of the runs alone, the attacker's achieved rate, the server's CPU and
// the clients' during the run, and the server's peak RSS (VmHWM, reset per
// run).
//
//	go run ./bench/cmd/flood [-bin bin/minerkit] [-duration 3s] [-only junk,replayed] [-serve-args "--shed-refusals-per-sec 0"]
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minerkit/minerkit/bench"
	"github.com/minerkit/minerkit/bench/serve"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

// client returns an HTTP client whose connections come from source
// address src (loopback aliases stand for distinct hosts: serve caps
// connections per address).
func client(src string, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DisableCompression: true,
	}}
}

func send(c *http.Client, url string, r bench.Request) (int, error) {
	return sendCtx(context.Background(), c, url, r)
}

func sendCtx(ctx context.Context, c *http.Client, url string, r bench.Request) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(r.Body))
	if err != nil {
		return 0, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

type stats struct {
	mu    sync.Mutex
	lat   []time.Duration
	late  []time.Duration // of the requests scheduled from 1 s on
	codes map[int]int     // answers by status, 0: connection errors
	ok    atomic.Int64
	other atomic.Int64
}

func (s *stats) p99() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return p99of(s.lat)
}

// p99Late is the p99 of the requests scheduled from the run's first
// second on (after an attacker's first burst of answered refusals).
func (s *stats) p99Late() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return p99of(s.late)
}

func p99of(lat []time.Duration) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return lat[len(lat)*99/100]
}

// paced offers rate requests per second from workers goroutines for d;
// latency counts from the scheduled send time (no coordinated omission).
func paced(ctx context.Context, c *http.Client, url string, rate float64, workers int, d time.Duration, next func(i int) bench.Request, st *stats) (offered int) {
	type tick struct {
		at time.Time
		i  int
	}
	ch := make(chan tick, 4096)
	// Offers not sent by the end are dropped, and requests still waiting
	// (a connect the server's filter drops) are cut off a second after it:
	// the run lasts d, whatever the server does.
	start := time.Now()
	rctx, cancel := context.WithDeadline(ctx, start.Add(d+time.Second))
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range ch {
				if time.Since(start) > d {
					continue
				}
				code, _ := sendCtx(rctx, c, url, next(t.i))
				st.mu.Lock()
				if st.codes == nil {
					st.codes = map[int]int{}
				}
				st.codes[code]++
				if code == 200 {
					st.lat = append(st.lat, time.Since(t.at))
					if t.at.Sub(start) >= time.Second {
						st.late = append(st.late, time.Since(t.at))
					}
				}
				st.mu.Unlock()
				if code == 200 {
					st.ok.Add(1)
				} else {
					st.other.Add(1)
				}
			}
		}()
	}
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= d || ctx.Err() != nil {
			offered = i
			break
		}
		if w := time.Until(at); w > 0 {
			time.Sleep(w)
		}
		select {
		case ch <- tick{at, i}:
		default: // the workers are behind: the offer is not sent
		}
	}
	close(ch)
	wg.Wait()
	return offered
}

// closedLoop sends as fast as conc workers can for d; returns the count.
func closedLoop(c *http.Client, url string, conc int, d time.Duration, next func(i int) bench.Request) (n int64, codes map[int]int) {
	var idx atomic.Int64
	var mu sync.Mutex
	codes = map[int]int{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				code, _ := send(c, url, next(int(idx.Add(1)-1)))
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return idx.Load(), codes
}

// slowConns keeps n connections from 40 source addresses sending a header
// line a second until ctx ends, and counts the connections opened.
func slowConns(ctx context.Context, addr string, n int) *atomic.Int64 {
	var opened atomic.Int64
	for i := range n {
		src := fmt.Sprintf("127.0.1.%d", 1+i%40)
		go func() {
			d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
			for ctx.Err() == nil {
				c, err := d.DialContext(ctx, "tcp", addr)
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				opened.Add(1)
				w := bufio.NewWriter(c)
				w.WriteString("POST /cvm HTTP/1.1\r\nHost: miner\r\nContent-Length: 1048576\r\n")
				w.Flush()
				for ctx.Err() == nil {
					if _, err := c.Write([]byte("X-Slow: 1\r\n")); err != nil {
						break
					}
					select {
					case <-time.After(time.Second):
					case <-ctx.Done():
					}
				}
				c.Close()
			}
		}()
	}
	return &opened
}

func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM")
}

func resetPeak(pid int) { os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) }

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:min(3, len(strings.Fields(string(b))))], " ")
}

func pprofArg(profile string) []string {
	if profile == "" {
		return nil
	}
	return []string{"--pprof"}
}

// cpuProfile fetches serve's CPU profile for d (serve --pprof) in the
// background.
func cpuProfile(admin string, d time.Duration) chan []byte {
	ch := make(chan []byte, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", admin, max(1, int(d.Seconds()))))
		if err != nil {
			ch <- nil
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ch <- b
	}()
	time.Sleep(50 * time.Millisecond)
	return ch
}

// metric reads one unlabelled counter from serve's /metrics (0 if absent).
func metric(admin, name string) float64 {
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return 0
}

func run() error {
	bin := flag.String("bin", "", "the minerkit binary (default: build ./cmd/minerkit)")
	dur := flag.Duration("duration", 3*time.Second, "length of each run")
	nval := flag.Int("validators", 64, "validators (they sign the accepted requests)")
	only := flag.String("only", "", "run only the classes whose name contains one of these comma-separated words")
	serveArgs := flag.String("serve-args", "", "more flags for serve, space-separated (\"--shed-refusals-per-sec 0\" measures without shedding)")
	showShed := flag.Bool("show-shed", false, "print serve's shedding records (one per 10 s) at the end")
	profile := flag.String("cpuprofile", "", "write serve's CPU profile of the attack classes alone (serve --pprof) to this file")
	rounds := flag.Int("rounds", 1, "(b) runs every class this many times (each after a run alone) and reports the medians")
	attackMode := flag.Bool("attack-child", false, "(internal) run one attack class in this process: spec on standard input, report on standard output")
	flag.Parse()
	if *attackMode {
		return attackChild()
	}
	if *rounds < 1 {
		return errors.New("-rounds must be at least 1")
	}
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "flood-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "minerkit")
		b := exec.Command("go", "build", "-o", *bin, "./cmd/minerkit")
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			return fmt.Errorf("build minerkit (run from the repository root, or pass -bin): %w", err)
		}
	}
	f, err := bench.NewFixture(*nval)
	if err != nil {
		return err
	}
	fmt.Printf("machine: %d CPUs, %s/%s, %s; load average before: %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), loadavg())
	subnet, err := serve.StartSubnet(ctx, serve.SubnetConfig{Validators: f.Validators, Miner: f.Miner, N: 256, StakeTAO: 2000})
	if err != nil {
		return err
	}
	defer subnet.Close()
	const window = 5 * time.Minute
	sv, err := serve.StartServe(ctx, serve.ServeConfig{
		Binary: *bin, ChainURL: subnet.Node.URL(), Miner: f.Miner, Dir: tmp,
		Args: []string{"--epistula-window", window.String(), "--min-stake", "1000",
			"--rate-per-sec", "1000000", "--rate-burst", "1000000",
			"--gpu-type", "bench GPU", "--vram-gb", "80", "--gpu-count", "1", "--bid-per-hour", "1"},
		Extra: append(strings.Fields(*serveArgs), pprofArg(*profile)...),
	})
	if err != nil {
		return err
	}
	defer sv.Stop()
	pinned := "not pinned (1 CPU)"
	if n := runtime.NumCPU(); n >= 2 {
		server, rest := strconv.Itoa(n-1), "0-"+strconv.Itoa(n-2)
		if exec.Command("taskset", "-a", "-cp", server, strconv.Itoa(sv.Pid())).Run() == nil &&
			exec.Command("taskset", "-a", "-cp", rest, strconv.Itoa(os.Getpid())).Run() == nil {
			pinned = "server on CPU " + server + ", clients on CPUs " + rest
		} else {
			pinned = "not pinned (taskset failed)"
		}
	}
	fmt.Printf("minerkit serve %s (%s)\n", sv.URL, pinned)
	addr := strings.TrimPrefix(strings.TrimSuffix(sv.URL, "/cvm"), "http://")

	body := func(i int) []byte { return []byte(`{"nonce":"` + fmt.Sprintf("%016x", i) + `"}`) }
	fmt.Printf("signing requests ...\n")
	valid := f.Sign(150_000, body)
	var vi atomic.Int64
	nextValid := func(int) bench.Request { return valid[int(vi.Add(1)-1)%len(valid)] }
	vc := client("127.0.0.2", 64)

	// Capacity: validators alone, closed loop.
	cpu0 := sv.CPU()
	n, _ := closedLoop(vc, sv.URL, 32, *dur, nextValid)
	acceptedCPU := float64(sv.CPU()-cpu0) / float64(n)
	capacity := float64(n) / dur.Seconds()
	fmt.Printf("capacity: %.0f accepted req/s; server CPU per accepted request %.0f µs\n", capacity, acceptedCPU/1e3)

	// The attack classes run in a child process (attacker.go).
	wrap, how := attackWrap()
	fmt.Printf("attacker: a child process (%s)\n", how)
	// The replayed request is signed apart: the validators never send it.
	captured := f.Sign(1, func(int) []byte { return body(1 << 40) })[0]
	send(vc, sv.URL, captured) // accepted once; every copy after is a replay
	classes := classNames
	if *only != "" {
		classes = nil
		for _, c := range classNames {
			for w := range strings.SplitSeq(*only, ",") {
				if w != "" && strings.Contains(c.name, w) {
					classes = append(classes, c)
					break
				}
			}
		}
	}
	spec := func(name, src string) attackSpec {
		return attackSpec{Class: name, URL: sv.URL, Addr: addr, Src: src, Rate: capacity, Workers: 128, Duration: *dur,
			Receiver: f.Miner.Address(), Claim: f.Validators[0].Address(), Captured: captured}
	}
	// Every validator request is signed once and sent once: sign what the
	// runs at half the capacity will send (a request sent twice would be a
	// replay, refused, and its address shed); (b) runs the validators alone
	// before every class and after the last.
	if need := int(vi.Load()) + int(capacity/2*dur.Seconds()*1.2)*(2*len(classes)**rounds+1) + 1000; need > len(valid) {
		fmt.Printf("signing %d more validator requests ...\n", need-len(valid))
		valid = append(valid, f.Sign(need-len(valid), body)...)
	}

	type row struct {
		name             string
		cpuPer           float64 // ns
		codes            map[int]int
		shedConns        float64
		cpuOffered, sent float64
		runs             []bRun // (b), one per round
	}
	var rows []row
	// (a) each class alone.
	sched := ""
	for _, c := range classes {
		r := row{name: c.name}
		if c.name != slowClass {
			a, err := startAttacker(wrap, spec(c.name, c.src))
			if err != nil {
				return err
			}
			if sched == "" {
				sched = a.schedOf()
				fmt.Printf("attacker child's scheduling: %s\n", sched)
			}
			var prof chan []byte
			if *profile != "" {
				prof = cpuProfile(sv.Admin, *dur)
			}
			shed0 := metric(sv.Admin, "minerkit_guard_shed_connections_total")
			cpu0 := sv.CPU()
			if err := a.attack(); err != nil {
				a.kill()
				return err
			}
			res, err := a.result()
			if err != nil {
				return err
			}
			cpu := float64(sv.CPU() - cpu0)
			r.cpuPer, r.cpuOffered, r.codes, r.sent = cpu/float64(max(res.Sent, 1)), cpu/float64(max(res.Offered, 1)), res.Codes, res.Rate
			if r.codes == nil {
				r.codes = map[int]int{}
			}
			r.shedConns = metric(sv.Admin, "minerkit_guard_shed_connections_total") - shed0
			if prof != nil {
				name := *profile + "." + strings.Fields(c.name)[0] + "-" + c.src
				if err := os.WriteFile(name, <-prof, 0o644); err == nil {
					fmt.Printf("profile of %q: %s\n", c.name, name)
				}
			}
		}
		rows = append(rows, r)
	}
	// (b) validators at half capacity, alone before every class and after
	// the last, and beside each class. The p99 beside a class is divided
	// by the median of the runs alone.
	half := capacity / 2
	// This process holds hundreds of MB of pre-signed requests: a GC cycle
	// marks them for 0.2-0.5 s on CPU 0, a harness artefact that real
	// validators (other machines) do not share. So the collector runs
	// between the validators' runs, not during them (a memory limit keeps
	// a safety net).
	debug.SetMemoryLimit(8 << 30)
	validators := func() valRun {
		runtime.GC()
		gc := debug.SetGCPercent(-1)
		resetPeak(sv.Pid())
		st := &stats{}
		cpu0, self0, t0 := sv.CPU(), selfCPU(), time.Now()
		paced(ctx, vc, sv.URL, half, 64, *dur, nextValid, st)
		wall := float64(time.Since(t0))
		debug.SetGCPercent(gc)
		v := valRun{rate: float64(st.ok.Load()) / dur.Seconds(), p99: st.p99(), p99Late: st.p99Late(),
			serverCPU: float64(sv.CPU()-cpu0) / wall, clientCPU: float64(selfCPU()-self0) / wall}
		v.rss, _ = peakRSS(sv.Pid())
		return v
	}
	var alone []valRun
	aloneRun := func() {
		v := validators()
		alone = append(alone, v)
		fmt.Printf("validators alone at %.0f req/s offered: %.0f accepted/s, p99 %v, server CPU %.0f %%, validators' client CPU %.0f %%, peak RSS %d MiB\n",
			half, v.rate, v.p99.Round(time.Microsecond), 100*v.serverCPU, 100*v.clientCPU, v.rss>>20)
		time.Sleep(500 * time.Millisecond)
	}
	for range *rounds {
		for i, c := range classes {
			aloneRun()
			a, err := startAttacker(wrap, spec(c.name, c.src))
			if err != nil {
				return err
			}
			if err := a.attack(); err != nil {
				a.kill()
				return err
			}
			v := validators()
			res, err := a.result()
			if err != nil {
				return err
			}
			b := bRun{v: v, attacker: res.Rate, attCPU: float64(res.CPU) / float64(*dur)}
			if c.name == slowClass {
				b.attacker = float64(res.Opened)
			}
			rows[i].runs = append(rows[i].runs, b)
			pause := 500 * time.Millisecond
			if c.name == slowClass {
				pause = 2 * time.Second // serve closes the 2,000 connections
			}
			time.Sleep(pause)
		}
	}
	aloneRun()
	var aloneP99s, aloneLate, aloneRates, aloneServer, aloneClient []float64
	var spread []string
	for _, v := range alone {
		aloneP99s, aloneRates, aloneLate = append(aloneP99s, float64(v.p99)), append(aloneRates, v.rate), append(aloneLate, float64(v.p99Late))
		aloneServer, aloneClient = append(aloneServer, v.serverCPU), append(aloneClient, v.clientCPU)
		spread = append(spread, v.p99.Round(10*time.Microsecond).String())
	}
	aloneP99, aloneRate, aloneP99Late := median(aloneP99s), median(aloneRates), median(aloneLate)
	lo, hi := slices.Min(aloneP99s), slices.Max(aloneP99s)
	aloneRSS := alone[0].rss
	fmt.Printf("\nload average after: %s\n\n", loadavg())
	if n := vi.Load(); n > int64(len(valid)) {
		fmt.Printf("WARNING: the validators sent %d requests of %d signed: %d were replays\n", n, len(valid), n-int64(len(valid)))
	}
	if *showShed {
		if resp, err := http.Get(sv.Admin + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for l := range strings.SplitSeq(string(b), "\n") {
				if strings.HasPrefix(l, "minerkit_guard_shed") || strings.HasPrefix(l, "minerkit_guard_requests_total") {
					fmt.Println(l)
				}
			}
		}
		for l := range strings.SplitSeq(sv.Log(), "\n") {
			if strings.Contains(l, "addresses shed") {
				fmt.Println(l)
			}
		}
	}
	fmt.Printf("validators alone, %d runs (before every class and after the last): p99 %s; median %v, spread %v–%v (%.2f×); accepted/s median %.0f\n",
		len(alone), strings.Join(spread, ", "), time.Duration(aloneP99).Round(time.Microsecond), time.Duration(lo).Round(time.Microsecond),
		time.Duration(hi).Round(time.Microsecond), hi/max(lo, 1), aloneRate)
	fmt.Printf("(a) each class alone, offered at %.0f req/s for %v: server CPU per request offered, and per request sent (answered or failed)\n", capacity, *dur)
	fmt.Printf("(b) beside the validators at %.0f req/s offered, %d round(s); medians over the rounds (p99 of each round after the /); × alone: over the median of the runs alone; CPU: share of one CPU during the validators' run (server on its own CPU; validators' client and the attacker child share CPU 0)\n\n", half, *rounds)
	fmt.Printf("| class | (a) CPU/offered (× accepted) | (a) CPU/sent (× accepted) | (a) sent/s | (a) answers | (b) validators × alone | (b) validators' p99 (× alone) | (b) p99 from 1 s on (× alone) | (b) attacker achieved | (b) server CPU | (b) client CPU: validators + attacker | (b) server peak RSS |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| accepted validator request (alone, medians) | %.0f µs (1) | — | — | 200 | 1 | %v | %v | — | %.0f %% | %.0f %% | %d MiB |\n", acceptedCPU/1e3,
		time.Duration(aloneP99).Round(time.Microsecond), time.Duration(aloneP99Late).Round(time.Microsecond), 100*median(aloneServer), 100*median(aloneClient), aloneRSS>>20)
	for _, r := range rows {
		perOffered, perSent, sentRate, answers := "—", "—", "—", "—"
		if r.codes != nil {
			perOffered = fmt.Sprintf("%.2f µs (%.3f)", r.cpuOffered/1e3, r.cpuOffered/acceptedCPU)
			perSent = fmt.Sprintf("%.1f µs (%.2f)", r.cpuPer/1e3, r.cpuPer/acceptedCPU)
			sentRate = fmt.Sprintf("%.0f", r.sent)
			var parts []string
			for code, n := range r.codes {
				label := strconv.Itoa(code)
				if code == 0 {
					label = "conn error"
				}
				parts = append(parts, fmt.Sprintf("%s×%d", label, n))
			}
			slices.Sort(parts)
			if r.shedConns > 0 {
				parts = append(parts, fmt.Sprintf("(%.0f connections closed at accept)", r.shedConns))
			}
			answers = strings.Join(parts, " ")
		}
		var p99s, lates, rates, attackers, serverCPU, valCPU, attCPU []float64
		var each []string
		var rss int64
		for _, b := range r.runs {
			p99s, rates, attackers = append(p99s, float64(b.v.p99)), append(rates, b.v.rate), append(attackers, b.attacker)
			lates = append(lates, float64(b.v.p99Late))
			serverCPU, valCPU, attCPU = append(serverCPU, b.v.serverCPU), append(valCPU, b.v.clientCPU), append(attCPU, b.attCPU)
			each = append(each, fmt.Sprintf("%.2f", float64(b.v.p99)/aloneP99))
			rss = max(rss, b.v.rss)
		}
		p99 := median(p99s)
		p99Cell := fmt.Sprintf("%v (%.2f×)", time.Duration(p99).Round(time.Microsecond), p99/aloneP99)
		if len(each) > 1 {
			p99Cell += " / " + strings.Join(each, ", ")
		}
		late := median(lates)
		lateCell := fmt.Sprintf("%v (%.2f×)", time.Duration(late).Round(time.Microsecond), late/aloneP99Late)
		att := fmt.Sprintf("%.0f req/s of %.0f offered", median(attackers), capacity)
		if r.codes == nil {
			att = fmt.Sprintf("%.0f connections opened", median(attackers))
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %.2f | %s | %s | %s | %.0f %% | %.0f %% + %.0f %% | %d MiB |\n", r.name, perOffered, perSent, sentRate, answers,
			median(rates)/aloneRate, p99Cell, lateCell, att, 100*median(serverCPU), 100*median(valCPU), 100*median(attCPU), rss>>20)
	}
	return nil
}

// validators' run in (b).
type valRun struct {
	rate, serverCPU, clientCPU float64
	p99, p99Late               time.Duration
	rss                        int64
}

// bRun is one run of (b) beside an attack class.
type bRun struct {
	v        valRun
	attacker float64 // sent/s, or connections opened
	attCPU   float64 // the attacker child's share of one CPU
}

// median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
