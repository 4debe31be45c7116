package wallet

import (
	"bytes"
	"testing"
)

// FuzzParseKeyfile: keyfile bytes from disk never panic the parsers; what
// parses writes back to bytes that parse to the same key.
func FuzzParseKeyfile(f *testing.F) {
	alice := mustKeypair(f, "//Alice")
	for _, s := range []string{
		string(NewKeyfile(alice, "").Bytes()),
		string(NewKeyfile(mustKeypair(f, devPhrase), devPhrase).Bytes()),
		string(NewPublicKeyfile(alice.Public()).Bytes()),
		`{"secretPhrase":null,"secretSeed":"0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a","cryptoType":1}`,
		`{"privateKey":"0x` + string(bytes.Repeat([]byte("11"), 64)) + `"}`,
		alicePub, alice.Address(), devPhrase, "$NACL", "$ANSIBLE_VAULT;1.1", "gAAAAA", "", "{", `{"ss58Address":5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ParsePubfile(data)
		kf, err := ParseKeyfile(data)
		if err != nil {
			return
		}
		if kf.Phrase != "" {
			return // PBKDF2 per input is too slow for fuzzing; the rest is covered
		}
		pub, perr := kf.Public()
		again, err := ParseKeyfile(kf.Bytes())
		if err != nil {
			t.Fatalf("re-parse of %q: %v", kf.Bytes(), err)
		}
		if pub2, perr2 := again.Public(); (perr == nil) != (perr2 == nil) || pub != pub2 {
			t.Fatalf("public key changed across a round trip: %x/%v vs %x/%v", pub, perr, pub2, perr2)
		}
	})
}

// FuzzDecrypt: damaged $NACL data is an error, never a panic (with a cheap
// key derivation standing in for Argon2i).
func FuzzDecrypt(f *testing.F) {
	good, err := encrypt([]byte(`{"ss58Address":"x"}`), []byte("pw"), cheapKDF)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte("$NACL"))
	f.Add([]byte("$NACL" + string(make([]byte, 40))))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := decrypt(data, []byte("pw"), cheapKDF)
		if err == nil && DetectEncryption(data) == NaCl && len(out) != len(data)-minNACL {
			t.Fatalf("decrypted %d bytes from %d", len(out), len(data))
		}
	})
}
