package rpc

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// Defaults used where an Options field is zero.
const (
	DefaultMaxMessageSize = 64 << 20
	DefaultMinBackoff     = 100 * time.Millisecond
	DefaultMaxBackoff     = 4 * time.Second // a node that comes back is used again within seconds
	DefaultDialTimeout    = 10 * time.Second
	DefaultWriteTimeout   = 10 * time.Second
	DefaultPingInterval   = 30 * time.Second
)

// Options tunes a transport. The zero value is ready to use.
type Options struct {
	// MaxMessageSize bounds one incoming message (the finney metadata is
	// about 1 MB as hex). If non-zero it replaces DefaultMaxMessageSize. A
	// larger WebSocket message drops the connection (then reconnects); a
	// larger HTTP body fails the request.
	MaxMessageSize int64
	// MinBackoff and MaxBackoff bound the delay between reconnect rounds
	// (exponential, equal jitter). If non-zero they replace the defaults.
	MinBackoff, MaxBackoff time.Duration
	// DialTimeout bounds one connection attempt. If non-zero it replaces
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// WriteTimeout bounds writing one message to the WebSocket. If non-zero
	// it replaces DefaultWriteTimeout.
	WriteTimeout time.Duration
	// PingInterval is how often an idle WebSocket is pinged; a missing pong
	// within the interval drops the connection. If non-zero it replaces
	// DefaultPingInterval; negative disables pings.
	PingInterval time.Duration
	// RequestTimeout, if non-zero, bounds requests whose context has no
	// deadline (a safety net; per-call contexts are the primary control).
	RequestTimeout time.Duration
	// SubscriptionBuffer is the per-subscription notification buffer. If
	// non-zero it replaces DefaultSubscriptionBuffer.
	SubscriptionBuffer int
	// OnReconnect, if non-nil, is called after the WebSocket transport
	// reconnected (to url) and re-subscribed live subscriptions. It runs
	// on the transport's goroutine: return quickly.
	OnReconnect func(url string)
	// HTTPClient, if non-nil, is used for HTTP requests and WebSocket
	// handshakes.
	HTTPClient *http.Client
	// HTTPHeader, if non-nil, is sent with every HTTP request and handshake.
	HTTPHeader http.Header
	// Logger, if non-nil, receives connection events (connect, drop,
	// reconnect, dropped server messages).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = DefaultMaxMessageSize
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.PingInterval == 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.SubscriptionBuffer <= 0 {
		o.SubscriptionBuffer = DefaultSubscriptionBuffer
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// backoff returns the delay before reconnect round attempt (0-based):
// min·2^attempt capped at max, with equal jitter (a uniform draw from the
// upper half) so that many clients do not redial in lockstep.
// withTimeout applies Options.RequestTimeout to a context without deadline.
func (o Options) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.RequestTimeout > 0 {
		if _, ok := ctx.Deadline(); !ok {
			return context.WithTimeout(ctx, o.RequestTimeout)
		}
	}
	return ctx, func() {}
}

func backoff(attempt int, min, max time.Duration) time.Duration {
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max || d <= 0 {
		d = max
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(d-half+1)
}
