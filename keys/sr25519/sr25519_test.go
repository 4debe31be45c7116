package sr25519

import (
	"bytes"
	"crypto/rand"
	"crypto/sha3"
	"encoding/hex"
	"flag"
	"math/big"
	mrand "math/rand/v2"
	"testing"

	"filippo.io/edwards25519"
	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"github.com/gtank/merlin"
	"github.com/gtank/ristretto255"
)

// -sr25519.n sets the number of random signatures the differential test
// checks (each in several variants); the default keeps `make test` short.
var diffN = flag.Int("sr25519.n", 2000, "random signatures in TestDifferential (100000 for the full run)")

// refVerify is go-schnorrkel's answer, the reference.
func refVerify(pub [32]byte, ctx, msg, sig []byte) bool {
	pk, err := schnorrkel.NewPublicKey(pub)
	if err != nil || len(sig) != 64 {
		return false
	}
	var s schnorrkel.Signature
	if err := s.Decode([64]byte(sig)); err != nil {
		return false
	}
	ok, err := pk.Verify(&s, schnorrkel.NewSigningContext(ctx, msg))
	return err == nil && ok
}

func TestKeccakAgainstSHAKE128(t *testing.T) {
	// One SHAKE128 block: rate 168, message then 0x1f … 0x80.
	for n := 0; n < 168; n += 7 {
		msg := make([]byte, n)
		_, _ = rand.Read(msg)
		var st [200]byte
		copy(st[:], msg)
		st[n] ^= 0x1f
		st[167] ^= 0x80
		keccakF1600(&st)
		want := sha3.SumSHAKE128(msg, 168)
		if !bytes.Equal(st[:168], want) {
			t.Fatalf("len %d: keccak-f differs from SHAKE128", n)
		}
	}
}

func TestTranscriptAgainstMerlin(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		app := randBytes(r, r.IntN(20))
		ours := newTranscript(string(app))
		ref := merlin.NewTranscript(string(app))
		for j := 0; j < 1+r.IntN(5); j++ {
			label, msg := randBytes(r, r.IntN(30)), randBytes(r, r.IntN(600))
			if r.IntN(3) == 0 {
				// The split form must equal the joined one.
				a, b := r.IntN(len(msg)+1), 0
				b = a + r.IntN(len(msg)-a+1)
				ours.appendMessage3(label, msg[:a], msg[a:b], msg[b:])
			} else {
				ours.appendMessage(label, msg)
			}
			ref.AppendMessage(label, msg)
		}
		label := randBytes(r, r.IntN(10))
		n := 1 + r.IntN(300)
		got := make([]byte, n)
		ours.challengeBytes(label, got)
		if want := ref.ExtractBytes(label, n); !bytes.Equal(got, want) {
			t.Fatalf("case %d: challenge %x, merlin %x", i, got, want)
		}
	}
}

func randBytes(r *mrand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Encodings every decoder must refuse or treat alike: non-canonical field
// elements, negative ones, the Ed25519 encodings of small-order points,
// and values that are not points.
var edgeEncodings = []string{
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"0200000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
	"6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
	"94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
}

func TestDecodeAgainstReference(t *testing.T) {
	check := func(enc [32]byte) {
		t.Helper()
		var p extPoint
		got := decodeRistretto(&p, &enc)
		want := ristretto255.NewElement().Decode(enc[:]) == nil
		if got != want {
			t.Fatalf("%x: decode %v, reference %v", enc, got, want)
		}
		_, err := NewPublicKey(enc)
		if (err == nil) != want {
			t.Fatalf("%x: NewPublicKey error %v, reference decodes %v", enc, err, want)
		}
	}
	for _, h := range edgeEncodings {
		b, _ := hex.DecodeString(h)
		check([32]byte(b))
	}
	r := mrand.New(mrand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		check([32]byte(randBytes(r, 32)))
	}
	// Valid encodings decode to the point they encode.
	for i := 0; i < 200; i++ {
		var wide [64]byte
		_, _ = rand.Read(wide[:])
		x, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
		rs := ristretto255.NewScalar()
		if err := rs.Decode(x.Bytes()); err != nil {
			t.Fatal(err)
		}
		enc := [32]byte(ristretto255.NewElement().ScalarBaseMult(rs).Encode(nil))
		var p, q extPoint
		if !decodeRistretto(&p, &enc) {
			t.Fatalf("%x does not decode", enc)
		}
		q.fromPoint(new(edwards25519.Point).ScalarBaseMult(x))
		if !ristrettoEqual(&p, &q) {
			t.Fatalf("%x decodes to another point", enc)
		}
	}
}

func TestRecode(t *testing.T) {
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	scalars := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(l, big.NewInt(1)),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 253), big.NewInt(1))}
	r := mrand.New(mrand.NewPCG(5, 6))
	for i := 0; i < 500; i++ {
		b := randBytes(r, 32)
		b[31] &= 0x1f
		scalars = append(scalars, new(big.Int).SetBytes(reverse(b)))
	}
	for _, w := range []uint{4, 5, 6, 7, 8} {
		d := make([]int8, positions(w))
		for _, s := range scalars {
			var le [32]byte
			s.FillBytes(le[:])
			le = [32]byte(reverse(le[:]))
			recode(d, &le, w)
			sum := new(big.Int)
			for i := len(d) - 1; i >= 0; i-- {
				if d[i] < -(1<<(w-1)) || int(d[i]) >= 1<<(w-1) {
					t.Fatalf("w %d: digit %d out of range", w, d[i])
				}
				sum.Lsh(sum, w)
				sum.Add(sum, big.NewInt(int64(d[i])))
			}
			if sum.Cmp(s) != 0 {
				t.Fatalf("w %d: %v recodes to %v", w, s, sum)
			}
		}
	}
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

func TestFixedTableMatchesScalarMult(t *testing.T) {
	var wide [64]byte
	for _, w := range []uint{4, 5, 8} {
		_, _ = rand.Read(wide[:])
		x, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
		P := new(edwards25519.Point).ScalarBaseMult(x)
		var pe extPoint
		tab := newFixedTable(pe.fromPoint(P), w)
		for i := 0; i < 20; i++ {
			_, _ = rand.Read(wide[:])
			y, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
			var yb [32]byte
			copy(yb[:], y.Bytes())
			d := make([]int8, positions(w))
			recode(d, &yb, w)
			var got extPoint
			got.setIdentity()
			tab.addMul(&got, d)
			gp, err := got.toPoint()
			if err != nil {
				t.Fatal(err)
			}
			if gp.Equal(new(edwards25519.Point).ScalarMult(y, P)) != 1 {
				t.Fatalf("w %d: table multiple differs", w)
			}
		}
	}
}
