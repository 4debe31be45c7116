package epistula

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// Transport is an http.RoundTripper that signs every outgoing request with
// Epistula v2, so a Go validator calls Epistula miners with a plain
// http.Client:
//
//	client := &http.Client{Transport: &epistula.Transport{Signer: hotkey}}
//	req, _ := http.NewRequestWithContext(epistula.WithReceiver(ctx, minerHotkey), "POST", url, body)
//	resp, err := client.Do(req)
//
// The request given to RoundTrip is not modified; its body is read once to be
// hashed and sent from memory.
type Transport struct {
	// Signer is the hotkey that signs. Required.
	Signer keys.Signer
	// Base sends the signed request; if nil, http.DefaultTransport.
	Base http.RoundTripper
	// Receiver returns the SS58 address the request is signed for. If nil,
	// the address set with WithReceiver on the request's context is used.
	// "" signs for nobody, which miners refuse by default.
	Receiver func(*http.Request) string
	// X signs with the X-Epistula variant instead of v2 (no receiver).
	X bool
	// Now is the clock; if nil, time.Now.
	Now func() time.Time
}

type receiverKey struct{}

// WithReceiver returns a context that makes Transport sign the request for
// the miner with SS58 address receiver.
func WithReceiver(ctx context.Context, receiver string) context.Context {
	return context.WithValue(ctx, receiverKey{}, receiver)
}

// ReceiverFromContext returns the receiver set with WithReceiver.
func ReceiverFromContext(ctx context.Context) (string, bool) {
	r, ok := ctx.Value(receiverKey{}).(string)
	return r, ok
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Signer == nil {
		closeBody(req)
		return nil, fmt.Errorf("epistula: Transport has no Signer: set Transport.Signer to the validator's hotkey")
	}
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	var h http.Header
	if t.X {
		h = SignX(t.Signer, body, now())
	} else {
		var receiver string
		if t.Receiver != nil {
			receiver = t.Receiver(req)
		} else {
			receiver, _ = ReceiverFromContext(req.Context())
		}
		h = Sign(t.Signer, body, receiver, now())
	}
	out := req.Clone(req.Context())
	for k, v := range h {
		out.Header[k] = v
	}
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	out.ContentLength = int64(len(body))
	if len(body) == 0 {
		out.Body = http.NoBody
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(out)
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("epistula: read the request body to sign it: %w", err)
	}
	return body, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
