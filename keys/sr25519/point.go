package sr25519

import (
	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// Points of edwards25519 (−x² + y² = 1 + d·x²·y²) in the coordinate systems
// of Hisil–Wong–Carter–Dawson: extended (X:Y:Z:T), x = X/Z, y = Y/Z,
// x·y = T/Z; completed ((X:Z), (Y:T)), x = X/Z, y = Y/T, the output of one
// addition or doubling; and precomputed affine points (y+x, y−x, 2d·x·y),
// which make a mixed addition cost 7 field multiplications including the
// conversion back to extended coordinates. The addition law is complete on
// this curve (a = −1 is a square, d is not), so no input needs a special case.

var (
	feOne  = new(field.Element).One()
	feD    field.Element // d = −121665/121666
	feD2   field.Element // 2·d
	feZero field.Element
)

func init() {
	var den field.Element
	den.Mult32(feOne, 121666)
	den.Invert(&den)
	feD.Mult32(feOne, 121665)
	feD.Negate(&feD)
	feD.Multiply(&feD, &den)
	feD2.Add(&feD, &feD)
}

type extPoint struct{ X, Y, Z, T field.Element }

type completedPoint struct{ X, Y, Z, T field.Element }

// affinePoint is a precomputed point (y+x, y−x, 2d·x·y), padded to 128
// bytes: in a table (a large allocation, page-aligned) each entry then
// spans exactly two cache lines, not three.
type affinePoint struct {
	YplusX, YminusX, T2d field.Element
	_                    [8]byte
}

// cachedPoint is an extended point prepared for additions:
// (Y+X, Y−X, Z, 2d·T).
type cachedPoint struct{ YplusX, YminusX, Z, T2d field.Element }

func (p *extPoint) setIdentity() *extPoint {
	p.X.Zero()
	p.Y.One()
	p.Z.One()
	p.T.Zero()
	return p
}

func (p *extPoint) fromCompleted(c *completedPoint) *extPoint {
	p.X.Multiply(&c.X, &c.T)
	p.Y.Multiply(&c.Y, &c.Z)
	p.Z.Multiply(&c.Z, &c.T)
	p.T.Multiply(&c.X, &c.Y)
	return p
}

func (c *cachedPoint) fromExt(p *extPoint) *cachedPoint {
	c.YplusX.Add(&p.Y, &p.X)
	c.YminusX.Subtract(&p.Y, &p.X)
	c.Z.Set(&p.Z)
	c.T2d.Multiply(&p.T, &feD2)
	return c
}

// addAffine sets c = p + q.
func (c *completedPoint) addAffine(p *extPoint, q *affinePoint) *completedPoint {
	var ypx, ymx, pp, mm, tt2d, z2 field.Element
	ypx.Add(&p.Y, &p.X)
	ymx.Subtract(&p.Y, &p.X)
	pp.Multiply(&ypx, &q.YplusX)
	mm.Multiply(&ymx, &q.YminusX)
	tt2d.Multiply(&p.T, &q.T2d)
	z2.Add(&p.Z, &p.Z)
	c.X.Subtract(&pp, &mm)
	c.Y.Add(&pp, &mm)
	c.Z.Add(&z2, &tt2d)
	c.T.Subtract(&z2, &tt2d)
	return c
}

// subAffine sets c = p − q.
func (c *completedPoint) subAffine(p *extPoint, q *affinePoint) *completedPoint {
	var ypx, ymx, pp, mm, tt2d, z2 field.Element
	ypx.Add(&p.Y, &p.X)
	ymx.Subtract(&p.Y, &p.X)
	pp.Multiply(&ypx, &q.YminusX)
	mm.Multiply(&ymx, &q.YplusX)
	tt2d.Multiply(&p.T, &q.T2d)
	z2.Add(&p.Z, &p.Z)
	c.X.Subtract(&pp, &mm)
	c.Y.Add(&pp, &mm)
	c.Z.Subtract(&z2, &tt2d)
	c.T.Add(&z2, &tt2d)
	return c
}

// addCached sets c = p + q.
func (c *completedPoint) addCached(p *extPoint, q *cachedPoint) *completedPoint {
	var ypx, ymx, pp, mm, tt2d, zz2 field.Element
	ypx.Add(&p.Y, &p.X)
	ymx.Subtract(&p.Y, &p.X)
	pp.Multiply(&ypx, &q.YplusX)
	mm.Multiply(&ymx, &q.YminusX)
	tt2d.Multiply(&p.T, &q.T2d)
	zz2.Multiply(&p.Z, &q.Z)
	zz2.Add(&zz2, &zz2)
	c.X.Subtract(&pp, &mm)
	c.Y.Add(&pp, &mm)
	c.Z.Add(&zz2, &tt2d)
	c.T.Subtract(&zz2, &tt2d)
	return c
}

// double sets c = 2·p (T of p is not used).
func (c *completedPoint) double(p *extPoint) *completedPoint {
	var xx, yy, zz2, s field.Element
	xx.Square(&p.X)
	yy.Square(&p.Y)
	zz2.Square(&p.Z)
	zz2.Add(&zz2, &zz2)
	s.Add(&p.X, &p.Y)
	s.Square(&s)
	c.Y.Add(&yy, &xx)
	c.Z.Subtract(&yy, &xx)
	c.X.Subtract(&s, &c.Y)
	c.T.Subtract(&zz2, &c.Z)
	return c
}

// toPoint converts p to a filippo.io/edwards25519 Point.
func (p *extPoint) toPoint() (*edwards25519.Point, error) {
	return new(edwards25519.Point).SetExtendedCoordinates(&p.X, &p.Y, &p.Z, &p.T)
}

// fromPoint sets p from a filippo.io/edwards25519 Point.
func (p *extPoint) fromPoint(q *edwards25519.Point) *extPoint {
	x, y, z, t := q.ExtendedCoordinates()
	p.X.Set(x)
	p.Y.Set(y)
	p.Z.Set(z)
	p.T.Set(t)
	return p
}

// ristrettoEqual reports whether p and q are the same ristretto255 element
// (the same point up to the 4-torsion).
func ristrettoEqual(p, q *extPoint) bool {
	var a, b field.Element
	a.Multiply(&p.X, &q.Y)
	b.Multiply(&p.Y, &q.X)
	if a.Equal(&b) == 1 {
		return true
	}
	a.Multiply(&p.Y, &q.Y)
	b.Multiply(&p.X, &q.X)
	return a.Equal(&b) == 1
}

// decodeRistretto decodes a canonical ristretto255 encoding into p
// (affine: Z = 1). It refuses every non-canonical or invalid encoding
// (draft-irtf-cfrg-ristretto255-decaf448, 4.3.1) and runs in variable time.
func decodeRistretto(p *extPoint, in *[32]byte) bool {
	var s field.Element
	if _, err := s.SetBytes(in[:]); err != nil {
		return false
	}
	// SetBytes ignores the top bit and reduces: canonical means it
	// encodes back to the same bytes.
	var back [32]byte
	copy(back[:], s.Bytes())
	if back != *in || s.IsNegative() == 1 {
		return false
	}
	var ss, u1, u2, u2sq, v, t field.Element
	ss.Square(&s)
	u1.Subtract(feOne, &ss)
	u2.Add(feOne, &ss)
	u2sq.Square(&u2)
	// v = −d·u1² − u2²
	v.Square(&u1)
	v.Multiply(&v, &feD)
	v.Negate(&v)
	v.Subtract(&v, &u2sq)
	var inv field.Element
	_, wasSquare := inv.SqrtRatio(feOne, t.Multiply(&v, &u2sq))
	var denX, denY field.Element
	denX.Multiply(&inv, &u2)
	denY.Multiply(&inv, &denX)
	denY.Multiply(&denY, &v)
	p.X.Add(&s, &s)
	p.X.Multiply(&p.X, &denX)
	p.X.Absolute(&p.X)
	p.Y.Multiply(&u1, &denY)
	p.Z.One()
	p.T.Multiply(&p.X, &p.Y)
	return wasSquare == 1 && p.T.IsNegative() == 0 && p.Y.Equal(&feZero) == 0
}
