// Package orchestratortest runs interop/orchestrator.js, a real socket.io
// 4.x orchestrator, for tests of Pattern B miners: start it, kill it (as a
// crash would), restart it on the same port with the same results file, and
// drive it through its control endpoints.
//
// It must never be imported by non-test code.
package orchestratortest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

// Server is one orchestrator.js, started and restarted on demand.
type Server struct {
	t    testing.TB
	cfg  map[string]any
	port int

	mu     sync.Mutex
	cmd    *exec.Cmd
	stderr *lockedBuffer
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// New prepares a server (not started) with the configuration cfg (see the
// comment at the top of interop/orchestrator.js); "port" and, unless set,
// "state" (the results file) are filled in. The server is killed when the
// test ends.
func New(t testing.TB, cfg map[string]any) *Server {
	t.Helper()
	if cfg == nil {
		cfg = map[string]any{}
	}
	port := FreePort(t)
	cfg["port"] = port
	if s, ok := cfg["state"]; !ok || s == "" {
		cfg["state"] = filepath.Join(t.TempDir(), "results.jsonl")
	}
	s := &Server{t: t, cfg: cfg, port: port}
	t.Cleanup(s.Kill)
	return s
}

// Port returns the server's port; URL its http:// base URL.
func (s *Server) Port() int     { return s.port }
func (s *Server) URL() string   { return "http://127.0.0.1:" + strconv.Itoa(s.port) }
func (s *Server) WSURL() string { return "ws://127.0.0.1:" + strconv.Itoa(s.port) + "/ws" }

// Start starts the server and waits until it listens.
func (s *Server) Start() {
	t := s.t
	t.Helper()
	dir := interoptest.Dir(t)
	cfg, _ := json.Marshal(s.cfg)
	stderr := &lockedBuffer{}
	// Right after a SIGKILL the port can stay busy for a moment.
	for try := 0; ; try++ {
		cmd := exec.Command(interoptest.Node(t), filepath.Join(dir, "orchestrator.js"))
		cmd.Dir = dir
		cmd.Stdin = bytes.NewReader(cfg)
		cmd.Stderr = stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("orchestratortest: start orchestrator.js: %v", err)
		}
		ready := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(out)
			if sc.Scan() {
				ready <- sc.Text()
			}
			close(ready)
			_, _ = io.Copy(io.Discard, out)
		}()
		select {
		case line, ok := <-ready:
			if ok && bytes.Contains([]byte(line), []byte(`"ready":true`)) {
				s.mu.Lock()
				s.cmd, s.stderr = cmd, stderr
				s.mu.Unlock()
				return
			}
		case <-time.After(15 * time.Second):
		}
		cmd.Process.Kill()
		cmd.Wait()
		if try == 20 {
			t.Fatalf("orchestratortest: orchestrator.js did not start:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Kill stops the server abruptly (SIGKILL), as a crash would.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

// Restart kills the server and starts it again on the same port with the
// same results file.
func (s *Server) Restart() {
	s.Kill()
	s.Start()
}

// Logs returns what the server wrote to standard error so far.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stderr == nil {
		return ""
	}
	return s.stderr.String()
}

// Control calls /control/<path>: a GET when body is nil, else a POST of
// body as JSON; the reply is decoded into out when non-nil. It returns an
// error while the server is down.
func (s *Server) Control(path string, body, out any) error {
	method, b := http.MethodGet, []byte(nil)
	if body != nil {
		method = http.MethodPost
		b, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, s.URL()+"/control/"+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("orchestratortest: control %s: %s", path, resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// WaitFor polls /control/stats, decoded into S, until cond holds; the test
// fails after timeout.
func WaitFor[S any](s *Server, timeout time.Duration, what string, cond func(S) bool) S {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var last S
	for time.Now().Before(deadline) {
		var st S
		if err := s.Control("stats", nil, &st); err == nil {
			last = st
			if cond(st) {
				return st
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("orchestratortest: timed out waiting for %s; last stats %+v\nserver log:\n%s", what, last, s.Logs())
	return last
}

// Results returns the server's persisted results by job id, each as the
// raw JSON the miner sent. A job recorded twice fails the test.
func (s *Server) Results() map[string]json.RawMessage {
	s.t.Helper()
	b, err := os.ReadFile(s.cfg["state"].(string))
	if err != nil {
		s.t.Fatal(err)
	}
	out := make(map[string]json.RawMessage)
	for _, line := range bytes.Split(b, []byte("\n")) {
		var r struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(line, &r) != nil || r.ID == "" {
			continue // blank, or torn by a kill
		}
		if _, dup := out[r.ID]; dup {
			s.t.Errorf("orchestratortest: results file holds %s twice", r.ID)
		}
		out[r.ID] = append(json.RawMessage(nil), line...)
	}
	return out
}

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
