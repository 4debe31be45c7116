package epistula

import (
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/minerkit/minerkit/internal/interoptest"
	"github.com/minerkit/minerkit/keys"
)

type nodeSignItem struct {
	SURI      string `json:"suri"`
	Body      string `json:"body"`
	Receiver  string `json:"receiver"`
	Timestamp string `json:"timestamp"`
	UUID      string `json:"uuid"`
	Variant   string `json:"variant"`
}

type nodeVerifyItem struct {
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

type nodeVerifyResult struct {
	OK       bool   `json:"ok"`
	SecretOK *bool  `json:"secretOk"`
	Message  string `json:"message"`
}

var interopSigners = []string{"//Alice", "//Bob", "//Validator/1", "bottom drive obey lake curtain smoke basket hold race lonely fit walk//x/y"}

// signerKeys derives interopSigners once (SURI derivation runs PBKDF2).
func signerKeys(t *testing.T) map[string]*keys.Keypair {
	m := map[string]*keys.Keypair{}
	for _, s := range interopSigners {
		m[s] = mustKey(t, s)
	}
	return m
}

// interopBodies returns n bodies: empty, text, JSON and random binary of
// lengths up to 4 KiB.
func interopBodies(r *rand.Rand, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		switch i % 5 {
		case 0:
			out[i] = nil
		case 1:
			out[i] = []byte(`{"prompt":"` + strconv.Itoa(r.Int()) + `","x":"é€😀"}`)
		default:
			b := make([]byte, r.IntN(4096)+1)
			for j := range b {
				b[j] = byte(r.UintN(256))
			}
			out[i] = b
		}
	}
	return out
}

func headerMap(h http.Header) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		m[k] = v[0]
	}
	return m
}

// TestInteropNodeSignsGoVerifies: polkadot-js signs 500 requests (v2 with and
// without receiver, and X-Epistula) with its own message construction; Go
// verifies all of them, and refuses one-byte changes with the right reason.
func TestInteropNodeSignsGoVerifies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ks := signerKeys(t)
	bodies := interopBodies(r, 500)
	now := time.Now()
	receiver := mustKey(t, "//Miner").Address()
	items := make([]nodeSignItem, len(bodies))
	for i, b := range bodies {
		it := nodeSignItem{SURI: interopSigners[i%len(interopSigners)], Body: base64.StdEncoding.EncodeToString(b),
			Timestamp: strconv.FormatInt(now.UnixMilli()-int64(r.IntN(4000)), 10), UUID: NewUUID(), Variant: "v2", Receiver: receiver}
		switch i % 7 {
		case 3:
			it.Receiver = ""
		case 5:
			it.Variant = "x"
			it.Timestamp = strconv.FormatInt(now.UnixNano()-int64(r.IntN(4000))*1e6, 10)
		}
		items[i] = it
	}
	var out struct{ Headers []map[string]string }
	interoptest.RunJSON(t, "epistula.js", map[string]any{"op": "sign", "items": items}, &out)
	if len(out.Headers) != len(items) {
		t.Fatalf("node returned %d header sets for %d items", len(out.Headers), len(items))
	}
	v := &Verifier{Self: receiver, AllowMissingSignedFor: true, Replay: NewMemoryCache(0, func() time.Time { return now })}
	for i, hm := range out.Headers {
		h := http.Header{}
		for k, val := range hm {
			h.Set(k, val)
		}
		signer := ks[items[i].SURI].Address()
		body := bodies[i]
		got, err := (&Verifier{Self: receiver, AllowMissingSignedFor: true, Replay: noReplay{}}).Verify(h, body, now)
		if err != nil || got != signer {
			t.Fatalf("item %d (%s, %d-byte body): Verify = %q, %v; want %s", i, items[i].Variant, len(body), got, err, signer)
		}
		if i%10 != 0 {
			continue
		}
		// One-byte changes, each refused with its reason.
		type mutation struct {
			name   string
			h      http.Header
			body   []byte
			reason Reason
		}
		var muts []mutation
		flip := func(s string, pos int) string {
			b := []byte(s)
			const digits = "0123456789abcdef"
			c := b[pos]
			for _, d := range []byte(digits) {
				if d != c && d != c+32 && d != c-32 {
					b[pos] = d
					break
				}
			}
			return string(b)
		}
		with := func(k, val string) http.Header { c := h.Clone(); c.Set(k, val); return c }
		if len(body) > 0 {
			b := append([]byte(nil), body...)
			b[r.IntN(len(b))] ^= 1 << r.UintN(8)
			muts = append(muts, mutation{"body", h, b, ReasonBadSignature})
		} else {
			muts = append(muts, mutation{"body", h, []byte{0}, ReasonBadSignature})
		}
		if items[i].Variant == "v2" {
			sig := h.Get(HeaderSignature)
			muts = append(muts,
				mutation{"uuid", with(HeaderUUID, flip(items[i].UUID, 0)), body, ReasonBadSignature},
				mutation{"timestamp last digit", with(HeaderTimestamp, flip(items[i].Timestamp, len(items[i].Timestamp)-1)), body, ReasonBadSignature},
				mutation{"timestamp high digit", with(HeaderTimestamp, "9"+items[i].Timestamp[1:]), body, ReasonFromTheFuture},
				mutation{"signature", with(HeaderSignature, flip(sig, 2+2*r.IntN(64))), body, ReasonBadSignature},
			)
			if items[i].Receiver != "" {
				muts = append(muts, mutation{"receiver", with(HeaderSignedFor, otherBase58(receiver, 10)), body, ReasonWrongReceiver})
			}
		} else {
			sig := h.Get(HeaderXSignature)
			ts := items[i].Timestamp
			muts = append(muts,
				mutation{"timestamp", with(HeaderXTimestamp, flip(ts, len(ts)-1)), body, ReasonBadSignature},
				mutation{"timestamp high digit", with(HeaderXTimestamp, "0"+ts[1:]), body, ReasonStale},
				mutation{"timestamp top digit", with(HeaderXTimestamp, "2"+ts[1:]), body, ReasonFromTheFuture},
				mutation{"signature", with(HeaderXSignature, flip(sig, 2*r.IntN(64))), body, ReasonBadSignature},
			)
		}
		for _, m := range muts {
			_, err := (&Verifier{Self: receiver, AllowMissingSignedFor: true, Replay: noReplay{}}).Verify(m.h, m.body, now)
			if ReasonOf(err) != m.reason {
				t.Errorf("item %d: changed %s: %v, want %s", i, m.name, err, m.reason)
			}
		}
	}
	// And the replay cache catches every one of them the second time.
	for i, hm := range out.Headers[:50] {
		h := http.Header{}
		for k, val := range hm {
			h.Set(k, val)
		}
		for round := 0; round < 2; round++ {
			_, err := v.Verify(h, bodies[i], now)
			if (round == 0) != (err == nil) || round == 1 && ReasonOf(err) != ReasonReplayed {
				t.Fatalf("item %d round %d: %v", i, round, err)
			}
		}
	}
}

// TestInteropGoSignsNodeVerifies: Go signs 500 requests; polkadot-js rebuilds
// each message on its own and verifies the request signature and the three
// secret signatures.
func TestInteropGoSignsNodeVerifies(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ks := signerKeys(t)
	bodies := interopBodies(r, 500)
	receiver := mustKey(t, "//Miner").Address()
	items := make([]nodeVerifyItem, len(bodies))
	wantMsg := make([]string, len(bodies))
	for i, b := range bodies {
		key := ks[interopSigners[i%len(interopSigners)]]
		now := time.UnixMilli(1_700_000_000_000 + int64(r.IntN(1e9)))
		var h http.Header
		hash := BodyHash(b)
		switch i % 7 {
		case 3:
			h = Sign(key, b, "", now)
			wantMsg[i] = string(AppendMessage(nil, &hash, h.Get(HeaderUUID), h.Get(HeaderTimestamp), ""))
		case 5:
			h = SignX(key, b, now)
			wantMsg[i] = string(AppendXMessage(nil, &hash, h.Get(HeaderXTimestamp)))
		default:
			h = Sign(key, b, receiver, now)
			wantMsg[i] = string(AppendMessage(nil, &hash, h.Get(HeaderUUID), h.Get(HeaderTimestamp), receiver))
		}
		items[i] = nodeVerifyItem{Headers: headerMap(h), Body: base64.StdEncoding.EncodeToString(b)}
	}
	var out struct{ Results []nodeVerifyResult }
	interoptest.RunJSON(t, "epistula.js", map[string]any{"op": "verify", "items": items}, &out)
	if len(out.Results) != len(items) {
		t.Fatalf("node returned %d results for %d items", len(out.Results), len(items))
	}
	for i, res := range out.Results {
		if !res.OK {
			t.Errorf("item %d: polkadot-js rejects Go's signature", i)
		}
		if res.Message != wantMsg[i] {
			t.Errorf("item %d: polkadot-js built message %q, Go %q", i, res.Message, wantMsg[i])
		}
		hasReceiver := i%7 != 3 && i%7 != 5
		if hasReceiver != (res.SecretOK != nil) || res.SecretOK != nil && !*res.SecretOK {
			t.Errorf("item %d: secret signatures: %v", i, res.SecretOK)
		}
	}
}

// otherBase58 changes the character at pos to another base58 character.
func otherBase58(s string, pos int) string {
	b := []byte(s)
	if b[pos] == 'A' {
		b[pos] = 'B'
	} else {
		b[pos] = 'A'
	}
	return string(b)
}
