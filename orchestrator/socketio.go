package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// sioLink is a Socket.IO v5 connection over Engine.IO v4 on one WebSocket.
type sioLink struct {
	*linkBase
	ns string
}

// dialSocketIO opens the WebSocket, reads the Engine.IO handshake, connects
// the namespace with fresh credentials and, in the event style, waits for
// auth_success. Events that arrive before the link is returned are kept.
func dialSocketIO(ctx context.Context, cfg dialConfig) (link, error) {
	wsURL, ns, err := websocketURL(cfg.url, cfg.path, true)
	if err != nil {
		return nil, err
	}
	ws, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: cfg.header})
	if err != nil {
		return nil, fmt.Errorf("orchestrator: dial %s: %w", wsURL, err)
	}
	ws.SetReadLimit(cfg.readLimit)
	l := &sioLink{linkBase: newLinkBase(ws), ns: ns}
	ok := false
	defer func() {
		if !ok {
			l.end(errors.New("orchestrator: handshake failed"))
		}
	}()

	// Engine.IO open.
	frame, err := l.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("orchestrator: Engine.IO handshake: %w", err)
	}
	e, err := parseEIO(frame)
	if err != nil {
		return nil, err
	}
	if e.Type != eioOpen {
		return nil, fmt.Errorf("%w: expected Engine.IO open, got %.100q", errPacket, frame)
	}
	hs, err := parseHandshake(e.Data)
	if err != nil {
		return nil, err
	}
	deadAfter := time.Duration(hs.PingInterval+hs.PingTimeout) * time.Millisecond
	if hs.MaxPayload > 0 && hs.MaxPayload < 1<<40 {
		l.maxPayload = int(hs.MaxPayload)
	}

	// Socket.IO CONNECT, with the credentials as the auth payload by default.
	var authData []byte
	if cfg.style != AuthEvent {
		if authData, err = json.Marshal(cfg.creds()); err != nil {
			return nil, fmt.Errorf("orchestrator: credentials: %w", err)
		}
	}
	if err := l.write(ctx, encodeSIO(sioConnect, ns, -1, authData)); err != nil {
		return nil, err
	}
	var early []inbound
	connected, authed := false, cfg.style != AuthEvent
	for !connected || !authed {
		frame, err := l.read(ctx)
		if err != nil {
			return nil, fmt.Errorf("orchestrator: Socket.IO connect: %w", err)
		}
		p, isPing, err := l.parse(frame)
		if err != nil {
			return nil, err
		}
		if isPing || p == nil {
			continue
		}
		switch p.Type {
		case sioConnectError:
			return nil, fmt.Errorf("%w: %s", ErrAuthRejected, errorMessage(p.Data))
		case sioDisconnect:
			return nil, fmt.Errorf("%w: the server disconnected during the handshake", ErrAuthRejected)
		case sioConnect:
			connected = true
			if cfg.style == AuthEvent {
				data, err := eventArgs("authenticate", cfg.creds())
				if err != nil {
					return nil, err
				}
				if err := l.write(ctx, encodeSIO(sioEvent, ns, -1, data)); err != nil {
					return nil, err
				}
			}
		case sioEvent:
			name, arg, err := p.event()
			if err != nil {
				return nil, err
			}
			switch {
			case name == "auth_success":
				authed = true
			case name == "auth_failed":
				return nil, fmt.Errorf("%w: %s", ErrAuthRejected, errorMessage(arg))
			default:
				if len(early) == MaxEarlyEvents {
					return nil, fmt.Errorf("orchestrator: more than %d events before authentication succeeded: refusing to buffer more", MaxEarlyEvents)
				}
				early = append(early, inbound{Event: name, Arg: arg, AckID: p.AckID})
			}
		}
	}
	ok = true
	go l.readLoop(deadAfter, early)
	return l, nil
}

// read reads one text frame.
func (l *sioLink) read(ctx context.Context) (string, error) {
	typ, b, err := l.ws.Read(ctx)
	if err != nil {
		return "", err
	}
	if typ != websocket.MessageText {
		return "", fmt.Errorf("%w: binary WebSocket frame (binary Socket.IO packets are not supported)", errPacket)
	}
	return string(b), nil
}

// parse handles Engine.IO-level packets itself (answering pings) and returns
// the Socket.IO packet of a message for this namespace, if any.
func (l *sioLink) parse(frame string) (*sioPacket, bool, error) {
	e, err := parseEIO(frame)
	if err != nil {
		return nil, false, err
	}
	switch e.Type {
	case eioPing:
		// Engine.IO servers send the next ping only after the previous
		// pong arrived: this ping proves that everything written before
		// our last pong was received.
		l.tagMu.Lock()
		l.confirm(l.epoch)
		l.tagMu.Unlock()
		// The pong must not wait behind a slow write elsewhere for long.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := l.nextEpoch(func() error { return l.write(ctx, string(eioPong)) })
		return nil, true, err
	case eioClose:
		return nil, false, errors.New("orchestrator: the server closed the Engine.IO session")
	case eioMessage:
		p, err := parseSIO(e.Data)
		if err != nil {
			return nil, false, err
		}
		if p.Namespace != l.ns {
			return nil, false, nil
		}
		return &p, false, nil
	}
	return nil, false, nil // open again, pong, upgrade, noop: nothing to do
}

// readLoop reads until the link ends. A ping must arrive within
// pingInterval+pingTimeout, or the link is declared dead.
func (l *sioLink) readLoop(deadAfter time.Duration, early []inbound) {
	defer close(l.events)
	watchdog := time.AfterFunc(deadAfter, func() {
		l.end(fmt.Errorf("orchestrator: dead link: no ping from the server in %s", deadAfter))
	})
	defer watchdog.Stop()
	for _, ev := range early {
		l.deliver(ev)
	}
	for {
		frame, err := l.read(context.Background())
		if errors.Is(err, errPacket) {
			continue // a binary frame
		}
		if err != nil {
			l.end(fmt.Errorf("orchestrator: read: %w", err))
			return
		}
		p, isPing, err := l.parse(frame)
		if isPing {
			watchdog.Reset(deadAfter)
		}
		if errors.Is(err, errPacket) {
			// One malformed or binary packet from the server must not
			// take the miner offline: skip it.
			continue
		}
		if err != nil {
			l.end(err)
			return
		}
		if p == nil {
			continue
		}
		switch p.Type {
		case sioEvent:
			name, arg, err := p.event()
			if err != nil {
				continue
			}
			l.deliver(inbound{Event: name, Arg: arg, AckID: p.AckID})
		case sioAck:
			l.resolve(p.AckID, p.ackArg())
		case sioDisconnect:
			l.end(errors.New("orchestrator: the server disconnected this miner"))
			return
		case sioConnectError:
			l.end(fmt.Errorf("%w: %s", ErrAuthRejected, errorMessage(p.Data)))
			return
		}
	}
}

func (l *sioLink) Emit(ctx context.Context, event string, arg any) error {
	data, err := eventArgs(event, arg)
	if err != nil {
		return fmt.Errorf("orchestrator: encode %s: %w", event, err)
	}
	return l.write(ctx, encodeSIO(sioEvent, l.ns, -1, data))
}

func (l *sioLink) Call(ctx context.Context, event string, arg any) (json.RawMessage, error) {
	data, err := eventArgs(event, arg)
	if err != nil {
		return nil, fmt.Errorf("orchestrator: encode %s: %w", event, err)
	}
	id, ch := l.register()
	if err := l.write(ctx, encodeSIO(sioEvent, l.ns, id, data)); err != nil {
		l.unregister(id)
		return nil, err
	}
	return l.wait(ctx, id, ch)
}

func (l *sioLink) Ack(ctx context.Context, id int, arg any) (uint64, error) {
	data, err := json.Marshal([]any{arg})
	if err != nil {
		return 0, fmt.Errorf("orchestrator: encode ack: %w", err)
	}
	return l.writeTagged(ctx, encodeSIO(sioAck, l.ns, id, data))
}

// Close sends a Socket.IO DISCONNECT and an Engine.IO close, then closes
// the WebSocket without waiting for the peer's close frame.
func (l *sioLink) Close(reason string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.write(ctx, encodeSIO(sioDisconnect, l.ns, -1, nil))
	_ = l.write(ctx, string(eioClose))
	l.end(fmt.Errorf("orchestrator: closed by the miner: %s", reason))
}

// errorMessage extracts {"message": "..."} from a refusal, or returns the
// raw JSON.
func errorMessage(data json.RawMessage) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &m) == nil && m.Message != "" {
		return m.Message
	}
	var s string
	if json.Unmarshal(data, &s) == nil && s != "" {
		return s
	}
	if len(data) == 0 {
		return "no reason given"
	}
	return fmt.Sprintf("%.200s", data)
}
