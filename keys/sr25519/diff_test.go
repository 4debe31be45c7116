package sr25519

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	mrand "math/rand/v2"
	"testing"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
)

// signer is a go-schnorrkel key with both of our decodings of its public key.
type signer struct {
	sk       *schnorrkel.SecretKey
	pub      [32]byte
	plain    *PublicKey
	computed *PublicKey
}

func newSigners(t testing.TB, n int) []signer {
	t.Helper()
	out := make([]signer, n)
	for i := range out {
		sk, pk, err := schnorrkel.GenerateKeypair()
		if err != nil {
			t.Fatal(err)
		}
		out[i].sk, out[i].pub = sk, pk.Encode()
		if out[i].plain, err = NewPublicKey(out[i].pub); err != nil {
			t.Fatal(err)
		}
		if out[i].computed, err = NewPrecomputedPublicKey(out[i].pub); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func sign(t testing.TB, sk *schnorrkel.SecretKey, msg []byte) []byte {
	t.Helper()
	s, err := sk.Sign(schnorrkel.NewSigningContext([]byte("substrate"), msg))
	if err != nil {
		t.Fatal(err)
	}
	enc := s.Encode()
	return enc[:]
}

var groupOrder, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// nonCanonicalS returns sig with its scalar s replaced by s + ℓ (still
// below 2^255, still marked): the same value mod ℓ, refused by both.
func nonCanonicalS(sig []byte) []byte {
	out := append([]byte(nil), sig...)
	le := append([]byte(nil), sig[32:]...)
	le[31] &= 0x7f
	s := new(big.Int).SetBytes(reverse(le))
	s.Add(s, groupOrder)
	var b [32]byte
	s.FillBytes(b[:])
	copy(out[32:], reverse(b[:]))
	out[63] |= 0x80
	return out
}

// compare checks that both of our keys answer for (pub, msg, sig) as
// go-schnorrkel does, and returns that answer.
func compare(t testing.TB, s *signer, msg, sig []byte, what string) bool {
	t.Helper()
	want := refVerify(s.pub, []byte("substrate"), msg, sig)
	if got := s.plain.Verify(msg, sig); got != want {
		t.Fatalf("%s: plain key says %v, go-schnorrkel %v (pub %x msg %x sig %x)", what, got, want, s.pub, msg, sig)
	}
	if got := s.computed.Verify(msg, sig); got != want {
		t.Fatalf("%s: precomputed key says %v, go-schnorrkel %v (pub %x msg %x sig %x)", what, got, want, s.pub, msg, sig)
	}
	wantW := want || refVerify(s.pub, []byte("substrate"), append(append([]byte("<Bytes>"), msg...), "</Bytes>"...), sig)
	for _, k := range []*PublicKey{s.plain, s.computed} {
		ok, wrapped := k.VerifyWrapped(msg, sig)
		if ok != wantW || (ok && wrapped == want) {
			t.Fatalf("%s: VerifyWrapped (%v, %v), go-schnorrkel raw %v, either %v", what, ok, wrapped, want, wantW)
		}
	}
	return want
}

// TestDifferential checks random valid and invalid signatures against
// go-schnorrkel: valid ones, wrong key, wrong message, every kind of bit
// flip, the scalar plus ℓ, an unmarked signature, R replaced by edge
// encodings, and <Bytes>-wrapped messages. -sr25519.n=100000 for the long
// run.
func TestDifferential(t *testing.T) {
	n := *diffN
	if testing.Short() || (raceOn && n > 200) {
		n = 200
	}
	signers := newSigners(t, 8)
	r := mrand.New(mrand.NewPCG(7, 8))
	var edges [][]byte
	for _, h := range edgeEncodings {
		b, _ := hex.DecodeString(h)
		edges = append(edges, b)
	}
	valid := 0
	for i := 0; i < n; i++ {
		s := &signers[i%len(signers)]
		msg := randBytes(r, r.IntN(300))
		signed := msg
		if i%5 == 4 {
			signed = append(append([]byte("<Bytes>"), msg...), "</Bytes>"...)
		}
		sig := sign(t, s.sk, signed)
		if compare(t, s, signed, sig, "valid") {
			valid++
		}
		compare(t, s, msg, sig, "maybe wrapped")
		other := &signers[(i+1)%len(signers)]
		compare(t, other, signed, sig, "wrong key")
		wrong := append([]byte(nil), signed...)
		if len(wrong) == 0 {
			wrong = []byte{0}
		} else {
			wrong[r.IntN(len(wrong))] ^= byte(1 + r.IntN(255))
		}
		compare(t, s, wrong, sig, "wrong message")
		flipped := append([]byte(nil), sig...)
		flipped[r.IntN(64)] ^= 1 << r.IntN(8)
		compare(t, s, signed, flipped, "flipped bit")
		switch i % 4 {
		case 0:
			compare(t, s, signed, nonCanonicalS(sig), "s + l")
		case 1:
			unmarked := append([]byte(nil), sig...)
			unmarked[63] &= 0x7f
			compare(t, s, signed, unmarked, "unmarked")
		case 2:
			edgeR := append([]byte(nil), sig...)
			copy(edgeR, edges[r.IntN(len(edges))])
			compare(t, s, signed, edgeR, "edge R")
		case 3:
			compare(t, s, signed, randBytes(r, 64), "random signature")
		}
	}
	if valid != n {
		t.Fatalf("%d of %d fresh signatures verify", valid, n)
	}
}

// TestEdgeKeys: the identity key (go-schnorrkel refuses every signature
// under it, even R = 0, s = 0, which the equation accepts) and keys that do
// not decode.
func TestEdgeKeys(t *testing.T) {
	zeroSig := make([]byte, 64)
	zeroSig[63] = 0x80
	id, err := NewPublicKey([32]byte{})
	if err != nil {
		t.Fatal(err)
	}
	if id.Verify(nil, zeroSig) || refVerify([32]byte{}, []byte("substrate"), nil, zeroSig) {
		t.Fatal("a signature under the identity key verifies")
	}
	if _, err := NewPrecomputedPublicKey([32]byte{}); err != nil {
		t.Fatal(err)
	}
	for _, h := range edgeEncodings[1:] {
		b, _ := hex.DecodeString(h)
		if _, err := NewPublicKey([32]byte(b)); err == nil {
			_, refErr := schnorrkel.NewPublicKey([32]byte(b))
			if refErr != nil {
				t.Fatalf("%s decodes here, not in go-schnorrkel", h)
			}
		}
	}
}

// TestShortSignatures: wrong lengths are refused, never read past.
func TestShortSignatures(t *testing.T) {
	s := newSigners(t, 1)[0]
	sig := sign(t, s.sk, []byte("m"))
	for _, n := range []int{0, 1, 32, 63, 65, 128} {
		b := make([]byte, n)
		copy(b, sig)
		if s.plain.Verify([]byte("m"), b) || s.computed.Verify([]byte("m"), b) {
			t.Fatalf("a %d-byte signature verifies", n)
		}
	}
}

func TestOtherContext(t *testing.T) {
	s := newSigners(t, 1)[0]
	ctx := []byte("another context")
	sg, err := s.sk.Sign(schnorrkel.NewSigningContext(ctx, []byte("m")))
	if err != nil {
		t.Fatal(err)
	}
	enc := sg.Encode()
	c := NewContext(ctx)
	if !s.computed.VerifyContext(c, []byte("m"), enc[:]) || !s.plain.VerifyContext(c, []byte("m"), enc[:]) {
		t.Fatal("a signature in another context does not verify")
	}
	if s.plain.Verify([]byte("m"), enc[:]) {
		t.Fatal("a signature in another context verifies in substrate's")
	}
}

func TestVerifyAllocatesNothing(t *testing.T) {
	s := newSigners(t, 1)[0]
	msg := make([]byte, 250)
	_, _ = rand.Read(msg)
	sig := sign(t, s.sk, msg)
	for _, k := range []*PublicKey{s.plain, s.computed} {
		if n := testing.AllocsPerRun(20, func() { k.Verify(msg, sig); k.VerifyWrapped(msg[1:], sig) }); n != 0 {
			t.Fatalf("Verify allocates %v times", n)
		}
	}
}

func FuzzVerify(f *testing.F) {
	signers := newSigners(f, 2)
	for i, m := range []string{"", "m", "a longer message that crosses no block", string(make([]byte, 400))} {
		sig := sign(f, signers[i%2].sk, []byte(m))
		f.Add(uint8(i%2), []byte(m), sig)
		f.Add(uint8(i%2), []byte(m), nonCanonicalS(sig))
	}
	f.Fuzz(func(t *testing.T, who uint8, msg, sig []byte) {
		compare(t, &signers[int(who)%2], msg, sig, "fuzz")
	})
}

func BenchmarkVerify(b *testing.B) {
	s := newSigners(b, 1)[0]
	msg := make([]byte, 230)
	_, _ = rand.Read(msg)
	sig := sign(b, s.sk, msg)
	ref, _ := schnorrkel.NewPublicKey(s.pub)
	ref.Encode()
	b.Run("go-schnorrkel", func(b *testing.B) {
		for b.Loop() {
			var sg schnorrkel.Signature
			_ = sg.Decode([64]byte(sig))
			if ok, _ := ref.Verify(&sg, schnorrkel.NewSigningContext([]byte("substrate"), msg)); !ok {
				b.Fatal("no")
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			if !s.plain.Verify(msg, sig) {
				b.Fatal("no")
			}
		}
	})
	b.Run("precomputed", func(b *testing.B) {
		for b.Loop() {
			if !s.computed.Verify(msg, sig) {
				b.Fatal("no")
			}
		}
	})
	b.Run("precomputed-wrapped-fail", func(b *testing.B) {
		for b.Loop() {
			if ok, _ := s.computed.VerifyWrapped(msg[1:], sig); ok {
				b.Fatal("yes")
			}
		}
	})
	b.Run("transcript", func(b *testing.B) {
		var ps parsedSig
		ps.parse(s.computed, sig)
		var k [1]parsedSig
		_ = k
		for b.Loop() {
			var kk = ps.s
			ps.challenge(&kk, Substrate, s.computed, nil, msg, nil)
		}
	})
	b.Run("NewPrecomputedPublicKey", func(b *testing.B) {
		for b.Loop() {
			_, _ = NewPrecomputedPublicKey(s.pub)
		}
	})
}

// TestConcurrentVerify: one key, shared by goroutines (run under -race).
func TestConcurrentVerify(t *testing.T) {
	s := newSigners(t, 1)[0]
	msg := []byte("shared")
	sig := sign(t, s.sk, msg)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for i := 0; i < 20; i++ {
				ok = ok && s.computed.Verify(msg, sig) && s.plain.Verify(msg, sig) && !s.computed.Verify(msg[1:], sig)
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Fatal("a concurrent verification went wrong")
		}
	}
}
