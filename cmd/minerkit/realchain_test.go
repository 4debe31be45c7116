package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/activity"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/internal/realchaintest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
	"github.com/minerkit/minerkit/subtensor"
)

// TestRealchainServeQueryValidator is the second half of make conformance:
// on the real runtime (spec 218 under chopsticks) the real `serve` gates on
// the chain's figures, `query` gets 200 as a validator with a permit and
// 403/401 otherwise, `validator --once` queries the miner through its
// commitment, activity's ensure registers and commits an identity, and the
// exporter serves the miner's figures.
func TestRealchainServeQueryValidator(t *testing.T) {
	if !realchaintest.Enabled() {
		t.Skip("set MINERKIT_CONFORMANCE=1 (make conformance) to run against the real runtime")
	}
	url := realchaintest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "custom", Endpoints: []string{url}}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	alice := must(keys.FromSURI("//Alice"))
	minerHot, valiHot := must(keys.FromSURI("//Alice//rc-miner")), must(keys.FromSURI("//Alice//rc-vali"))
	const netuid = 1
	for _, h := range []*keys.Keypair{minerHot, valiHot} {
		if _, err := c.BurnedRegister(ctx, alice, h.Public(), netuid, subtensor.RegisterOptions{}); err != nil {
			t.Fatalf("register: %v", err)
		}
	}
	// Stake weight on spec 218 comes from root stake × TaoWeight (alpha
	// bought on subnet 1 there is ~0): stake on root.
	if _, err := c.AddStake(ctx, alice, valiHot.Public(), 0, subtensor.TAO(1000), subtensor.TxOptions{}); err != nil {
		t.Fatalf("add_stake on root: %v", err)
	}
	// Permits come with an epoch: subnet 1 runs every 101 blocks here, so
	// //Alice (sudo) shortens its tempo, then blocks are made until one ran.
	setTempo := substrate.Enum("AdminUtils", substrate.Enum("sudo_set_tempo", substrate.U64(netuid), substrate.U64(2)))
	sudo, err := c.NewCall("Sudo", "sudo", substrate.Named("call", setTempo))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, alice, sudo, subtensor.TxOptions{}); err != nil {
		t.Fatalf("sudo set tempo: %v", err)
	}
	permit := false
	for try := 0; try < 10 && !permit; try++ {
		realchaintest.NewBlocks(t, url, 3)
		st, err := c.Status(ctx, netuid, valiHot.Public())
		if err != nil {
			t.Fatal(err)
		}
		permit = st.ValidatorPermit
	}
	if !permit {
		t.Fatal("the validator hotkey got no permit after 30 blocks at tempo 2")
	}

	dir := t.TempDir()
	t.Setenv("BT_WALLET_PATH", dir)
	t.Setenv("BT_WALLET_HOTKEY", "")
	t.Setenv("BT_SUBTENSOR_NETWORK", url)
	chainWallet(t, dir, "miner", "//Alice", "//Alice//rc-miner")
	chainWallet(t, dir, "vali", "//Alice", "//Alice//rc-vali")

	port := freePort(t)
	api := fmt.Sprintf("http://127.0.0.1:%d", port)
	startServe(t, ctx, "--netuid", "1", "--wallet.name", "miner",
		"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--admin-listen", "127.0.0.1:0",
		"--external-url", api, "--min-stake", "1", "--sync-interval", "1", "--log-format", "json")

	query := func(args ...string) queryResult {
		t.Helper()
		out, _, _ := runCLI(t, "", append([]string{"query", "--json", "--url", api, "--receiver", minerHot.Address(), "--path", "/cvm", "--body", `{"nonce":"00ff"}`}, args...)...)
		var r queryResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("query %v: %v\n%s", args, err, out)
		}
		return r
	}
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		reason string
	}{
		{"the validator with a permit and stake weight", []string{"--suri", "//Alice//rc-vali"}, 200, ""},
		{"an unregistered key", []string{"--suri", "//Stranger"}, 403, guard.ReasonNotRegistered},
		// Spec 218 gives this small subnet's UIDs permits whatever their
		// stake: the miner's key has one, but no stake weight.
		{"a registered key without stake", []string{"--suri", "//Alice//rc-miner"}, 403, guard.ReasonStakeTooLow},
		{"first use of a uuid", []string{"--suri", "//Alice//rc-vali", "--uuid", "0b5c7f8e-2f6a-4d1e-8c39-5a0d2e7b9f11"}, 200, ""},
		{"the same uuid again", []string{"--suri", "//Alice//rc-vali", "--uuid", "0b5c7f8e-2f6a-4d1e-8c39-5a0d2e7b9f11"}, 401, string(epistula.ReasonReplayed)},
	} {
		r := query(tc.args...)
		if r.Status != tc.status || r.Reason != tc.reason {
			t.Errorf("%s: %d %q, want %d %q (%s)", tc.name, r.Status, r.Reason, tc.status, tc.reason, r.Error)
		}
	}

	// The validator finds the miner through the URL serve committed.
	eventually(t, "the committed URL", func() bool {
		cm, err := c.Commitment(ctx, netuid, minerHot.Public())
		return err == nil && cm != nil && cm.Text() == api
	})
	// 100 blocks between weights here: //Alice (sudo) lifts the limit so
	// that the validator's set_weights goes to the real runtime.
	noLimit := substrate.Enum("AdminUtils", substrate.Enum("sudo_set_weights_set_rate_limit", substrate.U64(netuid), substrate.U64(0)))
	if sudo, err = c.NewCall("Sudo", "sudo", substrate.Named("call", noLimit)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, alice, sudo, subtensor.TxOptions{}); err != nil {
		t.Fatalf("sudo set weights rate limit: %v", err)
	}
	out := mustRun(t, "", "validator", "--netuid", "1", "--wallet.name", "vali", "--once", "--json", "--allow-private", "true")
	minerUID, _, err := c.UID(ctx, netuid, minerHot.Public())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, fmt.Sprintf(`"uid":%d,`, minerUID)) || !strings.Contains(out, `"status":200`) || !strings.Contains(out, `"set":true`) {
		t.Fatalf("validator --once:\n%s", out)
	}
	t.Logf("validator --once on the real runtime:\n%s", out)

	// Pattern C's activity setup on the real runtime: a new hotkey is
	// registered (paid by //Alice) and its identity committed; a second
	// run finds both in place and sends nothing.
	actHot := must(keys.FromSURI("//Alice//rc-activity"))
	ensure := func() *activity.EnsureReport {
		t.Helper()
		rep, err := activity.Ensure(ctx, c, activity.EnsureConfig{NetUID: netuid, Hotkey: actHot, GitHub: "octocat",
			Coldkey: func() (keys.Signer, error) { return alice, nil }})
		if err != nil {
			t.Fatalf("activity ensure: %v (%+v)", err, rep)
		}
		return rep
	}
	if rep := ensure(); len(rep.Txs) != 2 {
		t.Fatalf("activity ensure sent %d transactions, want a registration and a commitment: %+v", len(rep.Txs), rep.Checks)
	}
	if rep := ensure(); len(rep.Txs) != 0 || len(rep.Failed()) != 0 {
		t.Fatalf("activity ensure again: %+v", rep)
	}
	ast, err := activity.ReadStatus(ctx, c, netuid, actHot.Public(), "octocat")
	if err != nil || !ast.Registered || !ast.Identity.Matches || ast.Identity.Committed != "octocat" {
		t.Fatalf("activity status: %+v %v", ast, err)
	}

	// The exporter serves the miner's figures as status reads them.
	e := activity.NewExporter(c, netuid, []keys.PublicKey{minerHot.Public()})
	if err := e.Syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := fmt.Sprintf(`minerkit_neuron_registered{hotkey="%s",netuid="1"} 1`, minerHot.Address())
	if !strings.Contains(string(body), want) || !strings.Contains(string(body), `minerkit_metagraph_reachable{netuid="1"} 1`) {
		t.Fatalf("exporter scrape lacks %s:\n%s", want, body)
	}
}
