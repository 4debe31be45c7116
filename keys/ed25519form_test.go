package keys_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
	"github.com/minerkit/minerkit/keys"
)

// toEd25519Form multiplies a native scalar by the cofactor 8 (a 3-bit left
// shift of the little-endian integer), giving polkadot-js's layout.
func toEd25519Form(native []byte) []byte {
	out := bytes.Clone(native)
	var carry byte
	for i := range 32 {
		b := native[i]
		out[i] = b<<3 | carry
		carry = b >> 5
	}
	return out
}

func TestFromEd25519Bytes(t *testing.T) {
	for _, s := range []string{"//Alice", "//Bob/soft", keys.DevPhrase + "//1//2/x///pw", "0x" + strings.Repeat("ab", 32)} {
		kp, err := keys.FromSURI(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := keys.FromEd25519Bytes(toEd25519Form(kp.PrivateKey()))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got.Public() != kp.Public() || !bytes.Equal(got.PrivateKey(), kp.PrivateKey()) || got.Seed() != nil {
			t.Errorf("%s: FromEd25519Bytes gives %s (private %x), want %s (private %x)",
				s, got.Public().Hex(), got.PrivateKey(), kp.Public().Hex(), kp.PrivateKey())
		}
		if sig := got.Sign([]byte("m")); !keys.Verify(kp.Public(), []byte("m"), sig[:]) {
			t.Errorf("%s: signature of the restored key does not verify", s)
		}
	}
}

func TestFromEd25519BytesErrors(t *testing.T) {
	alice, _ := keys.FromSURI("//Alice")
	native := alice.PrivateKey()
	tooBig := make([]byte, 64)
	for i := range 32 {
		tooBig[i] = 0xf8 // a multiple of 8 whose eighth is above the group order
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"short", native[:63], "must be 64 bytes"},
		{"long", append(bytes.Clone(native), 0), "must be 64 bytes"},
		{"native form", func() []byte { b := bytes.Clone(native); b[0] |= 1; return b }(), "not in ed25519 form"},
		{"non-canonical", tooBig, "not canonical"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := keys.FromEd25519Bytes(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestFromEd25519BytesPolkadot loads the secret keys polkadot-js holds (its
// ed25519 form) and checks the public keys.
func TestFromEd25519BytesPolkadot(t *testing.T) {
	suris := []string{"//Alice", keys.DevPhrase + "//hot//3", "//Bob/soft", keys.DevPhrase + "/a/b///pw"}
	var out struct {
		Results []jsResult `json:"results"`
	}
	interoptest.RunJSON(t, "keys.js", map[string]any{"ops": []map[string]any{{"op": "derive", "suris": suris}}}, &out)
	for i, s := range suris {
		k := out.Results[0].Keys[i]
		sk, err := hex.DecodeString(strings.TrimPrefix(k.SecretKey, "0x"))
		if err != nil {
			t.Fatal(err)
		}
		kp, err := keys.FromEd25519Bytes(sk)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if kp.Public().Hex() != k.PublicKey || "0x"+hex.EncodeToString(kp.PrivateKey()) != k.Native {
			t.Errorf("%s: polkadot-js secret %s gives %s / %x, want %s / %s", s, k.SecretKey, kp.Public().Hex(), kp.PrivateKey(), k.PublicKey, k.Native)
		}
	}
}
