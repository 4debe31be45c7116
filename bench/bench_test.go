package bench

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

var fixture = func() func(tb testing.TB) *Fixture {
	var f *Fixture
	return func(tb testing.TB) *Fixture {
		tb.Helper()
		if f == nil {
			var err error
			if f, err = NewFixture(4); err != nil {
				tb.Fatal(err)
			}
		}
		return f
	}
}()

// TestLoadSmoke runs both servers over loopback with a few hundred requests:
// every request is answered 200 and the harness reports sane figures.
func TestLoadSmoke(t *testing.T) {
	f := fixture(t)
	full, err := f.Full(io.Discard, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []http.Handler{f.Bare(), full} {
		url, stop, err := Serve(h)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Load(context.Background(), url, f.Sign(200, Body), 8, 30*time.Second)
		stop()
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests != 200 || res.P50 <= 0 || res.P99 < res.P50 || res.RPS() <= 0 {
			t.Fatalf("implausible result %+v", res)
		}
	}
	// Replays are refused by the full stack, so the harness must sign
	// unique requests: sending the same ones twice fails.
	reqs := f.Sign(10, Body)
	url, stop, _ := Serve(full)
	defer stop()
	if _, err := Load(context.Background(), url, reqs, 2, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), url, reqs, 2, 30*time.Second); err == nil {
		t.Fatal("replayed requests were accepted")
	}
	oh, err := MeasureOverhead(f, f.Sign(50, Body), time.Minute)
	if err != nil || oh.N != 50 || oh.P99 <= 0 {
		t.Fatalf("MeasureOverhead = %+v, %v", oh, err)
	}
}

func benchHandler(b *testing.B, h http.Handler) {
	f := fixture(b)
	reqs := f.Sign(512, Body)
	rs := make([]*http.Request, 0, b.N)
	for i := 0; i < b.N; i++ {
		if i%len(reqs) == 0 && i > 0 {
			reqs = f.Sign(512, func(j int) []byte { return Body(i + j) })
		}
		q := reqs[i%len(reqs)]
		r, _ := http.NewRequest("POST", "/forward", bytes.NewReader(q.Body))
		r.Header = q.Header
		r.ContentLength = int64(len(q.Body))
		rs = append(rs, r)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		h.ServeHTTP(w, rs[i])
	}
}

// BenchmarkBareHandler is the limit: one sr25519 verification per request.
func BenchmarkBareHandler(b *testing.B) { benchHandler(b, fixture(b).Bare()) }

// BenchmarkFullStack is the guard stack and a small JSON handler.
func BenchmarkFullStack(b *testing.B) {
	h, err := fixture(b).Full(io.Discard, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	benchHandler(b, h)
}

// TestSignMatchesEpistula: the harness's fast signer produces requests that
// epistula verifies, with secret signatures over the Python-convention
// messages.
func TestSignMatchesEpistula(t *testing.T) {
	f := fixture(t)
	reqs := f.Sign(20, Body)
	v := &epistula.Verifier{Self: f.Miner.Address()}
	for i, r := range reqs {
		if _, err := v.Verify(r.Header, r.Body, time.Now()); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		ts, _ := strconv.ParseInt(r.Header.Get(epistula.HeaderTimestamp), 10, 64)
		for j, m := range epistula.SecretMessages(ts, f.Miner.Address()) {
			sig, _ := hex.DecodeString(r.Header.Get([]string{epistula.HeaderSecretSignature0, epistula.HeaderSecretSignature1, epistula.HeaderSecretSignature2}[j])[2:])
			if !keys.Verify(f.Validators[i%len(f.Validators)].Public(), []byte(m), sig) {
				t.Fatalf("request %d: secret signature %d does not verify", i, j)
			}
		}
	}
}
