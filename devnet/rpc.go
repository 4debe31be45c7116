package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// JSON-RPC 2.0 error codes.
const (
	codeParse          = -32700
	codeInvalidRequest = -32600
	codeNoMethod       = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603
	// codeTooManySubs is what Substrate's server answers when a connection
	// holds too many subscriptions.
	codeTooManySubs = -32006
	// codeOversized is jsonrpsee's answer to a request over the size limit.
	codeOversized = -32007
)

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return e.Message }

func errParams(msg string) *rpcError {
	return &rpcError{Code: codeInvalidParams, Message: "Invalid params: " + msg}
}

type rpcRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

type rpcResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// server answers JSON-RPC over WebSocket and HTTP POST on one handler.
type server struct {
	node     *Node
	methods  map[string]rpcMethod
	maxBytes int64
	maxSubs  int
	maxBatch int
	origins  []string
	log      *slog.Logger
	nextSub  atomic.Uint64

	mu    sync.Mutex
	conns map[*wsConn]struct{}
}

// rpcMethod handles one method. conn is nil over HTTP (no subscriptions).
type rpcMethod func(s *server, c *wsConn, params json.RawMessage) (any, *rpcError)

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") != "" {
		s.serveWS(w, r)
		return
	}
	// Browsers (polkadot.js apps) may call the chain only from the origins
	// the operator named (as a node's --rpc-cors); none by default.
	if o := r.Header.Get("Origin"); o != "" {
		for _, allowed := range s.origins {
			if allowed == "*" || allowed == o {
				w.Header().Set("Access-Control-Allow-Origin", allowed)
				w.Header().Add("Vary", "Origin")
				break
			}
		}
	}
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "minerkit devnet: JSON-RPC 2.0 over WebSocket or HTTP POST\n")
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "devnet: use POST or a WebSocket upgrade", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, rpcResponse{JSONRPC: "2.0", ID: json.RawMessage("null"),
				Error: &rpcError{Code: codeOversized, Message: "Request is too big: limit is " + strconv.FormatInt(s.maxBytes, 10) + " bytes"}})
			return
		}
		http.Error(w, "devnet: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	out := s.handleMessage(nil, body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handleMessage answers one request or batch; it returns nil when there is
// nothing to send (notifications only).
func (s *server) handleMessage(c *wsConn, msg []byte) []byte {
	trimmed := bytes.TrimSpace(msg)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var batch []json.RawMessage
		if err := json.Unmarshal(trimmed, &batch); err != nil {
			return mustJSON(rpcResponse{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{Code: codeParse, Message: "Parse error"}})
		}
		if len(batch) == 0 || len(batch) > s.maxBatch {
			return mustJSON(rpcResponse{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{Code: codeInvalidRequest,
				Message: fmt.Sprintf("Invalid request: batch of 1 to %d calls", s.maxBatch)}})
		}
		var out []json.RawMessage
		for _, one := range batch {
			if r := s.handleOne(c, one); r != nil {
				out = append(out, r)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return mustJSON(out)
	}
	return s.handleOne(c, trimmed)
}

func (s *server) handleOne(c *wsConn, msg []byte) []byte {
	var req rpcRequest
	if err := json.Unmarshal(msg, &req); err != nil {
		return mustJSON(rpcResponse{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: &rpcError{Code: codeParse, Message: "Parse error"}})
	}
	id := req.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		return mustJSON(rpcResponse{JSONRPC: "2.0", ID: id, Error: &rpcError{Code: codeInvalidRequest, Message: "Invalid request"}})
	}
	m, ok := s.methods[req.Method]
	if !ok {
		return mustJSON(rpcResponse{JSONRPC: "2.0", ID: id, Error: &rpcError{Code: codeNoMethod, Message: "Method not found"}})
	}
	res, rerr := s.call(m, c, req)
	if rerr != nil {
		return mustJSON(rpcResponse{JSONRPC: "2.0", ID: id, Error: rerr})
	}
	if res == nil {
		return []byte(`{"jsonrpc":"2.0","id":` + string(id) + `,"result":null}`)
	}
	return mustJSON(rpcResponse{JSONRPC: "2.0", ID: id, Result: res})
}

// call runs a method; a bug that panics answers Internal error instead of
// stopping the node.
func (s *server) call(m rpcMethod, c *wsConn, req rpcRequest) (res any, rerr *rpcError) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("devnet: rpc method panicked", "method", req.Method, "panic", r)
			res, rerr = nil, &rpcError{Code: codeInternal, Message: "Internal error"}
		}
	}()
	return m(s, c, req.Params)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}`)
	}
	return b
}

// wsConn is one WebSocket client with its subscriptions.
type wsConn struct {
	s      *server
	ws     *websocket.Conn
	out    chan []byte
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	subs     map[string]*subscription
	unlisten func()
	after    []func() // run once the current reply is queued
	sem      chan struct{}
}

// afterReply runs fn after the reply to the request being handled has been
// queued, so that a subscription's first notification follows its id.
func (c *wsConn) afterReply(fn func()) {
	c.mu.Lock()
	c.after = append(c.after, fn)
	c.mu.Unlock()
}

func (c *wsConn) runAfter() {
	c.mu.Lock()
	fns := c.after
	c.after = nil
	c.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// subscription kinds.
const (
	subNewHeads = iota
	subFinalized
	subAllHeads
	subRuntime
	subStorage
	subExtrinsic
)

type subscription struct {
	id     string
	kind   int
	method string   // notification method
	keys   []string // storage subscription keys (raw), set before registration

	mu   sync.Mutex
	last map[string]string // storage: last value sent per key
}

// outBuffer is how many messages may wait for a slow client before the
// devnet drops it.
const outBuffer = 4096

func (s *server) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	ws.SetReadLimit(s.maxBytes)
	ctx, cancel := context.WithCancel(s.node.ctx)
	c := &wsConn{s: s, ws: ws, out: make(chan []byte, outBuffer), ctx: ctx, cancel: cancel, subs: make(map[string]*subscription),
		sem: make(chan struct{}, perConnParallel)}
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		cancel()
		c.mu.Lock()
		if c.unlisten != nil {
			c.unlisten()
		}
		c.mu.Unlock()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		ws.CloseNow()
	}()
	go c.writeLoop()
	for {
		typ, msg, err := ws.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) || ctx.Err() != nil {
				return
			}
			// Oversized message: say so, then close as Substrate does.
			c.send(mustJSON(rpcResponse{JSONRPC: "2.0", ID: json.RawMessage("null"),
				Error: &rpcError{Code: codeOversized, Message: "Request is too big or the connection failed: " + err.Error()}}))
			return
		}
		if typ != websocket.MessageText && typ != websocket.MessageBinary {
			continue
		}
		if s.concurrent(msg) {
			// Plain calls run in parallel (signature checks use every
			// core); replies may overtake each other, as JSON-RPC allows.
			select {
			case c.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				defer func() { <-c.sem }()
				if resp := s.handleMessage(c, msg); resp != nil {
					c.send(resp)
				}
			}()
			continue
		}
		if resp := s.handleMessage(c, msg); resp != nil {
			c.send(resp)
		}
		c.runAfter()
	}
}

// perConnParallel bounds the plain calls one connection runs at once.
const perConnParallel = 16

// concurrent reports whether msg is a single call that neither opens nor
// closes a subscription, so it may run beside others.
func (s *server) concurrent(msg []byte) bool {
	var req struct {
		Method string `json:"method"`
	}
	if len(msg) == 0 || msg[0] != '{' || json.Unmarshal(msg, &req) != nil {
		return false
	}
	m := req.Method
	return !strings.Contains(m, "ubscribe") && !strings.Contains(m, "atch")
}

// send queues a message; a client that lets outBuffer messages pile up is
// disconnected rather than slowing the chain down.
func (c *wsConn) send(msg []byte) {
	select {
	case c.out <- msg:
	case <-c.ctx.Done():
	default:
		c.s.log.Warn("devnet: dropping slow RPC client")
		c.cancel()
	}
}

func (c *wsConn) writeLoop() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case msg := <-c.out:
			if err := c.ws.Write(c.ctx, websocket.MessageText, msg); err != nil {
				c.cancel()
				return
			}
		}
	}
}

func (c *wsConn) notify(method, subID string, result any) {
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": map[string]any{"subscription": subID, "result": result}})
	if err != nil {
		return
	}
	c.send(b)
}

// addSub registers a subscription, enforcing the per-connection limit.
func (c *wsConn) addSub(kind int, method string, keys ...string) (*subscription, *rpcError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.subs) >= c.s.maxSubs {
		return nil, &rpcError{Code: codeTooManySubs, Message: "Too many subscriptions on the connection: limit is " + strconv.Itoa(c.s.maxSubs)}
	}
	id := strconv.FormatUint(c.s.nextSub.Add(1), 10)
	sub := &subscription{id: id, kind: kind, method: method, keys: keys, last: make(map[string]string)}
	c.subs[id] = sub
	if c.unlisten == nil && kind != subExtrinsic {
		c.unlisten = c.s.node.chain.listen(c.onBlock)
	}
	return sub, nil
}

func (c *wsConn) removeSub(id string, kind int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	sub, ok := c.subs[id]
	if !ok || sub.kind != kind {
		return false
	}
	delete(c.subs, id)
	return true
}

// onBlock runs (on the block producer's goroutine) after each block.
func (c *wsConn) onBlock(b *block) {
	c.mu.Lock()
	subs := make([]*subscription, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	c.mu.Unlock()
	var hdr, fin map[string]any
	lag := c.s.node.chain.lag
	for _, sub := range subs {
		switch sub.kind {
		case subNewHeads, subAllHeads:
			if hdr == nil {
				hdr = b.header.json()
			}
			c.notify(sub.method, sub.id, hdr)
		case subFinalized:
			if b.header.number <= lag {
				continue
			}
			if fin == nil {
				fb, ok := c.s.node.chain.blockByNumber(uint64(b.header.number - lag))
				if !ok {
					continue
				}
				fin = fb.header.json()
			}
			c.notify(sub.method, sub.id, fin)
		case subStorage:
			if changes := c.s.storageChanges(sub, b); changes != nil {
				c.notify(sub.method, sub.id, changes)
			}
		}
	}
}
