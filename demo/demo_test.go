package demo_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/demo"
)

// checkSummary is what `minerkit demo` promises: incentive and emission above
// zero, and both refusals seen.
func checkSummary(t *testing.T, s *demo.Summary) {
	t.Helper()
	if !s.OK {
		t.Fatalf("summary not OK: %s", s.Error)
	}
	if s.Miner.Incentive <= 0 || s.Miner.Emission == 0 {
		t.Errorf("miner incentive %v emission %d, want both > 0", s.Miner.Incentive, s.Miner.Emission)
	}
	seen := map[int]string{}
	for _, r := range s.Refusals {
		seen[r.Status] = r.Reason
	}
	if seen[403] != "not_registered" || seen[401] != "replayed" {
		t.Errorf("refusals %+v, want 403 not_registered and 401 replayed", s.Refusals)
	}
	if s.Validator.Accepted == 0 || s.Validator.WeightsSet == 0 || s.Validator.PermitBlock == 0 {
		t.Errorf("validator %+v", s.Validator)
	}
	if !strings.HasPrefix(s.Miner.URL, "http://127.0.0.1:") || s.Miner.CommittedBlock == 0 || s.Miner.Served == 0 {
		t.Errorf("miner %+v", s.Miner)
	}
	if s.Chain.Epochs < 2 || s.Chain.LastBlock <= s.Miner.FirstIncentiveBlock {
		t.Errorf("chain %+v, first incentive at %d", s.Chain, s.Miner.FirstIncentiveBlock)
	}
	for _, st := range s.Steps {
		if !st.Done {
			t.Errorf("step %q not done", st.Title)
		}
	}
}

func TestDemoEndToEnd(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	s, err := demo.Run(context.Background(), demo.Options{
		Duration: 30 * time.Second, BlockTime: 100 * time.Millisecond, Dir: dir, Out: &out,
	})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	checkSummary(t, s)
	// --dir keeps the wallets and the log.
	if !s.Kept || s.WalletDir != dir || s.Log == "" {
		t.Errorf("wallets %q kept %v log %q", s.WalletDir, s.Kept, s.Log)
	}
	for _, f := range []string{"demo-miner/coldkey", "demo-validator/hotkeys/default", "demo-intruder/coldkeypub.txt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("wallet file: %v", err)
		}
	}
	if b, err := os.ReadFile(s.Log); err != nil || !bytes.Contains(b, []byte("reason=not_registered")) {
		t.Errorf("the log should show the refusal: %v\n%s", err, b)
	}
	// Plain output: one line per step, each with its mark.
	if got := strings.Count(out.String(), "✓"); got != len(s.Steps) {
		t.Errorf("%d ✓ lines for %d steps:\n%s", got, len(s.Steps), out.String())
	}
	var table bytes.Buffer
	s.WriteTable(&table)
	for _, want := range []string{"result             ok", "403 not_registered", "401 replayed", "incentive        1.0000"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}

	// The same wallets again on a fresh chain: loaded, not recreated.
	s2, err := demo.Run(context.Background(), demo.Options{Duration: 30 * time.Second, BlockTime: 100 * time.Millisecond, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if s2.Miner.Hotkey != s.Miner.Hotkey || s2.Validator.Coldkey != s.Validator.Coldkey {
		t.Errorf("second run used other keys")
	}
}

func TestDemoIncomplete(t *testing.T) {
	s, err := demo.Run(context.Background(), demo.Options{Duration: 400 * time.Millisecond, BlockTime: 200 * time.Millisecond})
	if !errors.Is(err, demo.ErrIncomplete) || !strings.Contains(err.Error(), "try a longer duration") {
		t.Fatalf("err %v, want ErrIncomplete asking for a longer duration", err)
	}
	if s.OK || s.Error == "" || s.Kept {
		t.Errorf("summary %+v", s)
	}
	if _, err := os.Stat(s.WalletDir); !os.IsNotExist(err) {
		t.Errorf("temporary wallets left in %s", s.WalletDir)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := demo.Run(ctx, demo.Options{}); !errors.Is(err, demo.ErrIncomplete) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("cancelled: %v", err)
	}
}
