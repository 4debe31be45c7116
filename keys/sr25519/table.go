package sr25519

import (
	"encoding/binary"
	"sync"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// A fixed-base table for a point P with window w holds, for every position
// i < n(w), the multiples j·2^(w·i)·P for j = 1 … 2^(w−1), as affine
// points. A scalar below 2^253 written in signed radix 2^w (digits in
// [−2^(w−1), 2^(w−1))) then costs n(w) mixed additions and no doubling:
// the table does the doublings once, when it is built.

// Windows: the basepoint's table is shared by every key; a key's table is
// built once per key (the metagraph's validators) and kept.
const (
	baseWindow = 8 // 32 positions × 128 points, 512 KiB
	keyWindow  = 5 // 51 positions × 16 points, 102 KiB
)

// Digits of a scalar in each window.
const (
	baseDigits = (253 + baseWindow - 1) / baseWindow
	keyDigits  = (253 + keyWindow - 1) / keyWindow
)

// positions returns how many signed radix-2^w digits a scalar below 2^253
// needs: the top window then holds fewer than w−1 bits of it, so that the
// last carry is absorbed.
func positions(w uint) int { return (253 + int(w) - 1) / int(w) }

// fixedTable is a fixed-base table with window w.
type fixedTable struct {
	w   uint
	pts []affinePoint // position i, multiple j+1 at i<<(w−1) + j
}

// newFixedTable builds the table of p with window w.
func newFixedTable(p *extPoint, w uint) *fixedTable {
	n, m := positions(w), 1<<(w-1)
	ext := make([]extPoint, n*m)
	var base extPoint = *p
	var c completedPoint
	var cb cachedPoint
	for i := 0; i < n; i++ {
		row := ext[i*m : (i+1)*m]
		row[0] = base
		cb.fromExt(&base)
		for j := 1; j < m; j++ {
			row[j].fromCompleted(c.addCached(&row[j-1], &cb))
		}
		// base = 2^w · base
		for k := uint(0); k < w; k++ {
			base.fromCompleted(c.double(&base))
		}
	}
	// Normalize with one inversion (Montgomery's trick).
	prod := make([]field.Element, len(ext))
	var acc field.Element
	acc.One()
	for i := range ext {
		prod[i].Set(&acc)
		acc.Multiply(&acc, &ext[i].Z)
	}
	acc.Invert(&acc)
	t := &fixedTable{w: w, pts: make([]affinePoint, len(ext))}
	var zinv, x, y field.Element
	for i := len(ext) - 1; i >= 0; i-- {
		zinv.Multiply(&acc, &prod[i])
		acc.Multiply(&acc, &ext[i].Z)
		x.Multiply(&ext[i].X, &zinv)
		y.Multiply(&ext[i].Y, &zinv)
		a := &t.pts[i]
		a.YplusX.Add(&y, &x)
		a.YminusX.Subtract(&y, &x)
		a.T2d.Multiply(&x, &y)
		a.T2d.Multiply(&a.T2d, &feD2)
	}
	return t
}

// recode writes the signed radix-2^w digits of the 32-byte little-endian
// scalar b (below 2^253) to d, which has positions(w) entries.
func recode(d []int8, b *[32]byte, w uint) {
	var limbs [5]uint64
	for i := 0; i < 4; i++ {
		limbs[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	half, full := int32(1)<<(w-1), int32(1)<<w
	mask := uint64(full - 1)
	carry := int32(0)
	for i := range d {
		bit := uint(i) * w
		v := limbs[bit/64] >> (bit % 64)
		if bit%64+w > 64 {
			v |= limbs[bit/64+1] << (64 - bit%64)
		}
		x := int32(v&mask) + carry
		carry = 0
		if x >= half {
			x -= full
			carry = 1
		}
		d[i] = int8(x)
	}
}

// addMul adds s·P to acc, where t is P's table and digits are s recoded
// with t's window.
func (t *fixedTable) addMul(acc *extPoint, digits []int8) {
	var c completedPoint
	m := 1 << (t.w - 1)
	for i, d := range digits {
		switch {
		case d > 0:
			acc.fromCompleted(c.addAffine(acc, &t.pts[i*m+int(d)-1]))
		case d < 0:
			acc.fromCompleted(c.subAffine(acc, &t.pts[i*m-int(d)-1]))
		}
	}
}

// baseTable is the basepoint's table, built on first use (about a
// millisecond).
var baseTable = sync.OnceValue(func() *fixedTable {
	var b extPoint
	b.fromPoint(edwards25519.NewGeneratorPoint())
	return newFixedTable(&b, baseWindow)
})
