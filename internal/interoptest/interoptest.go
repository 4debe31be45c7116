// Package interoptest runs the Node peers in interop/ from Go tests.
//
// The interop tests are part of make test and must fail, not skip, when Node
// or the pinned packages are missing: an untested claim of compatibility is
// worse than none.
package interoptest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the absolute path of the repository's interop/ directory.
func Dir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("interoptest: cannot locate source file")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "interop")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatalf("interoptest: %s/node_modules is missing: run `make interop-deps` (npm ci in interop/)", dir)
	}
	return dir
}

// Node returns the path of the node binary or fails the test.
func Node(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("interoptest: node not found on PATH: the interop tests need Node.js (apt-get install nodejs)")
	}
	return p
}

// Run runs `node interop/<script> args...` with stdin as input and returns its
// standard output. The test fails if the script exits non-zero.
func Run(t testing.TB, script string, stdin []byte, args ...string) []byte {
	t.Helper()
	dir := Dir(t)
	cmd := exec.Command(Node(t), append([]string{filepath.Join(dir, script)}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("interoptest: node %s: %v\nstderr:\n%s", script, err, stderr.String())
	}
	return stdout.Bytes()
}

// RunJSON runs a script with in marshalled as JSON on stdin and unmarshals its
// standard output into out.
func RunJSON(t testing.TB, script string, in, out any, args ...string) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("interoptest: marshal input: %v", err)
	}
	res := Run(t, script, b, args...)
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("interoptest: node %s: bad JSON output: %v\n%s", script, err, res)
	}
}
