package validator_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/validator"
)

// BenchmarkStep is one round against 64 miners on loopback that verify
// every Epistula signature: the validator's signing, concurrency and
// scoring overhead per round (b.N rounds of 64 queries).
func BenchmarkStep(b *testing.B) {
	val := key(b, "//Val")
	sub := validator.Subnet{NetUID: 1, Block: 1, Tempo: 1 << 15, Neurons: []metagraph.Neuron{{UID: 0, HotkeyPub: val.Public()}}}
	for i := 1; i <= 64; i++ {
		m := key(b, fmt.Sprintf("//Miner%d", i))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if _, err := epistula.Verify(r.Header, body, time.Now(), m.Address()); err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			io.WriteString(w, `{"ok":true}`)
		}))
		b.Cleanup(srv.Close)
		sub.Neurons = append(sub.Neurons, metagraph.Neuron{UID: uint16(i), HotkeyPub: m.Public(), Commitment: []byte(srv.URL)})
	}
	ch := &fakeChain{sub: sub}
	v, err := validator.New(validator.Config{NetUID: 1, AllowPrivate: true, Concurrency: 16}, val, ch)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if err := v.Step(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if st := v.Stats(); st.OK != st.Queries {
		b.Fatalf("%d of %d queries failed", st.Queries-st.OK, st.Queries)
	}
	b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "queries/s")
}

// BenchmarkDiscover finds the endpoints of a 256-UID subnet.
func BenchmarkDiscover(b *testing.B) {
	neurons := make([]metagraph.Neuron, 256)
	for i := range neurons {
		k, err := keys.FromSeed(append(make([]byte, 31), byte(i)))
		if err != nil {
			b.Fatal(err)
		}
		neurons[i] = metagraph.Neuron{UID: uint16(i), HotkeyPub: k.Public(), Commitment: []byte(fmt.Sprintf("http://203.0.113.%d:8091", i))}
	}
	self := neurons[0].HotkeyPub
	b.ReportAllocs()
	for b.Loop() {
		if n := len(validator.Discover(neurons, self, false)); n != 255 {
			b.Fatalf("%d targets", n)
		}
	}
}
