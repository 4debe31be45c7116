package substrate

import (
	"fmt"
	"math/bits"

	"github.com/minerkit/minerkit/scale"
)

// Era is a transaction's validity window. The zero Era is immortal; a
// mortal era is valid for Period blocks from its birth block, the block
// whose number is congruent to Phase modulo Period.
type Era struct {
	Period uint64 // a power of two in [4, 65536]; 0 for immortal
	Phase  uint64
}

// Immortal reports whether e never expires.
func (e Era) Immortal() bool { return e.Period == 0 }

// MortalEra returns the era that starts at block current and lasts about
// period blocks (rounded up to a power of two in [4, 65536]). Sign with the
// hash of block Birth(current) — the block you read current from.
func MortalEra(current, period uint64) Era {
	p := uint64(1 << 16)
	if period <= 1<<16 {
		p = 1
		for p < period {
			p <<= 1
		}
	}
	p = min(max(p, 4), 1<<16)
	phase := current % p
	q := max(p>>12, 1)
	return Era{Period: p, Phase: phase / q * q}
}

// Birth returns the number of the block the era starts at, given any block
// current within it: the block whose hash a signer must use.
func (e Era) Birth(current uint64) uint64 {
	if e.Immortal() {
		return 0
	}
	return (max(current, e.Phase)-e.Phase)/e.Period*e.Period + e.Phase
}

// Death returns the first block at which the era has expired.
func (e Era) Death(current uint64) uint64 {
	if e.Immortal() {
		return ^uint64(0)
	}
	return e.Birth(current) + e.Period
}

// AppendSCALE appends the era's encoding: 0x00 for immortal, else two bytes.
func (e Era) AppendSCALE(b []byte) []byte {
	if e.Immortal() {
		return append(b, 0)
	}
	q := max(e.Period>>12, 1)
	tz := uint64(bits.TrailingZeros64(e.Period))
	enc := min(max(tz-1, 1), 15) | (e.Phase/q)<<4
	return scale.AppendU16(b, uint16(enc))
}

// DecodeEra reads an era.
func DecodeEra(d *scale.Decoder) (Era, error) {
	first, err := d.U8()
	if err != nil {
		return Era{}, err
	}
	if first == 0 {
		return Era{}, nil
	}
	second, err := d.U8()
	if err != nil {
		return Era{}, err
	}
	enc := uint64(first) | uint64(second)<<8
	period := uint64(2) << (enc % 16)
	q := max(period>>12, 1)
	phase := (enc >> 4) * q
	if period < 4 || phase >= period {
		return Era{}, fmt.Errorf("%w: era 0x%04x has phase %d outside period %d", scale.ErrInvalid, enc, phase, period)
	}
	return Era{Period: period, Phase: phase}, nil
}

func (e Era) String() string {
	if e.Immortal() {
		return "immortal"
	}
	return fmt.Sprintf("mortal(period %d, phase %d)", e.Period, e.Phase)
}
