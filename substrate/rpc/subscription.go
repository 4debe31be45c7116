package rpc

import (
	"context"
	"encoding/json"
	"sync"
)

// DefaultSubscriptionBuffer is the number of undelivered notifications a
// subscription holds before it is ended with ErrSlowConsumer.
const DefaultSubscriptionBuffer = 256

// Subscription is a live server subscription. Notifications arrive on the
// channel returned by Notifications, which is closed when the subscription
// ends; Err then says why (nil after Unsubscribe).
//
// On the WebSocket transport a Subscription survives reconnects: it is
// re-established on the new connection, its channel stays open and a value
// is sent on Reconnected. Notifications sent while disconnected are lost.
type Subscription struct {
	ch          chan json.RawMessage
	reconnected chan struct{}
	done        chan struct{}
	unsubscribe func(ctx context.Context) error

	mu     sync.Mutex
	closed bool
	err    error
}

func newSubscription(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = DefaultSubscriptionBuffer
	}
	return &Subscription{
		ch:          make(chan json.RawMessage, buffer),
		reconnected: make(chan struct{}, 1),
		done:        make(chan struct{}),
	}
}

// Notifications returns the channel of notification results (the
// "result" member of each notification's params), in arrival order.
func (s *Subscription) Notifications() <-chan json.RawMessage { return s.ch }

// Reconnected receives a value (coalesced) each time the subscription was
// re-established on a new connection, after which earlier notifications
// may be missing: re-read the state you follow.
func (s *Subscription) Reconnected() <-chan struct{} { return s.reconnected }

// Done is closed when the subscription has ended.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err returns why the subscription ended: nil while it is live and after
// Unsubscribe, otherwise an error such as ErrConnectionLost, ErrClosed,
// ErrSlowConsumer or a server *Error.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Unsubscribe ends the subscription: its channel is closed at once, then
// the server is told to stop, bounded by ctx. Calling it again, or after
// the subscription ended, does nothing and returns nil.
func (s *Subscription) Unsubscribe(ctx context.Context) error {
	if !s.end(nil) {
		return nil
	}
	if s.unsubscribe == nil {
		return nil
	}
	return s.unsubscribe(ctx)
}

// deliver queues one notification without blocking. It returns false when
// the buffer is full (the caller ends the subscription with
// ErrSlowConsumer) and true otherwise, including when already ended.
func (s *Subscription) deliver(result json.RawMessage) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return true
	}
	select {
	case s.ch <- result:
		return true
	default:
		return false
	}
}

// signalReconnected notes a re-subscription without blocking.
func (s *Subscription) signalReconnected() {
	select {
	case s.reconnected <- struct{}{}:
	default:
	}
}

// end closes the subscription with err; it reports whether this call was
// the one that ended it.
func (s *Subscription) end(err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.closed = true
	s.err = err
	close(s.ch)
	close(s.done)
	return true
}

func (s *Subscription) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Feed is the producer side of a Subscription, for Transport
// implementations outside this package (an in-process node, a test fake).
type Feed struct{ s *Subscription }

// NewSubscription returns a Subscription and the Feed that fills it.
// unsubscribe, if non-nil, is called by Subscription.Unsubscribe after the
// channel is closed. buffer <= 0 means DefaultSubscriptionBuffer.
func NewSubscription(buffer int, unsubscribe func(ctx context.Context) error) (*Subscription, *Feed) {
	s := newSubscription(buffer)
	s.unsubscribe = unsubscribe
	return s, &Feed{s: s}
}

// Send queues one notification without blocking. When the buffer is full
// it ends the subscription with ErrSlowConsumer and returns false.
func (f *Feed) Send(result json.RawMessage) bool {
	if f.s.deliver(result) {
		return !f.s.isClosed()
	}
	f.s.end(ErrSlowConsumer)
	return false
}

// Reconnected signals a re-subscription to the consumer.
func (f *Feed) Reconnected() { f.s.signalReconnected() }

// End ends the subscription with err (nil: ended normally by the server).
func (f *Feed) End(err error) { f.s.end(err) }

// Done is closed when the subscription has ended, from either side.
func (f *Feed) Done() <-chan struct{} { return f.s.done }
