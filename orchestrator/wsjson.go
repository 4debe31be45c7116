package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// wsMessage is one message of the plain WebSocket transport: an event
// {"event": name, "data": arg, "id": n} (id present when an acknowledgement
// is wanted) or an acknowledgement {"ack": n, "data": result}.
type wsMessage struct {
	Event string          `json:"event,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
	ID    *int            `json:"id,omitempty"`
	Ack   *int            `json:"ack,omitempty"`
}

// parseWSMessage decodes one plain-WebSocket message.
func parseWSMessage(b []byte) (wsMessage, error) {
	var m wsMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%w: WebSocket message: %w", errPacket, err)
	}
	switch {
	case m.Ack != nil:
		if *m.Ack < 0 || *m.Ack > maxAckID {
			return m, fmt.Errorf("%w: WebSocket ack id %d out of range", errPacket, *m.Ack)
		}
	case m.Event == "":
		return m, fmt.Errorf("%w: WebSocket message has neither event nor ack", errPacket)
	}
	if m.ID != nil && (*m.ID < 0 || *m.ID > maxAckID) {
		return m, fmt.Errorf("%w: WebSocket message id %d out of range", errPacket, *m.ID)
	}
	return m, nil
}

// wsLink is the plain WebSocket JSON transport. The client pings; a ping
// unanswered within pingTimeout ends the link.
type wsLink struct {
	*linkBase
}

// dialWS connects and authenticates: with the default style the first
// message is {"event":"connect","data":credentials}, answered by "connect"
// or "connect_error"; with the event style it is "authenticate", answered by
// "auth_success" or "auth_failed".
func dialWS(ctx context.Context, cfg dialConfig) (link, error) {
	wsURL, _, err := websocketURL(cfg.url, "", false)
	if err != nil {
		return nil, err
	}
	ws, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: cfg.header})
	if err != nil {
		return nil, fmt.Errorf("orchestrator: dial %s: %w", wsURL, err)
	}
	ws.SetReadLimit(cfg.readLimit)
	l := &wsLink{linkBase: newLinkBase(ws)}
	ok := false
	defer func() {
		if !ok {
			l.end(errors.New("orchestrator: handshake failed"))
		}
	}()
	event, okEvent, failEvent := "connect", "connect", "connect_error"
	if cfg.style == AuthEvent {
		event, okEvent, failEvent = "authenticate", "auth_success", "auth_failed"
	}
	if err := l.send(ctx, wsMessage{Event: event}, cfg.creds()); err != nil {
		return nil, err
	}
	var early []inbound
	for {
		m, err := l.read(ctx)
		if err != nil {
			return nil, fmt.Errorf("orchestrator: WebSocket authentication: %w", err)
		}
		if m.Ack != nil {
			continue
		}
		if m.Event == okEvent {
			break
		}
		if m.Event == failEvent {
			return nil, fmt.Errorf("%w: %s", ErrAuthRejected, errorMessage(m.Data))
		}
		if len(early) == MaxEarlyEvents {
			return nil, fmt.Errorf("orchestrator: more than %d events before authentication succeeded: refusing to buffer more", MaxEarlyEvents)
		}
		early = append(early, m.inbound())
	}
	ok = true
	go l.readLoop(early)
	go l.pingLoop(cfg.pingEvery, cfg.pingTimeout)
	return l, nil
}

func (m wsMessage) inbound() inbound {
	ev := inbound{Event: m.Event, Arg: m.Data, AckID: -1}
	if m.ID != nil {
		ev.AckID = *m.ID
	}
	return ev
}

func (l *wsLink) read(ctx context.Context) (wsMessage, error) {
	_, b, err := l.ws.Read(ctx)
	if err != nil {
		return wsMessage{}, err
	}
	return parseWSMessage(b)
}

func (l *wsLink) send(ctx context.Context, m wsMessage, data any) error {
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("orchestrator: encode %s: %w", m.Event, err)
		}
		m.Data = b
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("orchestrator: encode message: %w", err)
	}
	return l.write(ctx, string(b))
}

func (l *wsLink) readLoop(early []inbound) {
	defer close(l.events)
	for _, ev := range early {
		l.deliver(ev)
	}
	for {
		m, err := l.read(context.Background())
		if errors.Is(err, errPacket) {
			continue // skip a malformed message rather than drop the link
		}
		if err != nil {
			l.end(fmt.Errorf("orchestrator: read: %w", err))
			return
		}
		if m.Ack != nil {
			l.resolve(*m.Ack, m.Data)
			continue
		}
		l.deliver(m.inbound())
	}
}

func (l *wsLink) pingLoop(every, timeout time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			// The pong to a ping sent after a write proves the write
			// arrived.
			epoch, _ := l.nextEpoch(func() error { return nil })
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			err := l.ws.Ping(ctx)
			cancel()
			if err != nil {
				l.end(fmt.Errorf("orchestrator: dead link: no pong within %s: %w", timeout, err))
				return
			}
			l.confirm(epoch)
		}
	}
}

func (l *wsLink) Emit(ctx context.Context, event string, arg any) error {
	return l.send(ctx, wsMessage{Event: event}, arg)
}

func (l *wsLink) Call(ctx context.Context, event string, arg any) (json.RawMessage, error) {
	id, ch := l.register()
	if err := l.send(ctx, wsMessage{Event: event, ID: &id}, arg); err != nil {
		l.unregister(id)
		return nil, err
	}
	return l.wait(ctx, id, ch)
}

func (l *wsLink) Ack(ctx context.Context, id int, arg any) (uint64, error) {
	b, err := json.Marshal(arg)
	if err != nil {
		return 0, fmt.Errorf("orchestrator: encode ack: %w", err)
	}
	frame, err := json.Marshal(wsMessage{Ack: &id, Data: b})
	if err != nil {
		return 0, fmt.Errorf("orchestrator: encode ack: %w", err)
	}
	return l.writeTagged(ctx, string(frame))
}

func (l *wsLink) Close(reason string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.send(ctx, wsMessage{Event: "disconnect"}, map[string]string{"reason": reason})
	l.end(fmt.Errorf("orchestrator: closed by the miner: %s", reason))
}
