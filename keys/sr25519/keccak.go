package sr25519

import (
	"encoding/binary"
	"math/bits"
)

// Keccak-f[1600] round constants (FIPS 202, 3.2.5).
var keccakRC = [24]uint64{
	0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
	0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
	0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
	0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
	0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
	0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
}

// keccakF1600 applies the Keccak-f[1600] permutation to a 200-byte state
// whose lanes are little-endian (lane x + 5y at byte 8(x + 5y)). The lanes
// live in local variables: θ, then ρ and π (lane (x, y) rotated moves to
// (y, 2x + 3y)), χ and ι, one round per iteration.
func keccakF1600(st *[200]byte) {
	var (
		a0  = binary.LittleEndian.Uint64(st[0:])
		a1  = binary.LittleEndian.Uint64(st[8:])
		a2  = binary.LittleEndian.Uint64(st[16:])
		a3  = binary.LittleEndian.Uint64(st[24:])
		a4  = binary.LittleEndian.Uint64(st[32:])
		a5  = binary.LittleEndian.Uint64(st[40:])
		a6  = binary.LittleEndian.Uint64(st[48:])
		a7  = binary.LittleEndian.Uint64(st[56:])
		a8  = binary.LittleEndian.Uint64(st[64:])
		a9  = binary.LittleEndian.Uint64(st[72:])
		a10 = binary.LittleEndian.Uint64(st[80:])
		a11 = binary.LittleEndian.Uint64(st[88:])
		a12 = binary.LittleEndian.Uint64(st[96:])
		a13 = binary.LittleEndian.Uint64(st[104:])
		a14 = binary.LittleEndian.Uint64(st[112:])
		a15 = binary.LittleEndian.Uint64(st[120:])
		a16 = binary.LittleEndian.Uint64(st[128:])
		a17 = binary.LittleEndian.Uint64(st[136:])
		a18 = binary.LittleEndian.Uint64(st[144:])
		a19 = binary.LittleEndian.Uint64(st[152:])
		a20 = binary.LittleEndian.Uint64(st[160:])
		a21 = binary.LittleEndian.Uint64(st[168:])
		a22 = binary.LittleEndian.Uint64(st[176:])
		a23 = binary.LittleEndian.Uint64(st[184:])
		a24 = binary.LittleEndian.Uint64(st[192:])
	)
	for round := 0; round < 24; round++ {
		c0 := a0 ^ a5 ^ a10 ^ a15 ^ a20
		c1 := a1 ^ a6 ^ a11 ^ a16 ^ a21
		c2 := a2 ^ a7 ^ a12 ^ a17 ^ a22
		c3 := a3 ^ a8 ^ a13 ^ a18 ^ a23
		c4 := a4 ^ a9 ^ a14 ^ a19 ^ a24
		d0 := c4 ^ bits.RotateLeft64(c1, 1)
		d1 := c0 ^ bits.RotateLeft64(c2, 1)
		d2 := c1 ^ bits.RotateLeft64(c3, 1)
		d3 := c2 ^ bits.RotateLeft64(c4, 1)
		d4 := c3 ^ bits.RotateLeft64(c0, 1)
		b0 := a0 ^ d0
		b1 := bits.RotateLeft64(a6^d1, 44)
		b2 := bits.RotateLeft64(a12^d2, 43)
		b3 := bits.RotateLeft64(a18^d3, 21)
		b4 := bits.RotateLeft64(a24^d4, 14)
		b5 := bits.RotateLeft64(a3^d3, 28)
		b6 := bits.RotateLeft64(a9^d4, 20)
		b7 := bits.RotateLeft64(a10^d0, 3)
		b8 := bits.RotateLeft64(a16^d1, 45)
		b9 := bits.RotateLeft64(a22^d2, 61)
		b10 := bits.RotateLeft64(a1^d1, 1)
		b11 := bits.RotateLeft64(a7^d2, 6)
		b12 := bits.RotateLeft64(a13^d3, 25)
		b13 := bits.RotateLeft64(a19^d4, 8)
		b14 := bits.RotateLeft64(a20^d0, 18)
		b15 := bits.RotateLeft64(a4^d4, 27)
		b16 := bits.RotateLeft64(a5^d0, 36)
		b17 := bits.RotateLeft64(a11^d1, 10)
		b18 := bits.RotateLeft64(a17^d2, 15)
		b19 := bits.RotateLeft64(a23^d3, 56)
		b20 := bits.RotateLeft64(a2^d2, 62)
		b21 := bits.RotateLeft64(a8^d3, 55)
		b22 := bits.RotateLeft64(a14^d4, 39)
		b23 := bits.RotateLeft64(a15^d0, 41)
		b24 := bits.RotateLeft64(a21^d1, 2)
		a0 = b0 ^ (^b1 & b2)
		a1 = b1 ^ (^b2 & b3)
		a2 = b2 ^ (^b3 & b4)
		a3 = b3 ^ (^b4 & b0)
		a4 = b4 ^ (^b0 & b1)
		a5 = b5 ^ (^b6 & b7)
		a6 = b6 ^ (^b7 & b8)
		a7 = b7 ^ (^b8 & b9)
		a8 = b8 ^ (^b9 & b5)
		a9 = b9 ^ (^b5 & b6)
		a10 = b10 ^ (^b11 & b12)
		a11 = b11 ^ (^b12 & b13)
		a12 = b12 ^ (^b13 & b14)
		a13 = b13 ^ (^b14 & b10)
		a14 = b14 ^ (^b10 & b11)
		a15 = b15 ^ (^b16 & b17)
		a16 = b16 ^ (^b17 & b18)
		a17 = b17 ^ (^b18 & b19)
		a18 = b18 ^ (^b19 & b15)
		a19 = b19 ^ (^b15 & b16)
		a20 = b20 ^ (^b21 & b22)
		a21 = b21 ^ (^b22 & b23)
		a22 = b22 ^ (^b23 & b24)
		a23 = b23 ^ (^b24 & b20)
		a24 = b24 ^ (^b20 & b21)
		a0 ^= keccakRC[round]
	}
	binary.LittleEndian.PutUint64(st[0:], a0)
	binary.LittleEndian.PutUint64(st[8:], a1)
	binary.LittleEndian.PutUint64(st[16:], a2)
	binary.LittleEndian.PutUint64(st[24:], a3)
	binary.LittleEndian.PutUint64(st[32:], a4)
	binary.LittleEndian.PutUint64(st[40:], a5)
	binary.LittleEndian.PutUint64(st[48:], a6)
	binary.LittleEndian.PutUint64(st[56:], a7)
	binary.LittleEndian.PutUint64(st[64:], a8)
	binary.LittleEndian.PutUint64(st[72:], a9)
	binary.LittleEndian.PutUint64(st[80:], a10)
	binary.LittleEndian.PutUint64(st[88:], a11)
	binary.LittleEndian.PutUint64(st[96:], a12)
	binary.LittleEndian.PutUint64(st[104:], a13)
	binary.LittleEndian.PutUint64(st[112:], a14)
	binary.LittleEndian.PutUint64(st[120:], a15)
	binary.LittleEndian.PutUint64(st[128:], a16)
	binary.LittleEndian.PutUint64(st[136:], a17)
	binary.LittleEndian.PutUint64(st[144:], a18)
	binary.LittleEndian.PutUint64(st[152:], a19)
	binary.LittleEndian.PutUint64(st[160:], a20)
	binary.LittleEndian.PutUint64(st[168:], a21)
	binary.LittleEndian.PutUint64(st[176:], a22)
	binary.LittleEndian.PutUint64(st[184:], a23)
	binary.LittleEndian.PutUint64(st[192:], a24)
}
