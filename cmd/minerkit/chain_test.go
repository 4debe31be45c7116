package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/wallet"
)

// chainWallet writes a plaintext wallet name with the given coldkey and
// hotkey SURIs under dir.
func chainWallet(t *testing.T, dir, name, cold, hot string) {
	t.Helper()
	w, err := wallet.New(dir, name, "default")
	if err != nil {
		t.Fatal(err)
	}
	ck, _ := keys.FromSURI(cold)
	hk, _ := keys.FromSURI(hot)
	if err := w.CreateColdkey(ck, "", nil, false); err != nil {
		t.Fatal(err)
	}
	if err := w.CreateHotkey(hk, "", nil, false); err != nil {
		t.Fatal(err)
	}
}

// devnetWallet starts a devnet (20 ms blocks) for the test, writes the
// wallet name from the cold and hot SURIs, and points the CLI at both through
// the environment (BT_SUBTENSOR_NETWORK, BT_WALLET_*). It returns the node,
// the hotkey and the wallets directory.
func devnetWallet(t *testing.T, name, cold, hot string) (*devnet.Node, *keys.Keypair, string) {
	t.Helper()
	n, err := devnet.Start(context.Background(), devnet.Config{BlockTime: 20 * time.Millisecond, Genesis: devnettest.Genesis()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	dir := t.TempDir()
	t.Setenv("BT_WALLET_PATH", dir)
	t.Setenv("BT_WALLET_NAME", name)
	t.Setenv("BT_WALLET_HOTKEY", "")
	t.Setenv("BT_SUBTENSOR_NETWORK", n.URL())
	chainWallet(t, dir, name, cold, hot)
	hk, err := keys.FromSURI(hot)
	if err != nil {
		t.Fatal(err)
	}
	return n, hk, dir
}

func TestChainCommandsOnDevnet(t *testing.T) {
	_, hot, dir := devnetWallet(t, "miner", "//Bob", "//Bob//miner")
	run := func(stdin string, args ...string) string {
		t.Helper()
		out := mustRun(t, stdin, args...)
		t.Logf("$ minerkit %s\n%s", strings.Join(args, " "), out)
		return out
	}

	// Register: the price is shown and confirmed on stdin.
	out := run("y\n", "register", "--netuid", "1")
	// About 1 τ: the burn decays every block (HEAD BurnHalfLife).
	if !regexp.MustCompile(`as UID 0 for (1|0\.9[0-9]*) τ`).MatchString(out) || !strings.Contains(out, "fee: ") || !strings.Contains(out, "NeuronRegistered") {
		t.Fatalf("register:\n%s", out)
	}
	out = run("", "register", "--netuid", "1")
	if !strings.Contains(out, "already registered on netuid 1 as UID 0; nothing paid") {
		t.Fatalf("register again:\n%s", out)
	}
	// Declined on stdin: exit status 1 and nothing paid.
	chainWallet(t, dir, "other", "//Charlie", "//Charlie//miner")
	if _, _, err := runCLI(t, "n\n", "register", "--netuid", "1", "--wallet.name", "other"); err == nil || !strings.Contains(err.Error(), "declined") {
		t.Fatalf("declined register: %v", err)
	}
	var reg subtensor.RegisterResult
	err := json.Unmarshal([]byte(run("", "register", "--netuid", "1", "--wallet.name", "other", "--yes", "--json", "--max-burn", "1.5")), &reg)
	if devnettest.Runtime() == devnet.RuntimeSpec218 {
		// No register_limit: the price is checked, then burned_register
		// sent; the burn is fixed there.
		if err != nil || reg.UID != 1 || reg.Price != subtensor.TAO(1) || reg.Tx == nil || reg.Tx.Call != "SubtensorModule.burned_register" {
			t.Fatalf("register --json (spec 218): %+v %v", reg, err)
		}
	} else if err != nil || reg.UID != 1 ||
		reg.Price < subtensor.Rao(900_000_000) || reg.Price > subtensor.Rao(1_260_000_000) ||
		reg.Tx == nil || reg.Tx.Call != "SubtensorModule.register_limit" { // --max-burn: the chain enforces the cap
		// The first registration raised the burn ×1.26 (HEAD), and it decays each block.
		t.Fatalf("register --json: %+v %v", reg, err)
	}

	// Serve the axon: loopback refused in words, a public address accepted.
	_, _, err = runCLI(t, "", "serve-axon", "--netuid", "1", "--ip", "127.0.0.1", "--port", "8091")
	if err == nil || !strings.Contains(err.Error(), "pass your public IP") {
		t.Fatalf("serve-axon 127.0.0.1: %v", err)
	}
	run("", "serve-axon", "--netuid", "1", "--ip", "203.0.113.7", "--port", "8091")

	// Commit, read back, and commit the same again (nothing sent).
	run("", "commit", "--netuid", "1", "--endpoint", "https://203.0.113.7:8091")
	out = run("", "commit", "--netuid", "1")
	if !strings.Contains(out, `"https://203.0.113.7:8091"`) {
		t.Fatalf("commit read:\n%s", out)
	}
	out = run("", "commit", "--netuid", "1", "--endpoint", "https://203.0.113.7:8091")
	if !strings.Contains(out, "nothing sent") {
		t.Fatalf("commit again:\n%s", out)
	}

	out = run("", "metagraph", "--netuid", "1", "--sort", "incentive")
	if !strings.Contains(out, "203.0.113.7:8091") || !strings.Contains(out, "2 neurons") {
		t.Fatalf("metagraph:\n%s", out)
	}
	var mg metagraphReport
	if err := json.Unmarshal([]byte(mustRun(t, "", "metagraph", "--netuid", "1", "--json")), &mg); err != nil || len(mg.Neurons) != 2 || mg.Neurons[0].Hotkey != hot.Address() || mg.Neurons[0].CommitmentText() != "https://203.0.113.7:8091" {
		t.Fatalf("metagraph --json: %+v %v", mg, err)
	}

	out = run("", "status", "--netuid", "1")
	for _, want := range []string{"uid         0 (miner)", "rank        ", "emission    ", "immunity    ", "203.0.113.7:8091", `"https://203.0.113.7:8091"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("status lacks %q:\n%s", want, out)
		}
	}
	var st subtensor.MinerStatus
	if err := json.Unmarshal([]byte(mustRun(t, "", "status", "--netuid", "1", "--json")), &st); err != nil || !st.Registered || st.UID != 0 || st.RegisteredAt == 0 {
		t.Fatalf("status --json: %+v %v", st, err)
	}

	charlie, _ := keys.FromSURI("//Charlie")
	out = run("", "transfer", "--dest", charlie.Address(), "--amount", "2.5", "--yes")
	if !strings.Contains(out, "sent 2.5 τ") || !strings.Contains(out, "Balances.Transfer") {
		t.Fatalf("transfer:\n%s", out)
	}
	// --suri: a development key sends without a wallet.
	out = run("", "transfer", "--dest", charlie.Address(), "--amount", "1", "--yes", "--suri", "//Dave")
	if !strings.Contains(out, "sent 1 τ") || !strings.Contains(out, "Balances.Transfer") {
		t.Fatalf("transfer --suri:\n%s", out)
	}
	out = run("", "stake", "add", "--netuid", "1", "--amount", "10", "--yes")
	if !strings.Contains(out, "staked 10 τ") {
		t.Fatalf("stake add:\n%s", out)
	}
	var bal balanceReport
	if err := json.Unmarshal([]byte(run("", "balance", "--json")), &bal); err != nil || bal.Free == 0 || bal.Free > subtensor.TAO(1_000_000-13) {
		t.Fatalf("balance: %+v %v", bal, err)
	}
	// status --watch --json: one line per block until the context ends.
	root := newRootCmd()
	var buf bytes.Buffer
	root.SetOut(&buf)
	root.SetErr(&buf)
	root.SetArgs([]string{"status", "--netuid", "1", "--watch", "--json"})
	wctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := root.ExecuteContext(wctx); err != nil {
		t.Fatalf("status --watch: %v\n%s", err, buf.String())
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var first, last subtensor.MinerStatus
	if len(lines) < 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[len(lines)-1]), &last) != nil || last.Block <= first.Block {
		t.Fatalf("status --watch --json gave %d lines:\n%s", len(lines), buf.String())
	}
	// Each block once: the subscription's first head is the one already shown.
	var second subtensor.MinerStatus
	if json.Unmarshal([]byte(lines[1]), &second) != nil || second.Block == first.Block {
		t.Fatalf("status --watch --json showed block %d twice:\n%s", first.Block, buf.String())
	}

	// A network name that does not exist: the error lists the right ones.
	if _, _, err := runCLI(t, "", "balance", "--network", "nakamoto"); err == nil || !strings.Contains(err.Error(), "finney, test, archive, local, devnet") {
		t.Fatalf("bad network: %v", err)
	}
}
