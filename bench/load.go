package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one load run.
type Result struct {
	Requests int           // answered requests
	Errors   int           // transport errors and non-200 answers
	Elapsed  time.Duration // wall time of the run
	P50, P99 time.Duration // client-side latency percentiles
	// CPU is the CPU time the process (clients and server) used during the
	// run. Requests per CPU-second is robust to other load on the machine.
	CPU time.Duration
	// ServerCPU is the CPU time of the server's own process during the run
	// (zero when the server runs inside the load generator's process).
	ServerCPU time.Duration
}

// PerServerCPUSecond is answered requests per CPU-second of the server
// process alone: what a miner operator pays for. 0 when unknown.
func (r Result) PerServerCPUSecond() float64 {
	if r.ServerCPU <= 0 {
		return 0
	}
	return float64(r.Requests) / r.ServerCPU.Seconds()
}

// PerCPUSecond is answered requests per CPU-second (clients included): times
// the number of cores, the throughput of an otherwise idle machine.
func (r Result) PerCPUSecond() float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(r.Requests) / r.CPU.Seconds()
}

// RPS is answered requests per second.
func (r Result) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("%6.0f req/s  %6.0f req/CPU-s  p50 %-8v p99 %-8v (%d requests, %d errors, %v)",
		r.RPS(), r.PerCPUSecond(), r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Requests, r.Errors, r.Elapsed.Round(time.Millisecond))
}

// Load sends reqs to url with concurrency workers over keep-alive
// connections, each request once, until all are sent or d has passed.
func Load(ctx context.Context, url string, reqs []Request, concurrency int, d time.Duration) (Result, error) {
	return load(ctx, url, reqs, concurrency, d, false)
}

// LoadOrdered is Load with the requests dealt out in lanes: worker w sends
// requests w, w+concurrency, w+2·concurrency, … in that order, one at a
// time. Requests that must arrive in order (Axon nonces, strictly
// increasing per dendrite) keep it when each dendrite's requests fall in
// one lane.
func LoadOrdered(ctx context.Context, url string, reqs []Request, concurrency int, d time.Duration) (Result, error) {
	return load(ctx, url, reqs, concurrency, d, true)
}

func load(ctx context.Context, url string, reqs []Request, concurrency int, d time.Duration, lanes bool) (Result, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{}).DialContext,
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()

	var next atomic.Int64
	var errs atomic.Int64
	lat := make([][]time.Duration, concurrency)
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), processCPU()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			mine := make([]time.Duration, 0, len(reqs)/concurrency+1)
			for k := 0; ctx.Err() == nil; k++ {
				i := int(next.Add(1)) - 1
				if lanes {
					i = w + k*concurrency
				}
				if i >= len(reqs) {
					break
				}
				req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(reqs[i].Body))
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				for k, v := range reqs[i].Header {
					req.Header[k] = v
				}
				req.Header["Content-Type"] = []string{"application/json"}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
						errOnce.Do(func() { firstErr = err })
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
					errOnce.Do(func() { firstErr = fmt.Errorf("bench: status %d from %s", resp.StatusCode, url) })
				}
			}
			lat[w] = mine
		}(w)
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), CPU: processCPU() - cpu0, Errors: int(errs.Load())}
	all := slices.Concat(lat...)
	res.Requests = len(all)
	if len(all) > 0 {
		slices.Sort(all)
		res.P50 = all[len(all)/2]
		res.P99 = all[len(all)*99/100]
	}
	if res.Errors > 0 {
		return res, fmt.Errorf("bench: %d of %d requests failed, first: %w", res.Errors, res.Requests, firstErr)
	}
	return res, nil
}

// Serve starts h on a loopback port and returns its URL and a stop function.
func Serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("bench: listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/forward", func() { srv.Close() }, nil
}
