package epistula

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/keys"
)

const (
	aliceAddr = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	bobAddr   = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
	testUUID  = "0f8fad5b-d9cb-469f-a165-70867728950e"
)

var testNow = time.UnixMilli(1764201600000) // 2025-11-27T00:00:00Z

func mustKey(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func cloneHeader(h http.Header) http.Header { return h.Clone() }

func TestVerify(t *testing.T) {
	alice := mustKey(t, "//Alice")
	body := []byte(`{"prompt":"hello"}`)
	ts := testNow.UnixMilli()
	base := SignWith(alice, body, bobAddr, ts, testUUID)
	noReceiver := SignWith(alice, body, "", ts, testUUID)
	// A request alice signed with polkadot-js signRaw semantics: the message
	// wrapped in <Bytes>…</Bytes>.
	bh := BodyHash(body)
	wrappedSig := alice.Sign(keys.WrapBytes(AppendMessage(nil, &bh, testUUID, "1764201600000", bobAddr)))
	wrapped := cloneHeader(base)
	wrapped.Set(HeaderSignature, wrappedSig.Hex())

	set := func(h http.Header, k, v string) http.Header {
		h = cloneHeader(h)
		h[k] = []string{v}
		return h
	}
	del := func(h http.Header, k string) http.Header {
		h = cloneHeader(h)
		delete(h, k)
		return h
	}
	sigHex := base.Get(HeaderSignature)
	flipped := sigHex[:10] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", sigHex[10])+1)%16]) + sigHex[11:]

	tests := []struct {
		name   string
		v      *Verifier
		h      http.Header
		body   []byte
		now    time.Time
		reason Reason
	}{
		{"valid", &Verifier{Self: bobAddr}, base, body, testNow, ""},
		{"valid at window edge past", &Verifier{Self: bobAddr}, base, body, testNow.Add(8 * time.Second), ""},
		{"valid at window edge future", &Verifier{Self: bobAddr}, base, body, testNow.Add(-8 * time.Second), ""},
		{"signature without 0x", &Verifier{Self: bobAddr}, set(base, HeaderSignature, sigHex[2:]), body, testNow, ""},
		{"signature upper case", &Verifier{Self: bobAddr}, set(base, HeaderSignature, "0x"+strings.ToUpper(sigHex[2:])), body, testNow, ""},
		{"bytes wrap accepted", &Verifier{Self: bobAddr}, wrapped, body, testNow, ""},
		{"bytes wrap refused", &Verifier{Self: bobAddr, RejectBytesWrap: true}, wrapped, body, testNow, ReasonBadSignature},
		{"no self no receiver check", &Verifier{}, base, body, testNow, ""},
		{"stale", &Verifier{Self: bobAddr}, base, body, testNow.Add(8*time.Second + time.Millisecond), ReasonStale},
		{"from the future", &Verifier{Self: bobAddr}, base, body, testNow.Add(-8*time.Second - time.Millisecond), ReasonFromTheFuture},
		{"custom window", &Verifier{Self: bobAddr, Window: 20 * time.Second}, base, body, testNow.Add(15 * time.Second), ""},
		{"wrong receiver", &Verifier{Self: aliceAddr}, base, body, testNow, ReasonWrongReceiver},
		{"receiver under another prefix", &Verifier{Self: keys.EncodeSS58(mustKey(t, "//Bob").Public(), 0)}, base, body, testNow, ""},
		{"missing receiver", &Verifier{Self: bobAddr}, noReceiver, body, testNow, ReasonWrongReceiver},
		{"missing receiver allowed", &Verifier{Self: bobAddr, AllowMissingSignedFor: true}, noReceiver, body, testNow, ""},
		{"body changed", &Verifier{Self: bobAddr}, base, []byte(`{"prompt":"hellO"}`), testNow, ReasonBadSignature},
		{"empty body", &Verifier{Self: bobAddr}, base, nil, testNow, ReasonBadSignature},
		{"signature changed", &Verifier{Self: bobAddr}, set(base, HeaderSignature, flipped), body, testNow, ReasonBadSignature},
		{"uuid changed", &Verifier{Self: bobAddr}, set(base, HeaderUUID, "1"+testUUID[1:]), body, testNow, ReasonBadSignature},
		{"timestamp changed", &Verifier{Self: bobAddr}, set(base, HeaderTimestamp, "1764201600001"), body, testNow, ReasonBadSignature},
		{"timestamp leading zero", &Verifier{Self: bobAddr}, set(base, HeaderTimestamp, "01764201600000"), body, testNow, ReasonBadSignature},
		{"signer changed", &Verifier{Self: bobAddr}, set(base, HeaderSignedBy, bobAddr), body, testNow, ReasonBadSignature},
		{"signer bad checksum", &Verifier{Self: bobAddr}, set(base, HeaderSignedBy, aliceAddr[:47]+"Z"), body, testNow, ReasonMalformed},
		{"signer not base58", &Verifier{Self: bobAddr}, set(base, HeaderSignedBy, "0OIl"), body, testNow, ReasonMalformed},
		{"missing signer", &Verifier{Self: bobAddr}, del(base, HeaderSignedBy), body, testNow, ReasonMalformed},
		{"missing signature", &Verifier{Self: bobAddr}, del(base, HeaderSignature), body, testNow, ReasonMalformed},
		{"short signature", &Verifier{Self: bobAddr}, set(base, HeaderSignature, sigHex[:100]), body, testNow, ReasonMalformed},
		{"signature not hex", &Verifier{Self: bobAddr}, set(base, HeaderSignature, "0x"+strings.Repeat("zz", 64)), body, testNow, ReasonMalformed},
		{"missing uuid", &Verifier{Self: bobAddr}, del(base, HeaderUUID), body, testNow, ReasonMalformed},
		{"uuid not a uuid", &Verifier{Self: bobAddr}, set(base, HeaderUUID, "hello"), body, testNow, ReasonMalformed},
		{"missing timestamp", &Verifier{Self: bobAddr}, del(base, HeaderTimestamp), body, testNow, ReasonMalformed},
		{"timestamp seconds with fraction", &Verifier{Self: bobAddr}, set(base, HeaderTimestamp, "1764201600.5"), body, testNow, ReasonMalformed},
		{"timestamp negative", &Verifier{Self: bobAddr}, set(base, HeaderTimestamp, "-1"), body, testNow, ReasonMalformed},
		{"timestamp overflow", &Verifier{Self: bobAddr}, set(base, HeaderTimestamp, "9999999999999999999"), body, testNow, ReasonMalformed},
		{"timestamp in seconds is stale", &Verifier{Self: bobAddr}, set(base, HeaderTimestamp, "1764201600"), body, testNow, ReasonStale},
		{"timestamp in microseconds is future", &Verifier{Self: bobAddr}, set(base, HeaderTimestamp, "1764201600000000"), body, testNow, ReasonFromTheFuture},
		{"max timestamp is future", &Verifier{Self: bobAddr}, set(base, HeaderTimestamp, "9223372036854775807"), body, testNow, ReasonFromTheFuture},
		{"repeated header", &Verifier{Self: bobAddr}, func() http.Header { h := cloneHeader(base); h.Add(HeaderUUID, testUUID); return h }(), body, testNow, ReasonMalformed},
		{"version 1", &Verifier{Self: bobAddr}, set(base, HeaderVersion, "1"), body, testNow, ReasonUnsupportedVersion},
		{"version missing", &Verifier{Self: bobAddr}, del(base, HeaderVersion), body, testNow, ReasonUnsupportedVersion},
		{"version missing allowed", &Verifier{Self: bobAddr, AllowMissingVersion: true}, del(base, HeaderVersion), body, testNow, ""},
		{"receiver not an address", &Verifier{Self: bobAddr}, set(base, HeaderSignedFor, ""), body, testNow, ReasonMalformed},
		{"no headers", &Verifier{Self: bobAddr}, http.Header{}, body, testNow, ReasonMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Verify(tt.h, tt.body, tt.now)
			if r := ReasonOf(err); r != tt.reason {
				t.Fatalf("reason %q, want %q (err: %v)", r, tt.reason, err)
			}
			if tt.reason == "" && got != aliceAddr {
				t.Fatalf("signer %q, want %q", got, aliceAddr)
			}
			if tt.reason != "" {
				if got != "" {
					t.Errorf("signer %q returned with an error", got)
				}
				if !errors.Is(err, reasonErr[tt.reason]) {
					t.Errorf("errors.Is(%v, sentinel of %s) is false", err, tt.reason)
				}
				if !strings.HasPrefix(err.Error(), "epistula: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
			}
		})
	}
}

func TestVerifyX(t *testing.T) {
	alice := mustKey(t, "//Alice")
	body := []byte("binary\x00\xff")
	h := SignXWith(alice, body, testNow.UnixNano())
	if sig := h.Get(HeaderXSignature); len(sig) != 128 || strings.HasPrefix(sig, "0x") {
		t.Fatalf("X signature %q: want 128 plain hex digits", sig)
	}
	tests := []struct {
		name   string
		v      *Verifier
		body   []byte
		now    time.Time
		reason Reason
	}{
		{"valid", &Verifier{Self: bobAddr}, body, testNow, ""},
		{"valid 60s later", &Verifier{Self: bobAddr}, body, testNow.Add(60 * time.Second), ""},
		{"stale", &Verifier{Self: bobAddr}, body, testNow.Add(61 * time.Second), ReasonStale},
		{"future", &Verifier{Self: bobAddr}, body, testNow.Add(-61 * time.Second), ReasonFromTheFuture},
		{"body changed", &Verifier{Self: bobAddr}, []byte("binary\x00\xfe"), testNow, ReasonBadSignature},
		{"disabled", &Verifier{Self: bobAddr, DisableX: true}, body, testNow, ReasonUnsupportedVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Verify(h, tt.body, tt.now)
			if r := ReasonOf(err); r != tt.reason {
				t.Fatalf("reason %q, want %q (err: %v)", r, tt.reason, err)
			}
			if tt.reason == "" && got != aliceAddr {
				t.Fatalf("signer %q", got)
			}
		})
	}
}

func TestReplay(t *testing.T) {
	alice := mustKey(t, "//Alice")
	clock := testNow
	v := Verifier{Self: bobAddr, Replay: NewMemoryCache(0, func() time.Time { return clock })}
	h := SignWith(alice, []byte("x"), bobAddr, testNow.UnixMilli(), testUUID)
	if _, err := v.Verify(h, []byte("x"), clock); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(8 * time.Second)
	if got, err := v.Verify(h, []byte("x"), clock); ReasonOf(err) != ReasonReplayed || got != aliceAddr {
		t.Fatalf("second use: %q, %v; want the signer and replayed", got, err)
	}
	// A bad signature is not recorded, so the real request with the same
	// uuid is not blocked by a forgery that came first.
	h2 := SignWith(alice, []byte("y"), bobAddr, testNow.UnixMilli(), NewUUID())
	if _, err := v.Verify(h2, []byte("forged"), clock); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("forgery: %v", err)
	}
	if _, err := v.Verify(h2, []byte("y"), clock); err != nil {
		t.Fatalf("genuine after forgery: %v", err)
	}
	// X variant: the timestamp is the replay key.
	hx := SignXWith(alice, []byte("x"), clock.UnixNano())
	if _, err := v.Verify(hx, []byte("x"), clock); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(hx, []byte("x"), clock); ReasonOf(err) != ReasonReplayed {
		t.Fatalf("X replay: %v", err)
	}
}

func TestReplayCacheFullFailsClosed(t *testing.T) {
	alice := mustKey(t, "//Alice")
	v := Verifier{Self: bobAddr, Replay: NewMemoryCache(replayShards, func() time.Time { return testNow })}
	var sawFull bool
	for i := 0; i < 200 && !sawFull; i++ {
		h := SignWith(alice, nil, bobAddr, testNow.UnixMilli(), NewUUID())
		_, err := v.Verify(h, nil, testNow)
		switch ReasonOf(err) {
		case "":
		case ReasonUnavailable:
			sawFull = true
			if !errors.Is(err, ErrCacheFull) || !errors.Is(err, ErrUnavailable) {
				t.Fatalf("full cache error %v does not wrap ErrCacheFull and ErrUnavailable", err)
			}
		default:
			t.Fatal(err)
		}
	}
	if !sawFull {
		t.Fatal("a cache of one entry per shard never reported full")
	}
}

// TestReplayUnderAnotherPrefix: Epistula-Signed-By is not signed, so an
// attacker can re-encode it under another SS58 prefix; the replay cache and
// the returned caller must name the key, not the string.
func TestReplayUnderAnotherPrefix(t *testing.T) {
	alice := mustKey(t, "//Alice")
	v := &Verifier{Self: bobAddr, Replay: NewMemoryCache(0, func() time.Time { return testNow })}
	h := SignWith(alice, nil, bobAddr, testNow.UnixMilli(), testUUID)
	if _, err := v.Verify(h, nil, testNow); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []uint16{0, 2, 1000} {
		h2 := h.Clone()
		h2.Set(HeaderSignedBy, keys.EncodeSS58(alice.Public(), prefix))
		if _, err := v.Verify(h2, nil, testNow); ReasonOf(err) != ReasonReplayed {
			t.Fatalf("prefix %d: %v, want replayed", prefix, err)
		}
	}
	h3 := SignWith(alice, nil, bobAddr, testNow.UnixMilli(), NewUUID())
	h3.Set(HeaderSignedBy, keys.EncodeSS58(alice.Public(), 0))
	if caller, err := v.Verify(h3, nil, testNow); err != nil || caller != aliceAddr {
		t.Fatalf("prefix 0 signer: %q, %v; want %s", caller, err, aliceAddr)
	}
}

func TestVerifyFunc(t *testing.T) {
	alice := mustKey(t, "//Alice")
	h := SignWith(alice, nil, bobAddr, testNow.UnixMilli(), testUUID)
	for i := 0; i < 2; i++ { // stateless: no replay cache
		if got, err := Verify(h, nil, testNow, bobAddr); err != nil || got != aliceAddr {
			t.Fatalf("Verify = %q, %v", got, err)
		}
	}
}

func TestSecretMessages(t *testing.T) {
	got := SecretMessages(1732700000123, "R")
	want := [3]string{"1732700009999.0.R", "1732700010000.0.R", "1732700010001.0.R"}
	if got != want {
		t.Errorf("SecretMessages = %q, want %q", got, want)
	}
}

func TestSignHeaders(t *testing.T) {
	alice := mustKey(t, "//Alice")
	h := Sign(alice, []byte("b"), bobAddr, time.Now())
	for _, k := range []string{HeaderVersion, HeaderTimestamp, HeaderUUID, HeaderSignedBy, HeaderSignedFor, HeaderSignature,
		HeaderSecretSignature0, HeaderSecretSignature1, HeaderSecretSignature2} {
		if len(h[k]) != 1 {
			t.Errorf("header %s: %q", k, h[k])
		}
	}
	if sig := h.Get(HeaderSignature); !strings.HasPrefix(sig, "0x") || strings.ToLower(sig) != sig || len(sig) != 130 {
		t.Errorf("signature %q: want 0x + 128 lowercase hex digits", sig)
	}
	u := h.Get(HeaderUUID)
	if !validUUID(u) || u[14] != '4' || !strings.ContainsRune("89ab", rune(u[19])) {
		t.Errorf("uuid %q is not a v4 uuid", u)
	}
	// Secret signatures verify over the Python-convention messages.
	ts := h.Get(HeaderTimestamp)
	ms, _ := parseTimestamp("", ts)
	for i, m := range SecretMessages(ms, bobAddr) {
		sig := h.Get([]string{HeaderSecretSignature0, HeaderSecretSignature1, HeaderSecretSignature2}[i])
		var raw [64]byte
		if err := parseSignature("", sig, &raw); err != nil || !keys.Verify(alice.Public(), []byte(m), raw[:]) {
			t.Errorf("secret signature %d does not verify over %q", i, m)
		}
	}
	if _, ok := Sign(alice, nil, "", time.Now())[HeaderSecretSignature0]; ok {
		t.Error("secret signatures sent without a receiver")
	}
}

// After a restart with an empty replay cache, a request captured before the
// start is refused even inside the window; one signed after is accepted.
func TestVerifyNotBefore(t *testing.T) {
	alice := mustKey(t, "//Alice")
	start := testNow
	v := Verifier{Self: bobAddr, NotBefore: start}
	now := start.Add(2 * time.Second)
	for _, tc := range []struct {
		name   string
		signed time.Time
		want   Reason
	}{
		{"captured before the start", start.Add(-time.Second), ReasonStale},
		{"signed after the start", start.Add(time.Second), ""},
	} {
		h := SignWith(alice, []byte("x"), bobAddr, tc.signed.UnixMilli(), NewUUID())
		if _, err := v.Verify(h, []byte("x"), now); ReasonOf(err) != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	hx := SignXWith(alice, []byte("x"), start.Add(-time.Second).UnixNano())
	if _, err := v.Verify(hx, []byte("x"), now); ReasonOf(err) != ReasonStale {
		t.Errorf("X captured before the start: %v", err)
	}
}
