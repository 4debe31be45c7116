package subtensor_test

import (
	"context"
	"testing"

	"github.com/minerkit/minerkit/keys"
)

// BenchmarkNeuronsLite256 is the older path: get_neurons_lite.
func BenchmarkNeuronsLite256(b *testing.B) {
	ch := fullSubnet(b, 256)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ns, err := ch.Client.NeuronsLite(ctx, 1)
		if err != nil || len(ns) != 256 {
			b.Fatal(err)
		}
	}
}

func pk(k *keys.Keypair) []byte { p := k.Public(); return p[:] }
