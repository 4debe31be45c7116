package epistula

import (
	"fmt"
	"testing"
	"time"
)

func TestMemoryCacheExpiry(t *testing.T) {
	now := testNow
	c := NewMemoryCache(1024, func() time.Time { return now })
	for i := 0; i < 100; i++ {
		if seen, err := c.Seen("a", fmt.Sprint(i), now.Add(time.Second)); seen || err != nil {
			t.Fatalf("first Seen(%d) = %v, %v", i, seen, err)
		}
	}
	if seen, _ := c.Seen("a", "7", now.Add(time.Second)); !seen {
		t.Fatal("repeat not seen")
	}
	if seen, _ := c.Seen("b", "7", now.Add(time.Second)); seen {
		t.Fatal("another signer's uuid counted as a replay")
	}
	now = now.Add(time.Second)
	if seen, _ := c.Seen("a", "7", now.Add(time.Second)); seen {
		t.Fatal("expired entry still seen")
	}
	// Every shard that is touched evicts its expired entries; touch them all.
	for i := 0; i < 1000; i++ {
		c.Seen("z", fmt.Sprint("x", i), now.Add(time.Nanosecond))
	}
	now = now.Add(time.Second)
	for i := 0; i < 1000; i++ {
		c.Seen("z", fmt.Sprint("y", i), now.Add(-time.Nanosecond))
	}
	if n := c.Len(); n > 1000 {
		t.Fatalf("Len = %d after everything expired: eviction does not keep up", n)
	}
}

func TestMemoryCacheBounded(t *testing.T) {
	c := NewMemoryCache(64, nil)
	exp := time.Now().Add(time.Hour)
	full := 0
	for i := 0; i < 1000; i++ {
		if _, err := c.Seen("a", fmt.Sprint(i), exp); err != nil {
			full++
		}
	}
	if c.Len() > 64 {
		t.Fatalf("Len = %d, capacity 64", c.Len())
	}
	if full < 1000-64 {
		t.Fatalf("%d refusals, want at least %d", full, 1000-64)
	}
}

func BenchmarkMemoryCacheSeen(b *testing.B) {
	c := NewMemoryCache(0, nil)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = NewUUID()
	}
	exp := time.Now().Add(time.Second)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c.Seen(aliceAddr, ids[i&(len(ids)-1)], exp)
			i++
		}
	})
}
