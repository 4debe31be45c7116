package guard

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

// FuzzGuard sends arbitrary headers and bodies through the whole stack: the
// answer is always 200 or a JSON refusal with a documented status, never a
// panic or a 500.
func FuzzGuard(f *testing.F) {
	alice, bob := mustKey(f, "//Alice"), mustKey(f, "//Bob")
	now := time.UnixMilli(1764201600000)
	for _, h := range []http.Header{
		epistula.SignWith(alice, []byte("{}"), bob.Address(), now.UnixMilli(), "0f8fad5b-d9cb-469f-a165-70867728950e"),
		epistula.SignXWith(alice, []byte("{}"), now.UnixNano()),
	} {
		var sb strings.Builder
		h.Write(&sb)
		f.Add(sb.String(), []byte("{}"))
	}
	f.Add("Epistula-Version: 2\n", []byte{0xff, 0})
	g := New(bob.Address())
	g.Epistula.Now = func() time.Time { return now }
	g.Epistula.MaxBodyBytes = 64
	g.Validators = &Validators{Metagraph: metagraph{alice.Address(): {ValidatorPermit: true}}}
	g.RateLimit = &RateLimit{Rate: 1e9, Burst: 1e9}
	h := g.Handler(echo)
	allowed := map[int]bool{200: true, 400: true, 401: true, 403: true, 413: true, 429: true, 503: true}
	f.Fuzz(func(t *testing.T, block string, body []byte) {
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		for _, line := range strings.Split(block, "\n") {
			if k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":"); ok {
				req.Header.Add(k, strings.TrimSpace(v))
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			var out struct{ Error, Reason string }
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Error == "" || out.Reason == "" {
				t.Fatalf("refusal body %q is not {error, reason}", rec.Body)
			}
		}
	})
}
