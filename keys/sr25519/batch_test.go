package sr25519

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"
	"time"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// Micro-batched verification, measured (issue 17): is one randomized batch
// equation over n signatures cheaper per signature than n single
// verifications when every key has its table?
//
// A batch checks, for random 128-bit z_i,
//
//	(Σ z_i·s_i)·B + Σ (z_i·k_i)·(−A_i) − Σ z_i·R_i ∈ E[4]
//
// The first term is one fixed-base multiplication for the whole batch (the
// only saving: a single verification does s·B for every signature), the
// second is each key's table used as in a single verification (a 253-bit
// scalar either way), and the third is new: a variable-base multiplication
// of every R_i by a 128-bit scalar, here Straus's interleaved method with
// width-5 NAF (8 odd multiples per point, 128 shared doublings), the
// cheapest form for these sizes. Parsing (R's decoding) and the transcript
// are the same as for single verification. Test code only: the benchmark
// below decides whether a batch verifier is worth writing.

// batchItem is one signature to check in a batch.
type batchItem struct {
	pk       *PublicKey
	msg, sig []byte
}

// subCached sets c = p − q.
func (c *completedPoint) subCached(p *extPoint, q *cachedPoint) *completedPoint {
	var ypx, ymx, pp, mm, tt2d, zz2 field.Element
	ypx.Add(&p.Y, &p.X)
	ymx.Subtract(&p.Y, &p.X)
	pp.Multiply(&ypx, &q.YminusX)
	mm.Multiply(&ymx, &q.YplusX)
	tt2d.Multiply(&p.T, &q.T2d)
	zz2.Multiply(&p.Z, &q.Z)
	zz2.Add(&zz2, &zz2)
	c.X.Subtract(&pp, &mm)
	c.Y.Add(&pp, &mm)
	c.Z.Subtract(&zz2, &tt2d)
	c.T.Add(&zz2, &tt2d)
	return c
}

// wnaf5 writes the width-5 NAF of the 128-bit z (lo, hi) to d: digits odd
// in [−15, 15] or zero, z = Σ d_i·2^i.
func wnaf5(d *[130]int8, lo, hi uint64) {
	k := [3]uint64{lo, hi, 0}
	for i := range d {
		d[i] = 0
		if k[0]&1 == 1 {
			m := int64(k[0] & 31)
			if m >= 16 {
				m -= 32
			}
			d[i] = int8(m)
			if m > 0 { // k −= m
				var b uint64
				k[0], b = sub64(k[0], uint64(m), 0)
				k[1], b = sub64(k[1], 0, b)
				k[2], _ = sub64(k[2], 0, b)
			} else { // k += −m
				var c uint64
				k[0], c = add64(k[0], uint64(-m), 0)
				k[1], c = add64(k[1], 0, c)
				k[2], _ = add64(k[2], 0, c)
			}
		}
		k[0] = k[0]>>1 | k[1]<<63
		k[1] = k[1]>>1 | k[2]<<63
		k[2] >>= 1
	}
}

func add64(x, y, c uint64) (uint64, uint64) {
	s := x + y + c
	return s, ((x & y) | ((x | y) &^ s)) >> 63
}

func sub64(x, y, b uint64) (uint64, uint64) {
	d := x - y - b
	return d, ((^x & y) | (^(x ^ y) & d)) >> 63
}

// batchScratch is reused across batches (as a real batcher would).
type batchScratch struct {
	ps   []parsedSig
	k    []edwards25519.Scalar
	z    []byte
	naf  [][130]int8
	odds [][8]cachedPoint
}

// verifyBatch reports whether every signature of items verifies (no
// <Bytes> retry, no search for the bad one: the cost of the common case).
func verifyBatch(items []batchItem, sc *batchScratch) bool {
	n := len(items)
	if cap(sc.ps) < n {
		sc.ps, sc.k = make([]parsedSig, n), make([]edwards25519.Scalar, n)
		sc.z, sc.naf, sc.odds = make([]byte, 16*n), make([][130]int8, n), make([][8]cachedPoint, n)
	}
	ps, k, z := sc.ps[:n], sc.k[:n], sc.z[:16*n]
	for i := range items {
		if !ps[i].parse(items[i].pk, items[i].sig) {
			return false
		}
		ps[i].challenge(&k[i], Substrate, items[i].pk, nil, items[i].msg, nil)
	}
	_, _ = rand.Read(z)
	var sum, zi, c edwards25519.Scalar
	var acc extPoint
	acc.setIdentity()
	var cp completedPoint
	for i := range items {
		var wide [32]byte
		copy(wide[:16], z[16*i:])
		if _, err := zi.SetCanonicalBytes(wide[:]); err != nil {
			return false
		}
		sum.MultiplyAdd(&zi, &ps[i].s, &sum)
		// (z_i·k_i)·(−A_i) from the key's table.
		c.Multiply(&zi, &k[i])
		var cb [32]byte
		copy(cb[:], c.Bytes())
		var digits [keyDigits]int8
		recode(digits[:], &cb, keyWindow)
		items[i].pk.table.addMul(&acc, digits[:])
		// R_i's odd multiples and z_i's NAF.
		wnaf5(&sc.naf[i], binary.LittleEndian.Uint64(z[16*i:]), binary.LittleEndian.Uint64(z[16*i+8:]))
		odd := &sc.odds[i]
		var r2 extPoint
		r2.fromCompleted(cp.double(&ps[i].r))
		var r2c cachedPoint
		r2c.fromExt(&r2)
		cur := ps[i].r
		odd[0].fromExt(&cur)
		for j := 1; j < 8; j++ {
			cur.fromCompleted(cp.addCached(&cur, &r2c))
			odd[j].fromExt(&cur)
		}
	}
	// (Σ z_i·s_i)·B, once.
	var sb [32]byte
	copy(sb[:], sum.Bytes())
	var bd [baseDigits]int8
	recode(bd[:], &sb, baseWindow)
	baseTable().addMul(&acc, bd[:])
	// Σ z_i·R_i, interleaved: 128 doublings shared by the batch.
	var q extPoint
	q.setIdentity()
	for bit := 129; bit >= 0; bit-- {
		q.fromCompleted(cp.double(&q))
		for i := range items {
			switch d := sc.naf[i][bit]; {
			case d > 0:
				q.fromCompleted(cp.addCached(&q, &sc.odds[i][d/2]))
			case d < 0:
				q.fromCompleted(cp.subCached(&q, &sc.odds[i][(-d)/2]))
			}
		}
	}
	var qc cachedPoint
	qc.fromExt(&q)
	acc.fromCompleted(cp.subCached(&acc, &qc))
	// In E[4] (the ristretto identity): x = 0 or y = 0.
	return acc.X.Equal(&feZero) == 1 || acc.Y.Equal(&feZero) == 1
}

func batchItems(t testing.TB, n int) []batchItem {
	signers := newSigners(t, 16)
	items := make([]batchItem, n)
	for i := range items {
		s := &signers[i%len(signers)]
		msg := make([]byte, 180)
		_, _ = rand.Read(msg)
		items[i] = batchItem{pk: s.computed, msg: msg, sig: sign(t, s.sk, msg)}
	}
	return items
}

// The batch equation holds for valid signatures and fails when one is bad
// (a wrong message, a signature by another key), so that the benchmark
// measures a verifier that works.
func TestBatchEquation(t *testing.T) {
	var sc batchScratch
	for _, n := range []int{1, 2, 8, 16} {
		items := batchItems(t, n)
		if !verifyBatch(items, &sc) {
			t.Fatalf("n=%d: valid batch refused", n)
		}
		bad := append([]batchItem(nil), items...)
		bad[n/2].msg = append([]byte("x"), bad[n/2].msg...)
		if verifyBatch(bad, &sc) {
			t.Fatalf("n=%d: a wrong message passed", n)
		}
		if n > 1 {
			bad = append([]batchItem(nil), items...)
			bad[0].sig = items[1].sig
			bad[0].msg = items[1].msg
			if bad[0].pk != items[1].pk && verifyBatch(bad, &sc) {
				t.Fatalf("n=%d: another key's signature passed", n)
			}
		}
	}
	var d [130]int8
	for _, z := range [][2]uint64{{0, 0}, {1, 0}, {31, 0}, {^uint64(0), ^uint64(0)}, {0x123456789abcdef, 0xfedcba987654321}} {
		wnaf5(&d, z[0], z[1])
		var lo, hi uint64 // Σ d_i·2^i, mod 2^128
		for i := 129; i >= 0; i-- {
			hi = hi<<1 | lo>>63
			lo <<= 1
			if d[i] > 0 {
				var c uint64
				lo, c = add64(lo, uint64(d[i]), 0)
				hi, _ = add64(hi, 0, c)
			} else if d[i] < 0 {
				var b uint64
				lo, b = sub64(lo, uint64(-d[i]), 0)
				hi, _ = sub64(hi, 0, b)
			}
		}
		if lo != z[0] || hi != z[1] {
			t.Errorf("wnaf5(%x) sums to %x %x", z, hi, lo)
		}
	}
}

// BenchmarkBatchVerify compares, per signature, n single verifications
// with precomputed keys (what serve does) with one batch of n over the
// same keys. The metrics to compare: ns/sig (wall) and cpu-ns/sig (the
// thread's own CPU time, which other load on a shared machine does not
// inflate).
func BenchmarkBatchVerify(b *testing.B) {
	for _, n := range []int{8, 16, 64} {
		items := batchItems(b, n)
		b.Run(fmt.Sprintf("single/n=%d", n), func(b *testing.B) {
			m := startMeter()
			for b.Loop() {
				for i := range items {
					if !items[i].pk.Verify(items[i].msg, items[i].sig) {
						b.Fatal("no")
					}
				}
			}
			m.report(b, n)
		})
		b.Run(fmt.Sprintf("batch/n=%d", n), func(b *testing.B) {
			var sc batchScratch
			m := startMeter()
			for b.Loop() {
				if !verifyBatch(items, &sc) {
					b.Fatal("no")
				}
			}
			m.report(b, n)
		})
	}
}

// meter measures wall time and the calling thread's CPU time.
type meter struct {
	wall time.Time
	cpu  time.Duration
}

func startMeter() meter {
	runtime.LockOSThread()
	return meter{time.Now(), threadCPU()}
}

func (m meter) report(b *testing.B, n int) {
	cpu := threadCPU() - m.cpu
	runtime.UnlockOSThread()
	sigs := float64(b.N * n)
	b.ReportMetric(float64(time.Since(m.wall).Nanoseconds())/sigs, "ns/sig")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/sigs, "cpu-ns/sig")
	}
}
