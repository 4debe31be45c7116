package guard

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

type neverSeen struct{}

func (neverSeen) Seen(string, string, time.Time) (bool, error) { return false, nil }

// BenchmarkGuardClasses is the guard's own cost (no network, no HTTP
// parsing) per request of each attack class of docs/bench-serve.md, next
// to an accepted request: what the refusal order saves. The accepted
// request's replay cache never refuses, so one signed request can repeat.
func BenchmarkGuardClasses(b *testing.B) {
	f := newOrderFixture(b, 0)
	f.g.trace = nil
	f.g.Epistula.Verifier = &epistula.Verifier{Self: f.bob, Replay: neverSeen{}}
	f.g.Failures = &VerifyBudget{PerAddress: 1e-9, AddressBurst: 1, PerHotkey: 1e9, HotkeyBurst: 1e9}
	h := f.g.HandlerLimit(echo, 4096)
	alice, zed := mustKey(b, "//Alice"), mustKey(b, "//Zed")
	small := []byte(`{"q":1}`)
	big := bytes.Repeat([]byte("A"), 1<<20)
	// A well-formed signature by another key: a random one is refused
	// before the costly step (its scalar is not canonical).
	badSig := func() http.Header {
		h := epistula.Sign(zed, small, f.bob, time.Now())
		h.Set(epistula.HeaderSignedBy, alice.Address())
		return h
	}
	classes := []struct {
		name string
		h    http.Header
		body []byte
		addr string
	}{
		{"accepted", epistula.Sign(alice, small, f.bob, time.Now()), small, "192.0.2.1:1"},
		{"junk_1MiB_no_headers", http.Header{}, big, "192.0.2.2:1"},
		{"1MiB_unregistered_hotkey", epistula.Sign(zed, big, f.bob, time.Now()), big, "192.0.2.3:1"},
		{"valid_signature_unregistered", epistula.Sign(zed, small, f.bob, time.Now()), small, "192.0.2.4:1"},
		{"bad_signature_validator_fresh_address", badSig(), small, ""},
		{"bad_signature_validator_budget_spent", badSig(), small, "192.0.2.6:1"},
	}
	for _, c := range classes {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				req := httptest.NewRequest("POST", "/forward", bytes.NewReader(c.body))
				req.Header = c.h
				req.RemoteAddr = c.addr
				if c.addr == "" { // a new address each time: every one is verified
					req.RemoteAddr = "10." + itoa(i>>16&255) + "." + itoa(i>>8&255) + "." + itoa(i&255) + ":1"
				}
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}
