package wallet

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/nacl/secretbox"

	"github.com/minerkit/minerkit/keys"
)

// cheapScrypt stands in for scrypt in tests of the format logic.
func cheapScrypt(password, salt []byte, p scryptParams) ([]byte, error) {
	h := sha256.Sum256(append(append(bytes.Clone(password), salt...), byte(p.N), byte(p.p), byte(p.r)))
	return h[:], nil
}

// ed25519Form is polkadot-js's layout of a native secret key: scalar×8 || nonce.
func ed25519Form(native []byte) []byte {
	out := bytes.Clone(native)
	var carry byte
	for i := range 32 {
		out[i] = native[i]<<3 | carry
		carry = native[i] >> 5
	}
	return out
}

// pjsBackup describes a polkadot-js backup for makePJS to write.
type pjsBackup struct {
	kp       *keys.Keypair
	password string       // "" writes an unencrypted backup
	params   scryptParams // zero: polkadot-js's default N=2^17, p=1, r=8
	derive   scryptFunc   // nil: real scrypt
	noScrypt bool         // generation 2: the password is the secretbox key
	seedBody bool         // generations 1 and 2: the body holds the seed
	content  string       // JSON of encoding.content; "" for ["pkcs8","sr25519"]
	address  string       // "" for the key's address with prefix 42
	body     func([]byte) []byte
}

// makePJS writes a backup the way polkadot-js's encodePair and
// jsonEncryptFormat do.
func makePJS(t testing.TB, b pjsBackup) []byte {
	t.Helper()
	pub := b.kp.Public()
	secret := ed25519Form(b.kp.PrivateKey())
	if b.seedBody {
		secret = b.kp.Seed()
	}
	body := append(append(append(bytes.Clone(pkcs8Header), secret...), pkcs8Divider...), pub[:]...)
	if b.body != nil {
		body = b.body(body)
	}
	encoded, types := body, `["none"]`
	if b.password != "" {
		var key [32]byte
		var prefix []byte
		if b.noScrypt {
			copy(key[:], b.password)
			types = `["xsalsa20-poly1305"]`
		} else {
			p := b.params
			if p == (scryptParams{}) {
				p = scryptParams{1 << 17, 1, 8}
			}
			derive := b.derive
			if derive == nil {
				derive = scryptKey
			}
			salt := make([]byte, 32)
			rand.Read(salt)
			k, err := derive([]byte(b.password), salt, p)
			if err != nil {
				t.Fatal(err)
			}
			copy(key[:], k)
			prefix = binary.LittleEndian.AppendUint32(salt, uint32(p.N))
			prefix = binary.LittleEndian.AppendUint32(prefix, uint32(p.p))
			prefix = binary.LittleEndian.AppendUint32(prefix, uint32(p.r))
			types = `["scrypt","xsalsa20-poly1305"]`
		}
		var nonce [24]byte
		rand.Read(nonce[:])
		encoded = secretbox.Seal(append(prefix, nonce[:]...), body, &nonce, &key)
	}
	content, address := b.content, b.address
	if content == "" {
		content = `["pkcs8","sr25519"]`
	}
	if address == "" {
		address = pub.Address()
	}
	addr, _ := json.Marshal(address)
	return []byte(`{"encoded":"` + base64.StdEncoding.EncodeToString(encoded) + `","encoding":{"content":` + content +
		`,"type":` + types + `,"version":"3"},"address":` + string(addr) +
		`,"meta":{"genesisHash":"","name":"miner","whenCreated":1700000000000}}`)
}

func TestPolkadotJSON(t *testing.T) {
	alice := mustKeypair(t, "//Alice")
	soft := mustKeypair(t, devPhrase+"//hot/soft")
	seeded := mustKeypair(t, "0x"+strings.Repeat("5a", 32))
	for _, tc := range []struct {
		name     string
		b        pjsBackup
		password string
		want     *keys.Keypair
		err      string
	}{
		{"unencrypted", pjsBackup{kp: alice}, "", alice, ""},
		{"encrypted", pjsBackup{kp: alice, password: "pw", derive: cheapScrypt}, "pw", alice, ""},
		{"soft-derived", pjsBackup{kp: soft, password: "pw", derive: cheapScrypt}, "pw", soft, ""},
		{"old default params", pjsBackup{kp: alice, password: "pw", derive: cheapScrypt, params: scryptParams{1 << 15, 1, 8}}, "pw", alice, ""},
		{"generation 2", pjsBackup{kp: seeded, password: "pw", noScrypt: true, seedBody: true}, "pw", seeded, ""},
		{"seed body unencrypted", pjsBackup{kp: seeded, seedBody: true}, "", seeded, ""},
		{"prefix 0 address", pjsBackup{kp: alice, address: keys.EncodeSS58(alice.Public(), 0)}, "", alice, ""},
		{"hex address", pjsBackup{kp: alice, address: alice.Public().Hex()}, "", alice, ""},
		{"content without type", pjsBackup{kp: alice, content: `["pkcs8"]`}, "", alice, ""},
		{"wrong password", pjsBackup{kp: alice, password: "pw", derive: cheapScrypt}, "pW", nil, "wrong password"},
		{"empty password", pjsBackup{kp: alice, password: "pw", derive: cheapScrypt}, "", nil, "wrong password"},
		{"ed25519", pjsBackup{kp: alice, content: `["pkcs8","ed25519"]`}, "", nil, "holds an ed25519 key"},
		{"ecdsa", pjsBackup{kp: alice, content: `["pkcs8","ecdsa"]`}, "", nil, "holds an ecdsa key"},
		{"unknown type", pjsBackup{kp: alice, content: `["pkcs8","bls"]`}, "", nil, "unsupported key type"},
		{"not pkcs8", pjsBackup{kp: alice, content: `["raw","sr25519"]`}, "", nil, "not pkcs8"},
		{"bad scrypt params", pjsBackup{kp: alice, password: "pw", derive: cheapScrypt, params: scryptParams{1 << 20, 1, 8}}, "pw", nil, "N=1048576 p=1 r=8"},
		{"preset polkadot-js refuses", pjsBackup{kp: alice, password: "pw", derive: cheapScrypt, params: scryptParams{1 << 13, 10, 8}}, "pw", nil, "N=8192 p=10 r=8"},
		{"other address", pjsBackup{kp: alice, address: mustKeypair(t, "//Bob").Address()}, "", nil, "address"},
		{"bad address", pjsBackup{kp: alice, address: "5Grwva"}, "", nil, "address"},
		{"public key mismatch", pjsBackup{kp: alice, body: func(b []byte) []byte { b[len(b)-1] ^= 1; return b }}, "", nil, "gives public key"},
		{"truncated body", pjsBackup{kp: alice, body: func(b []byte) []byte { return b[:len(b)-1] }}, "", nil, "truncated"},
		{"bad header", pjsBackup{kp: alice, body: func(b []byte) []byte { b[0] = 0; return b }}, "", nil, "PKCS8 header"},
		{"no divider", pjsBackup{kp: alice, body: func(b []byte) []byte { b[80] = 0; return b }}, "", nil, "PKCS8 divider"},
		{"native secret", pjsBackup{kp: alice, body: func(b []byte) []byte { copy(b[16:], alice.PrivateKey()); b[16] |= 1; return b }}, "", nil, "ed25519 form"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ParsePolkadotJSON(makePJS(t, tc.b))
			var kp *keys.Keypair
			if err == nil {
				if b.Name != "miner" {
					t.Errorf("Name = %q", b.Name)
				}
				kp, err = b.keypair([]byte(tc.password), cheapScrypt)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if kp.Public() != tc.want.Public() || !bytes.Equal(kp.PrivateKey(), tc.want.PrivateKey()) {
				t.Fatalf("key %s, want %s", kp.Address(), tc.want.Address())
			}
		})
	}
}

func TestParsePolkadotJSONErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, err string }{
		{"not json", `{`, "not valid JSON"},
		{"btcli keyfile", string(NewKeyfile(mustKeypair(t, "//Alice"), "").Bytes()), "not a polkadot-js account backup"},
		{"bad base64", `{"encoded":"!!","encoding":{"content":["pkcs8","sr25519"],"type":["none"],"version":"3"},"address":"` + alice + `"}`, "base64"},
		{"bad type", `{"encoded":"","encoding":{"content":["pkcs8","sr25519"],"type":["aes"],"version":"3"},"address":"` + alice + `"}`, "unknown encryption"},
		{"type not strings", `{"encoded":"","encoding":{"content":["pkcs8","sr25519"],"type":[1],"version":"3"},"address":"` + alice + `"}`, "list of strings"},
		{"no address", `{"encoded":"","encoding":{"content":["pkcs8","sr25519"],"type":["none"],"version":"3"}}`, "no \"address\""},
		{"huge encoded", `{"encoded":"` + strings.Repeat("A", 4000) + `","encoding":{"type":["none"]},"address":"` + alice + `"}`, "too many"},
		{"huge file", `{"meta":"` + strings.Repeat("x", maxPolkadotJSONSize) + `"}`, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePolkadotJSON([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "wallet: ") {
				t.Fatalf("error = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

// TestRestorePolkadotJSON restores from a file with real scrypt parameters
// and writes the key as a btcli keyfile that reads back.
func TestRestorePolkadotJSON(t *testing.T) {
	kp := mustKeypair(t, devPhrase+"//miner/1")
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.json")
	if err := os.WriteFile(path, makePJS(t, pjsBackup{kp: kp, password: "secret"}), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := RestorePolkadotJSON(path, Password("nope")); !errors.Is(err, ErrWrongPassword) ||
		err.Error() != `wallet: wrong password for JSON backup "`+path+`"` {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, err := RestorePolkadotJSON(path, Sources{}); !errors.Is(err, ErrNoPassword) || !strings.Contains(err.Error(), "the backup's password") {
		t.Fatalf("no password: %v", err)
	}
	if _, _, err := RestorePolkadotJSON(filepath.Join(dir, "missing.json"), nil); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing file: %v", err)
	}
	got, b, err := RestorePolkadotJSON(path, Password("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Public() != kp.Public() || b.Name != "miner" || !b.Encrypted {
		t.Fatalf("restored %s (%+v), want %s", got.Address(), b, kp.Address())
	}

	w := testWallet(t, "restored", "default")
	if err := w.CreateColdkey(got, "", nil, false); err != nil {
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
	if len(fields) != 4 || fields["privateKey"] == "" || fields["publicKey"] != kp.Public().Hex() ||
		fields["accountId"] != kp.Public().Hex() || fields["ss58Address"] != kp.Address() {
		t.Fatalf("keyfile %s: want exactly privateKey, publicKey, accountId, ss58Address", data)
	}
	back, err := w.Coldkey(nil)
	if err != nil || back.Public() != kp.Public() {
		t.Fatalf("keyfile reads back as %v, %v", back, err)
	}
}

// FuzzPolkadotJSON: backup files from outside never panic the parser or
// the decryption (a cheap key derivation stands in for scrypt), and a key
// that comes out always matches the backup's address.
func FuzzPolkadotJSON(f *testing.F) {
	alice := mustKeypair(f, "//Alice")
	seeded := mustKeypair(f, "0x"+strings.Repeat("5a", 32))
	for _, b := range []pjsBackup{
		{kp: alice},
		{kp: alice, password: "pw", derive: cheapScrypt},
		{kp: alice, password: "pw", derive: cheapScrypt, params: scryptParams{1 << 16, 2, 8}},
		{kp: seeded, password: "pw", noScrypt: true, seedBody: true},
		{kp: seeded, seedBody: true, address: seeded.Public().Hex()},
		{kp: alice, content: `["pkcs8","ed25519"]`},
	} {
		f.Add(makePJS(f, b))
	}
	for _, s := range []string{"", "{", "null", `{"encoded":null,"encoding":{}}`, `{"encoded":"0x","encoding":{"type":"none"},"address":"0x00"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParsePolkadotJSON(data)
		if err != nil {
			return
		}
		kp, err := b.keypair([]byte("pw"), cheapScrypt)
		if err == nil && kp.Public() != b.PublicKey {
			t.Fatalf("key %s from a backup naming %s", kp.Address(), b.Address)
		}
	})
}

// BenchmarkPolkadotJSONDecrypt: opening a backup with polkadot-js's default
// scrypt parameters (N=2^17, r=8, p=1: 128 MiB), once per restore.
func BenchmarkPolkadotJSONDecrypt(b *testing.B) {
	data := makePJS(b, pjsBackup{kp: mustKeypair(b, "//Alice"), password: "pw"})
	bk, err := ParsePolkadotJSON(data)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := bk.Keypair([]byte("pw")); err != nil {
			b.Fatal(err)
		}
	}
}
