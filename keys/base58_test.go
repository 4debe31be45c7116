package keys

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mr-tron/base58"
	"golang.org/x/crypto/blake2b"
)

func ss58ChecksumRef(b []byte) [64]byte { return blake2b.Sum512(b) }

// FuzzDecodeBase58 compares decodeBase58 with github.com/mr-tron/base58,
// which DecodeSS58 used before: same bytes, same refusals.
func FuzzDecodeBase58(f *testing.F) {
	for _, s := range []string{
		"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "1", "11", "111z", "z", "2", "0OIl",
		strings.Repeat("z", 64), strings.Repeat("1", 64), "1" + strings.Repeat("z", 63), "5Grwva é",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || len(s) > 64 {
			return // DecodeSS58 refuses these before decoding
		}
		var buf [64]byte
		got, ok := decodeBase58(&buf, s)
		want, err := base58.Decode(s)
		if ok != (err == nil) {
			t.Fatalf("%q: ok %v, base58.Decode error %v", s, ok, err)
		}
		if ok && !bytes.Equal(got, want) {
			t.Fatalf("%q: %x, base58.Decode %x", s, got, want)
		}
	})
}

func TestSS58ChecksumLong(t *testing.T) {
	// Payloads past the stack buffer take the streaming path: same sums.
	for _, n := range []int{0, 34, 57, 58, 100} {
		data := bytes.Repeat([]byte{7}, n)
		got := ss58Checksum(data)
		var joined []byte
		joined = append(append(joined, "SS58PRE"...), data...)
		if ref := ss58ChecksumRef(joined); got != ref {
			t.Errorf("n=%d: %x, want %x", n, got[:4], ref[:4])
		}
	}
}
