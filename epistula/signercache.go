package epistula

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of SignerCache.
const (
	// DefaultSignerCapacity is the number of live entries one signer may
	// hold: with the default 8 s window (entries live at most 16 s) about
	// 4,000 accepted requests per second from one signer, far above any
	// validator's rate limit.
	DefaultSignerCapacity = 1 << 16
	// DefaultMaxSigners is the number of signers with live entries.
	DefaultMaxSigners = 4096
)

// SignerCache is a ReplayCache that gives every signer its own MemoryCache,
// so that one signer filling its share never refuses another: a validator
// flooding the miner is refused (ErrCacheFull) for its own requests only.
// Memory grows with the live entries (about 64 bytes each), at most
// perSigner × maxSigners entries. Behind a validator gate only permitted
// validators reach it, so the signers are a few hundred at most.
//
// Create one with NewSignerCache.
type SignerCache struct {
	perSigner, maxSigners int
	now                   func() time.Time

	mu      sync.RWMutex
	signers map[string]*signerShare
}

type signerShare struct {
	c    *MemoryCache
	last atomic.Int64 // the latest expiry recorded, Unix ns
}

// NewSignerCache returns a cache holding at most perSigner live entries per
// signer (DefaultSignerCapacity if ≤ 0) for at most maxSigners signers at
// once (DefaultMaxSigners if ≤ 0). now is the clock (time.Now if nil).
func NewSignerCache(perSigner, maxSigners int, now func() time.Time) *SignerCache {
	if perSigner <= 0 {
		perSigner = DefaultSignerCapacity
	}
	if maxSigners <= 0 {
		maxSigners = DefaultMaxSigners
	}
	if now == nil {
		now = time.Now
	}
	return &SignerCache{perSigner: perSigner, maxSigners: maxSigners, now: now, signers: make(map[string]*signerShare)}
}

// Seen implements ReplayCache.
func (c *SignerCache) Seen(signedBy, uuid string, expiry time.Time) (bool, error) {
	c.mu.RLock()
	s := c.signers[signedBy]
	c.mu.RUnlock()
	if s == nil {
		var err error
		if s, err = c.add(signedBy); err != nil {
			return false, err
		}
	}
	exp := expiry.UnixNano()
	for {
		last := s.last.Load()
		if exp <= last || s.last.CompareAndSwap(last, exp) {
			break
		}
	}
	return s.c.Seen(signedBy, uuid, expiry)
}

// add creates signer's share, first dropping the shares whose entries have
// all expired when the cache holds maxSigners.
func (c *SignerCache) add(signer string) (*signerShare, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.signers[signer]; s != nil {
		return s, nil
	}
	if len(c.signers) >= c.maxSigners {
		now := c.now().UnixNano()
		for k, s := range c.signers {
			if s.last.Load() <= now {
				delete(c.signers, k)
			}
		}
		if len(c.signers) >= c.maxSigners {
			return nil, fmt.Errorf("%w: %d signers hold live entries", ErrCacheFull, len(c.signers))
		}
	}
	s := &signerShare{c: NewMemoryCache(c.perSigner, c.now)}
	c.signers[signer] = s
	return s, nil
}

// Len returns the number of entries held, expired ones not yet evicted
// included.
func (c *SignerCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := 0
	for _, s := range c.signers {
		n += s.c.Len()
	}
	return n
}

// Contains reports whether (signedBy, uuid) is recorded and not expired,
// without recording it. A server asks before verifying: a legitimate
// signer never sends a uuid twice, so a request naming a recorded pair is
// a replay (or a forgery) and is refused without a verification.
func (c *SignerCache) Contains(signedBy, uuid string) bool {
	c.mu.RLock()
	s := c.signers[signedBy]
	c.mu.RUnlock()
	return s != nil && s.c.Contains(signedBy, uuid)
}
