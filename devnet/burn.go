package devnet

import (
	"math"
	"math/bits"

	"github.com/minerkit/minerkit/scale"
)

// HEAD's registration price defaults (lib.rs DefaultBurnHalfLife,
// DefaultBurnIncreaseMult; runtime/src/lib.rs SubtensorInitialMinBurn,
// SubtensorInitialMaxBurn).
const (
	defaultBurnHalfLife     uint16  = 360
	defaultBurnIncreaseMult float64 = 1.26
	defaultMinBurn          uint64  = 500_000
	defaultMaxBurn          uint64  = 100 * TAO
)

// u64f64 is f as a U64F64's bits (64 integer, 64 fractional bits).
func u64f64(f float64) scale.Uint128 {
	if !(f > 0) {
		return scale.Uint128{}
	}
	whole, frac := math.Modf(f)
	return scale.Uint128{Hi: uint64(whole), Lo: uint64(frac * (1 << 64))}
}

// mulQ32 is HEAD utils/misc.rs mul_by_q32: value × factor / 2^32, saturating.
func mulQ32(value, factor uint64) uint64 {
	hi, lo := bits.Mul64(value, factor)
	if hi>>32 != 0 {
		return math.MaxUint64
	}
	return hi<<32 | lo>>32
}

// powQ32 is HEAD pow_q32: base^exp in Q32 by squaring.
func powQ32(base uint64, exp uint16) uint64 {
	result, factor, power := uint64(1)<<32, base, uint32(exp)
	for power > 0 {
		if power&1 == 1 {
			result = mulQ32(result, factor)
		}
		power >>= 1
		if power > 0 {
			factor = mulQ32(factor, factor)
		}
	}
	return result
}

// decayFactorQ32 is HEAD decay_factor_q32: the per-block factor f with
// f^halfLife = 1/2, found by bisection in Q32.
func decayFactorQ32(halfLife uint16) uint64 {
	if halfLife == 0 {
		return 1 << 32
	}
	lo, hi := uint64(0), uint64(1)<<32
	for lo+1 < hi {
		mid := lo + (hi-lo)>>1
		if powQ32(mid, halfLife) > 1<<31 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return lo
}

// clampBurn keeps burn within the subnet's [MinBurn, MaxBurn].
func (x *exec) clampBurn(netuid uint16, burn uint64) uint64 {
	lo, hi := x.s.u64(keyNet("MinBurn", netuid), defaultMinBurn), x.s.u64(keyNet("MaxBurn", netuid), defaultMaxBurn)
	return min(max(burn, lo), hi)
}

// decayBurn applies one block of HEAD update_registration_prices_for_networks
// (subnets/registration.rs) to netuid's burn.
// Spec 218 adjusted the burn per adjustment interval instead; the devnet
// keeps it fixed there.
func (x *exec) decayBurn(netuid uint16) {
	if x.rt.spec218 {
		return
	}
	burn := x.s.u64(keyNet("Burn", netuid), 0)
	next := burn
	if hl := x.s.u16(keyNet("BurnHalfLife", netuid), defaultBurnHalfLife); hl > 0 && x.block > 1 {
		next = mulQ32(burn, decayFactorQ32(hl))
	}
	if next = x.clampBurn(netuid, next); next != burn {
		x.s.putU64(keyNet("Burn", netuid), next)
	}
}

// bumpBurn is HEAD bump_registration_price_after_registration: the burn
// times BurnIncreaseMult (at least 1), within [MinBurn, MaxBurn].
func (x *exec) bumpBurn(netuid uint16) {
	if netuid == 0 || x.rt.spec218 {
		return
	}
	mult := scale.Uint128{Hi: 1}
	if v, ok := x.s.o.get(keyNet("BurnIncreaseMult", netuid)); ok && len(v) == 16 {
		m := scale.Uint128{Lo: le64u(v[:8]), Hi: le64u(v[8:])}
		if m.Hi >= 1 {
			mult = m
		}
	}
	burn := x.s.u64(keyNet("Burn", netuid), 0)
	// burn × mult with 64 fractional bits, truncated (U64F64 saturating_mul).
	hiI, loI := bits.Mul64(burn, mult.Hi)
	hiF, _ := bits.Mul64(burn, mult.Lo)
	next, c := bits.Add64(loI, hiF, 0)
	if hiI != 0 || c != 0 {
		next = math.MaxUint64
	}
	x.s.putU64(keyNet("Burn", netuid), x.clampBurn(netuid, next))
}

func le64u(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}
