package rpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/minerkit/minerkit/substrate/rpc"
)

// inProcess is a Transport without a network, as an embedded node would
// offer one: it shows how NewSubscription and Feed plug in.
type inProcess struct {
	feeds        chan *rpc.Feed
	unsubscribed chan struct{}
}

func (p *inProcess) Request(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if method == "system_chain" {
		return json.RawMessage(`"devnet"`), nil
	}
	return nil, &rpc.Error{Code: rpc.CodeMethodNotFound, Message: "Method not found"}
}

func (p *inProcess) Subscribe(ctx context.Context, method, unsubscribe string, params ...any) (*rpc.Subscription, error) {
	sub, feed := rpc.NewSubscription(4, func(context.Context) error { p.unsubscribed <- struct{}{}; return nil })
	p.feeds <- feed
	return sub, nil
}

func TestCustomTransport(t *testing.T) {
	p := &inProcess{feeds: make(chan *rpc.Feed, 1), unsubscribed: make(chan struct{}, 2)}
	c := rpc.NewClient(p)
	ctx := testCtx(t)
	if got, err := c.SystemChain(ctx); err != nil || got != "devnet" {
		t.Fatalf("SystemChain = %q, %v", got, err)
	}
	var e *rpc.Error
	if _, err := c.SystemHealth(ctx); !errors.As(err, &e) || e.Code != rpc.CodeMethodNotFound {
		t.Fatalf("SystemHealth error = %v", err)
	}
	st, err := c.ChainSubscribeNewHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	feed := <-p.feeds
	if !feed.Send(header(5)) {
		t.Fatal("Send refused")
	}
	if h := recvHeader(t, ctx, st); h.Number != 5 {
		t.Fatalf("header %d", h.Number)
	}
	feed.Reconnected()
	<-st.Reconnected()
	// A value the stream cannot decode ends it with ErrBadResponse.
	feed.Send(json.RawMessage(`{"number":true}`))
	for range st.C() {
	}
	if !errors.Is(st.Err(), rpc.ErrBadResponse) {
		t.Fatalf("Err = %v, want ErrBadResponse", st.Err())
	}
	select {
	case <-feed.Done():
	case <-ctx.Done():
		t.Fatal("feed not done after the stream gave up")
	}
	select {
	case <-p.unsubscribed:
	case <-ctx.Done():
		t.Fatal("unsubscribe hook not called")
	}
	if feed.Send(header(6)) {
		t.Error("Send after end reported success")
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close on a transport without Close = %v", err)
	}
}

func TestFeedSlowConsumer(t *testing.T) {
	sub, feed := rpc.NewSubscription(1, nil)
	if !feed.Send(json.RawMessage(`1`)) || feed.Send(json.RawMessage(`2`)) {
		t.Fatal("want the second Send to overflow a buffer of 1")
	}
	<-sub.Done()
	if !errors.Is(sub.Err(), rpc.ErrSlowConsumer) {
		t.Fatalf("Err = %v", sub.Err())
	}
	feed.End(errors.New("later")) // no effect once ended
	if !errors.Is(sub.Err(), rpc.ErrSlowConsumer) {
		t.Fatalf("Err changed to %v", sub.Err())
	}
}

// TestPingDetectsDeadLink: a server that accepts the WebSocket and then
// never reads (so never answers pings) is detected and redialled.
func TestPingDetectsDeadLink(t *testing.T) {
	var accepted atomic.Int32
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		accepted.Add(1)
		<-stop
		ws.CloseNow()
	}))
	defer srv.Close()
	defer close(stop)
	c := dial(t, rpc.Options{PingInterval: 20 * time.Millisecond, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
		"ws"+strings.TrimPrefix(srv.URL, "http"))
	ctx := testCtx(t)
	ws := c.Transport().(*rpc.WebSocket)
	for ws.Reconnects() == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("silent server never detected")
		case <-time.After(5 * time.Millisecond):
		}
	}
	if accepted.Load() < 2 {
		t.Errorf("server accepted %d connections, want a redial", accepted.Load())
	}
}
