package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
)

// HTTP is the HTTP POST Transport: one request per POST, no subscriptions.
// When an endpoint refuses connections the next URL is tried, and later
// requests start from the endpoint that last worked. It is safe for
// concurrent use.
type HTTP struct {
	urls   []string
	opts   Options
	nextID atomic.Uint64
	good   atomic.Int64 // index of the endpoint that last answered
}

// NewHTTP returns an HTTP transport for http:// or https:// URLs. It does
// not contact the node.
func NewHTTP(opts Options, urls ...string) (*HTTP, error) {
	if len(urls) == 0 {
		return nil, errors.New("rpc: no endpoint URL given; pass at least one http:// or https:// URL")
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil, fmt.Errorf("rpc: endpoint %q is not an http:// or https:// URL", u)
		}
	}
	return &HTTP{urls: append([]string(nil), urls...), opts: opts.withDefaults()}, nil
}

// Request POSTs method(params…) and returns the raw result.
func (h *HTTP) Request(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	ctx, cancel := h.opts.withTimeout(ctx)
	defer cancel()
	id := h.nextID.Add(1)
	body, err := encodeRequest(id, method, params)
	if err != nil {
		return nil, err
	}
	start := int(h.good.Load())
	var errs []error
	for k := range h.urls {
		i := (start + k) % len(h.urls)
		raw, err := h.post(ctx, h.urls[i], id, method, body)
		if err == nil || !isRefused(err) {
			if err == nil {
				h.good.Store(int64(i))
			}
			return raw, err
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("rpc: %s: no endpoint reachable: %w", method, errors.Join(errs...))
}

func (h *HTTP) post(ctx context.Context, url string, id uint64, method string, body []byte) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("rpc: %s: %w", method, err)
	}
	for k, v := range h.opts.HTTPHeader {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rpc: %s: POST %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, h.opts.MaxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("rpc: %s: read response from %s: %w", method, url, err)
	}
	if int64(len(b)) > h.opts.MaxMessageSize {
		return nil, fmt.Errorf("rpc: %s: response from %s is larger than %d bytes; raise Options.MaxMessageSize", method, url, h.opts.MaxMessageSize)
	}
	m, derr := decodeMessage(b)
	if derr != nil || m.kind != kindResponse {
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("rpc: %s: %s answered HTTP %d", method, url, resp.StatusCode)
		}
		return nil, fmt.Errorf("rpc: %s: %w", method, errors.Join(ErrBadResponse, derr))
	}
	if m.id != id {
		return nil, fmt.Errorf("rpc: %s: %w: response id %d, want %d", method, ErrBadResponse, m.id, id)
	}
	if m.err != nil {
		return nil, fmt.Errorf("rpc: %s: %w", method, m.err)
	}
	return m.result, nil
}

// Subscribe always fails: HTTP has no server push.
func (h *HTTP) Subscribe(ctx context.Context, method, unsubscribe string, params ...any) (*Subscription, error) {
	return nil, fmt.Errorf("rpc: %s: %w", method, ErrSubscriptionsUnsupported)
}

// isRefused reports whether err means the request never reached a server.
func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
