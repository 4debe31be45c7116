package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// WebSocket is the WebSocket Transport: one connection at a time carries
// all requests and subscriptions; when it drops, the transport redials
// (trying the URLs in turn, with backoff) and re-subscribes. It is safe for
// concurrent use. See the package documentation for reconnect semantics.
type WebSocket struct {
	urls []string
	opts Options

	ctx    context.Context // lifetime; cancelled by Close
	cancel context.CancelFunc
	nextID atomic.Uint64
	done   chan struct{} // closed when the manager goroutine exits

	reconnects atomic.Uint64

	mu      sync.Mutex
	cur     *wsConn       // nil while disconnected
	ready   chan struct{} // closed once cur is set
	lastErr error         // last dial or connection error
	subs    map[*wsSub]struct{}
}

// wsConn is one WebSocket connection and the calls and subscriptions it
// carries.
type wsConn struct {
	ws      *websocket.Conn
	url     string
	index   int
	writeCh chan []byte
	done    chan struct{} // closed when the reader has exited
	started time.Time

	mu      sync.Mutex
	err     error // why the connection ended; set once
	pending map[uint64]*call
	subs    map[string]*wsSub
	// early holds notifications for ids not yet known (a server or proxy
	// that sends them before the subscribe response); bounded by
	// maxEarly messages and maxEarlyBytes. Only the reader touches it.
	early      []message
	earlyBytes int
}

type call struct {
	method string
	ch     chan callResult // buffered 1
	sub    *wsSub          // non-nil for subscribe calls
	// abandoned is set (under wsConn.mu) when a subscribe call's caller
	// gave up; a late success is then unsubscribed.
	abandoned bool
}

type callResult struct {
	raw json.RawMessage
	err error
}

// DialWebSocket connects to the first reachable URL (ws:// or wss://, tried
// in order) and returns a transport that keeps reconnecting until Close.
// ctx bounds only the initial connection.
func DialWebSocket(ctx context.Context, opts Options, urls ...string) (*WebSocket, error) {
	if len(urls) == 0 {
		return nil, errors.New("rpc: no endpoint URL given; pass at least one ws:// or wss:// URL")
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "ws://") && !strings.HasPrefix(u, "wss://") {
			return nil, fmt.Errorf("rpc: endpoint %q is not a ws:// or wss:// URL", u)
		}
	}
	opts = opts.withDefaults()
	t := &WebSocket{
		urls:  append([]string(nil), urls...),
		opts:  opts,
		ready: make(chan struct{}),
		subs:  make(map[*wsSub]struct{}),
		done:  make(chan struct{}),
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	var errs []error
	for i := range t.urls {
		c, err := t.dial(ctx, i)
		if err == nil {
			t.setConn(c)
			go t.manage(c)
			return t, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	t.cancel()
	close(t.done)
	return nil, fmt.Errorf("rpc: cannot connect to any endpoint; check that the node is running and the URL is right: %w", errors.Join(errs...))
}

// dial opens one connection to t.urls[i] and starts its goroutines.
func (t *WebSocket) dial(ctx context.Context, i int) (*wsConn, error) {
	url := t.urls[i]
	dctx, cancel := context.WithTimeout(ctx, t.opts.DialTimeout)
	defer cancel()
	ws, resp, err := websocket.Dial(dctx, url, &websocket.DialOptions{
		HTTPClient: t.opts.HTTPClient,
		HTTPHeader: t.opts.HTTPHeader,
	})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("rpc: dial %s: %w", url, err)
	}
	ws.SetReadLimit(t.opts.MaxMessageSize)
	c := &wsConn{
		ws:      ws,
		url:     url,
		index:   i,
		writeCh: make(chan []byte),
		done:    make(chan struct{}),
		started: time.Now(),
		pending: make(map[uint64]*call),
		subs:    make(map[string]*wsSub),
	}
	go t.read(c)
	go t.write(c)
	if t.opts.PingInterval > 0 {
		go t.ping(c)
	}
	t.opts.Logger.Debug("rpc: connected", "url", url)
	return c, nil
}

func (t *WebSocket) setConn(c *wsConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cur = c
	close(t.ready)
}

// maxKeptReadBuffer: a read buffer grown past this (by a metadata
// response) is dropped rather than kept for the connection's lifetime.
const maxKeptReadBuffer = 1 << 20

// manage waits for each connection to end, then redials and re-subscribes,
// until Close.
func (t *WebSocket) manage(c *wsConn) {
	defer close(t.done)
	attempt := 0
	for {
		select {
		case <-c.done:
		case <-t.ctx.Done():
			c.ws.CloseNow()
			<-c.done
		}
		t.detach(c)
		if t.ctx.Err() != nil {
			t.endAll(ErrClosed)
			return
		}
		t.opts.Logger.Warn("rpc: connection lost; reconnecting", "url", c.url, "err", c.err)
		t.endOneShot(c)
		if time.Since(c.started) >= t.opts.MaxBackoff {
			attempt = 0
		}
		next, n := t.redial(c.index, attempt)
		attempt = n
		if next == nil {
			t.endAll(ErrClosed)
			return
		}
		c = next
		t.reconnects.Add(1)
		t.setConn(c)
		t.resubscribe(c)
		if t.opts.OnReconnect != nil {
			t.opts.OnReconnect(c.url)
		}
	}
}

// redial tries every URL, starting after the one that dropped, in rounds
// separated by backoff. It returns nil when the transport is closed.
func (t *WebSocket) redial(last, attempt int) (*wsConn, int) {
	for {
		timer := time.NewTimer(backoff(attempt, t.opts.MinBackoff, t.opts.MaxBackoff))
		select {
		case <-t.ctx.Done():
			timer.Stop()
			return nil, attempt
		case <-timer.C:
		}
		attempt++
		for k := 1; k <= len(t.urls); k++ {
			i := (last + k) % len(t.urls)
			c, err := t.dial(t.ctx, i)
			if err == nil {
				return c, attempt
			}
			if t.ctx.Err() != nil {
				return nil, attempt
			}
			t.mu.Lock()
			t.lastErr = err
			t.mu.Unlock()
			t.opts.Logger.Debug("rpc: redial failed", "url", t.urls[i], "err", err)
		}
	}
}

// read is a connection's only reader: it routes responses to their callers
// and notifications to their subscriptions, in arrival order.
func (t *WebSocket) read(c *wsConn) {
	defer close(c.done)
	// One buffer for the connection's lifetime: decoded results copy what
	// they keep, so it is reused for every message.
	var buf bytes.Buffer
	for {
		buf.Reset()
		if buf.Cap() > maxKeptReadBuffer {
			buf = bytes.Buffer{}
		}
		_, r, err := c.ws.Reader(t.ctx)
		if err == nil {
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			t.fail(c, err)
			return
		}
		m, err := decodeMessage(buf.Bytes())
		if err != nil {
			t.opts.Logger.Debug("rpc: dropped server message", "url", c.url, "err", err)
			continue
		}
		switch m.kind {
		case kindResponse:
			t.onResponse(c, m)
		case kindNotification:
			t.onNotification(c, m)
		}
	}
}

func (t *WebSocket) onResponse(c *wsConn, m message) {
	c.mu.Lock()
	cl, ok := c.pending[m.id]
	if !ok {
		c.mu.Unlock()
		return
	}
	delete(c.pending, m.id)
	res := callResult{raw: m.result}
	if m.err != nil {
		res = callResult{err: fmt.Errorf("rpc: %s: %w", cl.method, m.err)}
	} else if cl.sub != nil {
		id, err := normalizeSubID(m.result)
		switch {
		case err != nil:
			res = callResult{err: fmt.Errorf("rpc: %s: subscription id: %w", cl.method, err)}
		case cl.abandoned || cl.sub.sub.isClosed():
			go t.sendUnsubscribe(c, cl.sub.unsubMethod, m.result)
		default:
			c.subs[id] = cl.sub
			cl.sub.mu.Lock()
			cl.sub.conn, cl.sub.id, cl.sub.rawID, cl.sub.established = c, id, m.result, true
			cl.sub.mu.Unlock()
		}
	}
	c.mu.Unlock()
	cl.ch <- res
	if res.err == nil && cl.sub != nil {
		t.replayEarly(c, cl.sub)
	}
}

// write is a connection's only writer, so that a caller's cancelled
// context never interrupts a frame (which would kill the connection).
func (t *WebSocket) write(c *wsConn) {
	for {
		select {
		case b := <-c.writeCh:
			var err error
			if t.opts.PingInterval > 0 {
				// A stalled write also stalls the pinger, whose timeout
				// then drops the connection: no per-write timer needed.
				err = c.ws.Write(t.ctx, websocket.MessageText, b)
			} else {
				ctx, cancel := context.WithTimeout(t.ctx, t.opts.WriteTimeout)
				err = c.ws.Write(ctx, websocket.MessageText, b)
				cancel()
			}
			if err != nil {
				t.fail(c, err)
				return
			}
		case <-c.done:
			return
		}
	}
}

func (t *WebSocket) ping(c *wsConn) {
	tick := time.NewTicker(t.opts.PingInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			ctx, cancel := context.WithTimeout(t.ctx, t.opts.PingInterval)
			err := c.ws.Ping(ctx)
			cancel()
			if err != nil {
				t.fail(c, fmt.Errorf("rpc: ping: %w", err))
				return
			}
		case <-c.done:
			return
		}
	}
}

// fail ends a connection: pending calls get an error and the socket is
// closed, which stops its reader.
func (t *WebSocket) fail(c *wsConn, cause error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	if t.ctx.Err() != nil {
		cause = ErrClosed
	}
	c.err = cause
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	t.detach(c)
	for _, cl := range pending {
		cl.ch <- callResult{err: wrapConnErr(cl.method, cause)}
	}
	c.ws.CloseNow()
}

// detach makes new requests wait for the next connection instead of c.
func (t *WebSocket) detach(c *wsConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur == c {
		t.cur = nil
		t.ready = make(chan struct{})
		c.mu.Lock()
		t.lastErr = c.err
		c.mu.Unlock()
	}
}

// conn waits for a live connection, bounded by ctx.
func (t *WebSocket) conn(ctx context.Context, method string) (*wsConn, error) {
	for {
		t.mu.Lock()
		c, ready, lastErr := t.cur, t.ready, t.lastErr
		t.mu.Unlock()
		if t.ctx.Err() != nil {
			return nil, fmt.Errorf("rpc: %s: %w", method, ErrClosed)
		}
		if c != nil {
			return c, nil
		}
		select {
		case <-ready:
		case <-t.ctx.Done():
			return nil, fmt.Errorf("rpc: %s: %w", method, ErrClosed)
		case <-ctx.Done():
			return nil, fmt.Errorf("rpc: %s: waiting for a connection (last error: %v): %w", method, lastErr, ctx.Err())
		}
	}
}

// call sends one request on c and waits for its response.
func (t *WebSocket) call(ctx context.Context, c *wsConn, method string, params []any, s *wsSub) (json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rpc: %s: %w", method, err)
	}
	id := t.nextID.Add(1)
	b, err := encodeRequest(id, method, params)
	if err != nil {
		return nil, err
	}
	cl := &call{method: method, ch: make(chan callResult, 1), sub: s}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, errNotSent
	}
	c.pending[id] = cl
	c.mu.Unlock()

	select {
	case c.writeCh <- b:
	case <-c.done:
		return nil, errNotSent
	case <-ctx.Done():
		t.abandon(c, id, cl)
		return nil, fmt.Errorf("rpc: %s: %w", method, ctx.Err())
	}
	select {
	case r := <-cl.ch:
		return r.raw, r.err
	case <-ctx.Done():
		t.abandon(c, id, cl)
		return nil, fmt.Errorf("rpc: %s: no response: %w", method, ctx.Err())
	}
}

func (t *WebSocket) abandon(c *wsConn, id uint64, cl *call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl.sub != nil {
		cl.abandoned = true // keep it: a late success must be unsubscribed
		return
	}
	delete(c.pending, id)
}

// Request sends method(params…) and returns the raw result. It waits for a
// connection if the transport is reconnecting; ctx bounds the whole call.
func (t *WebSocket) Request(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	return t.send(ctx, method, params, nil)
}

// errNotSent: the connection died before the request was handed to it, so
// it is safe to send again on the next connection.
var errNotSent = errors.New("rpc: request not sent")

// send calls method on the current connection, moving to the next one when
// the request provably never left.
func (t *WebSocket) send(ctx context.Context, method string, params []any, s *wsSub) (json.RawMessage, error) {
	ctx, cancel := t.opts.withTimeout(ctx)
	defer cancel()
	for {
		c, err := t.conn(ctx, method)
		if err != nil {
			return nil, err
		}
		raw, err := t.call(ctx, c, method, params, s)
		if !errors.Is(err, errNotSent) {
			return raw, err
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("rpc: %s: waiting for a connection: %w", method, ctx.Err())
		}
	}
}

// Reconnects returns how many times the transport has reconnected.
func (t *WebSocket) Reconnects() uint64 { return t.reconnects.Load() }

// URL returns the endpoint of the current connection, or "" while
// reconnecting.
func (t *WebSocket) URL() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur == nil {
		return ""
	}
	return t.cur.url
}

// Close ends the connection, fails calls in flight and ends every
// subscription with ErrClosed. It is safe to call more than once.
func (t *WebSocket) Close() error {
	t.cancel()
	<-t.done
	return nil
}
