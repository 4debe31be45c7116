package rpc_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/minerkit/minerkit/substrate/rpc"
	"github.com/minerkit/minerkit/substrate/rpc/rpctest"
)

func benchServer(b *testing.B) *rpctest.Server {
	s := newServer(b)
	s.Handle("echo", func(_ context.Context, c rpctest.Call) (any, error) { return c.Params[0], nil })
	s.HandleResult("chain_getHeader", json.RawMessage(headerJSON))
	return s
}

// BenchmarkRequestRoundTrip: one request at a time over loopback WebSocket.
func BenchmarkRequestRoundTrip(b *testing.B) {
	s := benchServer(b)
	c := dial(b, rpc.Options{}, s.URL())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Request(ctx, "echo", 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestParallel: many goroutines multiplexed on one WebSocket;
// ns/op is the inverse of throughput.
func BenchmarkRequestParallel(b *testing.B) {
	s := benchServer(b)
	c := dial(b, rpc.Options{}, s.URL())
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Request(ctx, "echo", 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkChainGetHeader: a typed call including result decoding.
func BenchmarkChainGetHeader(b *testing.B) {
	s := benchServer(b)
	c := dial(b, rpc.Options{}, s.URL())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ChainGetHeader(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHTTPRoundTrip: the HTTP POST transport, for comparison.
func BenchmarkHTTPRoundTrip(b *testing.B) {
	s := benchServer(b)
	c := dial(b, rpc.Options{}, s.HTTPURL())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Request(ctx, "echo", 1); err != nil {
			b.Fatal(err)
		}
	}
}
