package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

func TestValidatorCommandOnDevnet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := devnet.Start(ctx, devnet.Config{BlockTime: 20 * time.Millisecond, Genesis: devnettest.Genesis()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{n.URL()}}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	t.Setenv("BT_WALLET_PATH", dir)
	t.Setenv("BT_WALLET_NAME", "val")
	t.Setenv("BT_WALLET_HOTKEY", "")
	t.Setenv("BT_SUBTENSOR_NETWORK", n.URL())
	chainWallet(t, dir, "val", "//Charlie", "//Charlie//val")
	bob, minerHot, charlie, valHot := must(keys.FromSURI("//Bob")), must(keys.FromSURI("//Bob//miner")), must(keys.FromSURI("//Charlie")), must(keys.FromSURI("//Charlie//val"))

	// A miner that answers only requests signed for it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if _, err := epistula.Verify(r.Header, b, time.Now(), minerHot.Address()); err != nil || r.URL.Path != "/cvm" {
			http.Error(w, `{"reason":"refused"}`, http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"gpu_type":"none"}`)
	}))
	defer srv.Close()
	for _, k := range []struct{ cold, hot *keys.Keypair }{{bob, minerHot}, {charlie, valHot}} {
		if _, err := c.BurnedRegister(ctx, k.cold, k.hot.Public(), 1, subtensor.RegisterOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CommitText(ctx, minerHot, 1, srv.URL, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	// Commit-reveal is on by default, as on subtensor: the owner turns it off
	// so that this validator can set weights directly.
	if _, err := c.SetCommitReveal(ctx, must(keys.FromSURI("//Alice")), 1, false, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}

	type event struct {
		Event   string   `json:"event"`
		UID     uint16   `json:"uid"`
		Status  int      `json:"status"`
		Source  string   `json:"source"`
		Score   float64  `json:"score"`
		Set     bool     `json:"set"`
		Skipped string   `json:"skipped"`
		UIDs    []uint16 `json:"uids"`
	}
	round := func() []event {
		t.Helper()
		out := mustRun(t, "", "validator", "--netuid", "1", "--once", "--json")
		var evs []event
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var e event
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			evs = append(evs, e)
		}
		return evs
	}
	evs := round()
	if len(evs) != 2 || evs[0].Event != "result" || evs[0].UID != 0 || evs[0].Status != 200 || evs[0].Source != "commitment" || evs[0].Score < 0.7 {
		t.Fatalf("first round: %+v", evs)
	}
	if evs[1].Event != "weights" || evs[1].Set || !strings.Contains(evs[1].Skipped, "no validator permit") {
		t.Fatalf("weights without a permit: %+v", evs[1])
	}

	// Staked, and one epoch later the validator holds a permit and sets weights.
	if _, err := c.AddStake(ctx, charlie, valHot.Public(), 1, subtensor.TAO(100), subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := n.WaitBlocks(ctx, 12); err != nil {
		t.Fatal(err)
	}
	evs = round()
	if last := evs[len(evs)-1]; !last.Set || len(last.UIDs) != 1 || last.UIDs[0] != 0 {
		t.Fatalf("weights after the permit: %+v", evs)
	}

	// Text output names the miner and the weights.
	out := mustRun(t, "", "validator", "--netuid", "1", "--once", "--weights-interval", "1000")
	if !strings.Contains(out, "uid 0") || !strings.Contains(out, "(commitment) 200") {
		t.Fatalf("text output:\n%s", out)
	}
	if _, _, err := runCLI(t, "", "validator", "--netuid", "1", "--once", "--allow-private", "maybe"); err == nil {
		t.Fatal("--allow-private maybe accepted")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
