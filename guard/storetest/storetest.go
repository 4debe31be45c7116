// Package storetest is the conformance suite of guard.Store: the contract
// every shared guard store keeps (guard/redisstore runs it against a real
// redis-server, and [Memory], the reference store in memory, runs it too; so
// should any other implementation).
package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minerkit/minerkit/guard"
)

// Run runs the contract against fresh stores from newStore, one per subtest
// (a fresh store knows no caller). Stores read the real clock; the suite
// takes about a tenth of a second.
func Run(t *testing.T, newStore func(t *testing.T) guard.Store) {
	ctx := context.Background()
	exp := func() time.Time { return time.Now().Add(time.Minute) }

	t.Run("ReplayedOnce", func(t *testing.T) {
		s := newStore(t)
		for i, tc := range []struct {
			caller, id string
			replayed   bool
		}{
			{"alice", "u1", false},
			{"alice", "u1", true}, // the replay
			{"alice", "u1", true}, // and again
			{"bob", "u1", false},  // another caller's id is its own
			{"alice", "u2", false},
			{"bob", "u1", true},
		} {
			v, err := s.Admit(ctx, guard.Admission{Caller: tc.caller, ID: tc.id, Expiry: exp()})
			if err != nil || v.Replayed != tc.replayed || v.Limited {
				t.Fatalf("step %d: Admit(%s, %s) = %+v, %v; want replayed=%v, not limited", i, tc.caller, tc.id, v, err, tc.replayed)
			}
		}
	})

	t.Run("PastExpiryNotAReplay", func(t *testing.T) {
		// A request already past its window (a slow network, a skewed
		// clock) is admitted the first time; the store may drop its record
		// at once.
		s := newStore(t)
		v, err := s.Admit(ctx, guard.Admission{Caller: "alice", ID: "old", Expiry: time.Now().Add(-time.Second)})
		if err != nil || v.Replayed || v.Limited {
			t.Fatalf("Admit past its expiry = %+v, %v; want admitted", v, err)
		}
	})

	t.Run("EmptyIDChecksTheRateOnly", func(t *testing.T) {
		s := newStore(t)
		for i := range 3 {
			v, err := s.Admit(ctx, guard.Admission{Caller: "alice", Expiry: exp(), Rate: 1000, Burst: 1000})
			if err != nil || v.Replayed || v.Limited {
				t.Fatalf("call %d without an id = %+v, %v; want admitted", i, v, err)
			}
		}
	})

	t.Run("NoRateNoLimit", func(t *testing.T) {
		s := newStore(t)
		for i := range 200 {
			v, err := s.Admit(ctx, guard.Admission{Caller: "alice", ID: fmt.Sprint(i), Expiry: exp()})
			if err != nil || v.Limited {
				t.Fatalf("request %d with Rate 0 = %+v, %v; want no limit", i, v, err)
			}
		}
	})

	t.Run("BurstThenLimited", func(t *testing.T) {
		s := newStore(t)
		const burst = 5
		// 0.01/s: nothing refills during the test.
		for i := range burst {
			v, err := s.Admit(ctx, guard.Admission{Caller: "alice", ID: fmt.Sprint(i), Expiry: exp(), Rate: 0.01, Burst: burst})
			if err != nil || v.Limited || v.Replayed {
				t.Fatalf("request %d within the burst = %+v, %v; want admitted", i, v, err)
			}
		}
		v, err := s.Admit(ctx, guard.Admission{Caller: "alice", ID: "over", Expiry: exp(), Rate: 0.01, Burst: burst})
		if err != nil || !v.Limited {
			t.Fatalf("request past the burst = %+v, %v; want limited", v, err)
		}
		// The next token comes in 1/rate = 100 s.
		if v.RetryAfter < 99*time.Second || v.RetryAfter > 100*time.Second {
			t.Fatalf("RetryAfter %v; want about 100s (1/rate)", v.RetryAfter)
		}
		// Another caller has its own allowance.
		v, err = s.Admit(ctx, guard.Admission{Caller: "bob", ID: "0", Expiry: exp(), Rate: 0.01, Burst: 1})
		if err != nil || v.Limited {
			t.Fatalf("another caller = %+v, %v; want admitted", v, err)
		}
	})

	t.Run("Refills", func(t *testing.T) {
		// At 20/s with burst 1 a second request at once is limited for
		// at most 50 ms, and admitted after RetryAfter.
		s := newStore(t)
		a := guard.Admission{Caller: "alice", ID: "1", Expiry: exp(), Rate: 20, Burst: 1}
		if v, err := s.Admit(ctx, a); err != nil || v.Limited {
			t.Fatalf("first = %+v, %v", v, err)
		}
		a.ID = "2"
		v, err := s.Admit(ctx, a)
		if err != nil || !v.Limited || v.RetryAfter <= 0 || v.RetryAfter > 50*time.Millisecond {
			t.Fatalf("second at once = %+v, %v; want limited, retry within 50ms", v, err)
		}
		time.Sleep(v.RetryAfter + 2*time.Millisecond)
		a.ID = "3"
		if v, err := s.Admit(ctx, a); err != nil || v.Limited {
			t.Fatalf("after RetryAfter = %+v, %v; want admitted", v, err)
		}
	})

	t.Run("ConcurrentOnce", func(t *testing.T) {
		// Each id is admitted exactly once among concurrent callers, and
		// exactly the burst is admitted under a rate that does not refill.
		s := newStore(t)
		const goroutines, ids, burst = 8, 100, 150
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			accepted = map[string]int{}
			admitted atomic.Int64
		)
		for range goroutines {
			wg.Go(func() {
				for i := range ids {
					id := fmt.Sprint(i)
					v, err := s.Admit(ctx, guard.Admission{Caller: "alice", ID: id, Expiry: exp()})
					if err != nil {
						t.Error(err)
						return
					}
					if !v.Replayed {
						mu.Lock()
						accepted[id]++
						mu.Unlock()
					}
					v, err = s.Admit(ctx, guard.Admission{Caller: "carol", Expiry: exp(), Rate: 0.01, Burst: burst})
					if err != nil {
						t.Error(err)
						return
					}
					if !v.Limited {
						admitted.Add(1)
					}
				}
			})
		}
		wg.Wait()
		for i := range ids {
			if n := accepted[fmt.Sprint(i)]; n != 1 {
				t.Fatalf("id %d admitted %d times; want once", i, n)
			}
		}
		if n := admitted.Load(); n != burst {
			t.Fatalf("%d of %d requests admitted under burst %d; want exactly the burst", n, goroutines*ids, burst)
		}
	})
}
