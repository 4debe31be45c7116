package devnet

import (
	"math"
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
)

// HEAD decay_factor_q32: f^halfLife is just at or below 1/2 in Q32.
func TestDecayFactorQ32(t *testing.T) {
	for _, hl := range []uint16{1, 2, 360, 36_100} {
		f := decayFactorQ32(hl)
		got := float64(powQ32(f, hl)) / (1 << 32)
		if got > 0.5 || got < 0.4999 {
			t.Errorf("half-life %d: f^hl = %v", hl, got)
		}
		if next := powQ32(f+1, hl); next <= 1<<31 {
			t.Errorf("half-life %d: factor %d is not the largest with f^hl ≤ 1/2", hl, f)
		}
	}
	if decayFactorQ32(0) != 1<<32 {
		t.Error("half-life 0 must not decay")
	}
}

// The burn rises ×1.26 per registration, decays each block, and
// register_limit refuses a price above the caller's cap (HEAD
// subnets/registration.rs).
func TestBurnDynamicsAndRegisterLimit(t *testing.T) {
	n := startManual(t)
	burn := func() uint64 { return headState(n).u64(keyNet("Burn", 1), 0) }
	start := burn()
	if start != TAO {
		t.Fatalf("genesis burn %d", start)
	}
	cold := mustKey(t, "//Bob")
	submit := func(call string, args ...substrate.Value) string {
		t.Helper()
		return exec1(t, n, cold, "SubtensorModule", call, args...)
	}
	hot1, hot2 := mustKey(t, "//Bob//r1"), mustKey(t, "//Bob//r2")
	if e := submit("register_limit", u16V(1), acct(hot1), substrate.U64(TAO/2)); e != "RegistrationPriceLimitExceeded" {
		t.Fatalf("register_limit below the price: %q", e)
	}
	before := burn()
	if e := submit("register_limit", u16V(1), acct(hot1), substrate.U64(2*TAO)); e != "" {
		t.Fatalf("register_limit above the price: %q", e)
	}
	// Paid at before; then ×1.26 (and the next block's decay).
	after := burn()
	want := float64(before) * 1.26 * math.Pow(0.5, 1.0/360)
	if math.Abs(float64(after)-want) > want*1e-6 {
		t.Fatalf("burn %d → %d, want about %.0f", before, after, want)
	}
	if e := submit("burned_register", u16V(1), acct(hot2)); e != "" {
		t.Fatalf("burned_register: %q", e)
	}
	if burn() <= after {
		t.Fatalf("burn did not rise after a registration: %d → %d", after, burn())
	}
	// 360 blocks halve it.
	b0 := burn()
	for range 360 {
		n.NewBlock()
	}
	if b := burn(); math.Abs(float64(b)/float64(b0)-0.5) > 1e-3 {
		t.Fatalf("burn after a half-life: %d → %d", b0, b)
	}
}

func acct(kp interface{ Public() keys.PublicKey }) substrate.Value {
	p := kp.Public()
	return substrate.Bytes(p[:])
}
