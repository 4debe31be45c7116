package sr25519

import (
	"errors"

	"filippo.io/edwards25519"
)

// Sizes of keys and signatures.
const (
	PublicKeySize = 32
	SignatureSize = 64
)

// Context is a schnorrkel signing context: the transcript state after
// the context label, computed once.
type Context struct{ t transcript }

// NewContext returns the signing context with the given label
// (schnorrkel's signing_context(label)).
func NewContext(label []byte) *Context {
	c := &Context{t: newTranscript("SigningContext")}
	c.t.appendMessage(nil, label)
	return c
}

// Substrate is the signing context Substrate chains and Bittensor sign in.
var Substrate = NewContext([]byte("substrate"))

// PublicKey is a decoded sr25519 public key, ready for repeated
// verification. Keys made by NewPrecomputedPublicKey carry a table of
// multiples of the key (102 KiB), which makes a verification about three
// times cheaper. A PublicKey is immutable and safe for concurrent use.
type PublicKey struct {
	enc      [32]byte
	identity bool
	negA     edwards25519.Point // −A
	table    *fixedTable        // of −A; nil unless precomputed
}

// ErrInvalidPublicKey is returned for bytes that are not a canonical
// ristretto255 encoding.
var ErrInvalidPublicKey = errors.New("sr25519: public key is not a canonical ristretto255 encoding")

// NewPublicKey decodes a public key. Decoding is what go-schnorrkel's
// NewPublicKey does: the identity is accepted here (no signature verifies
// under it).
func NewPublicKey(enc [32]byte) (*PublicKey, error) {
	var a extPoint
	if !decodeRistretto(&a, &enc) {
		return nil, ErrInvalidPublicKey
	}
	pk := &PublicKey{enc: enc, identity: enc == [32]byte{}}
	p, err := a.toPoint()
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	pk.negA.Negate(p)
	return pk, nil
}

// NewPrecomputedPublicKey decodes a public key and builds its table of
// multiples: about half a millisecond of CPU (1.3 ms on a loaded 2-core
// machine) and 102 KiB, for keys that sign often (a subnet's validators).
func NewPrecomputedPublicKey(enc [32]byte) (*PublicKey, error) {
	pk, err := NewPublicKey(enc)
	if err != nil {
		return nil, err
	}
	var na extPoint
	na.fromPoint(&pk.negA)
	pk.table = newFixedTable(&na, keyWindow)
	return pk, nil
}

// Bytes returns the key's encoding.
func (pk *PublicKey) Bytes() [32]byte { return pk.enc }

// Precomputed reports whether pk carries a table of multiples.
func (pk *PublicKey) Precomputed() bool { return pk.table != nil }

// Verify reports whether sig is a valid signature of msg by pk in the
// Substrate context, with exactly the answers of go-schnorrkel and
// schnorrkel: the signature must be marked (top bit of its last byte),
// its scalar canonical and its R a canonical ristretto255 encoding.
func (pk *PublicKey) Verify(msg, sig []byte) bool {
	return pk.VerifyContext(Substrate, msg, sig)
}

// VerifyContext is Verify in the signing context ctx.
func (pk *PublicKey) VerifyContext(ctx *Context, msg, sig []byte) bool {
	var ps parsedSig
	if !ps.parse(pk, sig) {
		return false
	}
	var k edwards25519.Scalar
	ps.challenge(&k, ctx, pk, nil, msg, nil)
	return pk.check(&ps, &k, nil)
}

// Bytes-wrapping: what polkadot-js signRaw signs in place of msg.
var (
	bytesOpen  = []byte("<Bytes>")
	bytesClose = []byte("</Bytes>")
)

// VerifyWrapped reports whether sig signs msg, or else
// "<Bytes>" + msg + "</Bytes>" (what polkadot-js signRaw signs), in the
// Substrate context: wrapped tells which. The second check reuses the
// first one's work on the signature (parsing, R, s·B on precomputed keys),
// so a wrapped signature costs about 1.5 verifications, not 2.
func (pk *PublicKey) VerifyWrapped(msg, sig []byte) (ok, wrapped bool) {
	var ps parsedSig
	if !ps.parse(pk, sig) {
		return false, false
	}
	var k edwards25519.Scalar
	ps.challenge(&k, Substrate, pk, nil, msg, nil)
	var sB extPoint
	if pk.check(&ps, &k, &sB) {
		return true, false
	}
	ps.challenge(&k, Substrate, pk, bytesOpen, msg, bytesClose)
	if pk.check(&ps, &k, &sB) {
		return true, true
	}
	return false, false
}

// parsedSig is a signature whose syntax checked out.
type parsedSig struct {
	s edwards25519.Scalar
	r extPoint
	// rEnc is R as sent (canonical, since it decoded).
	rEnc [32]byte
	// sBDone tells whether check has computed s·B into its sB argument.
	sBDone bool
}

func (ps *parsedSig) parse(pk *PublicKey, sig []byte) bool {
	if len(sig) != SignatureSize || sig[63]&0x80 == 0 || pk.identity {
		return false
	}
	var sb [32]byte
	copy(sb[:], sig[32:])
	sb[31] &= 0x7f
	if _, err := ps.s.SetCanonicalBytes(sb[:]); err != nil {
		return false
	}
	copy(ps.rEnc[:], sig[:32])
	return decodeRistretto(&ps.r, &ps.rEnc)
}

// challenge sets k to the challenge scalar of the signature over
// pre || msg || post.
func (ps *parsedSig) challenge(k *edwards25519.Scalar, ctx *Context, pk *PublicKey, pre, msg, post []byte) {
	t := ctx.t
	t.appendMessage3([]byte("sign-bytes"), pre, msg, post)
	t.appendMessage([]byte("proto-name"), []byte("Schnorr-sig"))
	t.appendMessage([]byte("sign:pk"), pk.enc[:])
	t.appendMessage([]byte("sign:R"), ps.rEnc[:])
	var wide [64]byte
	t.challengeBytes([]byte("sign:c"), wide[:])
	// 64 bytes: cannot fail.
	_, _ = k.SetUniformBytes(wide[:])
}

// check reports whether R = s·B − k·A. On precomputed keys, sB (if not
// nil) keeps s·B between calls for the same signature.
func (pk *PublicKey) check(ps *parsedSig, k *edwards25519.Scalar, sB *extPoint) bool {
	var p extPoint
	if pk.table == nil {
		var q edwards25519.Point
		q.VarTimeDoubleScalarBaseMult(k, &pk.negA, &ps.s)
		p.fromPoint(&q)
		return ristrettoEqual(&p, &ps.r)
	}
	var local extPoint
	if sB == nil {
		sB = &local
	}
	if !ps.sBDone {
		var sb [32]byte
		copy(sb[:], ps.s.Bytes())
		var digits [baseDigits]int8
		recode(digits[:], &sb, baseWindow)
		sB.setIdentity()
		baseTable().addMul(sB, digits[:])
		ps.sBDone = sB != &local
	}
	p = *sB
	var kb [32]byte
	copy(kb[:], k.Bytes())
	var digits [keyDigits]int8
	recode(digits[:], &kb, keyWindow)
	pk.table.addMul(&p, digits[:])
	return ristrettoEqual(&p, &ps.r)
}
