package devnet

import (
	"sort"
	"strings"
	"sync"
)

// store is the chain state: a key/value map keyed by real storage keys
// (twox128(pallet) ++ twox128(item) ++ hashed map keys), versioned by block
// number so that reads at an older block see that block's state.
//
// Each key keeps its history as a list of (block, value) versions; versions
// older than keepBlocks behind the head are pruned when a key is written,
// keeping at least the newest version below the window.
type store struct {
	mu     sync.RWMutex
	data   map[string]*history
	sorted []string // every key that ever existed, sorted when !dirty
	dirty  bool
	head   uint32
	keep   uint32
	base   uint32 // the first block whose full state is known (a restart's head)
}

// oldest returns the first block whose state reads are exact.
func (s *store) oldest() uint32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.base
	if s.head > s.keep && s.head-s.keep > o {
		o = s.head - s.keep
	}
	return o
}

type version struct {
	block   uint32
	val     []byte
	deleted bool
}

type history struct{ vers []version }

func newStore(keep uint32) *store {
	if keep == 0 {
		keep = 4096
	}
	return &store{data: make(map[string]*history), keep: keep}
}

// get returns the value of key as of block at.
func (s *store) get(key string, at uint32) ([]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.getLocked(key, at)
}

func (s *store) getLocked(key string, at uint32) ([]byte, bool) {
	h := s.data[key]
	if h == nil {
		return nil, false
	}
	// Newest first: most reads are at or near the head.
	for i := len(h.vers) - 1; i >= 0; i-- {
		v := h.vers[i]
		if v.block <= at {
			if v.deleted {
				return nil, false
			}
			return v.val, true
		}
	}
	return nil, false
}

// commit records changes (nil value: deleted) as the state of block n and
// makes n the head.
func (s *store) commit(n uint32, changes map[string][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range changes {
		h := s.data[k]
		if h == nil {
			if v == nil {
				continue
			}
			h = &history{}
			s.data[k] = h
			s.sorted = append(s.sorted, k)
			s.dirty = true
		}
		ver := version{block: n, val: v, deleted: v == nil}
		if last := len(h.vers) - 1; last >= 0 && h.vers[last].block == n {
			h.vers[last] = ver
		} else {
			h.vers = append(h.vers, ver)
		}
		if n > s.keep && len(h.vers) > 2 {
			cut := 0
			for cut < len(h.vers)-1 && h.vers[cut+1].block <= n-s.keep {
				cut++
			}
			if cut > 0 {
				h.vers = append(h.vers[:0], h.vers[cut:]...)
			}
		}
	}
	s.head = n
}

// keysPaged returns up to count keys with the given prefix that exist at
// block at, in key order, starting after startKey.
func (s *store) keysPaged(prefix string, count int, startKey string, at uint32) []string {
	s.mu.Lock()
	if s.dirty {
		sort.Strings(s.sorted)
		s.dirty = false
	}
	s.mu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	from := prefix
	if startKey > from {
		from = startKey
	}
	i := sort.SearchStrings(s.sorted, from)
	var out []string
	for ; i < len(s.sorted) && len(out) < count; i++ {
		k := s.sorted[i]
		if !strings.HasPrefix(k, prefix) {
			break
		}
		if k == startKey {
			continue
		}
		if _, ok := s.getLocked(k, at); ok {
			out = append(out, k)
		}
	}
	return out
}

// snapshot returns every live key and value at the head.
func (s *store) snapshot() map[string][]byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string][]byte, len(s.data))
	for k := range s.data {
		if v, ok := s.getLocked(k, s.head); ok {
			out[k] = v
		}
	}
	return out
}

// reader reads state: the store at one block, or an overlay.
type reader interface {
	get(key string) ([]byte, bool)
}

// storeAt reads the store as of one block.
type storeAt struct {
	s  *store
	at uint32
}

func (r storeAt) get(key string) ([]byte, bool) { return r.s.get(key, r.at) }

// overlay buffers writes over a reader; commit folds them into a parent
// overlay, and a discarded overlay leaves no trace (a transactional layer).
type overlay struct {
	base    reader
	changes map[string][]byte // nil value: deleted
}

func newOverlay(base reader) *overlay {
	return &overlay{base: base, changes: make(map[string][]byte)}
}

func (o *overlay) get(key string) ([]byte, bool) {
	if v, ok := o.changes[key]; ok {
		return v, v != nil
	}
	return o.base.get(key)
}

func (o *overlay) set(key string, v []byte) {
	if v == nil {
		v = []byte{}
	}
	o.changes[key] = v
}

func (o *overlay) del(key string) { o.changes[key] = nil }

// mergeInto applies o's changes to parent.
func (o *overlay) mergeInto(parent *overlay) {
	for k, v := range o.changes {
		parent.changes[k] = v
	}
}
