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
// whose lanes are little-endian (lane x + 5y at byte 8(x + 5y)).
func keccakF1600(st *[200]byte) {
	var a [25]uint64
	for i := range a {
		a[i] = binary.LittleEndian.Uint64(st[8*i:])
	}
	for round := 0; round < 24; round++ {
		// θ
		c0 := a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
		c1 := a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
		c2 := a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
		c3 := a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
		c4 := a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
		d0 := c4 ^ bits.RotateLeft64(c1, 1)
		d1 := c0 ^ bits.RotateLeft64(c2, 1)
		d2 := c1 ^ bits.RotateLeft64(c3, 1)
		d3 := c2 ^ bits.RotateLeft64(c4, 1)
		d4 := c3 ^ bits.RotateLeft64(c0, 1)
		for y := 0; y < 25; y += 5 {
			a[y] ^= d0
			a[y+1] ^= d1
			a[y+2] ^= d2
			a[y+3] ^= d3
			a[y+4] ^= d4
		}
		// ρ and π: lane (x, y) rotated moves to (y, 2x + 3y).
		var b [25]uint64
		b[0] = a[0]
		b[10] = bits.RotateLeft64(a[1], 1)
		b[20] = bits.RotateLeft64(a[2], 62)
		b[5] = bits.RotateLeft64(a[3], 28)
		b[15] = bits.RotateLeft64(a[4], 27)
		b[16] = bits.RotateLeft64(a[5], 36)
		b[1] = bits.RotateLeft64(a[6], 44)
		b[11] = bits.RotateLeft64(a[7], 6)
		b[21] = bits.RotateLeft64(a[8], 55)
		b[6] = bits.RotateLeft64(a[9], 20)
		b[7] = bits.RotateLeft64(a[10], 3)
		b[17] = bits.RotateLeft64(a[11], 10)
		b[2] = bits.RotateLeft64(a[12], 43)
		b[12] = bits.RotateLeft64(a[13], 25)
		b[22] = bits.RotateLeft64(a[14], 39)
		b[23] = bits.RotateLeft64(a[15], 41)
		b[8] = bits.RotateLeft64(a[16], 45)
		b[18] = bits.RotateLeft64(a[17], 15)
		b[3] = bits.RotateLeft64(a[18], 21)
		b[13] = bits.RotateLeft64(a[19], 8)
		b[14] = bits.RotateLeft64(a[20], 18)
		b[24] = bits.RotateLeft64(a[21], 2)
		b[9] = bits.RotateLeft64(a[22], 61)
		b[19] = bits.RotateLeft64(a[23], 56)
		b[4] = bits.RotateLeft64(a[24], 14)
		// χ
		for y := 0; y < 25; y += 5 {
			b0, b1, b2, b3, b4 := b[y], b[y+1], b[y+2], b[y+3], b[y+4]
			a[y] = b0 ^ (^b1 & b2)
			a[y+1] = b1 ^ (^b2 & b3)
			a[y+2] = b2 ^ (^b3 & b4)
			a[y+3] = b3 ^ (^b4 & b0)
			a[y+4] = b4 ^ (^b0 & b1)
		}
		// ι
		a[0] ^= keccakRC[round]
	}
	for i := range a {
		binary.LittleEndian.PutUint64(st[8*i:], a[i])
	}
}
