package guard

import (
	"strconv"
	"testing"
	"time"
)

func BenchmarkValidatorsCheck(b *testing.B) {
	mg := metagraph{}
	for i := 0; i < 256; i++ {
		mg["hotkey"+strconv.Itoa(i)] = Neuron{UID: uint16(i), StakeWeight: 5000 * RaoPerTAO, ValidatorPermit: true}
	}
	v := &Validators{Metagraph: mg, MinStake: 1000 * RaoPerTAO, DenyList: []string{"x"}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, ref := v.Check("hotkey42"); ref != nil {
			b.Fatal(ref)
		}
	}
}

func BenchmarkRateLimitAllow(b *testing.B) {
	l := &RateLimit{Rate: 1e9, Burst: 1e9}
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", 0, now)
		}
	})
}
