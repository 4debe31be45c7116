package epistula

import (
	"net/http"
	"testing"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// BenchmarkVerify is one full verification: parse, hash, window, receiver,
// key cache hit (or a precomputed key from Keys), sr25519 verify, replay
// cache.
func BenchmarkVerify(b *testing.B) {
	alice := mustKey(b, "//Alice")
	body := []byte(`{"prompt":"hello","max_tokens":16}`)
	hs := make([]http.Header, 256)
	now := time.Now()
	for i := range hs {
		hs[i] = SignWith(alice, body, bobAddr, now.UnixMilli(), NewUUID())
	}
	pre, err := keys.NewPrecomputedVerifyKey(alice.Public())
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		keys keys.VerifyKeys
	}{{"cached", nil}, {"precomputed", keyMap{alice.Address(): pre}}} {
		b.Run(c.name, func(b *testing.B) {
			v := &Verifier{Self: bobAddr, Replay: noReplay{}, Keys: c.keys}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := v.Verify(hs[i%len(hs)], body, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseHeaders is the syntax check alone.
func BenchmarkParseHeaders(b *testing.B) {
	alice := mustKey(b, "//Alice")
	h := SignWith(alice, nil, bobAddr, time.Now().UnixMilli(), NewUUID())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseHeaders(h); err != nil {
			b.Fatal(err)
		}
	}
}
