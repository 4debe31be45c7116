package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// ErrAuthRejected is matched by the dial error when the orchestrator refuses
// the miner's credentials (Socket.IO CONNECT_ERROR, auth_failed). The client
// retries with fresh credentials after a backoff.
var ErrAuthRejected = errors.New("orchestrator: authentication rejected")

// errLinkClosed is returned by calls on a link that has ended.
var errLinkClosed = errors.New("orchestrator: connection closed")

// inbound is one event the orchestrator sent.
type inbound struct {
	Event string
	Arg   json.RawMessage
	AckID int // -1 when the sender wants no acknowledgement
}

// link is one authenticated connection, whatever the transport.
type link interface {
	// Events delivers inbound events; it is closed when the link ends.
	Events() <-chan inbound
	// Emit sends an event without waiting for an acknowledgement.
	Emit(ctx context.Context, event string, arg any) error
	// Call sends an event and waits for its acknowledgement.
	Call(ctx context.Context, event string, arg any) (json.RawMessage, error)
	// Ack answers an inbound event's acknowledgement id. It returns the
	// write's delivery tag: the peer has provably received the ack once
	// Confirmed() exceeds the tag.
	Ack(ctx context.Context, id int, arg any) (tag uint64, err error)
	// Confirmed returns the bound below which every tag is confirmed;
	// ConfirmedNotify signals when it grows.
	Confirmed() uint64
	ConfirmedNotify() <-chan struct{}
	// MaxPayload is the largest message the peer accepts, 0 if unknown.
	MaxPayload() int
	// Close ends the link, telling the peer when possible.
	Close(reason string)
	// Done is closed when the link has ended; Err then says why.
	Done() <-chan struct{}
	Err() error
}

// dialConfig is what a transport needs to open a link.
type dialConfig struct {
	url         string
	path        string // Socket.IO path
	header      http.Header
	style       AuthStyle
	creds       func() Credentials
	readLimit   int64
	pingEvery   time.Duration // plain WebSocket: client ping period
	pingTimeout time.Duration
}

// MaxEarlyEvents bounds the events an orchestrator may send before
// authentication succeeds; they are kept and handled once it does. More
// fail the handshake: the buffer before authentication is bounded.
const MaxEarlyEvents = 256

// linkBase holds what both transports share: the socket, pending calls and
// the end-of-link bookkeeping.
type linkBase struct {
	ws     *websocket.Conn
	events chan inbound

	mu      sync.Mutex
	nextID  int
	pending map[int]chan json.RawMessage

	done    chan struct{}
	endOnce sync.Once
	err     error

	// Delivery confirmation. epoch counts liveness round trips started
	// (pongs sent on Socket.IO, pings sent on plain WebSocket); a tagged
	// write carries the epoch current when it was written, under tagMu
	// so that no write slips across an epoch change. When the peer proves
	// it got round trip k, every write tagged below k has arrived too:
	// TCP and WebSocket keep order.
	tagMu     sync.Mutex
	epoch     uint64
	confirmed atomic.Uint64
	confirmCh chan struct{}

	maxPayload int
}

func (b *linkBase) MaxPayload() int { return b.maxPayload }

func newLinkBase(ws *websocket.Conn) *linkBase {
	return &linkBase{ws: ws, events: make(chan inbound, 64), pending: make(map[int]chan json.RawMessage),
		done: make(chan struct{}), confirmCh: make(chan struct{}, 1)}
}

func (b *linkBase) Events() <-chan inbound { return b.events }
func (b *linkBase) Done() <-chan struct{}  { return b.done }

func (b *linkBase) Err() error {
	<-b.done
	return b.err
}

// end records why the link ended and closes the socket without a handshake.
func (b *linkBase) end(err error) {
	b.endOnce.Do(func() {
		b.err = err
		close(b.done)
		b.ws.CloseNow()
	})
}

// register reserves an ack id for an outgoing call.
func (b *linkBase) register() (int, chan json.RawMessage) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.nextID
	b.nextID++
	if b.nextID > maxAckID {
		b.nextID = 0
	}
	ch := make(chan json.RawMessage, 1)
	b.pending[id] = ch
	return id, ch
}

func (b *linkBase) unregister(id int) {
	b.mu.Lock()
	delete(b.pending, id)
	b.mu.Unlock()
}

// resolve delivers an acknowledgement to the call waiting for it.
func (b *linkBase) resolve(id int, arg json.RawMessage) {
	b.mu.Lock()
	ch := b.pending[id]
	delete(b.pending, id)
	b.mu.Unlock()
	if ch != nil {
		ch <- arg
	}
}

func (b *linkBase) wait(ctx context.Context, id int, ch chan json.RawMessage) (json.RawMessage, error) {
	select {
	case arg := <-ch:
		return arg, nil
	case <-ctx.Done():
		b.unregister(id)
		return nil, ctx.Err()
	case <-b.done:
		b.unregister(id)
		return nil, fmt.Errorf("%w: %w", errLinkClosed, b.err)
	}
}

func (b *linkBase) write(ctx context.Context, frame string) error {
	select {
	case <-b.done:
		return fmt.Errorf("%w: %w", errLinkClosed, b.err)
	default:
	}
	if err := b.ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		b.end(fmt.Errorf("orchestrator: write: %w", err))
		return fmt.Errorf("%w: %w", errLinkClosed, err)
	}
	return nil
}

// writeTagged writes frame and returns the epoch it belongs to.
func (b *linkBase) writeTagged(ctx context.Context, frame string) (uint64, error) {
	b.tagMu.Lock()
	defer b.tagMu.Unlock()
	return b.epoch, b.write(ctx, frame)
}

// nextEpoch runs write (a pong or ping) as the start of a new epoch and
// returns the epoch number it opens.
func (b *linkBase) nextEpoch(write func() error) (uint64, error) {
	b.tagMu.Lock()
	defer b.tagMu.Unlock()
	if err := write(); err != nil {
		return 0, err
	}
	b.epoch++
	return b.epoch, nil
}

// confirm records that all writes tagged below bound have arrived.
func (b *linkBase) confirm(bound uint64) {
	if bound > b.confirmed.Load() {
		b.confirmed.Store(bound)
		select {
		case b.confirmCh <- struct{}{}:
		default:
		}
	}
}

func (b *linkBase) Confirmed() uint64                { return b.confirmed.Load() }
func (b *linkBase) ConfirmedNotify() <-chan struct{} { return b.confirmCh }

// deliver hands an inbound event to the client, giving up if the link ends.
func (b *linkBase) deliver(ev inbound) {
	select {
	case b.events <- ev:
	case <-b.done:
	}
}

// websocketURL turns the orchestrator URL into the WebSocket URL to dial and
// the Socket.IO namespace (the URL's path, as socket.io clients read it).
func websocketURL(raw, sioPath string, socketIO bool) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("orchestrator: bad orchestrator URL %q: %w", raw, err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", "", fmt.Errorf("orchestrator: orchestrator URL %q: scheme must be http, https, ws or wss", raw)
	}
	if u.Host == "" {
		return "", "", fmt.Errorf("orchestrator: orchestrator URL %q has no host", raw)
	}
	if !socketIO {
		return u.String(), "", nil
	}
	ns := strings.TrimSuffix(u.Path, "/")
	if ns == "" {
		ns = "/"
	}
	if sioPath == "" {
		sioPath = "/socket.io/"
	}
	u.Path = sioPath
	q := u.Query()
	q.Set("EIO", "4")
	q.Set("transport", "websocket")
	u.RawQuery = q.Encode()
	return u.String(), ns, nil
}
