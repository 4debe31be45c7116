package epistula

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseHeaders feeds arbitrary header blocks ("Name: value" lines) and
// bodies to ParseHeaders and Verify: they must return a typed error or
// success, never panic.
func FuzzParseHeaders(f *testing.F) {
	alice := mustKey(f, "//Alice")
	for _, h := range []http.Header{
		SignWith(alice, []byte("body"), bobAddr, testNow.UnixMilli(), testUUID),
		SignWith(alice, nil, "", testNow.UnixMilli(), testUUID),
		SignXWith(alice, []byte("body"), testNow.UnixNano()),
	} {
		var sb strings.Builder
		h.Write(&sb)
		f.Add(sb.String(), []byte("body"), testNow.UnixMilli())
	}
	f.Add("Epistula-Version: 2\r\nEpistula-Timestamp: 99999999999999999999\r\n", []byte{}, int64(0))
	f.Add("X-Epistula-Hotkey: 5\r\nX-Epistula-Signature: 0x\r\n", []byte{0xff}, int64(-1))
	f.Add("Epistula-Uuid: a\r\nEpistula-Uuid: b\r\n", []byte(nil), int64(1<<62))
	f.Fuzz(func(t *testing.T, block string, body []byte, nowMs int64) {
		h := http.Header{}
		for _, line := range strings.Split(block, "\n") {
			k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
			if ok {
				h.Add(k, strings.TrimSpace(v))
			}
		}
		p, err := ParseHeaders(h)
		if err != nil && ReasonOf(err) == "" {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && p.Variant != V2 && p.Variant != X {
			t.Fatalf("success with variant %v", p.Variant)
		}
		v := Verifier{Self: bobAddr, AllowMissingVersion: nowMs%2 == 0}
		signer, err := v.Verify(h, body, time.UnixMilli(nowMs))
		if err != nil && (ReasonOf(err) == "" || signer != "") {
			t.Fatalf("Verify = %q, %v: want a typed error and no signer", signer, err)
		}
		if err == nil && signer == "" {
			t.Fatal("Verify succeeded without a signer")
		}
	})
}

// FuzzVerify starts from a valid signed request and lets the fuzzer overwrite
// one header value and the body: the answer is success naming the signer
// (only if nothing signed changed) or a typed error, never a panic.
func FuzzVerify(f *testing.F) {
	alice := mustKey(f, "//Alice")
	body := []byte(`{"q":1}`)
	base := SignWith(alice, body, bobAddr, testNow.UnixMilli(), testUUID)
	names := []string{HeaderVersion, HeaderTimestamp, HeaderUUID, HeaderSignedBy, HeaderSignedFor, HeaderSignature}
	for i := range names {
		f.Add(uint8(i), base.Get(names[i]), body)
	}
	f.Add(uint8(5), "0x"+strings.Repeat("ff", 64), body)
	f.Add(uint8(1), "1764201600000", []byte(nil))
	f.Fuzz(func(t *testing.T, which uint8, value string, b []byte) {
		h := base.Clone()
		name := names[int(which)%len(names)]
		h.Set(name, value)
		v := &Verifier{Self: bobAddr, Replay: noReplay{}}
		signer, err := v.Verify(h, b, testNow)
		if err != nil {
			if ReasonOf(err) == "" || signer != "" {
				t.Fatalf("Verify = %q, %v: want a typed error and no signer", signer, err)
			}
			return
		}
		if signer != aliceAddr {
			t.Fatalf("accepted with signer %q", signer)
		}
		if string(b) != string(body) {
			t.Fatalf("accepted a changed body %q", b)
		}
	})
}
