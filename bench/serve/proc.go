package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/wallet"
)

// Proc is a server the harness started as a child process.
type Proc struct {
	// URL is where the measured route is served.
	URL string
	// Admin is the base URL of /ready and /metrics ("" for the Node peer).
	Admin string
	cmd   *exec.Cmd
	// exited is closed when the child has been waited for; waitErr is then
	// its exit status.
	exited  chan struct{}
	waitErr error
	tail    *tailBuffer
	// logPath, if set, is the file the child's standard error goes to.
	logPath string
}

// CPU returns the CPU time (user + system) the child has used so far, read
// from /proc (0 where there is none).
func (p *Proc) CPU() time.Duration { return procCPU(p.cmd.Process.Pid) }

// Pid returns the child's process id (to pin it to CPUs, read its
// /proc/PID/status).
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Stop ends the child with SIGTERM (then SIGKILL after 10 s) and waits.
func (p *Proc) Stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	return p.waitErr
}

// Log returns the last lines the child wrote to standard error.
func (p *Proc) Log() string {
	if p.logPath == "" {
		return p.tail.String()
	}
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 16<<10 {
		b = b[len(b)-16<<10:]
	}
	return string(b)
}

// ServeConfig starts `minerkit serve`.
type ServeConfig struct {
	// Binary is the built minerkit.
	Binary string
	// ChainURL is the devnet's WebSocket URL.
	ChainURL string
	// Miner is the miner's hotkey, written into a temporary wallet.
	Miner *keys.Keypair
	// Dir holds the wallet.
	Dir string
	// Args are flags for serve (rate limits, window, ...); Extra come after
	// them and win.
	Args, Extra []string
}

// StartServe runs the minerkit binary's serve command on loopback ports and
// waits until /ready answers 200.
func StartServe(ctx context.Context, cfg ServeConfig) (*Proc, error) {
	w, err := wallet.New(cfg.Dir, "bench", "miner")
	if err != nil {
		return nil, err
	}
	if err := w.CreateHotkey(cfg.Miner, "", nil, true); err != nil {
		return nil, fmt.Errorf("serve: write the miner's hotkey: %w", err)
	}
	// Ports picked here (not :0) so that nothing depends on the log level.
	api, err := freeAddr()
	if err != nil {
		return nil, err
	}
	admin, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--netuid", strconv.Itoa(NetUID), "--network", cfg.ChainURL,
		"--wallet.path", cfg.Dir, "--wallet.name", "bench", "--wallet.hotkey", "miner",
		"--listen", api, "--admin-listen", admin, "--log-format", "json"}, cfg.Args...)
	args = append(args, cfg.Extra...)
	cmd := exec.Command(cfg.Binary, args...)
	cmd.Env = append(os.Environ(), "BT_WALLET_PATH=", "MINERKIT_CONFIG=")
	// The log goes to a file, as under a service manager: no process of the
	// harness spends CPU reading it during the runs.
	p, err := startLogged(cmd, filepath.Join(cfg.Dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	p.URL, p.Admin = "http://"+api+"/cvm", "http://"+admin
	if err := waitReady(ctx, p); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

func waitReady(ctx context.Context, p *Proc) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.Admin+"/ready", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("serve: the miner did not become ready in a minute; its log:\n%s", p.Log())
		case <-p.exited:
			return fmt.Errorf("serve: the miner exited (%v); its log:\n%s", p.waitErr, p.Log())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// NodeConfig starts the Node peer.
type NodeConfig struct {
	// Script is bench/peers/epistula-node.js.
	Script string
	// Crypto is the interop/ package the peer verifies with:
	// "util-crypto-13" (wasm sr25519, the fastest a Node miner can use) or
	// "@polkadot/util-crypto" (14, pure JavaScript). Empty: the latter.
	Crypto string
	// Self is the miner's SS58 address (Signed-For).
	Self     string
	Window   time.Duration
	MinStake uint64 // rao
	Neurons  []Neuron
}

// StartNode runs the Node peer with the subnet's neurons as its validator
// table.
func StartNode(ctx context.Context, cfg NodeConfig) (*Proc, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("serve: the Node peer needs node on PATH: %w", err)
	}
	type entry struct {
		Stake  uint64 `json:"stake"`
		Permit bool   `json:"permit"`
	}
	in := struct {
		Self       string           `json:"self"`
		WindowMs   int64            `json:"window_ms"`
		MinStake   uint64           `json:"min_stake"`
		Validators map[string]entry `json:"validators"`
	}{cfg.Self, cfg.Window.Milliseconds(), cfg.MinStake, map[string]entry{}}
	for _, n := range cfg.Neurons {
		in.Validators[n.Hotkey] = entry{n.Stake, n.Permit}
	}
	stdin, _ := json.Marshal(in)
	cmd := exec.Command(node, cfg.Script)
	cmd.Stdin = strings.NewReader(string(stdin))
	if cfg.Crypto != "" {
		cmd.Env = append(os.Environ(), "MINERKIT_PEER_CRYPTO="+cfg.Crypto)
	}
	var addr string
	p, err := start(cmd, func(line []byte) bool {
		var out struct{ Addr string }
		if json.Unmarshal(line, &out) == nil && out.Addr != "" {
			addr = out.Addr
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	p.URL = "http://" + addr + "/cvm"
	return p, nil
}

// StartChild runs cmd, a server that writes one line {"url": "http://…"}
// on its standard output once it listens (the harness's own bare-verify
// child does), and returns it with that URL.
func StartChild(cmd *exec.Cmd) (*Proc, error) {
	var url string
	p, err := start(cmd, func(line []byte) bool {
		var out struct{ URL string }
		if json.Unmarshal(line, &out) == nil && out.URL != "" {
			url = out.URL
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	p.URL = url
	return p, nil
}

// start runs cmd and waits (at most a minute) until found accepts a line of
// its standard output; the rest is drained, and standard error kept for
// errors.
func start(cmd *exec.Cmd, found func([]byte) bool) (*Proc, error) {
	p := &Proc{cmd: cmd, exited: make(chan struct{}), tail: &tailBuffer{}}
	r, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = p.tail
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("serve: start %s: %w", filepath.Base(cmd.Path), err)
	}
	ok := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if found(sc.Bytes()) {
				close(ok)
				break
			}
		}
		io.Copy(io.Discard, r)
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, p.waitStart(ok)
}

// startLogged runs cmd with its standard error written to the file logPath.
func startLogged(cmd *exec.Cmd, logPath string) (*Proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = f
	err = cmd.Start()
	f.Close() // the child holds its own descriptor
	if err != nil {
		return nil, fmt.Errorf("serve: start %s: %w", filepath.Base(cmd.Path), err)
	}
	p := &Proc{cmd: cmd, exited: make(chan struct{}), logPath: logPath}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("serve: find a free loopback port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (p *Proc) waitStart(ok <-chan struct{}) error {
	name := filepath.Base(p.cmd.Path)
	select {
	case <-ok:
		return nil
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("serve: %s did not start in a minute; its output:\n%s", name, p.Log())
	case <-p.exited:
		return fmt.Errorf("serve: %s exited at start (%v); its output:\n%s", name, p.waitErr, p.Log())
	}
}

// procCPU reads utime + stime of pid from /proc/pid/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields resume after ")".
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticksPerSecond
}

// tailBuffer keeps the last 16 KiB written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 16<<10 {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-16<<10:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// StartLogged runs cmd (nginx, redis-server: anything the harness measures
// beside serve) with its standard error written to logPath; its CPU time is
// then read like serve's.
func StartLogged(cmd *exec.Cmd, logPath string) (*Proc, error) { return startLogged(cmd, logPath) }
