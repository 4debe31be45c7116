package rpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minerkit/minerkit/substrate/rpc"
	"github.com/minerkit/minerkit/substrate/rpc/rpctest"
)

func header(n uint64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"parentHash":"%s","number":"0x%x","stateRoot":"%s","extrinsicsRoot":"%s","digest":{"logs":[]}}`,
		hashA.Hex(), n, hashB.Hex(), hashA.Hex()))
}

func heads(s *rpctest.Server) {
	s.HandleSubscription("chain_subscribeNewHeads", "chain_unsubscribeNewHeads", nil)
	s.HandleSubscription("chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads", nil)
}

// waitSubscribers waits until the server holds n subscriptions of method.
func waitSubscribers(t *testing.T, ctx context.Context, s *rpctest.Server, method string, n int) {
	t.Helper()
	for len(s.Subscribers(method)) != n {
		select {
		case <-ctx.Done():
			t.Fatalf("server has %d %s subscribers, want %d", len(s.Subscribers(method)), method, n)
		case <-time.After(time.Millisecond):
		}
	}
}

// probe makes one request that the server does not know, retrying while
// the request lands on a connection that is going away; it returns once the
// client talks to the server again.
func probe(t *testing.T, ctx context.Context, c *rpc.Client) {
	t.Helper()
	for {
		_, err := c.Request(ctx, "probe_unknown")
		if errors.Is(err, rpc.ErrConnectionLost) {
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "-32601") {
			t.Fatalf("probe: %v", err)
		}
		return
	}
}

func recvHeader(t *testing.T, ctx context.Context, st *rpc.Stream[rpc.Header]) rpc.Header {
	t.Helper()
	select {
	case h, ok := <-st.C():
		if !ok {
			t.Fatalf("stream closed: %v", st.Err())
		}
		return h
	case <-ctx.Done():
		t.Fatal("no header before deadline")
	}
	return rpc.Header{}
}

func TestSubscribeHeads(t *testing.T) {
	tests := []struct {
		name      string
		subscribe func(*rpc.Client, context.Context) (*rpc.Stream[rpc.Header], error)
		method    string
		notif     string
	}{
		{"new heads", (*rpc.Client).ChainSubscribeNewHeads, "chain_subscribeNewHeads", "chain_newHead"},
		{"finalized heads", (*rpc.Client).ChainSubscribeFinalizedHeads, "chain_subscribeFinalizedHeads", "chain_finalizedHead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			heads(s)
			c := dial(t, rpc.Options{}, s.URL())
			ctx := testCtx(t)
			st, err := tt.subscribe(c, ctx)
			if err != nil {
				t.Fatal(err)
			}
			for n := uint64(1); n <= 3; n++ {
				if s.Notify(tt.method, tt.notif, header(n)) != 1 {
					t.Fatal("server has no subscriber")
				}
				if h := recvHeader(t, ctx, st); uint64(h.Number) != n {
					t.Fatalf("header %d, want %d", h.Number, n)
				}
			}
			if err := st.Unsubscribe(ctx); err != nil {
				t.Fatal(err)
			}
			if _, ok := <-st.C(); ok {
				t.Fatal("channel open after Unsubscribe")
			}
			if st.Err() != nil {
				t.Errorf("Err after Unsubscribe = %v", st.Err())
			}
			if n := len(s.Subscribers(tt.method)); n != 0 {
				t.Errorf("server still has %d subscribers", n)
			}
			if err := st.Unsubscribe(ctx); err != nil {
				t.Errorf("second Unsubscribe = %v", err)
			}
		})
	}
}

func TestManySubscriptionsOneConnection(t *testing.T) {
	s := newServer(t)
	heads(s)
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	var subs []*rpc.Subscription
	for range 10 {
		sub, err := c.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads")
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	for _, id := range s.Subscribers("chain_subscribeNewHeads") {
		if err := s.NotifyID(id, "chain_newHead", id); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, sub := range subs {
		select {
		case raw := <-sub.Notifications():
			seen[string(raw)] = true
		case <-ctx.Done():
			t.Fatal("missing notification")
		}
	}
	if len(seen) != 10 {
		t.Errorf("got %d distinct notifications, want 10 (one per subscription)", len(seen))
	}
}

func TestReconnectResubscribes(t *testing.T) {
	s := newServer(t)
	heads(s)
	s.HandleResult("system_chain", "Bittensor")
	block := make(chan struct{})
	s.Handle("hang", func(ctx context.Context, _ rpctest.Call) (any, error) {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil, nil
	})
	var reconnects atomic.Int32
	c := dial(t, rpc.Options{MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		OnReconnect: func(string) { reconnects.Add(1) }}, s.URL())
	ctx := testCtx(t)
	st, err := c.ChainSubscribeNewHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Notify("chain_subscribeNewHeads", "chain_newHead", header(1))
	recvHeader(t, ctx, st)

	// A request in flight when the node dies fails with ErrConnectionLost.
	inflight := make(chan error, 1)
	go func() { _, err := c.Request(ctx, "hang"); inflight <- err }()
	if _, err := s.WaitCall(ctx, "hang"); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := <-inflight; !errors.Is(err, rpc.ErrConnectionLost) {
		t.Fatalf("in-flight request error = %v, want ErrConnectionLost", err)
	}
	// Requests made while the node is down wait for the reconnect.
	got := make(chan error, 1)
	go func() {
		chain, err := c.SystemChain(ctx)
		if err == nil && chain != "Bittensor" {
			err = fmt.Errorf("chain %q", chain)
		}
		got <- err
	}()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("request across reconnect: %v", err)
	}
	select {
	case <-st.Reconnected():
	case <-ctx.Done():
		t.Fatal("no Reconnected signal")
	}
	waitSubscribers(t, ctx, s, "chain_subscribeNewHeads", 1)
	s.Notify("chain_subscribeNewHeads", "chain_newHead", header(2))
	if h := recvHeader(t, ctx, st); h.Number != 2 {
		t.Fatalf("after reconnect got header %d, want 2", h.Number)
	}
	// OnReconnect runs after the re-subscriptions are signalled.
	for reconnects.Load() != 1 {
		select {
		case <-ctx.Done():
			t.Fatalf("OnReconnect called %d times, want 1", reconnects.Load())
		case <-time.After(time.Millisecond):
		}
	}
	if ws := c.Transport().(*rpc.WebSocket); ws.Reconnects() != 1 || ws.URL() != s.URL() {
		t.Errorf("Reconnects() = %d, URL() = %q", ws.Reconnects(), ws.URL())
	}
	close(block)

	// Repeated drops: the same channel keeps delivering.
	for i := uint64(3); i < 6; i++ {
		s.DropConnections()
		select {
		case <-st.Reconnected():
		case <-ctx.Done():
			t.Fatal("no Reconnected signal after drop")
		}
		waitSubscribers(t, ctx, s, "chain_subscribeNewHeads", 1)
		s.Notify("chain_subscribeNewHeads", "chain_newHead", header(i))
		if h := recvHeader(t, ctx, st); uint64(h.Number) != i {
			t.Fatalf("got header %d, want %d", h.Number, i)
		}
	}
}

func TestUnsubscribeWhileDisconnected(t *testing.T) {
	s := newServer(t)
	heads(s)
	c := dial(t, rpc.Options{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}, s.URL())
	ctx := testCtx(t)
	st, err := c.ChainSubscribeNewHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := st.Unsubscribe(ctx); err != nil {
		t.Fatalf("Unsubscribe while down = %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	// After reconnecting, the client must not re-subscribe it.
	probe(t, ctx, c)
	if n := len(s.Subscribers("chain_subscribeNewHeads")); n != 0 {
		t.Errorf("unsubscribed stream was re-subscribed (%d)", n)
	}
}

func TestFailover(t *testing.T) {
	a, b := newServer(t), newServer(t)
	for _, s := range []*rpctest.Server{a, b} {
		heads(s)
	}
	a.HandleResult("system_chain", "a")
	b.HandleResult("system_chain", "b")
	a.Stop()
	c := dial(t, rpc.Options{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}, a.URL(), b.URL())
	ctx := testCtx(t)
	if got, err := c.SystemChain(ctx); err != nil || got != "b" {
		t.Fatalf("with a down, SystemChain = %q, %v; want b", got, err)
	}
	st, err := c.ChainSubscribeNewHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	b.Stop()
	select {
	case <-st.Reconnected():
	case <-ctx.Done():
		t.Fatal("no failover to a")
	}
	if got, err := c.SystemChain(ctx); err != nil || got != "a" {
		t.Fatalf("with b down, SystemChain = %q, %v; want a", got, err)
	}
	waitSubscribers(t, ctx, a, "chain_subscribeNewHeads", 1)
	a.Notify("chain_subscribeNewHeads", "chain_newHead", header(9))
	if h := recvHeader(t, ctx, st); h.Number != 9 {
		t.Fatalf("header %d after failover", h.Number)
	}
}

func TestSlowConsumer(t *testing.T) {
	s := newServer(t)
	heads(s)
	c := dial(t, rpc.Options{SubscriptionBuffer: 2}, s.URL())
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		s.Notify("chain_subscribeNewHeads", "chain_newHead", i)
	}
	select {
	case <-sub.Done():
	case <-ctx.Done():
		t.Fatal("subscription not ended")
	}
	if !errors.Is(sub.Err(), rpc.ErrSlowConsumer) {
		t.Fatalf("Err = %v, want ErrSlowConsumer", sub.Err())
	}
	n := 0
	for range sub.Notifications() {
		n++
	}
	if n != 2 {
		t.Errorf("buffered %d, want 2", n)
	}
	waitSubscribers(t, ctx, s, "chain_subscribeNewHeads", 0)
}

func TestServerEndsSubscription(t *testing.T) {
	s := newServer(t)
	heads(s)
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads")
	if err != nil {
		t.Fatal(err)
	}
	id := s.Subscribers("chain_subscribeNewHeads")[0]
	s.SendRaw([]byte(`{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"` + id + `","error":{"code":-32000,"message":"closed by node"}}}`))
	<-sub.Done()
	var e *rpc.Error
	if !errors.As(sub.Err(), &e) || e.Message != "closed by node" {
		t.Fatalf("Err = %v", sub.Err())
	}
}

func TestHostileServer(t *testing.T) {
	s := newServer(t)
	heads(s)
	s.HandleResult("ping", "pong")
	var reconnects atomic.Int32
	c := dial(t, rpc.Options{MaxMessageSize: 4096, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		OnReconnect: func(string) { reconnects.Add(1) }}, s.URL())
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads")
	if err != nil {
		t.Fatal(err)
	}
	for _, junk := range []string{
		``, `null`, `[]`, `[{"jsonrpc":"2.0","id":1,"result":1}]`, `{`, `{"jsonrpc":"1.0","id":1,"result":1}`,
		`{"jsonrpc":"2.0","id":"abc","result":1}`, `{"jsonrpc":"2.0","id":99999,"result":1}`,
		`{"jsonrpc":"2.0","id":1}`, `{"jsonrpc":"2.0","method":"x"}`, `{"jsonrpc":"2.0","method":"x","params":[1]}`,
		`{"jsonrpc":"2.0","method":"x","params":{"subscription":{},"result":1}}`,
		`{"jsonrpc":"2.0","method":"x","params":{"subscription":"nope","result":1}}`,
		`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`,
		"\xff\xfe", `{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}`,
	} {
		s.SendRaw([]byte(junk))
	}
	if raw, err := c.Request(ctx, "ping"); err != nil || string(raw) != `"pong"` {
		t.Fatalf("ping after junk = %s, %v", raw, err)
	}
	// An oversized message drops the connection; the client reconnects
	// and the subscription survives.
	s.SendRaw([]byte(`{"jsonrpc":"2.0","method":"x","params":{"subscription":"a","result":"` + strings.Repeat("A", 10000) + `"}}`))
	<-sub.Reconnected()
	if raw, err := c.Request(ctx, "ping"); err != nil || string(raw) != `"pong"` {
		t.Fatalf("ping after oversized message = %s, %v", raw, err)
	}
	if sub.Err() != nil {
		t.Fatalf("subscription ended: %v", sub.Err())
	}
}

func TestCloseEndsEverything(t *testing.T) {
	s := newServer(t)
	heads(s)
	s.Handle("hang", func(ctx context.Context, _ rpctest.Call) (any, error) { <-ctx.Done(); return nil, nil })
	ctx := testCtx(t)
	c, err := rpc.Dial(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.ChainSubscribeNewHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inflight := make(chan error, 1)
	go func() { _, err := c.Request(ctx, "hang"); inflight <- err }()
	if _, err := s.WaitCall(ctx, "hang"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-inflight; !errors.Is(err, rpc.ErrClosed) {
		t.Errorf("in-flight after Close = %v", err)
	}
	for range st.C() {
	}
	if !errors.Is(st.Err(), rpc.ErrClosed) {
		t.Errorf("stream after Close = %v", st.Err())
	}
	if _, err := c.SystemChain(ctx); !errors.Is(err, rpc.ErrClosed) {
		t.Errorf("request after Close = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestAbandonedSubscribeIsUnsubscribed(t *testing.T) {
	s := newServer(t)
	heads(s)
	release := make(chan struct{})
	s.HandleSubscription("slow_subscribe", "slow_unsubscribe", nil)
	subscribe := s.Handler("slow_subscribe")
	s.Handle("slow_subscribe", func(ctx context.Context, c rpctest.Call) (any, error) {
		<-release
		return subscribe(ctx, c)
	})
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := c.Subscribe(short, "slow_subscribe", "slow_unsubscribe"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Subscribe error = %v, want DeadlineExceeded", err)
	}
	close(release)
	// The node accepted it after the caller left: the client cancels it.
	if _, err := s.WaitCall(ctx, "slow_unsubscribe"); err != nil {
		t.Fatal(err)
	}
	waitSubscribers(t, ctx, s, "slow_subscribe", 0)
}

func TestDeadlineWhileDisconnected(t *testing.T) {
	s := newServer(t)
	s.HandleResult("system_chain", "Bittensor")
	c := dial(t, rpc.Options{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}, s.URL())
	s.Stop()
	// Wait until the client has seen the connection go: a call made before
	// that goes out on the dead connection, which is another test's case.
	ws := c.Transport().(*rpc.WebSocket)
	for start := time.Now(); ws.URL() != ""; time.Sleep(time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the client never noticed that the node stopped")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var err error
	for err == nil || errors.Is(err, rpc.ErrConnectionLost) {
		_, err = c.SystemChain(ctx)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want DeadlineExceeded", err)
	}
	if ws.URL() != "" {
		t.Errorf("URL() = %q while the node is down", ws.URL())
	}
}

func TestNotificationBeforeSubscribeResponse(t *testing.T) {
	s := newServer(t)
	s.HandleSubscription("early_subscribe", "early_unsubscribe", nil)
	subscribe := s.Handler("early_subscribe")
	// Send two notifications for the new id before the response itself.
	s.Handle("early_subscribe", func(ctx context.Context, c rpctest.Call) (any, error) {
		res, err := subscribe(ctx, c)
		for i := range 2 {
			s.NotifyID(res.(string), "early", i)
		}
		return res, err
	})
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, "early_subscribe", "early_unsubscribe")
	if err != nil {
		t.Fatal(err)
	}
	s.Notify("early_subscribe", "early", 2)
	for want := range 3 {
		select {
		case raw := <-sub.Notifications():
			if string(raw) != fmt.Sprint(want) {
				t.Fatalf("notification %s, want %d", raw, want)
			}
		case <-ctx.Done():
			t.Fatalf("notification %d missing", want)
		}
	}
}

func TestSubscribeRuntimeVersion(t *testing.T) {
	s := newServer(t)
	s.HandleSubscription("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", func(id string, _ rpctest.Call) {
		s.NotifyID(id, "state_runtimeVersion", json.RawMessage(`{"specName":"node-subtensor","specVersion":331,"transactionVersion":1,"apis":[]}`))
	})
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	st, err := c.StateSubscribeRuntimeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Unsubscribe(ctx)
	if v := <-st.C(); v.SpecVersion != 331 {
		t.Fatalf("spec version %d, want 331", v.SpecVersion)
	}
	s.Notify("state_subscribeRuntimeVersion", "state_runtimeVersion", json.RawMessage(`{"specName":"node-subtensor","specVersion":332,"transactionVersion":1,"apis":[]}`))
	if v := <-st.C(); v.SpecVersion != 332 {
		t.Fatalf("spec version %d after upgrade, want 332", v.SpecVersion)
	}
	h, err := rpc.ParseHash(hashA.Hex())
	if err != nil || h != hashA {
		t.Fatalf("ParseHash = %v, %v", h, err)
	}
}
