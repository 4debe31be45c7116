package guard

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

// shedFixture is the order fixture with a Shed of burst 3 on a clock the
// test moves.
type shedFixture struct {
	*orderFixture
	shed *Shed
	mu   sync.Mutex
	now  time.Time
}

func newShedFixture(t *testing.T, proxies ...string) *shedFixture {
	f := &shedFixture{orderFixture: newOrderFixture(t, 4096), now: time.Now()}
	f.shed = &Shed{PerSecond: 0.001, Burst: 3, Cooldown: time.Minute, Now: func() time.Time {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.now
	}}
	f.g.Shed = f.shed
	if len(proxies) > 0 {
		tp, err := ParseTrustedProxies(proxies)
		if err != nil {
			t.Fatal(err)
		}
		f.g.TrustedProxies = tp
	}
	f.h = f.g.HandlerLimit(echo, 4096)
	return f
}

func (f *shedFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// send is one request from peer (X-Forwarded-For xff if set): status,
// reason, whether the answer closes the connection, and the guard's steps.
func (f *shedFixture) send(t *testing.T, peer, xff string, h http.Header) (int, string, bool, []string) {
	t.Helper()
	f.orderFixture.mu.Lock()
	f.steps = nil
	f.orderFixture.mu.Unlock()
	req := httptest.NewRequest("POST", "/forward", strings.NewReader(`{"q":1}`))
	req.RemoteAddr = peer
	for k, v := range h {
		req.Header[k] = v
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var out struct{ Reason string }
	json.Unmarshal(rec.Body.Bytes(), &out)
	f.orderFixture.mu.Lock()
	defer f.orderFixture.mu.Unlock()
	return rec.Code, out.Reason, rec.Header().Get("Connection") == "close", append([]string(nil), f.steps...)
}

// TestShedOrder: an address that caused Burst refusals is shed: the refusal
// that empties its bucket closes the connection, and its later requests are
// refused first thing (no header parsed, no gate, no read) with 429
// address_shed and Connection: close until the cooldown ends, even with
// valid headers. Other addresses are not affected. Undoing the shed layer,
// or moving it after the gate, fails this test.
func TestShedOrder(t *testing.T) {
	f := newShedFixture(t)
	alice, zed := mustKey(t, "//Alice"), mustKey(t, "//Zed")
	unregistered := func() http.Header { return epistula.Sign(zed, []byte(`{"q":1}`), f.bob, time.Now()) }
	for i := range 3 {
		code, reason, closed, _ := f.send(t, "203.0.113.5:1", "", unregistered())
		if code != 403 || reason != ReasonNotRegistered || closed != (i == 2) {
			t.Fatalf("refusal %d: %d %s close=%v, want 403 not_registered, close only on the third", i, code, reason, closed)
		}
	}
	if ok, left := f.shed.Shedding(netip.MustParseAddr("203.0.113.5")); !ok || left != time.Minute {
		t.Fatalf("Shedding after the burst: %v %v, want true 1m", ok, left)
	}
	code, reason, closed, steps := f.send(t, "203.0.113.5:2", "", epistula.Sign(alice, []byte(`{"q":1}`), f.bob, time.Now()))
	if code != 429 || reason != ReasonAddressShed || !closed || len(steps) != 0 {
		t.Fatalf("shed address, valid request: %d %s close=%v steps %v, want 429 address_shed, closed, no step", code, reason, closed, steps)
	}
	if code, _, closed, _ := f.send(t, "203.0.113.6:1", "", epistula.Sign(alice, []byte(`{"q":1}`), f.bob, time.Now())); code != 200 || closed {
		t.Fatalf("another address: %d close=%v, want 200", code, closed)
	}
	if _, n := f.shed.Counts(); n != 1 {
		t.Fatalf("sheds counted: %d, want 1", n)
	}
	f.advance(time.Minute)
	if code, _, _, _ := f.send(t, "203.0.113.5:3", "", epistula.Sign(alice, []byte(`{"q":1}`), f.bob, time.Now())); code != 200 {
		t.Fatalf("after the cooldown: %d, want 200", code)
	}
}

// TestShedSparesValidators: refusals that are not the address's doing never
// shed it: a verified validator's own rate limit, and requests claiming a
// hotkey whose failed-verification budget an attacker spent. The attacker's
// address, sending the bad signatures, is shed.
func TestShedSparesValidators(t *testing.T) {
	f := newShedFixture(t)
	f.g.RateLimit = &RateLimit{Rate: 0.001, Burst: 1}
	f.g.Failures = &VerifyBudget{PerAddress: 0.001, AddressBurst: 1000, PerHotkey: 0.001, HotkeyBurst: 2}
	f.h = f.g.HandlerLimit(echo, 4096)
	alice := mustKey(t, "//Alice")
	good := func() http.Header { return epistula.Sign(alice, []byte(`{"q":1}`), f.bob, time.Now()) }
	for i := range 10 {
		code, reason, closed, _ := f.send(t, "198.51.100.1:1", "", good())
		if want := map[bool]int{true: 200, false: 429}[i == 0]; code != want || closed {
			t.Fatalf("validator request %d: %d %s close=%v, want %d and never closed", i, code, reason, closed, want)
		}
	}
	bad := func() http.Header {
		h := good()
		h.Set(epistula.HeaderSignature, "0x"+strings.Repeat("ab", 64))
		return h
	}
	// Two bad signatures spend Alice's hotkey budget; the third shed the
	// attacker's address.
	for range 3 {
		f.send(t, "203.0.113.9:1", "", bad())
	}
	if ok, _ := f.shed.Shedding(netip.MustParseAddr("203.0.113.9")); !ok {
		t.Fatal("the attacker's address is not shed after 3 refusals")
	}
	// Alice from a new address: refused before verification by her
	// hotkey's spent budget, many times, and never shed for it.
	for i := range 10 {
		code, reason, closed, _ := f.send(t, "198.51.100.2:1", "", good())
		if code != 429 || reason != ReasonVerifyBudget || closed {
			t.Fatalf("validator from a new address, request %d: %d %s close=%v, want 429 %s, not closed", i, code, reason, closed, ReasonVerifyBudget)
		}
	}
	if ok, _ := f.shed.Shedding(netip.MustParseAddr("198.51.100.2")); ok {
		t.Fatal("the validator's new address was shed for its hotkey's budget")
	}
}

// TestShedBehindProxy: behind a trusted proxy the forwarded client is shed,
// not the proxy: its requests are refused address_shed without closing the
// proxy's connection, other clients through the same proxy are served, and
// a request without X-Forwarded-For (the proxy itself) never counts.
func TestShedBehindProxy(t *testing.T) {
	f := newShedFixture(t, "10.0.0.1")
	alice, zed := mustKey(t, "//Alice"), mustKey(t, "//Zed")
	for range 3 {
		f.send(t, "10.0.0.1:5", "", epistula.Sign(zed, []byte(`{"q":1}`), f.bob, time.Now()))
	}
	if ok, _ := f.shed.Shedding(netip.MustParseAddr("10.0.0.1")); ok {
		t.Fatal("the trusted proxy's own address was shed")
	}
	for i := range 3 {
		_, _, closed, _ := f.send(t, "10.0.0.1:5", "203.0.113.7", epistula.Sign(zed, []byte(`{"q":1}`), f.bob, time.Now()))
		if closed {
			t.Fatalf("refusal %d through the proxy closed the proxy's connection", i)
		}
	}
	if ok, _ := f.shed.Shedding(netip.MustParseAddr("203.0.113.7")); !ok {
		t.Fatal("the forwarded client was not shed")
	}
	code, reason, closed, _ := f.send(t, "10.0.0.1:5", "203.0.113.7", epistula.Sign(alice, []byte(`{"q":1}`), f.bob, time.Now()))
	if code != 429 || reason != ReasonAddressShed || closed {
		t.Fatalf("shed client through the proxy: %d %s close=%v, want 429 address_shed, connection kept", code, reason, closed)
	}
	if code, _, _, _ := f.send(t, "10.0.0.1:5", "198.51.100.3", epistula.Sign(alice, []byte(`{"q":1}`), f.bob, time.Now())); code != 200 {
		t.Fatalf("another client through the proxy: %d, want 200", code)
	}
}

// TestShedBounded: the addresses tracked stay under MaxEntries.
func TestShedBounded(t *testing.T) {
	s := &Shed{MaxEntries: 8}
	for i := range 100 {
		s.Refused(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
	}
	if n := len(s.addrs); n > 8 {
		t.Fatalf("%d addresses tracked, want at most 8", n)
	}
}

// Charge(n) sheds exactly when n single refusals would.
func TestShedChargeIsNRefusals(t *testing.T) {
	now := time.Unix(100, 0)
	for _, tc := range []struct {
		burst float64
		n     int
	}{{5, 1}, {5, 3}, {5, 4}, {5, 5}, {5, 9}, {2, 2}, {200, 60}} {
		one := &Shed{Burst: tc.burst, Cooldown: time.Minute, Now: func() time.Time { return now }}
		many := &Shed{Burst: tc.burst, Cooldown: time.Minute, Now: func() time.Time { return now }}
		a := netip.MustParseAddr("192.0.2.1")
		for round := range 3 {
			var shedOne bool
			for range tc.n {
				if one.Refused(a) {
					shedOne = true
				}
			}
			if shedMany := many.Charge(a, tc.n); shedMany != shedOne {
				t.Errorf("burst %v, n %d, round %d: Charge shed %v, %d refusals %v", tc.burst, tc.n, round, shedMany, tc.n, shedOne)
			}
		}
	}
}
