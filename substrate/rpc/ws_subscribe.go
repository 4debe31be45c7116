package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// wsSub is the transport's view of a Subscription.
type wsSub struct {
	sub         *Subscription
	method      string
	unsubMethod string
	params      []any
	resubscribe bool

	mu          sync.Mutex
	conn        *wsConn // where it is registered now; nil if nowhere
	id          string  // map key in conn.subs
	rawID       json.RawMessage
	established bool // the server accepted it at least once
}

func (t *WebSocket) onNotification(c *wsConn, m message) {
	c.mu.Lock()
	s, ok := c.subs[m.subID]
	if ok && m.err != nil {
		delete(c.subs, m.subID)
	}
	c.mu.Unlock()
	if !ok {
		keepEarly(c, m)
		return
	}
	if m.err != nil {
		// The server ended the subscription.
		t.forget(s)
		s.sub.end(fmt.Errorf("rpc: %s: subscription ended by the node: %w", s.method, m.err))
		return
	}
	if s.sub.deliver(m.result) {
		return
	}
	c.mu.Lock()
	delete(c.subs, m.subID)
	c.mu.Unlock()
	t.forget(s)
	s.sub.end(fmt.Errorf("rpc: %s: %w", s.method, ErrSlowConsumer))
	s.mu.Lock()
	raw := s.rawID
	s.conn, s.id, s.rawID = nil, "", nil
	s.mu.Unlock()
	go t.sendUnsubscribe(c, s.unsubMethod, raw)
}

// endOneShot ends subscriptions that must not be replayed after c dropped.
func (t *WebSocket) endOneShot(c *wsConn) {
	t.mu.Lock()
	var ended []*wsSub
	for s := range t.subs {
		s.mu.Lock()
		onC := s.conn == c
		s.mu.Unlock()
		if !s.resubscribe && onC {
			delete(t.subs, s)
			ended = append(ended, s)
		}
	}
	t.mu.Unlock()
	for _, s := range ended {
		s.sub.end(fmt.Errorf("rpc: %s: %w (%w); it is not re-subscribed automatically", s.method, ErrConnectionLost, c.err))
	}
}

func (t *WebSocket) endAll(err error) {
	t.mu.Lock()
	subs := t.subs
	t.subs = make(map[*wsSub]struct{})
	t.mu.Unlock()
	for s := range subs {
		s.sub.end(err)
	}
}

// resubscribe re-establishes every live subscription on c.
func (t *WebSocket) resubscribe(c *wsConn) {
	t.mu.Lock()
	var todo []*wsSub
	for s := range t.subs {
		s.mu.Lock()
		if s.established && s.conn != c {
			s.conn, s.id, s.rawID = nil, "", nil
			todo = append(todo, s)
		}
		s.mu.Unlock()
	}
	t.mu.Unlock()
	for _, s := range todo {
		ctx, cancel := context.WithTimeout(t.ctx, t.opts.DialTimeout)
		_, err := t.call(ctx, c, s.method, s.params, s)
		cancel()
		var rpcErr *Error
		switch {
		case err == nil:
			s.sub.signalReconnected()
		case errors.As(err, &rpcErr):
			t.forget(s)
			s.sub.end(fmt.Errorf("rpc: re-subscribe after reconnect: %w", err))
		default:
			// The new connection failed too; the next one retries.
			t.opts.Logger.Debug("rpc: re-subscribe failed", "method", s.method, "err", err)
			return
		}
	}
}

func (t *WebSocket) forget(s *wsSub) {
	t.mu.Lock()
	delete(t.subs, s)
	t.mu.Unlock()
}

func (t *WebSocket) sendUnsubscribe(c *wsConn, method string, id json.RawMessage) {
	ctx, cancel := context.WithTimeout(t.ctx, t.opts.WriteTimeout)
	defer cancel()
	_, _ = t.call(ctx, c, method, []any{id}, nil)
}

// Subscribe calls method(params…), which must answer with a subscription
// id, and returns the Subscription its notifications feed. unsubscribe is
// the method that ends it (chain_unsubscribeNewHeads, …). The subscription
// is re-established after a reconnect, except for methods that have side
// effects (author_submitAndWatchExtrinsic), which end with ErrConnectionLost.
func (t *WebSocket) Subscribe(ctx context.Context, method, unsubscribe string, params ...any) (*Subscription, error) {
	s := &wsSub{
		sub:         newSubscription(t.opts.SubscriptionBuffer),
		method:      method,
		unsubMethod: unsubscribe,
		params:      params,
		resubscribe: resubscribable(method),
	}
	s.sub.unsubscribe = func(ctx context.Context) error { return t.unsubscribe(ctx, s) }
	t.mu.Lock()
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	if _, err := t.send(ctx, method, params, s); err != nil {
		t.forget(s)
		s.sub.end(err)
		return nil, err
	}
	return s.sub, nil
}

func (t *WebSocket) unsubscribe(ctx context.Context, s *wsSub) error {
	t.forget(s)
	s.mu.Lock()
	c, id, raw := s.conn, s.id, s.rawID
	s.conn, s.id, s.rawID = nil, "", nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	c.mu.Lock()
	delete(c.subs, id)
	c.mu.Unlock()
	_, err := t.call(ctx, c, s.unsubMethod, []any{raw}, nil)
	if errors.Is(err, ErrConnectionLost) || errors.Is(err, ErrClosed) || errors.Is(err, errNotSent) {
		return nil // the server forgot it with the connection
	}
	return err
}

// resubscribable reports whether replaying method on a new connection is
// harmless. Watching an extrinsic submits it, so it is not.
func resubscribable(method string) bool {
	switch method {
	case "author_submitAndWatchExtrinsic", "transactionWatch_v1_submitAndWatch", "transaction_v1_broadcast":
		return false
	}
	return true
}

// Bounds on notifications kept for subscription ids not yet known.
const (
	maxEarly      = 32
	maxEarlyBytes = 1 << 20
)

// keepEarly remembers a notification for an unknown id, dropping the
// oldest beyond the bounds. Called only from c's reader.
func keepEarly(c *wsConn, m message) {
	if len(m.result) > maxEarlyBytes {
		return
	}
	c.early = append(c.early, m)
	c.earlyBytes += len(m.result)
	for len(c.early) > maxEarly || c.earlyBytes > maxEarlyBytes {
		c.earlyBytes -= len(c.early[0].result)
		c.early = c.early[1:]
	}
}

// replayEarly delivers, in order, notifications that arrived for s before
// its subscribe response. Called only from c's reader.
func (t *WebSocket) replayEarly(c *wsConn, s *wsSub) {
	if len(c.early) == 0 {
		return
	}
	s.mu.Lock()
	id, onC := s.id, s.conn == c
	s.mu.Unlock()
	if !onC {
		return
	}
	kept := c.early[:0]
	var mine []message
	for _, m := range c.early {
		if m.subID == id {
			mine = append(mine, m)
			c.earlyBytes -= len(m.result)
		} else {
			kept = append(kept, m)
		}
	}
	c.early = kept
	for _, m := range mine {
		t.onNotification(c, m)
	}
}
