package guard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

// orderFixture is a Guard whose costly steps are recorded, called directly
// (no network) so that each request's steps and bytes read are exact.
type orderFixture struct {
	g     *Guard
	h     http.Handler
	mu    sync.Mutex
	steps []string
	bob   string
}

func newOrderFixture(t testing.TB, routeLimit int64) *orderFixture {
	t.Helper()
	f := &orderFixture{bob: mustKey(t, "//Bob").Address()}
	g := New(f.bob)
	g.Validators = &Validators{Metagraph: metagraph{
		mustKey(t, "//Alice").Address():   {UID: 0, StakeWeight: 50_000 * RaoPerTAO, ValidatorPermit: true},
		mustKey(t, "//Charlie").Address(): {UID: 2, StakeWeight: 50_000 * RaoPerTAO},
	}, MinStake: 1000 * RaoPerTAO}
	g.RateLimit = &RateLimit{Rate: 1000, Burst: 1000}
	g.trace = func(s string) { f.mu.Lock(); f.steps = append(f.steps, s); f.mu.Unlock() }
	f.g = g
	f.h = g.HandlerLimit(echo, routeLimit)
	return f
}

// countingBody counts the bytes the guard read.
type countingBody struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return nil }

// do sends one request from addr and returns the status, reason, steps and
// body bytes the guard read.
func (f *orderFixture) do(t *testing.T, addr string, h http.Header, body []byte, contentLength int64) (int, string, []string, int64) {
	t.Helper()
	f.mu.Lock()
	f.steps = nil
	f.mu.Unlock()
	cb := &countingBody{r: bytes.NewReader(body)}
	req := httptest.NewRequest("POST", "/forward", nil)
	req.Body, req.ContentLength, req.RemoteAddr = cb, contentLength, addr
	for k, v := range h {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var out struct{ Reason string }
	json.Unmarshal(rec.Body.Bytes(), &out)
	f.mu.Lock()
	defer f.mu.Unlock()
	return rec.Code, out.Reason, append([]string(nil), f.steps...), cb.n.Load()
}

// TestRefusalOrder: each refusal is decided at its place in the order, and
// nothing costlier runs before it: no body byte is read before the claimed
// hotkey passed the gate and the route's limit, no hash or verification
// before the body is complete. Moving a check later fails this test.
func TestRefusalOrder(t *testing.T) {
	f := newOrderFixture(t, 4096)
	alice, zed, charlie := mustKey(t, "//Alice"), mustKey(t, "//Zed"), mustKey(t, "//Charlie")
	small := []byte(`{"q":1}`)
	big := bytes.Repeat([]byte("x"), 1<<20)
	now := time.Now()
	replayed := epistula.Sign(alice, small, f.bob, now)
	if code, _, _, _ := f.do(t, "192.0.2.1:1", replayed, small, int64(len(small))); code != 200 {
		t.Fatalf("first copy: %d", code)
	}
	wrongBody := epistula.Sign(alice, small, f.bob, now)
	tests := []struct {
		name   string
		h      http.Header
		body   []byte
		cl     int64
		status int
		reason string
		steps  string
		read   bool
	}{
		{"no headers, 1 MiB", http.Header{}, big, int64(len(big)), 400, "malformed", "", false},
		{"bad signer checksum", func() http.Header {
			h := epistula.Sign(alice, big, f.bob, now)
			s := h.Get(epistula.HeaderSignedBy)
			h.Set(epistula.HeaderSignedBy, s[:len(s)-1]+string('A'+(s[len(s)-1]-'A'+1)%26))
			return h
		}(), big, int64(len(big)), 400, "malformed", "", false},
		{"stale, 1 MiB", epistula.Sign(alice, big, f.bob, now.Add(-time.Minute)), big, int64(len(big)), 401, "stale", "", false},
		{"wrong receiver, 1 MiB", epistula.Sign(alice, big, alice.Address(), now), big, int64(len(big)), 401, "wrong_receiver", "", false},
		{"unregistered, 1 MiB", epistula.Sign(zed, big, f.bob, now), big, int64(len(big)), 403, ReasonNotRegistered, "gate", false},
		{"unregistered, chunked 1 MiB", epistula.Sign(zed, big, f.bob, now), big, -1, 403, ReasonNotRegistered, "gate", false},
		{"no permit, 1 MiB", epistula.Sign(charlie, big, f.bob, now), big, int64(len(big)), 403, ReasonNoPermit, "gate", false},
		{"validator over the route limit", epistula.Sign(alice, big, f.bob, now), big, int64(len(big)), 413, ReasonBodyTooLarge, "gate read", false},
		{"validator, bad signature", wrongBody, []byte(`{"q":2}`), 7, 401, "bad_signature", "gate read hash verify", true},
		{"validator, replay", replayed, small, int64(len(small)), 401, "replayed", "gate", false},
		{"validator", epistula.Sign(alice, small, f.bob, now), small, int64(len(small)), 200, "", "gate read hash verify admit", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, reason, steps, read := f.do(t, "192.0.2.1:1", tt.h, tt.body, tt.cl)
			if code != tt.status || reason != tt.reason {
				t.Fatalf("%d %q, want %d %q", code, reason, tt.status, tt.reason)
			}
			if got := strings.Join(steps, " "); got != tt.steps {
				t.Errorf("steps %q, want %q", got, tt.steps)
			}
			if (read > 0) != tt.read {
				t.Errorf("read %d body bytes, want read=%v", read, tt.read)
			}
		})
	}
}

// TestRouteLimitFromHandler: a handler's BodyLimit is the limit Handler
// applies, from Content-Length alone.
func TestRouteLimitFromHandler(t *testing.T) {
	g := New(mustKey(t, "//Bob").Address())
	g.Validators = &Validators{AllowList: []string{mustKey(t, "//Alice").Address()}}
	h := g.Handler(limited{echo, 100})
	body := make([]byte, 101)
	cb := &countingBody{r: bytes.NewReader(body)}
	req := httptest.NewRequest("POST", "/", nil)
	req.Body, req.ContentLength = cb, 101
	for k, v := range epistula.Sign(mustKey(t, "//Alice"), body, mustKey(t, "//Bob").Address(), time.Now()) {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 || cb.n.Load() != 0 {
		t.Fatalf("%d after reading %d bytes, want 413 before reading", rec.Code, cb.n.Load())
	}
}

type limited struct {
	http.Handler
	n int64
}

func (l limited) BodyLimit() int64 { return l.n }

// TestVerifyBudget: bad signatures claiming a real validator are verified
// until the address's budget is spent, then refused unverified; the
// validator's own requests (other address) pass and its rate limit is
// untouched. Spending the hotkey's budget from many addresses does not lock
// the validator out of the address it uses.
func TestVerifyBudget(t *testing.T) {
	f := newOrderFixture(t, 0)
	f.g.RateLimit = &RateLimit{Rate: 0.001, Burst: 3}
	// Slow refills, so that a loaded machine's slowness refills nothing.
	f.g.Failures = &VerifyBudget{PerAddress: 0.001, AddressBurst: DefaultAddressBurst, PerHotkey: 0.001, HotkeyBurst: DefaultHotkeyBurst}
	f.h = f.g.HandlerLimit(echo, 0)
	alice := mustKey(t, "//Alice")
	body := []byte(`{"q":1}`)
	bad := func() http.Header {
		h := epistula.Sign(alice, body, f.bob, time.Now())
		h.Set(epistula.HeaderSignature, "0x"+strings.Repeat("ab", 64))
		return h
	}
	// Alice's first request marks her address as good for her hotkey.
	if code, _, _, _ := f.do(t, "198.51.100.7:1", epistula.Sign(alice, body, f.bob, time.Now()), body, 7); code != 200 {
		t.Fatalf("validator: %d", code)
	}
	verified := 0
	for i := range 2 * DefaultAddressBurst {
		code, reason, steps, read := f.do(t, "203.0.113.9:1", bad(), body, 7)
		if strings.Contains(strings.Join(steps, " "), "verify") {
			verified++
		}
		if i < DefaultAddressBurst && reason != "bad_signature" || i >= DefaultAddressBurst && (code != 429 || reason != ReasonVerifyBudget || read != 0) {
			t.Fatalf("bad signature %d: %d %s (read %d)", i, code, reason, read)
		}
	}
	if verified != DefaultAddressBurst {
		t.Fatalf("%d verifications for %d bad signatures, want %d", verified, 2*DefaultAddressBurst, DefaultAddressBurst)
	}
	// Spend the hotkey's budget from many addresses (each under its own).
	for i := range DefaultHotkeyBurst {
		f.do(t, fmt.Sprintf("10.0.%d.%d:1", i/200, 1+i%200), bad(), body, 7)
	}
	if code, reason, steps, _ := f.do(t, "192.0.2.200:1", bad(), body, 7); code != 429 || reason != ReasonVerifyBudget || strings.Join(steps, " ") != "gate" {
		t.Fatalf("new address after the hotkey's budget is spent: %d %s %v, want 429 before reading", code, reason, steps)
	}
	// Alice, from her address, is still verified and her burst is intact
	// (two more of three: none was spent by the attacker).
	for i := range 2 {
		if code, reason, _, _ := f.do(t, "198.51.100.7:1", epistula.Sign(alice, body, f.bob, time.Now()), body, 7); code != 200 {
			t.Fatalf("validator under attack, request %d: %d %s", i, code, reason)
		}
	}
}

// TestBodyBudget: requests holding the in-flight budget make the next one
// wait (503 + Retry-After); the budget is returned when they end.
func TestBodyBudget(t *testing.T) {
	f := newOrderFixture(t, 0)
	f.g.Bodies.Max = 100 << 10
	alice := mustKey(t, "//Alice")
	body := bytes.Repeat([]byte("y"), 64<<10)
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		req := httptest.NewRequest("POST", "/", nil)
		req.Body, req.ContentLength = pr, int64(len(body))
		for k, v := range epistula.Sign(alice, body, f.bob, time.Now()) {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		done <- rec.Code
	}()
	pw.Write(body[:100]) // the first request now holds its first buffer
	for f.g.Bodies.InUse() == 0 {
		time.Sleep(time.Millisecond)
	}
	if got := f.g.Bodies.InUse(); got != 64<<10 {
		t.Fatalf("a request that sent 100 bytes holds %d bytes, want its first 64 KiB buffer", got)
	}
	req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	for k, v := range epistula.Sign(alice, body, f.bob, time.Now()) {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), ReasonBusy) {
		t.Fatalf("over the budget: %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	go func() { pw.Write(body[100:]); pw.Close() }()
	if code := <-done; code != 200 {
		t.Fatalf("first request: %d", code)
	}
	if got := f.g.Bodies.InUse(); got != 0 {
		t.Fatalf("%d bytes still held after the requests ended", got)
	}
}

// TestReplayEntriesOnlyForVerified: refused callers (unregistered, bad
// signatures) take no replay entry; a validator filling its share of the
// cache does not refuse another validator.
func TestReplayEntriesOnlyForVerified(t *testing.T) {
	f := newOrderFixture(t, 0)
	cache := epistula.NewSignerCache(64, 0, nil)
	f.g.Epistula.Verifier = &epistula.Verifier{Self: f.bob, Replay: cache}
	f.g.Validators.Metagraph.(metagraph)[mustKey(t, "//Dave").Address()] = Neuron{UID: 3, StakeWeight: 50_000 * RaoPerTAO, ValidatorPermit: true}
	f.h = f.g.HandlerLimit(echo, 0)
	alice, dave, zed := mustKey(t, "//Alice"), mustKey(t, "//Dave"), mustKey(t, "//Zed")
	for range 50 {
		f.do(t, "192.0.2.1:1", epistula.Sign(zed, nil, f.bob, time.Now()), nil, 0)
	}
	h := epistula.Sign(alice, nil, f.bob, time.Now())
	h.Set(epistula.HeaderSignature, "0x"+strings.Repeat("cd", 64))
	f.do(t, "192.0.2.2:1", h, nil, 0)
	if n := cache.Len(); n != 0 {
		t.Fatalf("%d replay entries after refused requests, want 0", n)
	}
	refused := 0
	for range 200 {
		if code, _, _, _ := f.do(t, "192.0.2.3:1", epistula.Sign(alice, nil, f.bob, time.Now()), nil, 0); code == 503 {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("a validator sending 200 requests into a share of 64 was never refused")
	}
	if code, reason, _, _ := f.do(t, "192.0.2.4:1", epistula.Sign(dave, nil, f.bob, time.Now()), nil, 0); code != 200 {
		t.Fatalf("another validator while the first one's share is full: %d %s", code, reason)
	}
}
