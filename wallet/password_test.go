package wallet

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestEnvVarName(t *testing.T) {
	got := EnvVarName("/home/me/.bittensor/wallets/my-wallet/coldkey")
	if want := "BT_PW__HOME_ME__BITTENSOR_WALLETS_MY-WALLET_COLDKEY"; got != want {
		t.Fatalf("EnvVarName = %s, want %s", got, want)
	}
}

func TestEnvPassword(t *testing.T) {
	const path = "/root/.bittensor/wallets/default/coldkey"
	name := EnvVarName(path)
	// A hand-computed value: "ab" XOR "BT" = 0x23 0x36 → base64 "IzY=".
	if v := EncodeEnvPassword(name, []byte("ab")); v != "IzY=" {
		t.Fatalf("EncodeEnvPassword = %s, want IzY=", v)
	}
	long := []byte("a password longer than the variable name, so the name repeats: 0123456789")
	env := map[string]string{name: EncodeEnvPassword(name, long)}
	src := EnvPassword{Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	pw, err := src.Password(path, "coldkey", false)
	if err != nil || string(pw) != string(long) {
		t.Fatalf("EnvPassword = %q, %v", pw, err)
	}
	if _, err := src.Password(path+"x", "coldkey", false); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("unset variable error = %v", err)
	}
	env[name] = "!!not base64"
	if _, err := src.Password(path, "coldkey", false); err == nil {
		t.Fatal("bad base64 accepted")
	}
}

func TestPasswordSources(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "pw")
	if err := os.WriteFile(f, []byte("s3cret\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	none := EnvPassword{Lookup: func(string) (string, bool) { return "", false }}
	src := Sources{none, PasswordFile(f), Password("unused")}
	pw, err := src.Password("/x/coldkey", "coldkey", true)
	if err != nil || string(pw) != "s3cret" {
		t.Fatalf("Sources = %q, %v", pw, err)
	}
	if _, err := PasswordFile(filepath.Join(dir, "missing")).Password("", "", false); err == nil {
		t.Fatal("missing password file accepted")
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, err := PasswordFile(empty).Password("", "", false); err == nil {
		t.Fatal("empty password file accepted")
	}
	// Standard input of a test is not a terminal: the prompt has nothing.
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	if _, err := (Prompt{In: devnull}).Password("", "", false); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("Prompt without terminal error = %v", err)
	}
}
