// Package keys holds sr25519 keypairs as Substrate and Bittensor use them:
// derivation from mnemonics, seeds and SURIs, signing and verification with
// the "substrate" signing context, and SS58 addresses.
//
// It never touches the disk or the network; wallet files live in package wallet.
package keys

import (
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"

	"github.com/minerkit/minerkit/keys/sr25519"
)

// SigningContext is the schnorrkel signing context every Substrate chain uses.
var signingContext = []byte("substrate")

// PublicKey is a 32-byte sr25519 public key (a compressed Ristretto point),
// also the AccountId of Substrate chains.
type PublicKey [32]byte

// Address returns the SS58 address of p with the Bittensor prefix 42.
func (p PublicKey) Address() string { return EncodeSS58(p, DefaultSS58Prefix) }

// Hex returns p as 0x-prefixed lowercase hex.
func (p PublicKey) Hex() string { return "0x" + hex.EncodeToString(p[:]) }

// String returns the SS58 address of p.
func (p PublicKey) String() string { return p.Address() }

// Signature is a 64-byte sr25519 signature (R || s, marker bit set in byte 63).
type Signature [64]byte

// Hex returns s as 0x-prefixed lowercase hex.
func (s Signature) Hex() string { return "0x" + hex.EncodeToString(s[:]) }

// Signer signs messages with an sr25519 key. *Keypair implements it.
type Signer interface {
	Public() PublicKey
	Sign(msg []byte) Signature
}

// Keypair is an sr25519 secret key with its public key. The zero value is
// not usable; build one with FromSURI, FromMnemonic, FromSeed or
// FromPrivateKey.
type Keypair struct {
	secret *schnorrkel.SecretKey
	nonce  [32]byte
	public PublicKey
	// seed is the 32-byte mini secret when the key has one (soft
	// derivation and raw private keys yield none).
	seed []byte
}

// FromSeed returns the keypair of a 32-byte mini secret, expanded in Ed25519
// mode as Substrate does.
func FromSeed(seed []byte) (*Keypair, error) {
	if len(seed) != 32 {
		return nil, fmt.Errorf("keys: seed must be 32 bytes, got %d", len(seed))
	}
	var raw [32]byte
	copy(raw[:], seed)
	mini, err := schnorrkel.NewMiniSecretKeyFromRaw(raw)
	if err != nil {
		return nil, fmt.Errorf("keys: invalid seed: %w", err)
	}
	sk := mini.ExpandEd25519()
	h := sha512.Sum512(raw[:])
	var nonce [32]byte
	copy(nonce[:], h[32:])
	kp, err := fromSecret(sk.Encode(), nonce)
	if err != nil {
		return nil, err
	}
	kp.seed = append([]byte(nil), seed...)
	return kp, nil
}

// FromPrivateKey returns the keypair of a 64-byte schnorrkel secret key in its
// native form (32-byte scalar || 32-byte nonce), as btcli keyfiles store it in
// "privateKey".
func FromPrivateKey(priv []byte) (*Keypair, error) {
	if len(priv) != 64 {
		return nil, fmt.Errorf("keys: private key must be 64 bytes (scalar || nonce), got %d", len(priv))
	}
	var key, nonce [32]byte
	copy(key[:], priv[:32])
	copy(nonce[:], priv[32:])
	if _, err := schnorrkel.ScalarFromBytes(key); err != nil {
		return nil, fmt.Errorf("keys: private key scalar is not canonical: %w", err)
	}
	return fromSecret(key, nonce)
}

// fromSecret builds a keypair from a schnorrkel scalar and signing nonce.
// go-schnorrkel does not expose a secret key's nonce, so the keypair keeps
// its own copy to be able to write the native 64-byte form.
func fromSecret(key, nonce [32]byte) (*Keypair, error) {
	sk := schnorrkel.NewSecretKey(key, nonce)
	pub, err := sk.Public()
	if err != nil {
		return nil, fmt.Errorf("keys: derive public key: %w", err)
	}
	return &Keypair{secret: sk, nonce: nonce, public: pub.Encode()}, nil
}

// Public returns the public key.
func (k *Keypair) Public() PublicKey { return k.public }

// Address returns the SS58 address with prefix 42.
func (k *Keypair) Address() string { return k.public.Address() }

// Seed returns the 32-byte mini secret, or nil if the key came from soft
// derivation or a raw private key and so has none.
func (k *Keypair) Seed() []byte { return append([]byte(nil), k.seed...) }

// PrivateKey returns the 64-byte schnorrkel secret key in native form
// (scalar || nonce), the form btcli writes as "privateKey".
func (k *Keypair) PrivateKey() []byte {
	enc := k.secret.Encode()
	out := make([]byte, 0, 64)
	out = append(out, enc[:]...)
	return append(out, k.nonce[:]...)
}

// Sign signs msg in the "substrate" context. sr25519 signatures are
// randomized: two signatures of one message differ, and both verify.
func (k *Keypair) Sign(msg []byte) Signature {
	t := schnorrkel.NewSigningContext(signingContext, msg)
	sig, err := k.secret.Sign(t)
	if err != nil {
		// Sign fails only when the system's randomness source does; a
		// signature we cannot produce must never be returned silently.
		panic("keys: sr25519 signing failed: " + err.Error())
	}
	return sig.Encode()
}

// ErrBadSignature is returned when a signature does not verify.
var ErrBadSignature = errors.New("keys: signature does not verify")

// Verify reports whether sig is a valid signature of msg by pub. Like the
// ecosystem's verifiers it accepts a signature of the raw message first and
// then one of "<Bytes>" + msg + "</Bytes>" (what polkadot-js signRaw signs).
func Verify(pub PublicKey, msg []byte, sig []byte) bool {
	vk, err := NewVerifyKey(pub)
	if err != nil {
		return false
	}
	return vk.Verify(msg, sig)
}

// VerifyKey is a public key decoded once for repeated verification; decoding
// the point is a noticeable part of one verify, so hot paths keep these.
// Verification runs in package keys/sr25519 (the answers of go-schnorrkel,
// proven by its differential tests, in less time).
type VerifyKey struct {
	pub PublicKey
	k   *sr25519.PublicKey
}

// NewVerifyKey decodes pub for verification.
func NewVerifyKey(pub PublicKey) (*VerifyKey, error) {
	k, err := sr25519.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("keys: invalid public key %s: %w", pub.Hex(), err)
	}
	return &VerifyKey{pub: pub, k: k}, nil
}

// NewPrecomputedVerifyKey is NewVerifyKey for a key that signs often (a
// subnet's validator): it builds a table of the key's multiples (102 KiB,
// about half a millisecond of CPU) that makes each verification about three
// times cheaper.
func NewPrecomputedVerifyKey(pub PublicKey) (*VerifyKey, error) {
	k, err := sr25519.NewPrecomputedPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("keys: invalid public key %s: %w", pub.Hex(), err)
	}
	return &VerifyKey{pub: pub, k: k}, nil
}

// Public returns the key's public bytes.
func (v *VerifyKey) Public() PublicKey { return v.pub }

// Precomputed reports whether v was made by NewPrecomputedVerifyKey.
func (v *VerifyKey) Precomputed() bool { return v.k.Precomputed() }

// Verify reports whether sig signs msg, raw first, then <Bytes>-wrapped. The
// wrapped check reuses the raw one's work on the signature.
func (v *VerifyKey) Verify(msg, sig []byte) bool {
	ok, _ := v.k.VerifyWrapped(msg, sig)
	return ok
}

// VerifyRaw reports whether sig signs exactly msg (no <Bytes> wrapping).
func (v *VerifyKey) VerifyRaw(msg, sig []byte) bool { return v.k.Verify(msg, sig) }

// VerifyKeys finds verification keys prepared in advance (precomputed ones,
// for a subnet's validators) by SS58 address with the Bittensor prefix 42.
// A verifier that misses decodes the key itself. The metagraph's Syncer
// implements it.
type VerifyKeys interface {
	VerifyKey(address string) (*VerifyKey, bool)
}

// WrapBytes returns "<Bytes>" + msg + "</Bytes>", the form polkadot-js
// signRaw signs.
func WrapBytes(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+15)
	out = append(out, "<Bytes>"...)
	out = append(out, msg...)
	return append(out, "</Bytes>"...)
}
