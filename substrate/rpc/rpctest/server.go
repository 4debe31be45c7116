// Package rpctest is a scriptable WebSocket and HTTP JSON-RPC 2.0 server
// for tests of code built on substrate/rpc. It listens on 127.0.0.1 only.
//
// Handlers answer methods; Notify pushes subscription notifications; Stop
// and Start kill and revive the listener on the same address (to test
// reconnects); DropConnections cuts live WebSockets; SendRaw writes any
// bytes (to test hostile servers). Handlers run on their own goroutine per
// request, so a handler that blocks or sleeps makes replies arrive out of
// order.
package rpctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// Error is a JSON-RPC error a handler returns to answer with an error.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *Error) Error() string { return "rpctest: error " + strconv.Itoa(e.Code) + ": " + e.Message }

// Call is one request as the server saw it.
type Call struct {
	Method string
	Params []json.RawMessage
	// Conn is the WebSocket it came on; nil for HTTP POST.
	Conn *Conn

	after *[]func() // run after the reply is written
}

// After schedules f to run once the reply to c has been written (for
// example, to push a subscription's first notifications).
func (c Call) After(f func()) {
	if c.after != nil {
		*c.after = append(*c.after, f)
	}
}

// Handler answers a call: its result is marshalled to JSON (a
// json.RawMessage is sent as is); an *Error is sent as the error object.
type Handler func(ctx context.Context, c Call) (any, error)

// Server is a JSON-RPC server for tests.
type Server struct {
	addr string

	mu       sync.Mutex
	ln       net.Listener
	srv      *http.Server
	handlers map[string]Handler
	conns    map[*Conn]struct{}
	calls    []Call
	callCh   chan Call
	subs     map[string]*sub // id → subscription
	nextSub  atomic.Uint64
}

type sub struct {
	conn   *Conn
	method string
}

// Conn is one client WebSocket connection.
type Conn struct {
	ws     *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
}

// New starts a server on 127.0.0.1 with a free port.
func New() (*Server, error) {
	s := &Server{
		handlers: make(map[string]Handler),
		conns:    make(map[*Conn]struct{}),
		subs:     make(map[string]*sub),
		callCh:   make(chan Call, 1024),
	}
	if err := s.listen("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("rpctest: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(s.serveHTTP)}
	s.mu.Lock()
	s.ln, s.srv, s.addr = ln, srv, ln.Addr().String()
	s.mu.Unlock()
	go srv.Serve(ln)
	return nil
}

// URL returns the ws:// URL.
func (s *Server) URL() string { return "ws://" + s.addr }

// HTTPURL returns the http:// URL (POST requests).
func (s *Server) HTTPURL() string { return "http://" + s.addr }

// Handle sets the handler for method, replacing any earlier one.
func (s *Server) Handle(method string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[method] = h
}

// Handler returns the handler for method, or nil (to wrap it).
func (s *Server) Handler(method string) Handler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handlers[method]
}

// HandleResult answers method with a fixed result.
func (s *Server) HandleResult(method string, result any) {
	s.Handle(method, func(context.Context, Call) (any, error) { return result, nil })
}

// HandleSubscription makes method a subscription method: it answers with a
// fresh id and remembers the subscriber for Notify; unsubscribe answers
// true and forgets it. onSubscribe, if non-nil, runs after the reply is sent
// (to push initial notifications).
func (s *Server) HandleSubscription(method, unsubscribe string, onSubscribe func(id string, c Call)) {
	s.Handle(method, func(ctx context.Context, c Call) (any, error) {
		if c.Conn == nil {
			return nil, &Error{Code: -32601, Message: "subscriptions need a WebSocket"}
		}
		id := "sub" + strconv.FormatUint(s.nextSub.Add(1), 10)
		s.mu.Lock()
		s.subs[id] = &sub{conn: c.Conn, method: method}
		s.mu.Unlock()
		if onSubscribe != nil {
			c.After(func() { onSubscribe(id, c) })
		}
		return id, nil
	})
	s.Handle(unsubscribe, func(ctx context.Context, c Call) (any, error) {
		if len(c.Params) != 1 {
			return nil, &Error{Code: -32602, Message: "want one subscription id"}
		}
		var id string
		if err := json.Unmarshal(c.Params[0], &id); err != nil {
			return nil, &Error{Code: -32602, Message: "bad subscription id"}
		}
		s.mu.Lock()
		_, ok := s.subs[id]
		delete(s.subs, id)
		s.mu.Unlock()
		return ok, nil
	})
}

// Subscribers returns the ids of live subscriptions made with method.
func (s *Server) Subscribers(method string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, sb := range s.subs {
		if sb.method == method {
			ids = append(ids, id)
		}
	}
	return ids
}

// Notify sends result to every live subscriber of subscribeMethod, as a
// notification named notification (chain_newHead, …). It returns how many
// were sent.
func (s *Server) Notify(subscribeMethod, notification string, result any) int {
	s.mu.Lock()
	var targets []struct {
		id string
		c  *Conn
	}
	for id, sb := range s.subs {
		if sb.method == subscribeMethod {
			targets = append(targets, struct {
				id string
				c  *Conn
			}{id, sb.conn})
		}
	}
	s.mu.Unlock()
	n := 0
	for _, t := range targets {
		if s.NotifyID(t.id, notification, result) == nil {
			n++
		}
	}
	return n
}

// NotifyID sends one notification to subscription id.
func (s *Server) NotifyID(id, notification string, result any) error {
	s.mu.Lock()
	sb, ok := s.subs[id]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("rpctest: no subscription %s", id)
	}
	r, err := json.Marshal(result)
	if err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{
		"jsonrpc": "2.0",
		"method":  notification,
		"params":  map[string]any{"subscription": id, "result": json.RawMessage(r)},
	})
	if err != nil {
		return err
	}
	return sb.conn.ws.Write(sb.conn.ctx, websocket.MessageText, b)
}

// SendRaw writes b as one text message to every live connection.
func (s *Server) SendRaw(b []byte) {
	for _, c := range s.liveConns() {
		_ = c.ws.Write(c.ctx, websocket.MessageText, b)
	}
}

// Calls returns every call received so far, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// NextCall waits for the next call received (in arrival order, each call
// once) or ctx's end.
func (s *Server) NextCall(ctx context.Context) (Call, error) {
	select {
	case c := <-s.callCh:
		return c, nil
	case <-ctx.Done():
		return Call{}, ctx.Err()
	}
}

// WaitCall waits for the next call of method, skipping others.
func (s *Server) WaitCall(ctx context.Context, method string) (Call, error) {
	for {
		c, err := s.NextCall(ctx)
		if err != nil {
			return Call{}, fmt.Errorf("rpctest: waiting for %s: %w", method, err)
		}
		if c.Method == method {
			return c, nil
		}
	}
}

// Connections returns how many WebSockets are open.
func (s *Server) Connections() int { return len(s.liveConns()) }

func (s *Server) liveConns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// DropConnections cuts every live WebSocket without a close handshake; the
// listener stays up. Their subscriptions are forgotten.
func (s *Server) DropConnections() {
	for _, c := range s.liveConns() {
		// Close before cancelling: a handler woken by the cancel must
		// find the socket already gone, not answer on it.
		c.ws.CloseNow()
		c.cancel()
	}
}

// Stop closes the listener and every connection: clients see the node go
// away and cannot reconnect until Start.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
	s.DropConnections()
}

// Start listens again on the same address after Stop.
func (s *Server) Start() error {
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return errors.New("rpctest: server already running")
	}
	return s.listen(s.addr)
}

// Close stops the server for good.
func (s *Server) Close() { s.Stop() }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") == "" && r.Method == http.MethodPost {
		s.servePost(w, r)
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(-1)
	ctx, cancel := context.WithCancel(context.Background())
	c := &Conn{ws: ws, ctx: ctx, cancel: cancel}
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		cancel()
		ws.CloseNow()
		s.mu.Lock()
		delete(s.conns, c)
		for id, sb := range s.subs {
			if sb.conn == c {
				delete(s.subs, id)
			}
		}
		s.mu.Unlock()
	}()
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return
		}
		go s.answer(c, b)
	}
}

type request struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

func (s *Server) dispatch(ctx context.Context, c *Conn, b []byte) (resp []byte, after []func()) {
	var req request
	if err := json.Unmarshal(b, &req); err != nil {
		resp, _ = json.Marshal(map[string]any{"jsonrpc": "2.0", "id": nil, "error": &Error{Code: -32700, Message: "Parse error"}})
		return resp, nil
	}
	call := Call{Method: req.Method, Params: req.Params, Conn: c, after: &after}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	h := s.handlers[req.Method]
	s.mu.Unlock()
	select {
	case s.callCh <- call:
	default:
	}
	out := map[string]any{"jsonrpc": "2.0", "id": req.ID}
	if h == nil {
		out["error"] = &Error{Code: -32601, Message: "Method not found"}
	} else {
		res, err := h(ctx, call)
		var rerr *Error
		switch {
		case errors.As(err, &rerr):
			out["error"] = rerr
		case err != nil:
			out["error"] = &Error{Code: -32603, Message: err.Error()}
		default:
			out["result"] = res
		}
	}
	resp, err := json.Marshal(out)
	if err != nil {
		resp, _ = json.Marshal(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": &Error{Code: -32603, Message: err.Error()}})
	}
	return resp, after
}

func (s *Server) answer(c *Conn, b []byte) {
	resp, after := s.dispatch(c.ctx, c, b)
	if err := c.ws.Write(c.ctx, websocket.MessageText, resp); err != nil {
		return
	}
	for _, f := range after {
		f()
	}
}

func (s *Server) servePost(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, _ := s.dispatch(r.Context(), nil, b)
	w.Header().Set("Content-Type", "application/json")
	w.Write(resp)
}
