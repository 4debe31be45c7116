package wallet

import (
	"errors"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/keys"
)

const (
	devPhrase = keys.DevPhrase
	// devRoot is the SS58 address of the dev phrase without derivation.
	devRoot  = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"
	alice    = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	alicePub = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
)

func mustKeypair(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatalf("FromSURI(%q): %v", suri, err)
	}
	return kp
}

func TestKeyfileRoundTrip(t *testing.T) {
	dev := mustKeypair(t, devPhrase)
	soft := mustKeypair(t, "//Alice/soft") // soft derivation: no seed, only a private key
	tests := []struct {
		name   string
		kf     *Keyfile
		want   string
		secret bool
	}{
		{"mnemonic", NewKeyfile(dev, devPhrase), devRoot, true},
		{"seed", NewKeyfile(mustKeypair(t, "//Alice"), ""), alice, true},
		{"private key only", NewKeyfile(soft, ""), soft.Address(), true},
		{"public only", NewPublicKeyfile(mustKeypair(t, "//Alice").Public()), alice, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kf, err := ParseKeyfile(tt.kf.Bytes())
			if err != nil {
				t.Fatalf("ParseKeyfile(%s): %v", tt.kf.Bytes(), err)
			}
			pub, err := kf.Public()
			if err != nil || pub.Address() != tt.want {
				t.Fatalf("Public() = %v, %v; want %s", pub, err, tt.want)
			}
			kp, err := kf.Keypair()
			if !tt.secret {
				if !errors.Is(err, ErrNoSecret) {
					t.Fatalf("Keypair() error = %v, want ErrNoSecret", err)
				}
				return
			}
			if err != nil || kp.Address() != tt.want {
				t.Fatalf("Keypair() = %v, %v; want %s", kp, err, tt.want)
			}
			if sig := kp.Sign([]byte("m")); !keys.Verify(kp.Public(), []byte("m"), sig[:]) {
				t.Fatal("loaded keypair cannot sign")
			}
		})
	}
}

func TestKeyfileJSONShape(t *testing.T) {
	got := string(NewKeyfile(mustKeypair(t, "//Alice"), "").Bytes())
	for _, want := range []string{
		`"accountId":"` + alicePub + `"`,
		`"publicKey":"` + alicePub + `"`,
		`"privateKey":"0x`,
		`"secretSeed":"0x`,
		`"ss58Address":"` + alice + `"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("keyfile %s lacks %s", got, want)
		}
	}
	if strings.Contains(got, "secretPhrase") {
		t.Errorf("keyfile %s has a secretPhrase for a key without one", got)
	}
}

// TestParseKeyfileForms covers what real btcli and bittensor-wallet files
// look like, from the newest (extra fields) to the oldest (bare secrets).
func TestParseKeyfileForms(t *testing.T) {
	seedHex := "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a" // //Alice mini secret
	tests := []struct {
		name, data, want string
	}{
		{"btwallet json", `{"accountId": "` + alicePub + `", "publicKey": "` + alicePub + `", "secretPhrase": null, "secretSeed": "0x` + seedHex + `", "ss58Address": "` + alice + `"}`, alice},
		{"extra fields", `{"cryptoType":"sr25519","accountType":1,"signingScheme":{"x":1},"secretSeed":"` + seedHex + `"}`, alice},
		{"phrase wins", `{"secretPhrase":"  ` + strings.ReplaceAll(devPhrase, " ", `\n\t `) + `", "secretSeed":"0x` + seedHex + `"}`, devRoot},
		{"upper 0X", `{"secretSeed":"0X` + strings.ToUpper(seedHex) + `"}`, alice},
		{"bare hex seed", "0x" + seedHex + "\n", alice},
		{"bare hex seed no 0x", seedHex, alice},
		{"bare mnemonic", devPhrase + "\n", devRoot},
		{"address only", `{"ss58Address":"` + alice + `"}`, alice},
		{"accountId only", `{"accountId":"` + alicePub + `"}`, alice},
		{"utf8 bom", "\ufeff{\"secretSeed\":\"" + seedHex + "\"}", alice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kf, err := ParseKeyfile([]byte(tt.data))
			if err != nil {
				t.Fatalf("ParseKeyfile: %v", err)
			}
			pub, err := kf.Public()
			if err != nil || pub.Address() != tt.want {
				t.Fatalf("Public() = %s, %v; want %s", pub.Address(), err, tt.want)
			}
		})
	}
}

func TestParsePubfile(t *testing.T) {
	for _, data := range []string{
		`{"accountId":"` + alicePub + `","publicKey":"` + alicePub + `","ss58Address":"` + alice + `"}`,
		alicePub, // the oldest coldkeypub.txt: bare 0x hex
		alice + "\n",
	} {
		pub, err := ParsePubfile([]byte(data))
		if err != nil || pub.Address() != alice {
			t.Errorf("ParsePubfile(%q) = %s, %v; want %s", data, pub.Address(), err, alice)
		}
	}
}

func TestParseKeyfileErrors(t *testing.T) {
	good := string(NewKeyfile(mustKeypair(t, "//Alice"), "").Bytes())
	badWord := strings.Replace(devPhrase, "walk", "wall", 1) // valid word, wrong checksum
	badAddr := alice[:len(alice)-1] + "Z"
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "keyfile is empty"},
		{"truncated json", good[:len(good)/2], "not valid JSON"},
		{"bad hex", `{"secretSeed":"0xzz"}`, `"secretSeed": bad hex`},
		{"seed length", `{"secretSeed":"0x0102"}`, `"secretSeed" holds 2 bytes, want 32`},
		{"private key length", `{"privateKey":"0x` + strings.Repeat("11", 32) + `"}`, `"privateKey" holds 32 bytes, want 64`},
		{"mnemonic checksum", `{"secretPhrase":"` + badWord + `"}`, "checksum"},
		{"bare mnemonic checksum", badWord, "checksum"},
		{"unknown word", `{"secretPhrase":"` + strings.Replace(devPhrase, "walk", "walkk", 1) + `"}`, `"walkk"`},
		{"ss58 checksum", `{"ss58Address":"` + badAddr + `"}`, "checksum"},
		{"non-string field", `{"secretSeed":12}`, `"secretSeed" must be a string`},
		{"no key", `{"cryptoType":"sr25519"}`, "holds no key"},
		{"account differs", `{"accountId":"` + alicePub + `","publicKey":"0x` + strings.Repeat("00", 32) + `"}`, "differ"},
		{"address differs", `{"publicKey":"0x` + strings.Repeat("00", 32) + `","ss58Address":"` + alice + `"}`, "is not publicKey"},
		{"binary", "\xff\xfe\x00garbage", "not text"},
		{"bare hex length", "0x0102", "2 bytes of bare hex"},
		{"junk", "hello", "not JSON, a 0x-hex seed or a mnemonic"},
		{"nacl", "$NACL" + strings.Repeat("x", 60), "encrypted ($NACL)"},
		{"ansible", "$ANSIBLE_VAULT;1.1;AES256\n3133", "Ansible Vault encryption of old bittensor"},
		{"fernet", "gAAAAABh", "legacy encryption of old bittensor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeyfile([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseKeyfile(%q) error = %v, want it to contain %q", tt.data, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "wallet: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestKeypairMismatch(t *testing.T) {
	// A secret that does not give the recorded public key is a damaged file.
	data := `{"secretPhrase":"` + devPhrase + `","publicKey":"` + alicePub + `"}`
	kf, err := ParseKeyfile([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kf.Keypair(); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("Keypair() error = %v, want a damaged-file error", err)
	}
}
