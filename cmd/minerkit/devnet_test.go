package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/devnet"
)

// devnetOutput is a bytes.Buffer safe for a writer and a reader goroutine.
type devnetOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *devnetOutput) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *devnetOutput) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDevnetCmd runs `minerkit devnet` with a genesis written by
// `minerkit devnet genesis`, waits for its banner and stops it.
func TestDevnetCmd(t *testing.T) {
	var gen bytes.Buffer
	root := newRootCmd()
	root.SetOut(&gen)
	root.SetArgs([]string{"devnet", "genesis"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var g devnet.Genesis
	if err := json.Unmarshal(gen.Bytes(), &g); err != nil || len(g.Accounts) != 6 || g.SubnetDefaults.Tempo != 10 {
		t.Fatalf("devnet genesis: %v\n%s", err, gen.String())
	}
	path := filepath.Join(t.TempDir(), "genesis.json")
	if err := os.WriteFile(path, gen.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out devnetOutput
	root = newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"devnet", "--rpc", "127.0.0.1:0", "--block-time", "20ms", "--tempo", "5", "--genesis", path, "--data", t.TempDir()})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "subnet 1 owned by //Alice") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rpc:          ws://127.0.0.1:", "genesis hash: 0x", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY  1000000 TAO", "stopping devnet at block"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestVersionCommand(t *testing.T) {
	out := mustRun(t, "", "version", "--json")
	var in struct {
		Module    string `json:"module"`
		Version   string `json:"version"`
		GoVersion string `json:"go_version"`
	}
	if err := json.Unmarshal([]byte(out), &in); err != nil || in.GoVersion == "" || in.Version == "" {
		t.Fatalf("version --json: %q %v", out, err)
	}
	if out := mustRun(t, "", "version"); !strings.HasPrefix(out, "minerkit ") || !strings.Contains(out, in.GoVersion) {
		t.Fatalf("version: %q", out)
	}
}
