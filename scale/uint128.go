package scale

import (
	"math/big"
	"math/bits"
)

// Uint128 is an unsigned 128-bit integer held as two 64-bit halves. Its zero
// value is 0.
type Uint128 struct {
	Hi, Lo uint64
}

// U128From64 returns v as a Uint128.
func U128From64(v uint64) Uint128 { return Uint128{Lo: v} }

// IsUint64 reports whether u fits in a uint64.
func (u Uint128) IsUint64() bool { return u.Hi == 0 }

// Big returns u as a new big.Int.
func (u Uint128) Big() *big.Int {
	b := new(big.Int).SetUint64(u.Hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(u.Lo))
}

// String returns u in decimal.
func (u Uint128) String() string { return u.Big().String() }

var maxU128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// U128FromBig converts b to a Uint128; ok is false when b is negative or does
// not fit in 128 bits.
func U128FromBig(b *big.Int) (u Uint128, ok bool) {
	if b == nil || b.Sign() < 0 || b.Cmp(maxU128) > 0 {
		return Uint128{}, false
	}
	lo := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0)))
	hi := new(big.Int).Rsh(b, 64)
	return Uint128{Hi: hi.Uint64(), Lo: lo.Uint64()}, true
}

// bitLen is the number of bits needed to represent u.
func (u Uint128) bitLen() int {
	if u.Hi != 0 {
		return 64 + bits.Len64(u.Hi)
	}
	return bits.Len64(u.Lo)
}

// Int128 is a signed 128-bit integer in two's complement, held as two 64-bit
// halves (Hi carries the sign).
type Int128 struct {
	Hi uint64
	Lo uint64
}

// I128From64 returns v as an Int128.
func I128From64(v int64) Int128 {
	var hi uint64
	if v < 0 {
		hi = ^uint64(0)
	}
	return Int128{Hi: hi, Lo: uint64(v)}
}

var two128 = new(big.Int).Lsh(big.NewInt(1), 128)

// Big returns i as a new big.Int.
func (i Int128) Big() *big.Int {
	b := Uint128(i).Big()
	if int64(i.Hi) < 0 {
		b.Sub(b, two128)
	}
	return b
}

// String returns i in decimal.
func (i Int128) String() string { return i.Big().String() }

var (
	minI128 = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))
	maxI128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
)

// I128FromBig converts b to an Int128; ok is false when b does not fit.
func I128FromBig(b *big.Int) (i Int128, ok bool) {
	if b == nil || b.Cmp(minI128) < 0 || b.Cmp(maxI128) > 0 {
		return Int128{}, false
	}
	v := new(big.Int).Set(b)
	if v.Sign() < 0 {
		v.Add(v, two128)
	}
	u, _ := U128FromBig(v)
	return Int128(u), true
}
