package orchestrator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/internal/interoptest"
)

// nodeOrchestrator runs interop/orchestrator.js, the real socket.io server,
// and can kill and restart it on the same port with the same results file.
type nodeOrchestrator struct {
	t    testing.TB
	cfg  map[string]any
	port int

	mu     sync.Mutex
	cmd    *exec.Cmd
	stderr *lockedWriter
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newNodeOrchestrator prepares a server (not started) with cfg; "port" and
// "state" are filled in.
func newNodeOrchestrator(t testing.TB, cfg map[string]any) *nodeOrchestrator {
	t.Helper()
	if cfg == nil {
		cfg = map[string]any{}
	}
	port := freePort(t)
	cfg["port"] = port
	if s, ok := cfg["state"]; !ok || s == "" {
		cfg["state"] = filepath.Join(t.TempDir(), "results.jsonl")
	}
	o := &nodeOrchestrator{t: t, cfg: cfg, port: port}
	t.Cleanup(o.kill)
	return o
}

func (o *nodeOrchestrator) url() string { return "http://127.0.0.1:" + strconv.Itoa(o.port) }

func (o *nodeOrchestrator) start() {
	t := o.t
	t.Helper()
	dir := interoptest.Dir(t)
	cfg, _ := json.Marshal(o.cfg)
	cmd := exec.Command(interoptest.Node(t), filepath.Join(dir, "orchestrator.js"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(cfg)
	stderr := &lockedWriter{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Right after a SIGKILL the port can stay busy for a moment.
	for try := 0; ; try++ {
		if err := cmd.Start(); err != nil {
			t.Fatalf("start orchestrator.js: %v", err)
		}
		ready := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(out)
			if sc.Scan() {
				ready <- sc.Text()
			}
			close(ready)
		}()
		select {
		case line, ok := <-ready:
			if ok && bytes.Contains([]byte(line), []byte(`"ready":true`)) {
				o.mu.Lock()
				o.cmd, o.stderr = cmd, stderr
				o.mu.Unlock()
				return
			}
		case <-time.After(15 * time.Second):
		}
		cmd.Process.Kill()
		cmd.Wait()
		if try == 20 {
			t.Fatalf("orchestrator.js did not start:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
		cmd = exec.Command(cmd.Path, cmd.Args[1:]...)
		cmd.Dir = dir
		cmd.Stdin = bytes.NewReader(cfg)
		cmd.Stderr = stderr
		if out, err = cmd.StdoutPipe(); err != nil {
			t.Fatal(err)
		}
	}
}

// kill stops the server abruptly (SIGKILL), as a crash would.
func (o *nodeOrchestrator) kill() {
	o.mu.Lock()
	cmd := o.cmd
	o.cmd = nil
	o.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

func (o *nodeOrchestrator) restart() {
	o.kill()
	o.start()
}

func (o *nodeOrchestrator) logs() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stderr == nil {
		return ""
	}
	return o.stderr.String()
}

type serverStats struct {
	PID           int            `json:"pid"`
	Results       int            `json:"results"`
	Done          int            `json:"done"`
	Duplicates    int            `json:"duplicates"`
	Mismatches    int            `json:"mismatches"`
	ViaAck        int            `json:"viaAck"`
	ViaResults    int            `json:"viaResults"`
	Connects      int            `json:"connects"`
	Refused       map[string]int `json:"refused"`
	Heartbeats    int            `json:"heartbeats"`
	LastHeartbeat *Heartbeat     `json:"lastHeartbeat"`
	Peers         int            `json:"peers"`
	Redelivered   []Result       `json:"redeliveredAnswers"`
}

// control calls a control endpoint; it returns an error while the server is
// down.
func (o *nodeOrchestrator) control(path string, body any, out any) error {
	b, _ := json.Marshal(body)
	method := http.MethodPost
	if body == nil {
		method = http.MethodGet
	}
	req, _ := http.NewRequest(method, o.url()+"/control/"+path, bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("control %s: %s", path, resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

func (o *nodeOrchestrator) stats() (serverStats, error) {
	var s serverStats
	err := o.control("stats", nil, &s)
	return s, err
}

// waitFor polls the server's stats until cond holds or the timeout passes.
func (o *nodeOrchestrator) waitFor(timeout time.Duration, what string, cond func(serverStats) bool) serverStats {
	o.t.Helper()
	deadline := time.Now().Add(timeout)
	var last serverStats
	for time.Now().Before(deadline) {
		if s, err := o.stats(); err == nil {
			last = s
			if cond(s) {
				return s
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	o.t.Fatalf("timed out waiting for %s; last stats %+v\nserver log:\n%s", what, last, o.logs())
	return last
}

// results reads the server's persisted results file.
func (o *nodeOrchestrator) results() map[string]Result {
	o.t.Helper()
	b, err := os.ReadFile(o.cfg["state"].(string))
	if err != nil {
		o.t.Fatal(err)
	}
	out := make(map[string]Result)
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r Result
		if err := json.Unmarshal(line, &r); err != nil {
			continue // torn line after a kill
		}
		if _, dup := out[r.ID]; dup {
			o.t.Errorf("results file holds %s twice", r.ID)
		}
		out[r.ID] = r
	}
	return out
}

type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
