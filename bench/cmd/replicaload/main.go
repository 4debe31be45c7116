// Command replicaload measures what replicas cost and give: the aggregate
// throughput of `minerkit serve` alone, with its guard state in Redis, and
// behind nginx (deploy/nginx.conf, its ports substituted) with one and with
// three replicas sharing that Redis. Pre-signed unique requests come from the
// validators of an in-process devnet subnet, as in serveload; rounds
// alternate between the setups and medians are reported, with requests per
// CPU-second of every server-side process (replicas, nginx, redis-server).
//
//	go run ./bench/cmd/replicaload [-c 32] [-rounds 3] [-duration 3s] [-bin bin/minerkit]
//
// nginx runs as one process (master_process off): the figure is per nginx
// worker. On a machine with few cores the replicas compete for the same
// CPUs, so three replicas cannot serve more than one does there; what they
// buy is surviving the loss of one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/minerkit/minerkit/bench"
	"github.com/minerkit/minerkit/bench/serve"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "replicaload:", err)
		os.Exit(1)
	}
}

// setup is one way of serving, measured as a whole.
type setup struct {
	name  string
	url   string
	procs []*serve.Proc // every server-side process it uses
	runs  []bench.Result
}

func (s *setup) cpu() time.Duration {
	var d time.Duration
	for _, p := range s.procs {
		d += p.CPU()
	}
	return d
}

func body(i int) []byte { return []byte(`{"nonce":"` + fmt.Sprintf("%016x", i) + `"}`) }

func run() error {
	conc := flag.Int("c", 32, "concurrent client connections")
	dur := flag.Duration("duration", 3*time.Second, "length of each run")
	rounds := flag.Int("rounds", 3, "alternating rounds; medians are reported")
	n := flag.Int("requests", 100000, "at most this many pre-signed requests per run")
	nval := flag.Int("validators", 64, "validators (they sign the requests)")
	uids := flag.Int("uids", 128, "UIDs in the devnet subnet")
	bin := flag.String("bin", "", "the minerkit binary (default: build ./cmd/minerkit into a temporary directory)")
	nginxBin := flag.String("nginx", "", "the nginx binary (default: nginx on PATH, else /usr/sbin/nginx)")
	conf := flag.String("nginx-conf", "deploy/nginx.conf", "the nginx site configuration to run")
	flag.Parse()
	if *n < 1 || *conc < 1 || *rounds < 1 || *nval < 1 || *uids <= *nval {
		return errors.New("-requests, -c, -rounds, -validators must be positive and -uids above -validators")
	}
	if *nginxBin == "" {
		if p, err := exec.LookPath("nginx"); err == nil {
			*nginxBin = p
		} else {
			*nginxBin = "/usr/sbin/nginx"
		}
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("redis-server not found (apt-get install redis-server): %w", err)
	}
	site, err := os.ReadFile(*conf)
	if err != nil {
		return fmt.Errorf("read the nginx configuration (run from the repository root, or pass -nginx-conf): %w", err)
	}
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "replicaload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "minerkit")
		fmt.Println("building minerkit ...")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/minerkit")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build minerkit: %w", err)
		}
	}
	f, err := bench.NewFixture(*nval)
	if err != nil {
		return err
	}
	fmt.Printf("machine: %d CPUs, %s/%s, %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	subnet, err := serve.StartSubnet(ctx, serve.SubnetConfig{Validators: f.Validators, Miner: f.Miner, N: *uids, StakeTAO: 2000})
	if err != nil {
		return err
	}
	defer subnet.Close()

	redisAddr, err := freeAddr()
	if err != nil {
		return err
	}
	_, redisPort, _ := net.SplitHostPort(redisAddr)
	redis, err := serve.StartLogged(exec.Command(redisBin, "--bind", "127.0.0.1", "--port", redisPort, "--save", "", "--appendonly", "no", "--dir", tmp),
		filepath.Join(tmp, "redis.log"))
	if err != nil {
		return err
	}
	defer redis.Stop()
	if err := waitListen(redisAddr); err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}

	const window = 5 * time.Minute
	start := func(name string, extra ...string) (*serve.Proc, error) {
		dir := filepath.Join(tmp, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return nil, err
		}
		p, err := serve.StartServe(ctx, serve.ServeConfig{
			Binary: *bin, ChainURL: subnet.Node.URL(), Miner: f.Miner, Dir: dir,
			Args: []string{"--epistula-window", window.String(), "--min-stake", "1000",
				"--rate-per-sec", "1000000", "--rate-burst", "1000000",
				"--gpu-type", "bench GPU", "--vram-gb", "80", "--gpu-count", "1", "--bid-per-hour", "1"},
			Extra: extra,
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return p, nil
	}
	alone, err := start("alone")
	if err != nil {
		return err
	}
	defer alone.Stop()
	shared := []string{"--redis", "redis://" + redisAddr + "/0", "--trusted-proxies", "127.0.0.1"}
	var reps []*serve.Proc
	for i := range 3 {
		p, err := start(fmt.Sprintf("replica%d", i+1), shared...)
		if err != nil {
			return err
		}
		defer p.Stop()
		reps = append(reps, p)
	}
	// nginx in front of replica 1 only (all three upstream lines name it)
	// and in front of all three.
	one, err := startNginx(ctx, *nginxBin, string(site), filepath.Join(tmp, "nginx1"), []*serve.Proc{reps[0], reps[0], reps[0]})
	if err != nil {
		return err
	}
	defer one.Stop()
	three, err := startNginx(ctx, *nginxBin, string(site), filepath.Join(tmp, "nginx3"), reps)
	if err != nil {
		return err
	}
	defer three.Stop()

	setups := []*setup{
		{name: "serve alone", url: alone.URL, procs: []*serve.Proc{alone}},
		{name: "serve + Redis", url: reps[0].URL, procs: []*serve.Proc{reps[0], redis}},
		{name: "nginx → 1 replica", url: one.URL, procs: []*serve.Proc{one, reps[0], redis}},
		{name: "nginx → 3 replicas", url: three.URL, procs: append([]*serve.Proc{three, redis}, reps...)},
	}
	fmt.Printf("load: %d connections, %d rounds of %v per setup, from %d validators\n", *conc, *rounds, *dur, *nval)
	runOne := func(s *setup, reqs []bench.Request) (bench.Result, error) {
		cpu0 := s.cpu()
		res, err := bench.Load(ctx, s.url, reqs, *conc, *dur)
		res.ServerCPU = s.cpu() - cpu0
		res.CPU += res.ServerCPU
		if err == nil && res.Errors > 0 {
			err = fmt.Errorf("%d of %d requests failed", res.Errors, res.Requests+res.Errors)
		}
		return res, err
	}
	fmt.Printf("load average before: %s\n", loadavg())
	for i, s := range setups {
		warm := f.Sign(1000, func(j int) []byte { return body(j + i*1_000_000) })
		if _, err := runOne(s, warm); err != nil {
			return fmt.Errorf("warm-up of %s: %w", s.name, err)
		}
	}
	for round := range *rounds {
		for k := range setups {
			// Every run its own requests: replicas share one replay store.
			reqs := f.Sign(*n, func(i int) []byte { return body(i + (round*len(setups)+k+1)*10_000_000) })
			s := setups[(k+round)%len(setups)]
			res, err := runOne(s, reqs)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			s.runs = append(s.runs, res)
			fmt.Printf("round %d  %-20s %v\n", round+1, s.name, res)
		}
	}
	fmt.Printf("\nload average after: %s\nmedians of %d rounds (server CPU: every replica, nginx and redis-server of the setup):\n", loadavg(), *rounds)
	for _, s := range setups {
		r := bench.Median(s.runs)
		fmt.Printf("%-20s %7.0f req/s  %7.0f req/server-CPU-s  p50 %7.0fµs  p99 %7.0fµs\n", s.name, r.RPS, r.PerServerCPUSec, r.P50us, r.P99us)
	}
	return nil
}

// startNginx runs the site configuration with its listen port and its
// three upstream servers replaced.
func startNginx(ctx context.Context, bin, site, dir string, upstream []*serve.Proc) (*serve.Proc, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	subst := map[string]string{"listen 8091;": "listen " + addr + ";"}
	for i, p := range upstream {
		host := strings.TrimSuffix(strings.TrimPrefix(p.URL, "http://"), "/cvm")
		subst[fmt.Sprintf("server 127.0.0.1:%d ", 18091+i)] = "server " + host + " "
	}
	for from, to := range subst {
		if strings.Count(site, from) != 1 {
			return nil, fmt.Errorf("the nginx configuration does not hold %q once", from)
		}
		site = strings.Replace(site, from, to, 1)
	}
	if err := os.WriteFile(filepath.Join(dir, "minerkit.conf"), []byte(site), 0o600); err != nil {
		return nil, err
	}
	mainConf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
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
		return nil, err
	}
	p, err := serve.StartLogged(exec.CommandContext(ctx, bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", "stderr"), filepath.Join(dir, "error.log"))
	if err != nil {
		return nil, err
	}
	if err := waitListen(addr); err != nil {
		p.Stop()
		b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return nil, fmt.Errorf("nginx: %w\n%s", err, b)
	}
	p.URL = "http://" + addr + "/cvm"
	return p, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitListen(addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s after 10 s: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func loadavg() string {
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
