package wallet

import (
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/keys"
)

// cheapKDF stands in for Argon2i in tests of the wallet logic; the real
// derivation is tested against libsodium in interop_test.go.
func cheapKDF(pw []byte) [32]byte { return sha256.Sum256(pw) }

func testWallet(t *testing.T, name, hotkey string) *Wallet {
	t.Helper()
	w, err := New(t.TempDir(), name, hotkey)
	if err != nil {
		t.Fatal(err)
	}
	w.kdf = cheapKDF
	return w
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestCreateAndLoad(t *testing.T) {
	w := testWallet(t, "miner", "hk1")
	cold := mustKeypair(t, devPhrase)
	hot := mustKeypair(t, "//Alice")
	if err := w.CreateColdkey(cold, devPhrase, []byte("pw"), false); err != nil {
		t.Fatal(err)
	}
	if err := w.CreateHotkey(hot, "", nil, false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{w.ColdkeyFile(), w.ColdkeypubFile(), w.HotkeyFile(), w.HotkeypubFile()} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, m)
		}
	}
	for _, d := range []string{w.Dir(), filepath.Dir(w.HotkeyFile())} {
		if m := mode(t, d); m != 0o700 {
			t.Errorf("%s has mode %o, want 700", d, m)
		}
	}
	if enc, err := w.ColdkeyEncryption(); err != nil || enc != NaCl {
		t.Errorf("ColdkeyEncryption() = %v, %v; want NaCl", enc, err)
	}
	if enc, err := w.HotkeyEncryption(); err != nil || enc != Plaintext {
		t.Errorf("HotkeyEncryption() = %v, %v; want plaintext", enc, err)
	}

	kp, err := w.Coldkey(Password("pw"))
	if err != nil || kp.Address() != devRoot {
		t.Fatalf("Coldkey() = %v, %v; want %s", kp, err, devRoot)
	}
	_, err = w.Coldkey(Password("nope"))
	if !errors.Is(err, ErrWrongPassword) || err.Error() != `wallet: wrong password for coldkey "miner"` {
		t.Fatalf("Coldkey(wrong) error = %v", err)
	}
	if pub, err := w.ColdkeyPub(); err != nil || pub.Address() != devRoot {
		t.Fatalf("ColdkeyPub() = %s, %v", pub.Address(), err)
	}
	if kp, err := w.HotkeyPair(nil); err != nil || kp.Address() != alice {
		t.Fatalf("HotkeyPair() = %v, %v", kp, err)
	}
	if pub, err := w.HotkeyPub(); err != nil || pub.Address() != alice {
		t.Fatalf("HotkeyPub() = %s, %v", pub.Address(), err)
	}

	// The coldkey file holds what btcli writes, phrase included.
	plain, err := decrypt(must(os.ReadFile(w.ColdkeyFile())), []byte("pw"), cheapKDF)
	if err != nil || !strings.Contains(string(plain), `"secretPhrase":"`+devPhrase+`"`) {
		t.Fatalf("decrypted coldkey = %s, %v", plain, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestNeverOverwrite(t *testing.T) {
	w := testWallet(t, "w", "h")
	a, b := mustKeypair(t, "//Alice"), mustKeypair(t, "//Bob")
	if err := w.CreateColdkey(a, "", nil, false); err != nil {
		t.Fatal(err)
	}
	if err := w.CreateColdkey(b, "", nil, false); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "replace it only on purpose") {
		t.Fatalf("second CreateColdkey error = %v, want ErrExists naming --overwrite", err)
	}
	if pub, _ := w.ColdkeyPub(); pub != a.Public() {
		t.Fatal("refused write changed coldkeypub.txt")
	}
	// A lone pub file (a server holding only the public half) is protected too.
	if err := os.Remove(w.ColdkeyFile()); err != nil {
		t.Fatal(err)
	}
	if err := w.CreateColdkey(b, "", nil, false); !errors.Is(err, ErrExists) {
		t.Fatalf("CreateColdkey over a lone coldkeypub.txt: %v, want ErrExists", err)
	}
	if err := w.CreateColdkey(b, "", nil, true); err != nil {
		t.Fatal(err)
	}
	kp, err := w.Coldkey(nil)
	if err != nil || kp.Public() != b.Public() {
		t.Fatalf("after overwrite Coldkey() = %v, %v", kp, err)
	}
	if m := mode(t, w.ColdkeyFile()); m != 0o600 {
		t.Errorf("overwritten coldkey has mode %o", m)
	}
	if err := w.CreateHotkey(a, "", nil, false); err != nil {
		t.Fatal(err)
	}
	if err := w.CreateHotkey(b, "", nil, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second CreateHotkey error = %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(w.HotkeyFile()))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestLoadErrors(t *testing.T) {
	w := testWallet(t, "w", "h")
	if _, err := w.Coldkey(nil); err == nil || !strings.Contains(err.Error(), `coldkey "w" not found at `+w.ColdkeyFile()) {
		t.Fatalf("missing coldkey error = %v", err)
	}
	if _, err := w.HotkeyPub(); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing hotkey pub error = %v", err)
	}
	if err := writeKeyfile(w.HotkeyFile(), []byte(`{"secretSeed":"0x12`), false); err != nil {
		t.Fatal(err)
	}
	_, err := w.HotkeyPair(nil)
	if err == nil || !strings.Contains(err.Error(), w.HotkeyFile()) || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("corrupt hotkey error = %v, want one naming the file", err)
	}
	// Encrypted coldkey without any password source.
	w2 := testWallet(t, "enc", "h")
	if err := w2.CreateColdkey(mustKeypair(t, "//Bob"), "", []byte("pw"), false); err != nil {
		t.Fatal(err)
	}
	_, err = w2.Coldkey(Sources{EnvPassword{Lookup: func(string) (string, bool) { return "", false }}})
	if !errors.Is(err, ErrNoPassword) || !strings.Contains(err.Error(), EnvVarName(w2.ColdkeyFile())) {
		t.Fatalf("no-password error = %v, want one naming the variable", err)
	}
	// Truncated encrypted file.
	data := must(os.ReadFile(w2.ColdkeyFile()))
	if err := os.WriteFile(w2.ColdkeyFile(), data[:20], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := w2.Coldkey(Password("pw")); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated coldkey error = %v", err)
	}
	// A pub file holding no secret.
	if err := os.Remove(w2.ColdkeyFile()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(w2.ColdkeypubFile(), w2.ColdkeyFile()); err != nil {
		t.Fatal(err)
	}
	if _, err := w2.Coldkey(nil); err == nil || !strings.Contains(err.Error(), "only a public key") {
		t.Fatalf("public-only coldkey error = %v", err)
	}
}

func TestHotkeyPubLocations(t *testing.T) {
	w := testWallet(t, "w", "h")
	hot := mustKeypair(t, "//Alice")
	// An encrypted hotkey whose public half sits only in the legacy place.
	if err := w.CreateHotkey(hot, "", []byte("pw"), false); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(w.HotkeypubFile(), w.LegacyHotkeypubFile()); err != nil {
		t.Fatal(err)
	}
	if pub, err := w.HotkeyPub(); err != nil || pub != hot.Public() {
		t.Fatalf("HotkeyPub() from legacy file = %s, %v", pub.Address(), err)
	}
	// Current location wins over legacy.
	bob := mustKeypair(t, "//Bob")
	if err := writeKeyfile(w.HotkeypubFile(), NewPublicKeyfile(bob.Public()).Bytes(), false); err != nil {
		t.Fatal(err)
	}
	if pub, err := w.HotkeyPub(); err != nil || pub != bob.Public() {
		t.Fatalf("HotkeyPub() = %s, %v; want the hotkeys/<h>pub.txt one", pub.Address(), err)
	}
}

func TestListing(t *testing.T) {
	root := t.TempDir()
	mk := func(name, hotkey string) {
		w, err := New(root, name, hotkey)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.CreateHotkey(mustKeypair(t, "//"+name+hotkey), "", nil, false); err != nil {
			t.Fatal(err)
		}
	}
	mk("b", "h2")
	mk("b", "h1")
	mk("a", "default")
	if err := os.MkdirAll(filepath.Join(root, "not-a-wallet"), 0o700); err != nil {
		t.Fatal(err)
	}
	names, err := Wallets(root)
	if err != nil || !reflect.DeepEqual(names, []string{"a", "b"}) {
		t.Fatalf("Wallets() = %v, %v", names, err)
	}
	w, _ := New(root, "b", "")
	hks, err := w.Hotkeys()
	if err != nil || !reflect.DeepEqual(hks, []string{"h1", "h2"}) {
		t.Fatalf("Hotkeys() = %v, %v", hks, err)
	}
	if names, err := Wallets(filepath.Join(root, "missing")); err != nil || names != nil {
		t.Fatalf("Wallets(missing) = %v, %v", names, err)
	}
}

func TestNew(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	w, err := New("", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".bittensor", "wallets", "default", "hotkeys", "default"); w.HotkeyFile() != want {
		t.Errorf("HotkeyFile() = %s, want %s", w.HotkeyFile(), want)
	}
	for _, bad := range []string{"..", "a/b", "."} {
		if _, err := New("/tmp", bad, ""); err == nil {
			t.Errorf("New with wallet name %q succeeded", bad)
		}
		if _, err := New("/tmp", "w", bad); err == nil {
			t.Errorf("New with hotkey name %q succeeded", bad)
		}
	}
}

func TestNACLLayout(t *testing.T) {
	data, err := encrypt([]byte("hello"), []byte("pw"), cheapKDF)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != len("$NACL")+24+16+5 || DetectEncryption(data) != NaCl {
		t.Fatalf("encrypted layout: %d bytes", len(data))
	}
	out, err := decrypt(data, []byte("pw"), cheapKDF)
	if err != nil || string(out) != "hello" {
		t.Fatalf("decrypt = %q, %v", out, err)
	}
	data[len(data)-1] ^= 1
	if _, err := decrypt(data, []byte("pw"), cheapKDF); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("damaged decrypt error = %v", err)
	}
	for _, legacy := range []string{"$ANSIBLE_VAULT;1.1;AES256", "gAAAAABkx"} {
		if _, err := decrypt([]byte(legacy), []byte("pw"), cheapKDF); !errors.Is(err, ErrLegacyEncryption) {
			t.Errorf("decrypt(%q) error = %v, want ErrLegacyEncryption", legacy, err)
		}
	}
}

var _ keys.Signer = (*keys.Keypair)(nil)

func TestLegacyFiles(t *testing.T) {
	w := testWallet(t, "old", "h")
	if err := writeKeyfile(w.ColdkeyFile(), []byte("$ANSIBLE_VAULT;1.1;AES256\n6138363733\n"), false); err != nil {
		t.Fatal(err)
	}
	// The oldest coldkeypub.txt: a bare 0x public key.
	if err := writeKeyfile(w.ColdkeypubFile(), []byte(alicePub+"\n"), false); err != nil {
		t.Fatal(err)
	}
	_, err := w.Coldkey(Password("pw"))
	if !errors.Is(err, ErrLegacyEncryption) || !strings.Contains(err.Error(), w.ColdkeyFile()) || !strings.Contains(err.Error(), "regen-coldkey") {
		t.Fatalf("Ansible Vault coldkey error = %v", err)
	}
	if pub, err := w.ColdkeyPub(); err != nil || pub.Address() != alice {
		t.Fatalf("ColdkeyPub() from bare hex = %s, %v", pub.Address(), err)
	}
	if enc, _ := w.ColdkeyEncryption(); enc != AnsibleVault {
		t.Fatalf("ColdkeyEncryption() = %v", enc)
	}
	// The oldest hotkey: a bare mnemonic.
	if err := writeKeyfile(w.HotkeyFile(), []byte(devPhrase+"\n"), false); err != nil {
		t.Fatal(err)
	}
	if kp, err := w.HotkeyPair(nil); err != nil || kp.Address() != devRoot {
		t.Fatalf("HotkeyPair() from bare mnemonic = %v, %v", kp, err)
	}
}

func TestNewFromEnv(t *testing.T) {
	env := map[string]string{"BT_WALLET_PATH": "/srv/wallets", "BT_WALLET_NAME": "miner", "BT_WALLET_HOTKEY": "h1"}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		name                   string
		path, wname, hot       string
		getenv                 func(string) string
		wantPath, wantN, wantH string
	}{
		{"all from the environment", "", "", "", getenv, "/srv/wallets", "miner", "h1"},
		{"arguments win", "/other", "cold", "h2", getenv, "/other", "cold", "h2"},
		{"no environment: btcli's defaults", "/w", "", "", func(string) string { return "" }, "/w", "default", "default"},
	} {
		w, err := NewFromEnv(tc.path, tc.wname, tc.hot, tc.getenv)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if w.Path != tc.wantPath || w.Name != tc.wantN || w.Hotkey != tc.wantH {
			t.Errorf("%s: %+v", tc.name, w)
		}
	}
}
