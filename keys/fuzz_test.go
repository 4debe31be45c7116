package keys_test

import (
	"strings"
	"testing"

	"github.com/minerkit/minerkit/keys"
)

// FuzzDecodeSS58: any string decodes or fails cleanly, and what decodes
// re-encodes to the same address.
func FuzzDecodeSS58(f *testing.F) {
	for _, s := range []string{
		"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
		"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ",
		"16ZL8yLyXv3V3L3z9ofR1ovFLziyXaN1DPq4yffMAZ9czzBD",
		"t6r3Cq4hubc47cAcV3dyuyqmTtLkh9PkBMNXvckFuPo7MVN1q",
		"", "1", "0OIl", strings.Repeat("z", 60), "5Grwva",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pub, prefix, err := keys.DecodeSS58(s)
		if err != nil {
			return
		}
		if got := keys.EncodeSS58(pub, prefix); got != s {
			t.Fatalf("DecodeSS58(%q) = %x/%d, which encodes to %q", s, pub, prefix, got)
		}
	})
}

// FuzzParseSURI: any string parses or fails cleanly; a parsed SURI with a
// hex seed always derives a key (mnemonic ones are checked by the parser).
func FuzzParseSURI(f *testing.F) {
	for _, s := range []string{
		"//Alice", "/Alice", "//Alice///pw", keys.DevPhrase, keys.DevPhrase + "//hard/soft///pass",
		"0x" + strings.Repeat("ab", 32) + "//0/18446744073709551615", "0x12", "///", "//", "/ /", "a//b",
		keys.DevPhrase + "//" + strings.Repeat("x", 40), "\x00//\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := keys.ParseSURI(s)
		if err != nil {
			return
		}
		if len(u.Path) > 4 || !strings.HasPrefix(u.Phrase, "0x") {
			return // mnemonic PBKDF2 and long paths are slow; parsing is what is fuzzed
		}
		if _, err := u.Keypair(); err != nil {
			t.Fatalf("ParseSURI(%q) succeeded but Keypair failed: %v", s, err)
		}
	})
}
