package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/wallet"
)

// The testdata backups were exported by polkadot-js 14.0.3 (interop/pjsjson.js):
// pjs-encrypted.json is //Alice//minerkit with password "minerkit test"
// (scrypt N=2^17), pjs-plain.json is //Bob/soft, unencrypted, SS58 prefix 0.

func TestWalletRegenFromJSON(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BT_WALLET_PATH", dir)
	t.Setenv("BT_WALLET_NAME", "pjs")
	t.Setenv("BT_WALLET_HOTKEY", "")
	pwFile := filepath.Join(dir, "pw.txt")
	badFile := filepath.Join(dir, "bad.txt")
	os.WriteFile(pwFile, []byte("minerkit test\n"), 0o600)
	os.WriteFile(badFile, []byte("minerkit test!\n"), 0o600)
	enc, _ := filepath.Abs("testdata/pjs-encrypted.json")
	plain, _ := filepath.Abs("testdata/pjs-plain.json")
	cold, _ := keys.FromSURI("//Alice//minerkit")
	hot, _ := keys.FromSURI("//Bob/soft")

	for _, tc := range []struct {
		name string
		args []string
		err  string
	}{
		{"wrong password", []string{"wallet", "regen-coldkey", "--json-file", enc, "--json-password-file", badFile, "--no-password"},
			`wallet: wrong password for JSON backup "` + enc + `"`},
		{"no terminal", []string{"wallet", "regen-coldkey", "--json-file", enc, "--no-password"}, "--json-password-file"},
		{"btcli spelling", []string{"wallet", "regen-coldkey", "--json", enc}, "--json-file FILE"},
		{"password file alone", []string{"wallet", "regen-hotkey", "--json-password-file", pwFile}, "pass --json-file too"},
		{"with mnemonic", []string{"wallet", "regen-hotkey", "--json-file", plain, "--mnemonic", keys.DevPhrase}, "none of the others"},
		{"missing file", []string{"wallet", "regen-hotkey", "--json-file", filepath.Join(dir, "nope.json")}, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want one containing %q", err, tc.err)
			}
		})
	}

	var rep walletReport
	out := mustRun(t, "", "wallet", "regen-coldkey", "--json-file", enc, "--json-password-file", pwFile, "--no-password", "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Coldkey == nil {
		t.Fatalf("regen-coldkey --json: %v\n%s", err, out)
	}
	if rep.Coldkey.SS58Address != cold.Address() || rep.Coldkey.Mnemonic != "" {
		t.Fatalf("restored coldkey %+v, want %s", rep.Coldkey, cold.Address())
	}
	_, stderr, err := runCLI(t, "", "wallet", "regen-hotkey", "--json-file", plain)
	if err != nil || !strings.Contains(stderr, hot.Address()) {
		t.Fatalf("regen-hotkey from an unencrypted backup: %v\n%s", err, stderr)
	}
	// A second restore must not replace the key, and is refused before any password.
	if _, _, err := runCLI(t, "", "wallet", "regen-coldkey", "--json-file", enc, "--no-password"); !errors.Is(err, wallet.ErrExists) {
		t.Fatalf("second regen-coldkey: %v, want ErrExists", err)
	}

	w, err := wallet.New(dir, "pjs", "default")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(w.ColdkeyFile())
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]string
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	if fields["privateKey"] == "" || fields["secretPhrase"] != "" || fields["secretSeed"] != "" || fields["ss58Address"] != cold.Address() {
		t.Fatalf("coldkey file %s: want privateKey, publicKey, accountId, ss58Address only", data)
	}
	for name, load := range map[string]func() (*keys.Keypair, error){
		"coldkey": func() (*keys.Keypair, error) { return w.Coldkey(nil) },
		"hotkey":  func() (*keys.Keypair, error) { return w.HotkeyPair(nil) },
	} {
		kp, err := load()
		want := cold
		if name == "hotkey" {
			want = hot
		}
		if err != nil || kp.Public() != want.Public() {
			t.Fatalf("%s loads as %v, %v; want %s", name, kp, err, want.Address())
		}
	}
}
