package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/demo"
)

// TestDemoBinary runs `minerkit demo --json` as a user does, through the built
// binary: exit status 0, the live view on stderr, the summary on stdout.
func TestDemoBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "minerkit")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "demo", "--json", "--block-time", "100ms", "--duration", "30s")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("minerkit demo: %v\nstderr:\n%s", err, stderr.String())
	}
	var s demo.Summary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatalf("summary: %v\n%s", err, stdout.String())
	}
	refused := map[int]string{}
	for _, r := range s.Refusals {
		refused[r.Status] = r.Reason
	}
	if !s.OK || s.Miner.Incentive <= 0 || s.Miner.Emission == 0 || refused[403] != "not_registered" || refused[401] != "replayed" {
		t.Fatalf("summary %+v", s)
	}
	if !strings.Contains(stderr.String(), "✓") || !strings.Contains(stderr.String(), "incentive, emission") {
		t.Errorf("live view on stderr:\n%s", stderr.String())
	}

	// Too short to see everything: exit status 1 and a message saying so.
	cmd = exec.Command(bin, "demo", "--duration", "300ms")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "try a longer --duration") {
		t.Fatalf("short demo: %v\n%s", err, out)
	}
}
