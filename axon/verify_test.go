package axon

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

func mustKey(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signedHeaders returns the SDK's request headers for a call by signer to
// miner at nonce.
func signedHeaders(signer *keys.Keypair, miner string, uuid string, nonce int64, bodyHash string) http.Header {
	n := strconv.FormatInt(nonce, 10)
	sig := signer.Sign(AppendMessage(nil, n, signer.Address(), miner, uuid, bodyHash))
	h := http.Header{}
	for k, v := range map[string]string{
		HeaderName: "Hello", HeaderTimeout: "12.0",
		HeaderDendriteHotkey: signer.Address(), HeaderDendriteNonce: n, HeaderDendriteUUID: uuid,
		HeaderDendriteVersion: "10002000", HeaderDendriteSignature: "0x" + hex.EncodeToString(sig[:]),
		HeaderAxonHotkey: miner, HeaderComputedBodyHash: bodyHash,
	} {
		h.Set(k, v) // canonical, as Go's server stores received headers
	}
	return h
}

func TestVerify(t *testing.T) {
	alice, bob, miner := mustKey(t, "//Alice"), mustKey(t, "//Bob"), mustKey(t, "//Miner")
	now := time.Unix(1_780_000_000, 0)
	ns := now.UnixNano()
	hash := EmptyBodyHash
	for _, c := range []struct {
		name   string
		h      http.Header
		hash   string
		status int
		reason Reason
	}{
		{"good", signedHeaders(alice, miner.Address(), "u1", ns, hash), hash, 0, ""},
		{"3.9 s old", signedHeaders(alice, miner.Address(), "u2", ns-int64(15900*time.Millisecond), hash), hash, 0, ""},
		{"16 s old (4 s + 12 s timeout)", signedHeaders(alice, miner.Address(), "u3", ns-int64(16*time.Second), hash), hash, 401, ReasonStale},
		{"8 s ahead", signedHeaders(alice, miner.Address(), "u4", ns+int64(8*time.Second), hash), hash, 0, ""},
		{"9 s ahead", signedHeaders(alice, miner.Address(), "u5", ns+int64(9*time.Second), hash), hash, 401, ReasonFromTheFuture},
		{"signed for another miner", signedHeaders(alice, bob.Address(), "u6", ns, hash), hash, 401, ReasonBadSignature},
		{"body hash differs", signedHeaders(alice, miner.Address(), "u7", ns, hash), "00", 400, ReasonBodyHash},
	} {
		v := &Verifier{Self: miner.Address()}
		p, err := ParseHeaders(c.h)
		if err != nil {
			t.Fatalf("%s: parse: %v", c.name, err)
		}
		caller, err := v.Verify(&p, c.hash, now)
		if c.status == 0 {
			if err != nil || caller != alice.Address() {
				t.Errorf("%s: %q %v", c.name, caller, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Status != c.status || e.Reason != c.reason {
			t.Errorf("%s: got %v (%+v), want %d %s", c.name, err, e, c.status, c.reason)
		}
	}
}

func TestVerifyNonceRule(t *testing.T) {
	alice, miner := mustKey(t, "//Alice"), mustKey(t, "//Miner")
	now := time.Unix(1_780_000_000, 0)
	v := &Verifier{Self: miner.Address()}
	call := func(uuid string, nonce int64) error {
		p, err := ParseHeaders(signedHeaders(alice, miner.Address(), uuid, nonce, EmptyBodyHash))
		if err != nil {
			return err
		}
		_, err = v.Verify(&p, EmptyBodyHash, now)
		return err
	}
	ns := now.UnixNano()
	if err := call("a", ns); err != nil {
		t.Fatal(err)
	}
	if err := call("a", ns); ReasonOf(err) != ReasonReplayed {
		t.Errorf("replay: %v", err)
	} else if err.Error() != "Not Verified with error: Nonce is too old, a newer one was last processed" {
		t.Errorf("replay message %q", err)
	}
	if err := call("a", ns-1); ReasonOf(err) != ReasonReplayed {
		t.Errorf("older nonce: %v", err)
	}
	if err := call("a", ns+1); err != nil {
		t.Errorf("newer nonce: %v", err)
	}
	if err := call("b", ns-1); err != nil {
		t.Errorf("another uuid: %v", err)
	}
	// After a restart (NotBefore), nonces signed before are refused.
	v2 := &Verifier{Self: miner.Address(), NotBefore: now}
	p, _ := ParseHeaders(signedHeaders(alice, miner.Address(), "c", ns-1, EmptyBodyHash))
	if _, err := v2.Verify(&p, EmptyBodyHash, now); ReasonOf(err) != ReasonStale {
		t.Errorf("before start: %v", err)
	}
	// A shared replay cache refuses what another replica accepted.
	shared := epistula.NewMemoryCache(0, func() time.Time { return now })
	r1 := &Verifier{Self: miner.Address(), Replay: shared}
	r2 := &Verifier{Self: miner.Address(), Replay: shared}
	p, _ = ParseHeaders(signedHeaders(alice, miner.Address(), "d", ns, EmptyBodyHash))
	if _, err := r1.Verify(&p, EmptyBodyHash, now); err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Verify(&p, EmptyBodyHash, now); ReasonOf(err) != ReasonReplayed {
		t.Errorf("replay on a second replica: %v", err)
	}
}

func TestVerifyBytesWrapped(t *testing.T) {
	alice, miner := mustKey(t, "//Alice"), mustKey(t, "//Miner")
	now := time.Now()
	n := strconv.FormatInt(now.UnixNano(), 10)
	sig := alice.Sign(keys.WrapBytes(AppendMessage(nil, n, alice.Address(), miner.Address(), "w", EmptyBodyHash)))
	h := signedHeaders(alice, miner.Address(), "w", now.UnixNano(), EmptyBodyHash)
	h.Set(HeaderDendriteSignature, "0x"+hex.EncodeToString(sig[:]))
	p, err := ParseHeaders(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Verifier{Self: miner.Address()}).Verify(&p, EmptyBodyHash, now); err != nil {
		t.Errorf("<Bytes>-wrapped: %v", err)
	}
	if _, err := (&Verifier{Self: miner.Address(), RejectBytesWrap: true}).Verify(&p, EmptyBodyHash, now); ReasonOf(err) != ReasonBadSignature {
		t.Errorf("<Bytes>-wrapped with RejectBytesWrap: %v", err)
	}
}

func TestParseHeaders(t *testing.T) {
	alice := mustKey(t, "//Alice")
	good := func() http.Header {
		return signedHeaders(alice, alice.Address(), "u", 1_780_000_000_000_000_000, EmptyBodyHash)
	}
	for _, c := range []struct {
		name   string
		edit   func(http.Header)
		status int
	}{
		{"good", func(http.Header) {}, 0},
		{"lowercase names as sent", func(h http.Header) {
			for k, v := range h {
				delete(h, k)
				h[http.CanonicalHeaderKey(k)] = v
			}
		}, 0},
		{"no hotkey", func(h http.Header) { h.Del(HeaderDendriteHotkey) }, 400},
		{"hotkey not base58", func(h http.Header) { h.Set(HeaderDendriteHotkey, "5Gr0OIl") }, 400},
		{"no nonce", func(h http.Header) { h.Del(HeaderDendriteNonce) }, 401},
		{"nonce 20 digits", func(h http.Header) { h.Set(HeaderDendriteNonce, "17800000000000000000") }, 400},
		{"nonce float", func(h http.Header) { h.Set(HeaderDendriteNonce, "1.78e18") }, 400},
		{"nonce overflows int64", func(h http.Header) { h.Set(HeaderDendriteNonce, "9999999999999999999") }, 400},
		{"no signature", func(h http.Header) { h.Del(HeaderDendriteSignature) }, 401},
		{"short signature", func(h http.Header) { h.Set(HeaderDendriteSignature, "0xabcd") }, 401},
		{"signature not hex", func(h http.Header) {
			h.Set(HeaderDendriteSignature, "0x"+string(make([]byte, 128)))
		}, 401},
		{"signature without 0x", func(h http.Header) {
			h.Set(HeaderDendriteSignature, h.Get(HeaderDendriteSignature)[2:])
		}, 0},
		{"timeout not a number", func(h http.Header) { h.Set(HeaderTimeout, "soon") }, 400},
		{"uuid with control bytes", func(h http.Header) { h.Set(HeaderDendriteUUID, "a\x01") }, 400},
		{"version not an integer", func(h http.Header) { h.Set(HeaderDendriteVersion, "10.2.0") }, 400},
	} {
		h := good()
		c.edit(h)
		_, err := ParseHeaders(h)
		if c.status == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Status != c.status {
			t.Errorf("%s: got %v, want status %d", c.name, err, c.status)
		}
	}
}

// The signed message, as the SDK builds it.
func TestAppendMessage(t *testing.T) {
	got := string(AppendMessage(nil, "1733300000000000000", "5Dendrite", "5Axon", "uuid-1", EmptyBodyHash))
	want := "1733300000000000000.5Dendrite.5Axon.uuid-1." + EmptyBodyHash
	if got != want {
		t.Errorf("got %s", got)
	}
}
