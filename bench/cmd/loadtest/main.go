// Command loadtest measures the request path of a Pattern A miner on this
// machine: a bare handler doing one sr25519 verification (the limit) against
// the full guard stack, over loopback, with pre-signed unique requests.
//
//	go run ./bench/cmd/loadtest [-c 32] [-rounds 5] [-duration 1s] [-requests 30000]
//
// It prints req/s and client-side p50/p99 for both servers, their ratio, and
// the guard's overhead besides the signature check (in-process, serial).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/minerkit/minerkit/bench"
	"github.com/minerkit/minerkit/epistula"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type report struct {
	CPUs          int           `json:"cpus"`
	Concurrency   int           `json:"concurrency"`
	Rounds        int           `json:"rounds"`
	Bare          bench.Summary `json:"bare"`
	Full          bench.Summary `json:"full"`
	Ratio         float64       `json:"ratio"`
	CPURatio      float64       `json:"cpu_ratio"`
	OverheadP50us float64       `json:"overhead_p50_us"`
	OverheadP99us float64       `json:"overhead_p99_us"`
	VerifyP50us   float64       `json:"verify_p50_us"`
}

func run() error {
	conc := flag.Int("c", 32, "concurrent client connections")
	dur := flag.Duration("duration", time.Second, "length of each run")
	rounds := flag.Int("rounds", 5, "alternating rounds of runs (bare, full, full, bare, …); medians are reported")
	n := flag.Int("requests", 30000, "at most this many requests per run (pre-signed before it)")
	validators := flag.Int("validators", 8, "distinct validator hotkeys signing the requests")
	serial := flag.Int("overhead", 5000, "requests for the serial in-process overhead measurement")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	flag.Parse()
	if *n < 1 || *conc < 1 || *rounds < 1 {
		return fmt.Errorf("-requests, -c and -rounds must be positive")
	}

	f, err := bench.NewFixture(*validators)
	if err != nil {
		return err
	}
	// The default window, as miners run it: requests are signed just before
	// each run, which is shorter than the window; replay-cache entries live
	// as long as they would in production.
	window := epistula.DefaultWindow
	ctx := context.Background()
	log := func(format string, args ...any) {
		if !*asJSON {
			fmt.Printf(format, args...)
		}
	}
	log("machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	log("load: %d connections, %d rounds of %v per server, at most %d pre-signed requests per run, %d validators\n\n", *conc, *rounds, *dur, *n, *validators)

	full, err := f.Full(io.Discard, window)
	if err != nil {
		return err
	}
	servers := []struct {
		name string
		h    http.Handler
		url  string
		runs []bench.Result
	}{{name: "bare (one sr25519 verify)", h: f.Bare()}, {name: "full guard stack", h: full}}
	for i := range servers {
		url, stop, err := bench.Serve(servers[i].h)
		if err != nil {
			return err
		}
		defer stop()
		servers[i].url = url
		// Warm-up: connections, caches, heap.
		if _, err := bench.Load(ctx, url, f.Sign(2000, bench.Body), *conc, *dur); err != nil {
			return fmt.Errorf("warm-up of %s: %w", servers[i].name, err)
		}
	}
	// Short alternating rounds, so that other load on a shared machine
	// hits both servers alike; the medians are reported.
	for round := 0; round < *rounds; round++ {
		for k := range servers {
			s := &servers[(k+round)%len(servers)]
			reqs := f.Sign(*n, func(i int) []byte { return bench.Body(i + 1_000_000*(round+1)) })
			res, err := bench.Load(ctx, s.url, reqs, *conc, *dur)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if res.Requests == *n {
				log("note: all %d pre-signed requests were used before %v: raise -requests\n", *n, *dur)
			}
			s.runs = append(s.runs, res)
			log("round %d  %-26s %v\n", round+1, s.name, res)
		}
	}
	var rep report
	rep.CPUs, rep.Concurrency, rep.Rounds = runtime.NumCPU(), *conc, *rounds
	log("\nmedians of %d rounds:\n", *rounds)
	for i, out := range []*bench.Summary{&rep.Bare, &rep.Full} {
		*out = bench.Median(servers[i].runs)
		log("%-26s %6.0f req/s  %6.0f req/CPU-s  p50 %6.0fµs  p99 %6.0fµs\n", servers[i].name, out.RPS, out.PerCPUSec, out.P50us, out.P99us)
	}
	// Ratios are taken within each round (the two runs are seconds apart,
	// under the same outside load) and the median is reported.
	var ratios, cpuRatios []float64
	for r := 0; r < *rounds; r++ {
		b, f := servers[0].runs[r], servers[1].runs[r]
		ratios = append(ratios, f.RPS()/b.RPS())
		if b.PerCPUSecond() > 0 {
			cpuRatios = append(cpuRatios, f.PerCPUSecond()/b.PerCPUSecond())
		}
	}
	rep.Ratio, rep.CPURatio = bench.MedianOf(ratios), bench.MedianOf(cpuRatios)
	log("\nfull / bare, median of the per-round ratios: throughput %.1f %%, requests per CPU-second %.1f %%  (target ≥ 90 %%)\n", 100*rep.Ratio, 100*rep.CPURatio)
	if q := rep.Ratio / rep.CPURatio; rep.CPURatio > 0 && (q < 0.8 || q > 1.25) {
		log("(the two ratios disagree: other processes are using this machine; trust the CPU-normalized one)\n")
	}

	oh, err := bench.MeasureOverhead(f, f.Sign(*serial, func(i int) []byte { return bench.Body(i + 2_000_000) }), window)
	if err != nil {
		return err
	}
	rep.OverheadP50us, rep.OverheadP99us, rep.VerifyP50us = bench.Micros(oh.P50), bench.Micros(oh.P99), bench.Micros(oh.Verify)
	log("guard overhead besides the signature check (serial, in-process, %d requests): p50 %v  p99 %v  max %v  (target p99 < 50µs; verification itself: p50 %v)\n",
		oh.N, oh.P50.Round(100*time.Nanosecond), oh.P99.Round(100*time.Nanosecond), oh.Max.Round(time.Microsecond), oh.Verify.Round(time.Microsecond))
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return nil
}
