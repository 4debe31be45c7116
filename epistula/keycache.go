package epistula

import (
	"sync"
	"sync/atomic"

	"github.com/minerkit/minerkit/keys"
)

// DefaultKeyCacheSize is the number of decoded signer keys a Verifier keeps
// when KeyCacheSize is zero.
const DefaultKeyCacheSize = 4096

// keyCache maps SS58 addresses to decoded verification keys, so that the
// request path skips base58, blake2b and point decompression for callers it
// has seen. Reads take no lock. It is bounded: when full it is emptied and
// refilled, which costs one decode per caller and never a wrong answer.
type keyCache struct {
	max  int64
	n    atomic.Int64
	keys sync.Map // string → *signerKey
}

// signerKey is a decoded signer: its verification key and its canonical
// address (Bittensor prefix 42), which names the signer whatever prefix the
// request used.
type signerKey struct {
	vk   *keys.VerifyKey
	addr string
}

func (c *keyCache) get(addr string) (*signerKey, error) {
	if v, ok := c.keys.Load(addr); ok {
		return v.(*signerKey), nil
	}
	pub, err := keys.DecodeAddress(addr)
	if err != nil {
		return nil, err
	}
	vk, err := keys.NewVerifyKey(pub)
	if err != nil {
		return nil, err
	}
	sk := &signerKey{vk: vk, addr: pub.Address()}
	if c.n.Add(1) > c.max {
		c.keys.Clear()
		c.n.Store(1)
	}
	c.keys.Store(addr, sk)
	return sk, nil
}
