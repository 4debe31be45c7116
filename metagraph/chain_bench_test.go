package metagraph_test

import (
	"context"
	"testing"
	"time"

	"github.com/minerkit/minerkit/metagraph"
)

// BenchmarkMetagraphSync256 is one Syncer refresh of a 256-UID subnet over
// WebSocket: one SubnetInfoRuntimeApi_get_metagraph round trip, decode, and
// the indexed Snapshot.
func BenchmarkMetagraphSync256(b *testing.B) {
	ch := fullSubnet(b, 256)
	src := &metagraph.ChainSource{Client: ch.Client, SkipCommitments: true}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		s, err := src.Snapshot(ctx, 1)
		if err != nil || s.Len() != 256 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N)/1000, "ms/sync")
}

// BenchmarkMetagraphSync256Commitments adds the subnet's commitments
// (state_getKeysPaged + state_queryStorageAt at the best block).
func BenchmarkMetagraphSync256Commitments(b *testing.B) {
	ch := fullSubnet(b, 256)
	src := &metagraph.ChainSource{Client: ch.Client}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := src.Snapshot(ctx, 1)
		if err != nil || s.Len() != 256 {
			b.Fatal(err)
		}
	}
}
