package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	done  chan error
	tail  *tailBuffer
}

// CPU returns the CPU time (user + system) the child has used so far, read
// from /proc (0 where there is none).
func (p *Proc) CPU() time.Duration { return procCPU(p.cmd.Process.Pid) }

// Stop ends the child with SIGTERM (then SIGKILL after 10 s) and waits.
func (p *Proc) Stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		return <-p.done
	}
}

// Log returns the last lines the child wrote to standard error.
func (p *Proc) Log() string { return p.tail.String() }

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
	// Extra flags (rate limits, window, ...).
	Args []string
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
	args := append([]string{"serve", "--netuid", strconv.Itoa(NetUID), "--network", cfg.ChainURL,
		"--wallet.path", cfg.Dir, "--wallet.name", "bench", "--wallet.hotkey", "miner",
		"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--log-format", "json"}, cfg.Args...)
	cmd := exec.Command(cfg.Binary, args...)
	cmd.Env = append(os.Environ(), "BT_WALLET_PATH=", "MINERKIT_CONFIG=")
	var serving struct{ API, Admin string }
	p, err := start(cmd, func(line []byte) bool {
		var rec struct{ Msg, API, Admin string }
		if json.Unmarshal(line, &rec) == nil && rec.Msg == "miner serving" {
			serving.API, serving.Admin = rec.API, rec.Admin
			return true
		}
		return false
	}, true)
	if err != nil {
		return nil, err
	}
	p.URL, p.Admin = "http://"+serving.API+"/cvm", "http://"+serving.Admin
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
		case err := <-p.done:
			return fmt.Errorf("serve: the miner exited (%v); its log:\n%s", err, p.Log())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// NodeConfig starts the Node peer.
type NodeConfig struct {
	// Script is bench/peers/epistula-node.js.
	Script string
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
	var addr string
	p, err := start(cmd, func(line []byte) bool {
		var out struct{ Addr string }
		if json.Unmarshal(line, &out) == nil && out.Addr != "" {
			addr = out.Addr
			return true
		}
		return false
	}, false)
	if err != nil {
		return nil, err
	}
	p.URL = "http://" + addr + "/cvm"
	return p, nil
}

// start runs cmd and waits (at most a minute) until found accepts a line of
// its standard error (fromStderr) or output; the rest is drained, the last
// lines kept for errors.
func start(cmd *exec.Cmd, found func([]byte) bool, fromStderr bool) (*Proc, error) {
	p := &Proc{cmd: cmd, done: make(chan error, 1), tail: &tailBuffer{}}
	var r io.ReadCloser
	var err error
	if fromStderr {
		r, err = cmd.StderrPipe()
	} else {
		r, err = cmd.StdoutPipe()
		cmd.Stderr = p.tail
	}
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("serve: start %s: %w", filepath.Base(cmd.Path), err)
	}
	ok := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		seen := false
		for sc.Scan() {
			if !seen {
				p.tail.Write(append(sc.Bytes(), '\n'))
				if found(sc.Bytes()) {
					seen = true
					close(ok)
				}
			}
		}
		io.Copy(io.Discard, r)
		p.done <- cmd.Wait()
	}()
	select {
	case <-ok:
		return p, nil
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		return nil, fmt.Errorf("serve: %s did not start in a minute; its output:\n%s", filepath.Base(cmd.Path), p.tail.String())
	case <-p.done:
		return nil, fmt.Errorf("serve: %s exited at start; its output:\n%s", filepath.Base(cmd.Path), p.tail.String())
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
