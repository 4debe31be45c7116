package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Stream is a typed view of a Subscription: C delivers decoded values and
// is closed when the subscription ends; Err then says why (nil after
// Unsubscribe or, for extrinsic watches, after a terminal status).
//
// Read C until it is closed or call Unsubscribe: a stream abandoned with
// values pending keeps its goroutine blocked.
type Stream[T any] struct {
	sub      *Subscription
	c        chan T
	stop     chan struct{}
	stopOnce sync.Once

	mu  sync.Mutex
	err error
}

// unsubscribeTimeout bounds the unsubscribe a Stream sends by itself
// (after a terminal status or an undecodable notification).
const unsubscribeTimeout = 5 * time.Second

func subscribe[T any](ctx context.Context, t Transport, method, unsubscribe string, params []any,
	terminal func(T) bool, decode func(json.RawMessage) (T, error)) (*Stream[T], error) {
	sub, err := t.Subscribe(ctx, method, unsubscribe, params...)
	if err != nil {
		return nil, err
	}
	s := &Stream[T]{sub: sub, c: make(chan T), stop: make(chan struct{})}
	go s.run(method, terminal, decode)
	return s, nil
}

func (s *Stream[T]) run(method string, terminal func(T) bool, decode func(json.RawMessage) (T, error)) {
	defer close(s.c)
	for {
		select {
		case raw, ok := <-s.sub.Notifications():
			if !ok {
				s.setErr(s.sub.Err())
				return
			}
			v, err := decode(raw)
			if err != nil {
				s.setErr(fmt.Errorf("rpc: %s notification: %w: %w", method, ErrBadResponse, err))
				go s.unsubscribeQuietly()
				return
			}
			select {
			case s.c <- v:
			case <-s.stop:
				return
			}
			if terminal != nil && terminal(v) {
				go s.unsubscribeQuietly()
				return
			}
		case <-s.stop:
			return
		}
	}
}

func (s *Stream[T]) unsubscribeQuietly() {
	ctx, cancel := context.WithTimeout(context.Background(), unsubscribeTimeout)
	defer cancel()
	_ = s.sub.Unsubscribe(ctx)
}

func (s *Stream[T]) setErr(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// C returns the channel of decoded notifications.
func (s *Stream[T]) C() <-chan T { return s.c }

// Err returns why the stream ended; valid once C is closed.
func (s *Stream[T]) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Reconnected receives a value each time the subscription was
// re-established after a reconnect (values may have been missed).
func (s *Stream[T]) Reconnected() <-chan struct{} { return s.sub.Reconnected() }

// Unsubscribe ends the stream and tells the node, bounded by ctx. It is
// safe to call more than once.
func (s *Stream[T]) Unsubscribe(ctx context.Context) error {
	s.stopOnce.Do(func() { close(s.stop) })
	return s.sub.Unsubscribe(ctx)
}

// StatusKind names an extrinsic's transaction-pool status.
type StatusKind string

// Extrinsic statuses sent by author_submitAndWatchExtrinsic.
const (
	StatusFuture          StatusKind = "future"
	StatusReady           StatusKind = "ready"
	StatusBroadcast       StatusKind = "broadcast"
	StatusInBlock         StatusKind = "inBlock"
	StatusRetracted       StatusKind = "retracted"
	StatusFinalityTimeout StatusKind = "finalityTimeout"
	StatusFinalized       StatusKind = "finalized"
	StatusUsurped         StatusKind = "usurped"
	StatusDropped         StatusKind = "dropped"
	StatusInvalid         StatusKind = "invalid"
)

// ExtrinsicStatus is one status update of a watched extrinsic.
type ExtrinsicStatus struct {
	Kind StatusKind
	// Block is the block hash for inBlock, retracted, finalityTimeout and
	// finalized; for usurped, the hash of the transaction that replaced it.
	Block Hash
	// Peers lists the peers it was broadcast to (broadcast only).
	Peers []string
}

// Terminal reports whether no further status will follow.
func (s ExtrinsicStatus) Terminal() bool {
	switch s.Kind {
	case StatusFinalized, StatusUsurped, StatusDropped, StatusInvalid, StatusFinalityTimeout:
		return true
	}
	return false
}

// UnmarshalJSON reads "ready" or {"inBlock": "0x…"} forms. Unknown kinds
// are kept as they are, so a newer node does not break the stream.
func (s *ExtrinsicStatus) UnmarshalJSON(b []byte) error {
	*s = ExtrinsicStatus{}
	if len(b) > 0 && b[0] == '"' {
		var k string
		if err := json.Unmarshal(b, &k); err != nil {
			return fmt.Errorf("rpc: extrinsic status: %w", err)
		}
		s.Kind = StatusKind(k)
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("rpc: extrinsic status: %w", err)
	}
	if len(m) != 1 {
		return fmt.Errorf("rpc: extrinsic status object has %d keys, want 1", len(m))
	}
	for k, v := range m {
		s.Kind = StatusKind(k)
		switch s.Kind {
		case StatusBroadcast:
			if err := json.Unmarshal(v, &s.Peers); err != nil {
				return fmt.Errorf("rpc: extrinsic status broadcast: %w", err)
			}
		case StatusInBlock, StatusRetracted, StatusFinalityTimeout, StatusFinalized, StatusUsurped:
			if err := json.Unmarshal(v, &s.Block); err != nil {
				return fmt.Errorf("rpc: extrinsic status %s: %w", k, err)
			}
		}
	}
	return nil
}

// MarshalJSON writes the node's form.
func (s ExtrinsicStatus) MarshalJSON() ([]byte, error) {
	switch s.Kind {
	case StatusBroadcast:
		return json.Marshal(map[string]any{string(s.Kind): s.Peers})
	case StatusInBlock, StatusRetracted, StatusFinalityTimeout, StatusFinalized, StatusUsurped:
		return json.Marshal(map[string]any{string(s.Kind): s.Block})
	}
	return json.Marshal(string(s.Kind))
}
