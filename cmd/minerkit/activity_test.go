package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestActivityCommandsOnDevnet(t *testing.T) {
	_, hot, dir := devnetWallet(t, "gh", "//Charlie", "//Charlie//gh")
	t.Setenv("MINERKIT_TAGLINE", "")
	run := func(args ...string) string {
		t.Helper()
		out := mustRun(t, "", args...)
		t.Logf("$ minerkit %s\n%s", strings.Join(args, " "), out)
		return out
	}
	proof := filepath.Join(dir, "proof.md")

	out := run("activity", "setup", "--netuid", "1", "--github", "octocat", "--yes", "--max-burn", "2", "--proof-out", proof, "--token", "$OGX")
	// The burn decays every block (HEAD BurnHalfLife), so the price is about 1 τ.
	if !regexp.MustCompile(`registered as UID 0 for (1|0\.9[0-9]*) τ`).MatchString(out) {
		t.Fatalf("setup lacks the registration at the decayed price:\n%s", out)
	}
	for _, want := range []string{`committed ["gh:octocat"]`, "-----BEGIN MINERKIT IDENTITY PROOF-----", "Mining $OGX - Hotkey " + hot.Address()} {
		if !strings.Contains(out, want) {
			t.Fatalf("setup lacks %q", want)
		}
	}
	out = run("commit", "--netuid", "1")
	if !strings.Contains(out, `"gh:octocat"`) {
		t.Fatalf("commitment read back:\n%s", out)
	}
	// Setup again: nothing paid, nothing sent.
	var rep setupReport
	if err := json.Unmarshal([]byte(run("activity", "setup", "--netuid", "1", "--github", "octocat", "--json")), &rep); err != nil || len(rep.Txs) != 0 || rep.Checks[0].Repaired || rep.Checks[1].Repaired {
		t.Fatalf("setup again: %+v %v", rep, err)
	}

	// Verify: the real proof passes; an altered copy is refused with the reason.
	run("activity", "verify", "--hotkey", hot.Address(), "--github", "octocat", "--proof-file", proof, "--netuid", "1")
	b, _ := os.ReadFile(proof)
	altered := filepath.Join(dir, "altered.md")
	os.WriteFile(altered, []byte(strings.Replace(string(b), "date: 20", "date: 19", 1)), 0o600)
	_, _, err := runCLI(t, "", "activity", "verify", "--hotkey", hot.Address(), "--github", "octocat", "--proof-file", altered)
	if err == nil || !strings.Contains(err.Error(), "INVALID: activity: signature does not match the proof text") {
		t.Fatalf("altered proof: %v", err)
	}
	_, _, err = runCLI(t, "", "activity", "verify", "--hotkey", hot.Address(), "--github", "someone", "--proof-file", proof)
	if err == nil || !strings.Contains(err.Error(), `names "octocat", not "someone"`) {
		t.Fatalf("wrong user: %v", err)
	}
	jout, _, err := runCLI(t, "", "activity", "verify", "--hotkey", hot.Address(), "--github", "octocat", "--proof-file", altered, "--json")
	var vr proofVerifyReport
	if err == nil || json.Unmarshal([]byte(jout), &vr) != nil || vr.Valid || !strings.Contains(vr.Reason, "signature") {
		t.Fatalf("verify --json: %s %v", jout, err)
	}

	out = run("activity", "status", "--netuid", "1", "--github", "octocat")
	for _, want := range []string{"uid         0 (miner)", "rank        1 of 1 miners", "emission    ", "per day     about", "immunity    ", "gh:octocat committed (field 0), matches"} {
		if !strings.Contains(out, want) {
			t.Fatalf("status lacks %q", want)
		}
	}
	var st activityStatusReport
	if err := json.Unmarshal([]byte(run("activity", "status", "--netuid", "1", "--github", "someone", "--json")), &st); err != nil || !st.Registered || !st.Identity.Present || st.Identity.Matches {
		t.Fatalf("status --json: %+v %v", st, err)
	}

	// The commitment is overwritten; ensure puts the identity back.
	run("commit", "--netuid", "1", "--endpoint", "https://203.0.113.7:8091")
	out = run("activity", "ensure", "--netuid", "1", "--github", "octocat", "--proof-file", proof)
	if !strings.Contains(out, `repaired  identity commitment  committed ["https://203.0.113.7:8091", "gh:octocat"]`) || !strings.Contains(out, "ok        identity proof") {
		t.Fatalf("ensure:\n%s", out)
	}
	// An unregistered hotkey and no --max-burn: exit status 1 and the list.
	chainWallet(t, dir, "lost", "//Dave", "//Dave//gh")
	out, _, err = runCLI(t, "", "activity", "ensure", "--netuid", "1", "--github", "dave", "--wallet.name", "lost")
	ee, ok := err.(exitError)
	if !ok || ee.code != 1 || !strings.Contains(ee.msg, "registration: not registered on netuid 1") || !strings.Contains(out, "FAILED") {
		t.Fatalf("ensure unregistered: %v\n%s", err, out)
	}
	t.Logf("ensure unregistered:\n%s%s", out, ee.msg)
}

// runCLIContext runs minerkit until ctx ends and returns its output.
func runCLIContext(ctx context.Context, args ...string) (string, error) {
	root := newRootCmd()
	var out, errOut strings.Builder
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(""))
	err := root.ExecuteContext(ctx)
	return out.String() + errOut.String(), err
}

func TestActivityWatchAndExporterOnDevnet(t *testing.T) {
	n, hot, _ := devnetWallet(t, "gh", "//Eve", "//Eve//gh")
	mustRun(t, "", "activity", "setup", "--netuid", "1", "--github", "eve", "--yes")

	// --watch --json: one line per block until cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var (
		out string
		err error
	)
	go func() {
		defer close(done)
		out, err = runCLIContext(ctx, "activity", "status", "--netuid", "1", "--github", "eve", "--watch", "--json")
	}()
	if err := n.WaitBlocks(context.Background(), 15); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if err != nil {
		t.Fatalf("watch: %v\n%s", err, out)
	}
	var lines []activityStatusReport
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r activityStatusReport
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("watch line %q: %v", l, err)
		}
		lines = append(lines, r)
	}
	if len(lines) < 3 || lines[0].Changed != nil {
		t.Fatalf("watch: %d lines\n%s", len(lines), out)
	}
	for i := 1; i < len(lines); i++ {
		if lines[i].Block <= lines[i-1].Block || !lines[i].Identity.Matches {
			t.Fatalf("watch line %d: %+v after %+v", i, lines[i], lines[i-1])
		}
	}

	// The exporter command serves the wallet's hotkey.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	done = make(chan struct{})
	go func() {
		defer close(done)
		out, err = runCLIContext(ctx, "exporter", "--netuid", "1", "--listen", addr, "--sync-interval", "1")
	}()
	want := `minerkit_neuron_identity_committed{github="eve",hotkey="` + hot.Address() + `",netuid="1",uid="0"} 1`
	var body []byte
	for i := 0; ; i++ {
		if resp, gerr := http.Get("http://" + addr + "/metrics"); gerr == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), want) {
				break
			}
		}
		if i == 100 {
			t.Fatalf("exporter never served %s:\n%s", want, body)
		}
		if err := n.WaitBlocks(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	<-done
	if err != nil || !strings.Contains(out, "serving metrics") {
		t.Fatalf("exporter: %v\n%s", err, out)
	}
}
