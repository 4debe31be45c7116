package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Transport carries JSON-RPC calls to a node. Implementations must be safe
// for concurrent use. *WebSocket and *HTTP implement it; so does *Client,
// and anything else (an in-process node, a recorder) can, using
// NewSubscription for the subscription side.
type Transport interface {
	// Request calls method with positional params and returns the raw
	// JSON result. A node error is returned as an error wrapping *Error.
	Request(ctx context.Context, method string, params ...any) (json.RawMessage, error)
	// Subscribe calls method with params and returns the subscription its
	// notifications feed; unsubscribe names the method that ends it.
	Subscribe(ctx context.Context, method, unsubscribe string, params ...any) (*Subscription, error)
}

// Client adds typed methods, named after the RPC methods, to a Transport.
type Client struct {
	t Transport
}

// NewClient wraps t.
func NewClient(t Transport) *Client { return &Client{t: t} }

// Dial connects to a node: the WebSocket transport for ws:// and wss://
// URLs, the HTTP transport for http:// and https:// URLs. With several
// URLs (all of one kind) the client fails over between them. ctx bounds
// the initial connection only.
func Dial(ctx context.Context, urls ...string) (*Client, error) {
	return DialOptions(ctx, Options{}, urls...)
}

// DialOptions is Dial with options.
func DialOptions(ctx context.Context, opts Options, urls ...string) (*Client, error) {
	if len(urls) == 0 {
		return nil, errors.New("rpc: no endpoint URL given; pass a ws:// URL such as ws://127.0.0.1:9944")
	}
	ws := 0
	for _, u := range urls {
		if strings.HasPrefix(u, "ws://") || strings.HasPrefix(u, "wss://") {
			ws++
		}
	}
	switch ws {
	case len(urls):
		t, err := DialWebSocket(ctx, opts, urls...)
		if err != nil {
			return nil, err
		}
		return NewClient(t), nil
	case 0:
		t, err := NewHTTP(opts, urls...)
		if err != nil {
			return nil, err
		}
		return NewClient(t), nil
	}
	return nil, fmt.Errorf("rpc: endpoints mix WebSocket and HTTP URLs (%s); use one kind", strings.Join(urls, ", "))
}

// Transport returns the transport c wraps.
func (c *Client) Transport() Transport { return c.t }

// Request forwards to the transport.
func (c *Client) Request(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	return c.t.Request(ctx, method, params...)
}

// Subscribe forwards to the transport.
func (c *Client) Subscribe(ctx context.Context, method, unsubscribe string, params ...any) (*Subscription, error) {
	return c.t.Subscribe(ctx, method, unsubscribe, params...)
}

// Close closes the transport if it has a Close method.
func (c *Client) Close() error {
	if cl, ok := c.t.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// call requests method and decodes its result into out. A null result is
// an error wrapping ErrNotFound unless out accepts null (pointer fields).
func (c *Client) call(ctx context.Context, out any, method string, params ...any) error {
	raw, err := c.t.Request(ctx, method, params...)
	if err != nil {
		return err
	}
	if isNull(raw) {
		return fmt.Errorf("rpc: %s: %w", method, ErrNotFound)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("rpc: %s: %w: %w", method, ErrBadResponse, err)
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// optHash turns an optional block hash into a positional param: nil means
// the node's best block.
func optHash(at *Hash) []any {
	if at == nil {
		return nil
	}
	return []any{*at}
}
