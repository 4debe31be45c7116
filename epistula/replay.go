package epistula

import (
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"time"
)

// ReplayCache remembers which (signer, uuid) pairs were accepted.
//
// Seen records the pair until expiry and reports whether it was already
// recorded and not yet expired. An error means the cache could not decide
// (full, unreachable): the caller must then refuse the request, never accept
// it. Implementations must be safe for concurrent use.
type ReplayCache interface {
	Seen(signedBy, uuid string, expiry time.Time) (bool, error)
}

// ErrCacheFull is returned by MemoryCache.Seen when it holds its maximum
// number of live entries.
var ErrCacheFull = errors.New("epistula: replay cache full")

// DefaultReplayCapacity is the number of entries a MemoryCache holds when its
// capacity is zero: with the default 8 s window (entries live at most 16 s)
// it absorbs about 32,000 accepted requests per second. An entry takes about
// 64 bytes, so a full default cache is about 32 MiB; memory grows with use.
const DefaultReplayCapacity = 1 << 19

const replayShards = 32

// MemoryCache is an in-memory ReplayCache: O(1) per call, expired entries
// evicted as new ones arrive, memory bounded by its capacity. When full it
// fails closed (ErrCacheFull). It is sharded so that concurrent requests
// rarely wait for one another; no lock is held beyond one map operation.
//
// Create one with NewMemoryCache.
type MemoryCache struct {
	seeds  [4]maphash.Seed
	now    func() time.Time
	shards [replayShards]replayShard
}

// replayKey is a 128-bit keyed hash of (signer, uuid): fixed size and free
// of pointers, so the garbage collector never scans the cache and header
// strings are not kept alive. The hash seeds are random per cache, so no
// caller can aim for a collision; an accidental one (probability about
// n²/2¹²⁹) would refuse one genuine request as a replay, never accept one.
type replayKey struct{ a, b uint64 }

type replayEntry struct {
	key    replayKey
	expiry int64
}

type replayShard struct {
	mu sync.Mutex
	m  map[replayKey]int64
	// ring holds the entries in insertion order; evicting from its head is
	// O(1). Expiries are nearly monotonic (timestamp + window), so the head
	// is almost always the oldest entry; a younger expired entry behind it
	// waits at most one window longer.
	ring       []replayEntry
	head, n    int
	maxEntries int
	_          [40]byte // keep shards on separate cache lines
}

// NewMemoryCache returns a cache holding at most capacity live entries
// (DefaultReplayCapacity if capacity ≤ 0). now is the clock used to expire
// entries (time.Now if nil).
func NewMemoryCache(capacity int, now func() time.Time) *MemoryCache {
	if capacity <= 0 {
		capacity = DefaultReplayCapacity
	}
	if now == nil {
		now = time.Now
	}
	c := &MemoryCache{now: now}
	for i := range c.seeds {
		c.seeds[i] = maphash.MakeSeed()
	}
	per := (capacity + replayShards - 1) / replayShards
	for i := range c.shards {
		c.shards[i].maxEntries = per
		c.shards[i].m = make(map[replayKey]int64)
	}
	return c
}

// Seen implements ReplayCache.
func (c *MemoryCache) Seen(signedBy, uuid string, expiry time.Time) (bool, error) {
	key := c.key(signedBy, uuid)
	s := &c.shards[key.a%replayShards]
	now := c.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evict(now)
	if exp, ok := s.m[key]; ok && exp > now {
		return true, nil
	}
	if s.n == s.maxEntries {
		return false, fmt.Errorf("%w: %d live entries in this shard: raise the capacity or shorten the window", ErrCacheFull, s.n)
	}
	exp := expiry.UnixNano()
	s.m[key] = exp
	s.push(replayEntry{key, exp})
	return false, nil
}

// Contains reports whether (signedBy, uuid) is recorded and not expired,
// without recording it.
func (c *MemoryCache) Contains(signedBy, uuid string) bool {
	key := c.key(signedBy, uuid)
	s := &c.shards[key.a%replayShards]
	now := c.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.m[key]
	return ok && exp > now
}

func (c *MemoryCache) key(signedBy, uuid string) replayKey {
	return replayKey{
		maphash.String(c.seeds[0], uuid) ^ maphash.String(c.seeds[1], signedBy),
		maphash.String(c.seeds[2], uuid) ^ maphash.String(c.seeds[3], signedBy),
	}
}

// Len returns the number of entries held, expired ones not yet evicted
// included.
func (c *MemoryCache) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += s.n
		s.mu.Unlock()
	}
	return n
}

func (s *replayShard) evict(now int64) {
	for s.n > 0 {
		e := &s.ring[s.head]
		if e.expiry > now {
			return
		}
		// The key may have been recorded again after it expired; only the
		// record this entry made is removed.
		if exp, ok := s.m[e.key]; ok && exp == e.expiry {
			delete(s.m, e.key)
		}
		*e = replayEntry{}
		s.head = (s.head + 1) % len(s.ring)
		s.n--
	}
}

func (s *replayShard) push(e replayEntry) {
	if s.n == len(s.ring) {
		size := 2 * len(s.ring)
		if size == 0 {
			size = 64
		}
		size = min(size, s.maxEntries)
		ring := make([]replayEntry, size)
		for i := 0; i < s.n; i++ {
			ring[i] = s.ring[(s.head+i)%len(s.ring)]
		}
		s.ring, s.head = ring, 0
	}
	s.ring[(s.head+s.n)%len(s.ring)] = e
	s.n++
}
