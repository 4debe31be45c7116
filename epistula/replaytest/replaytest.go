// Package replaytest is the conformance suite of epistula.ReplayCache: the
// contract every replay store keeps (the in-memory epistula.MemoryCache and
// the Redis-backed epistula/redisreplay.Cache run it, and so should any
// other implementation).
package replaytest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

// Run runs the contract against fresh caches from newCache, one per
// subtest; each cache reads the real clock. It takes about half a second
// (one entry is left to expire).
func Run(t *testing.T, newCache func(t *testing.T) epistula.ReplayCache) {
	t.Run("FirstThenReplay", func(t *testing.T) {
		c := newCache(t)
		exp := time.Now().Add(16 * time.Second)
		for i, tc := range []struct {
			by, uuid string
			want     bool
		}{
			{"alice", "u1", false},
			{"alice", "u1", true}, // the replay
			{"alice", "u1", true}, // and again
			{"bob", "u1", false},  // another signer's uuid is its own
			{"alice", "u2", false},
			{"bob", "u1", true},
		} {
			seen, err := c.Seen(tc.by, tc.uuid, exp)
			if err != nil || seen != tc.want {
				t.Fatalf("step %d: Seen(%s, %s) = %v, %v; want %v, nil", i, tc.by, tc.uuid, seen, err, tc.want)
			}
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		c := newCache(t)
		short := time.Now().Add(150 * time.Millisecond)
		long := time.Now().Add(time.Minute)
		for _, id := range []string{"short", "long"} {
			exp := long
			if id == "short" {
				exp = short
			}
			if seen, err := c.Seen("alice", id, exp); seen || err != nil {
				t.Fatalf("first Seen(%s) = %v, %v", id, seen, err)
			}
		}
		time.Sleep(400 * time.Millisecond)
		// Expired: a new request with this uuid is accepted (and recorded).
		if seen, err := c.Seen("alice", "short", time.Now().Add(time.Minute)); seen || err != nil {
			t.Fatalf("Seen after expiry = %v, %v; want false, nil", seen, err)
		}
		if seen, err := c.Seen("alice", "short", time.Now().Add(time.Minute)); !seen || err != nil {
			t.Fatalf("replay of the renewed entry = %v, %v; want true, nil", seen, err)
		}
		// Not expired: still a replay.
		if seen, err := c.Seen("alice", "long", time.Now().Add(time.Minute)); !seen || err != nil {
			t.Fatalf("Seen of a live entry = %v, %v; want true, nil", seen, err)
		}
	})
	t.Run("ConcurrentOnce", func(t *testing.T) {
		c := newCache(t)
		const goroutines, uuids = 8, 500
		exp := time.Now().Add(time.Minute)
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			accepted = map[string]int{}
		)
		for range goroutines {
			wg.Go(func() {
				for i := range uuids {
					id := fmt.Sprint(i)
					seen, err := c.Seen("alice", id, exp)
					if err != nil {
						t.Error(err)
						return
					}
					if !seen {
						mu.Lock()
						accepted[id]++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		if len(accepted) != uuids {
			t.Fatalf("%d uuids accepted, want %d", len(accepted), uuids)
		}
		for id, n := range accepted {
			if n != 1 {
				t.Fatalf("uuid %s accepted %d times", id, n)
			}
		}
	})
}
