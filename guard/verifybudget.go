package guard

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Defaults of VerifyBudget.
const (
	DefaultFailuresPerAddress = 1.0
	DefaultAddressBurst       = 20
	DefaultFailuresPerHotkey  = 10.0
	DefaultHotkeyBurst        = 100
	DefaultBudgetEntries      = 1 << 16
	// GoodAddressMemory is how long an address that sent a good signature
	// for a hotkey stays exempt from that hotkey's budget.
	GoodAddressMemory = time.Hour
)

// ReasonVerifyBudget is given (429 with Retry-After) to a request refused
// before verification because its address, or the hotkey it claims, has
// caused too many failed verifications.
const ReasonVerifyBudget = "verify_budget_spent"

// VerifyBudget counts failed signature verifications (each costs the miner
// one sr25519 verification, the most expensive step) per client address
// (IPv6: per /64) and per claimed hotkey, as token buckets. Once an
// address's bucket is empty its requests are refused before verification;
// once a hotkey's bucket is empty, requests claiming it are refused before
// verification unless they come from an address that sent a good signature
// for that hotkey within GoodAddressMemory. So an attacker claiming a real
// validator's hotkey from many addresses spends its own budgets, not the
// validator's rate limit (which only verified requests take), and cannot
// lock the validator out from the address it uses.
//
// Set the fields before use; zero fields take the defaults.
type VerifyBudget struct {
	// PerAddress failed verifications per second an address may cause, in
	// bursts of AddressBurst.
	PerAddress, AddressBurst float64
	// PerHotkey failed verifications per second requests claiming one
	// hotkey may cause, in bursts of HotkeyBurst.
	PerHotkey, HotkeyBurst float64
	// MaxEntries bounds the addresses tracked; when full, idle ones (with a
	// full bucket) are dropped, and if none is, all are.
	MaxEntries int

	mu      sync.RWMutex
	addrs   map[netip.Prefix]*failBucket
	hotkeys map[string]*hotkeyFails
}

type failBucket struct {
	tokens float64
	last   int64 // Unix ns
}

// at returns b's tokens at time t, changing nothing.
func (b *failBucket) at(t int64, rate, burst float64) float64 {
	if t > b.last {
		return math.Min(burst, b.tokens+float64(t-b.last)/1e9*rate)
	}
	return b.tokens
}

// refill brings b to time t and returns its tokens.
func (b *failBucket) refill(t int64, rate, burst float64) float64 {
	if t > b.last {
		b.tokens = math.Min(burst, b.tokens+float64(t-b.last)/1e9*rate)
		b.last = t
	}
	return b.tokens
}

type hotkeyFails struct {
	failBucket
	good   [4]netip.Prefix
	goodAt [4]int64
}

func (v *VerifyBudget) params() (ar, ab, hr, hb float64, maxEntries int) {
	ar, ab, hr, hb, maxEntries = v.PerAddress, v.AddressBurst, v.PerHotkey, v.HotkeyBurst, v.MaxEntries
	if ar <= 0 {
		ar = DefaultFailuresPerAddress
	}
	if ab <= 0 {
		ab = DefaultAddressBurst
	}
	if hr <= 0 {
		hr = DefaultFailuresPerHotkey
	}
	if hb <= 0 {
		hb = DefaultHotkeyBurst
	}
	if maxEntries <= 0 {
		maxEntries = DefaultBudgetEntries
	}
	return
}

// sourceOf is the unit an address is counted in: the address itself for
// IPv4, its /64 for IPv6 (one host usually holds a whole /64).
func sourceOf(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p
	}
	p, _ := a.Prefix(a.BitLen())
	return p
}

// Allow reports whether a request from client claiming hotkey may be
// verified at now; when not, the Refusal says when to retry. It allocates
// nothing.
func (v *VerifyBudget) Allow(client netip.Addr, hotkey string, now time.Time) *Refusal {
	ar, ab, hr, hb, _ := v.params()
	src, t := sourceOf(client), now.UnixNano()
	v.mu.RLock() // read only: requests run it concurrently
	defer v.mu.RUnlock()
	failed := false // this address caused failed verifications lately
	if b := v.addrs[src]; b != nil {
		tok := b.at(t, ar, ab)
		if tok < 1 {
			return budgetRefusal(fmt.Sprintf("address %s", client), (1-tok)/ar)
		}
		failed = tok < ab
	}
	if h := v.hotkeys[hotkey]; h != nil {
		if tok := h.at(t, hr, hb); tok < 1 && !h.isGood(src, t) {
			ref := budgetRefusal(fmt.Sprintf("requests claiming hotkey %s", hotkey), (1-tok)/hr)
			// The hotkey's budget is not the address's: an address that
			// sent no bad signature (the real validator's new address) is
			// never shed for it (Shed).
			ref.shedExempt = !failed
			return ref
		}
	}
	return nil
}

func budgetRefusal(who string, secs float64) *Refusal {
	wait := max(time.Duration(secs*1e9), time.Millisecond)
	return &Refusal{Status: http.StatusTooManyRequests, Reason: ReasonVerifyBudget, RetryAfter: wait,
		Err: fmt.Errorf("guard: %s sent too many bad signatures: retry in %v with a correct one", who, wait.Round(time.Millisecond))}
}

func (h *hotkeyFails) isGood(src netip.Prefix, t int64) bool {
	for i, g := range h.good {
		if g == src && t-h.goodAt[i] < int64(GoodAddressMemory) {
			return true
		}
	}
	return false
}

// Failed records a failed verification of a request from client claiming
// hotkey (a hotkey that passed the validator gate, so the hotkeys tracked
// are bounded by the gate).
func (v *VerifyBudget) Failed(client netip.Addr, hotkey string, now time.Time) {
	ar, ab, hr, hb, maxEntries := v.params()
	src, t := sourceOf(client), now.UnixNano()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.addrs == nil {
		v.addrs, v.hotkeys = make(map[netip.Prefix]*failBucket), make(map[string]*hotkeyFails)
	}
	b := v.addrs[src]
	if b == nil {
		if len(v.addrs) >= maxEntries {
			for k, e := range v.addrs {
				if e.refill(t, ar, ab) >= ab {
					delete(v.addrs, k)
				}
			}
			if len(v.addrs) >= maxEntries {
				clear(v.addrs)
			}
		}
		b = &failBucket{tokens: ab, last: t}
		v.addrs[src] = b
	}
	b.refill(t, ar, ab)
	b.tokens = math.Max(0, b.tokens-1)
	h := v.hotkeys[hotkey]
	if h == nil {
		if len(v.hotkeys) >= maxEntries {
			clear(v.hotkeys)
		}
		h = &hotkeyFails{failBucket: failBucket{tokens: hb, last: t}}
		v.hotkeys[hotkey] = h
	}
	h.refill(t, hr, hb)
	h.tokens = math.Max(0, h.tokens-1)
}

// Succeeded records a good signature for hotkey from client: that address
// is exempt from the hotkey's budget for GoodAddressMemory.
func (v *VerifyBudget) Succeeded(client netip.Addr, hotkey string, now time.Time) {
	src, t := sourceOf(client), now.UnixNano()
	v.mu.RLock()
	h := v.hotkeys[hotkey]
	fresh := h != nil && h.isGood(src, t+int64(GoodAddressMemory/2))
	v.mu.RUnlock()
	if fresh { // recorded within the last half hour: no write needed
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	h = v.hotkeys[hotkey]
	if h == nil {
		_, _, _, hb, maxEntries := v.params()
		if v.hotkeys == nil {
			v.addrs, v.hotkeys = make(map[netip.Prefix]*failBucket), make(map[string]*hotkeyFails)
		}
		if len(v.hotkeys) >= maxEntries {
			clear(v.hotkeys)
		}
		h = &hotkeyFails{failBucket: failBucket{tokens: hb, last: t}}
		v.hotkeys[hotkey] = h
	}
	oldest := 0
	for i, g := range h.good {
		if g == src {
			h.goodAt[i] = t
			return
		}
		if h.goodAt[i] < h.goodAt[oldest] {
			oldest = i
		}
	}
	h.good[oldest], h.goodAt[oldest] = src, t
}
