// Package realchaintest runs the real subtensor runtime of
// ../shared/realchain (node-subtensor spec 218 under chopsticks) for the
// conformance tests, and drives its blocks.
package realchaintest

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
	"runtime"
	"strings"
	"testing"
	"time"
)

// Enabled reports whether MINERKIT_CONFORMANCE asks for the tests that run
// the real runtime (make conformance).
func Enabled() bool { return os.Getenv("MINERKIT_CONFORMANCE") != "" }

// dir finds shared/realchain: MINERKIT_REALCHAIN_SPEC (the
// directory, or its raonet-spec218.json), else ../shared/realchain beside
// the repository.
func dir(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("MINERKIT_REALCHAIN_SPEC"); p != "" {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			p = filepath.Dir(p)
		}
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "realchain")
}

// Start runs start.sh on a free port and returns its URL once it
// answers. It fails (never skips) when the runtime does not start.
func Start(t testing.TB) string {
	t.Helper()
	d := dir(t)
	script := filepath.Join(d, "start.sh")
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("real runtime not found: %v (set MINERKIT_REALCHAIN_SPEC to shared/realchain)", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command("bash", script, fmt.Sprint(port))
	newGroup(cmd)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopGroup(cmd, false)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			stopGroup(cmd, true)
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ready <- u
			}
		}
	}()
	select {
	case u := <-ready:
		return u
	case <-time.After(6 * time.Minute): // the first run installs chopsticks
		t.Fatal("the real runtime did not answer within 6 minutes")
		return ""
	}
}

// NewBlocks makes chopsticks build n blocks now (dev_newBlock), through the
// HTTP side of wsURL.
func NewBlocks(t testing.TB, wsURL string, n int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": 1, "jsonrpc": "2.0", "method": "dev_newBlock", "params": []any{map[string]int{"count": n}}})
	resp, err := http.Post(strings.Replace(wsURL, "ws://", "http://", 1), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("dev_newBlock: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Error *struct{ Message string } `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Error != nil {
		t.Fatalf("dev_newBlock(%d): %v %+v", n, err, out.Error)
	}
}
