package wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
)

// TestNACLInteropLibsodium checks $NACL keyfiles against libsodium, the
// library bittensor-wallet uses: a coldkey Go encrypts opens in libsodium,
// and one libsodium encrypts opens in Go through Wallet.Coldkey, with the
// real Argon2i parameters. Each derivation costs about a second and 512 MiB
// (three in Go, two in Node), so this is the only test that pays for them.
func TestNACLInteropLibsodium(t *testing.T) {
	const password = "correct horse battery staple ünïcödé"
	w, err := New(t.TempDir(), "interop", "default")
	if err != nil {
		t.Fatal(err)
	}
	alice := mustKeypair(t, "//Alice")
	plain := NewKeyfile(alice, "").Bytes()

	goData, err := Encrypt(plain, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Results []struct {
			Data      string `json:"data"`
			Plaintext string `json:"plaintext"`
			Error     string `json:"error"`
		} `json:"results"`
	}
	interoptest.RunJSON(t, "nacl.js", map[string]any{"ops": []map[string]string{
		{"op": "decrypt", "password": password, "data": hex.EncodeToString(goData)},
		{"op": "encrypt", "password": password, "plaintext": hex.EncodeToString(plain)},
	}}, &out)
	if len(out.Results) != 2 {
		t.Fatalf("nacl.js returned %d results", len(out.Results))
	}
	if r := out.Results[0]; r.Error != "" || r.Plaintext != hex.EncodeToString(plain) {
		t.Fatalf("libsodium could not open Go's keyfile: %+v", r)
	}

	jsData, err := hex.DecodeString(out.Results[1].Data)
	if err != nil || DetectEncryption(jsData) != NaCl {
		t.Fatalf("libsodium keyfile: %q, %v", out.Results[1].Data, err)
	}
	if err := os.MkdirAll(w.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.ColdkeyFile(), jsData, 0o600); err != nil {
		t.Fatal(err)
	}
	kp, err := w.Coldkey(Password(password))
	if err != nil || kp.Public() != alice.Public() {
		t.Fatalf("Go could not open libsodium's keyfile: %v, %v", kp, err)
	}
	_, err = w.Coldkey(Password("wrong"))
	if !errors.Is(err, ErrWrongPassword) || err.Error() != `wallet: wrong password for coldkey "interop"` {
		t.Fatalf("wrong password error = %v", err)
	}
}

// TestKeyfilePrivateKeyPolkadot checks the privateKey field Go writes against
// polkadot-js: it is schnorrkel's native scalar || nonce (polkadot-js keeps
// scalar*8 || nonce, so keys.js converts), it gives the file's public key in
// polkadot-js, and a file holding only that privateKey loads back to the
// same key in Go.
func TestKeyfilePrivateKeyPolkadot(t *testing.T) {
	suris := []string{"//Alice", devPhrase, devPhrase + "//hot//3", "//Bob/soft"}
	type jsKey struct {
		PublicKey string `json:"publicKey"`
		Native    string `json:"native"`
		Error     string `json:"error"`
	}
	var items []map[string]string
	files := make([]map[string]any, len(suris))
	for i, s := range suris {
		if err := json.Unmarshal(NewKeyfile(mustKeypair(t, s), "").Bytes(), &files[i]); err != nil {
			t.Fatal(err)
		}
		items = append(items, map[string]string{"privateKey": files[i]["privateKey"].(string), "message": "00"})
	}
	var out struct {
		Results []struct {
			Keys []jsKey `json:"keys"`
		} `json:"results"`
	}
	interoptest.RunJSON(t, "keys.js", map[string]any{"ops": []map[string]any{
		{"op": "fromPrivate", "items": items},
		{"op": "derive", "suris": suris},
	}}, &out)
	for i, s := range suris {
		priv := files[i]["privateKey"].(string)
		if got := out.Results[0].Keys[i].PublicKey; got != files[i]["publicKey"] {
			t.Errorf("%s: privateKey %s is %s in polkadot-js, the file says %s", s, priv, got, files[i]["publicKey"])
		}
		native := out.Results[1].Keys[i].Native
		n := len(native)
		if strings.HasSuffix(s, "/soft") {
			n = 2 + 64 // soft derivation draws its nonce at random: compare the scalar
		}
		if priv[:n] != native[:n] {
			t.Errorf("%s: privateKey %s, polkadot-js native form %s", s, priv, native)
		}
		kf, err := ParseKeyfile([]byte(`{"privateKey":"` + priv + `"}`))
		if err != nil {
			t.Fatal(err)
		}
		kp, err := kf.Keypair()
		if err != nil || kp.Public().Hex() != files[i]["publicKey"] {
			t.Errorf("%s: privateKey-only keyfile loads as %v, %v", s, kp, err)
		}
	}
}
