package guard

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"
)

// marshalRefusal is WriteRefusal's body as encoding/json writes it.
func marshalRefusal(ref *Refusal) []byte {
	b, _ := json.Marshal(struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}{ref.Err.Error(), ref.Reason})
	return append(b, '\n')
}

var refusalCorpus = []string{
	"", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>", "\x00\x01\x1f\x7f\b\f\n\r\t",
	"héllo wörld ✓ 🙂", "\u2028 and \u2029", "bad \xff\xfe utf8 \xc3", "guard: hotkey 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY is not registered",
}

// WriteRefusal's hand-written body is byte for byte encoding/json's.
func TestWriteRefusalMatchesJSON(t *testing.T) {
	for _, msg := range refusalCorpus {
		for _, reason := range []string{"stale", msg} {
			ref := &Refusal{Status: 401, Reason: reason, Err: errors.New(msg), RetryAfter: 1500 * time.Millisecond}
			rec := httptest.NewRecorder()
			WriteRefusal(rec, nil, ref)
			if want := marshalRefusal(ref); rec.Body.String() != string(want) {
				t.Fatalf("%q: body %q, want %q", msg, rec.Body.String(), want)
			}
			if rec.Code != 401 || rec.Header().Get("Retry-After") != "2" || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("%q: %d %v", msg, rec.Code, rec.Header())
			}
		}
	}
	rec := httptest.NewRecorder()
	WriteRefusal(rec, nil, &Refusal{Status: 429, Reason: "x", Err: errors.New("x"), RetryAfter: time.Hour})
	if rec.Header().Get("Retry-After") != "3600" {
		t.Fatalf("Retry-After %q, want 3600", rec.Header().Get("Retry-After"))
	}
}

func FuzzRefusalBody(f *testing.F) {
	for _, s := range refusalCorpus {
		f.Add(s, "reason")
	}
	f.Fuzz(func(t *testing.T, msg, reason string) {
		ref := &Refusal{Status: 400, Reason: reason, Err: errors.New(msg)}
		if got, want := refusalBody(ref), marshalRefusal(ref); string(got) != string(want) {
			t.Fatalf("%q %q: %q, want %q", msg, reason, got, want)
		}
	})
}
