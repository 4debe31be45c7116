package rpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

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

// rawEcho is a minimal WebSocket JSON-RPC server that answers every request
// with result 1 without decoding JSON, so that benchmarks measure the
// client rather than the test server.
func rawEcho(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ctx := r.Context()
		for {
			_, msg, err := ws.Read(ctx)
			if err != nil {
				return
			}
			i := bytes.Index(msg, []byte(`"id":`))
			j := bytes.IndexByte(msg[i+5:], ',')
			resp := append(append([]byte(`{"jsonrpc":"2.0","result":1,"id":`), msg[i+5:i+5+j]...), '}')
			if err := ws.Write(ctx, websocket.MessageText, resp); err != nil {
				return
			}
		}
	}))
	b.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// BenchmarkClientRoundTrip: sequential requests against rawEcho.
func BenchmarkClientRoundTrip(b *testing.B) {
	c := dial(b, rpc.Options{}, rawEcho(b))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Request(ctx, "echo", 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientParallel: 16×GOMAXPROCS goroutines on one connection
// against rawEcho; ns/op is the inverse of throughput.
func BenchmarkClientParallel(b *testing.B) {
	c := dial(b, rpc.Options{}, rawEcho(b))
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
