package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/wallet"
)

// runCLI runs minerkit with args and stdin, returning stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := runCLI(t, stdin, args...)
	if err != nil {
		t.Fatalf("minerkit %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func TestWalletCLI(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BT_WALLET_PATH", dir)
	t.Setenv("BT_WALLET_NAME", "")
	t.Setenv("BT_WALLET_HOTKEY", "")

	var created walletReport
	out := mustRun(t, "", "wallet", "create", "--no-password", "--n-words", "24", "--json")
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("create --json: %v\n%s", err, out)
	}
	if n := len(strings.Fields(created.Coldkey.Mnemonic)); n != 24 {
		t.Fatalf("coldkey mnemonic has %d words, want 24", n)
	}
	kp, err := keys.FromMnemonic(created.Coldkey.Mnemonic, "")
	if err != nil || kp.Address() != created.Coldkey.SS58Address {
		t.Fatalf("mnemonic gives %v (%v), report says %s", kp, err, created.Coldkey.SS58Address)
	}
	w, err := wallet.New(dir, "default", "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{w.ColdkeyFile(), w.ColdkeypubFile(), w.HotkeyFile(), w.HotkeypubFile()} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, %v; want mode 0600", p, fi, err)
		}
	}
	before, _ := os.ReadFile(w.ColdkeyFile())

	// Never overwrite without --overwrite; nothing changes on disk.
	_, _, err = runCLI(t, "", "wallet", "create", "--no-password")
	if !errors.Is(err, wallet.ErrExists) || !strings.Contains(err.Error(), "--overwrite") {
		t.Fatalf("second create: %v, want an already-exists error naming --overwrite", err)
	}
	if after, _ := os.ReadFile(w.ColdkeyFile()); !bytes.Equal(before, after) {
		t.Fatal("refused create changed the coldkey")
	}

	// btcli's other flag spellings select the same wallet.
	mustRun(t, "", "wallet", "new-hotkey", "--wallet_name", "default", "--wallet-hotkey", "miner2")
	var listing struct {
		Wallets []walletListing `json:"wallets"`
	}
	out = mustRun(t, "", "wallet", "list", "--json")
	if err := json.Unmarshal([]byte(out), &listing); err != nil {
		t.Fatal(err)
	}
	if len(listing.Wallets) != 1 || listing.Wallets[0].Coldkey != created.Coldkey.SS58Address ||
		len(listing.Wallets[0].Hotkeys) != 2 || listing.Wallets[0].Hotkeys[0].SS58Address != created.Hotkey.SS58Address ||
		listing.Wallets[0].Hotkeys[1].Name != "miner2" {
		t.Fatalf("list --json = %s", out)
	}
	out = mustRun(t, "", "wallet", "list")
	if !strings.Contains(out, "└── default") || !strings.Contains(out, created.Coldkey.SS58Address+" (unencrypted)") ||
		!strings.Contains(out, "    └── miner2") {
		t.Fatalf("list output:\n%s", out)
	}
	out = mustRun(t, "", "wallet", "show", "--wallet.hotkey", "miner2")
	if !strings.Contains(out, created.Coldkey.SS58Address) || !strings.Contains(out, "hotkeys/miner2 (mode 0600, plaintext)") {
		t.Fatalf("show output:\n%s", out)
	}

	// Restore a hotkey from a mnemonic on standard input; its mnemonic is not echoed.
	out = mustRun(t, keys.DevPhrase+"\n", "wallet", "regen-hotkey", "--wallet.hotkey", "dev", "--json")
	if !strings.Contains(out, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV") || strings.Contains(out, "bottom") {
		t.Fatalf("regen-hotkey output:\n%s", out)
	}
	_, _, err = runCLI(t, "", "wallet", "regen-hotkey", "--wallet.hotkey", "x", "--mnemonic", strings.Replace(keys.DevPhrase, "walk", "wall", 1))
	if err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("bad mnemonic: %v", err)
	}
	_, _, err = runCLI(t, "", "wallet", "show", "--wallet.name", "nope")
	if err == nil || !strings.Contains(err.Error(), `no wallet "nope"`) {
		t.Fatalf("show missing wallet: %v", err)
	}
}

// TestWalletCLIEncrypted pays for two real Argon2i derivations: encrypt
// from --password-file and decrypt from the BT_PW_ variable. The wrong
// password message is checked in package wallet's libsodium interop test.
func TestWalletCLIEncrypted(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BT_WALLET_PATH", dir)
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("s3cret pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "", "wallet", "regen-coldkey", "--wallet.name", "enc", "--mnemonic", keys.DevPhrase, "--password-file", pwFile)
	w, _ := wallet.New(dir, "enc", "")
	if enc, err := w.ColdkeyEncryption(); err != nil || enc != wallet.NaCl {
		t.Fatalf("coldkey encryption = %v, %v", enc, err)
	}

	name := wallet.EnvVarName(w.ColdkeyFile())
	t.Setenv(name, wallet.EncodeEnvPassword(name, []byte("s3cret pw")))
	sig := strings.TrimSpace(mustRun(t, "", "keys", "sign", "--wallet.name", "enc", "--use", "coldkey", "hello"))
	out := mustRun(t, "", "keys", "verify", "--signer", "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV", "--signature", sig, "hello")
	if !strings.HasPrefix(out, "valid signature by 5DfhGyQd") {
		t.Fatalf("verify: %s", out)
	}
}

func TestKeysInspect(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"//Alice"}, []string{
			"Secret Key URI `//Alice` is account:",
			"Secret seed:       0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a",
			"Public key (hex):  0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
			"SS58 Address:      5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
		}},
		{[]string{keys.DevPhrase}, []string{"Secret phrase:       " + keys.DevPhrase, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"}},
		{[]string{"//Alice/soft"}, []string{"n/a (soft derivation has no seed)"}},
		{[]string{"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "--ss58-prefix", "0"}, []string{
			"Public Key URI", "Network ID:        0\n", "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d", "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5",
		}},
	}
	for _, tt := range tests {
		out := mustRun(t, "", append([]string{"keys", "inspect"}, tt.args...)...)
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("keys inspect %v: output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
	// From standard input, as JSON.
	var rep inspectReport
	out := mustRun(t, "//Bob\n", "keys", "inspect", "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.SS58Address != "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty" {
		t.Fatalf("inspect --json from stdin: %v\n%s", err, out)
	}
	for _, bad := range []string{"hello", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ", "0x1234", strings.Replace(keys.DevPhrase, "walk", "wall", 1)} {
		if _, _, err := runCLI(t, "", "keys", "inspect", bad); err == nil {
			t.Errorf("keys inspect %q succeeded", bad)
		}
	}
}

func TestKeysSignVerify(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "msg.bin")
	if err := os.WriteFile(file, []byte{0, 1, 2, 0xff}, 0o600); err != nil {
		t.Fatal(err)
	}
	const bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
	tests := []struct {
		name       string
		sign, veri []string
		form       string
	}{
		{"text", []string{"hello"}, []string{"hello"}, "raw"},
		{"wrapped", []string{"--wrap", "hello"}, []string{"hello"}, "wrapped"},
		{"file", []string{"--file", file}, []string{"--hex", "0x000102ff"}, "raw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sr signReport
			out := mustRun(t, "", append([]string{"keys", "sign", "--suri", "//Bob", "--json"}, tt.sign...)...)
			if err := json.Unmarshal([]byte(out), &sr); err != nil || sr.Signer != bob {
				t.Fatalf("sign: %v\n%s", err, out)
			}
			var vr verifyReport
			out = mustRun(t, "", append([]string{"keys", "verify", "--json", "--signer", sr.PublicKey, "--signature", sr.Signature}, tt.veri...)...)
			if err := json.Unmarshal([]byte(out), &vr); err != nil || !vr.Valid || vr.Form != tt.form {
				t.Fatalf("verify: %v\n%s", err, out)
			}
			_, _, err := runCLI(t, "", "keys", "verify", "--signer", bob, "--signature", sr.Signature, "--hex", "0x01")
			var ee exitError
			if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(ee.msg, "invalid signature") {
				t.Fatalf("verify of another message: %v", err)
			}
		})
	}
	for _, args := range [][]string{
		{"keys", "verify", "--signer", "5Grwva", "--signature", "0x00", "m"},
		{"keys", "verify", "--signer", bob, "--signature", "0x00", "m"},
		{"keys", "sign", "--suri", "//Bob"},
		{"keys", "sign", "--suri", "//Bob", "--use", "x", "m"},
	} {
		if _, _, err := runCLI(t, "", args...); err == nil {
			t.Errorf("minerkit %v succeeded", args)
		}
	}
}
