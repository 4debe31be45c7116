package keys

import (
	"fmt"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
)

// FromEd25519Bytes returns the keypair of a 64-byte sr25519 secret key in
// the ed25519-expanded form that polkadot-js keeps and writes into its JSON
// backups (schnorrkel's to_ed25519_bytes): scalar×8 || nonce. The scalar is
// divided by the cofactor 8 to give the native form that PrivateKey returns
// and FromPrivateKey takes; the keypair has no seed.
func FromEd25519Bytes(b []byte) (*Keypair, error) {
	if len(b) != 64 {
		return nil, fmt.Errorf("keys: ed25519-form secret key must be 64 bytes (scalar×8 || nonce), got %d", len(b))
	}
	if b[0]&7 != 0 {
		// scalar×8 is a multiple of 8: a key in native form was passed.
		return nil, fmt.Errorf("keys: secret key is not in ed25519 form (its scalar is not a multiple of 8): " +
			"pass a native scalar || nonce key to FromPrivateKey instead")
	}
	var full [64]byte
	copy(full[:], b)
	key := schnorrkel.NewSecretKeyFromEd25519Bytes(full).Encode()
	if _, err := schnorrkel.ScalarFromBytes(key); err != nil {
		return nil, fmt.Errorf("keys: ed25519-form secret key scalar is not canonical: %w", err)
	}
	var nonce [32]byte
	copy(nonce[:], b[32:])
	return fromSecret(key, nonce)
}
