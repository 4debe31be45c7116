package orchestrator

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Engine.IO v4 packet types (the first character of a WebSocket text frame).
const (
	eioOpen    = '0'
	eioClose   = '1'
	eioPing    = '2'
	eioPong    = '3'
	eioMessage = '4'
	eioUpgrade = '5'
	eioNoop    = '6'
)

// Socket.IO v5 packet types (the first character after an Engine.IO '4').
const (
	sioConnect      = 0
	sioDisconnect   = 1
	sioEvent        = 2
	sioAck          = 3
	sioConnectError = 4
	sioBinaryEvent  = 5
	sioBinaryAck    = 6
)

// maxAckID bounds ack ids so that parsing never overflows; socket.io
// counters stay far below it.
const maxAckID = 1<<31 - 1

// errPacket is wrapped by every parse error.
var errPacket = errors.New("orchestrator: malformed packet")

// eioPacket is one Engine.IO packet.
type eioPacket struct {
	Type byte
	Data string
}

// parseEIO splits an Engine.IO WebSocket frame into its type and data.
func parseEIO(frame string) (eioPacket, error) {
	if frame == "" {
		return eioPacket{}, fmt.Errorf("%w: empty Engine.IO frame", errPacket)
	}
	t := frame[0]
	if t < eioOpen || t > eioNoop {
		return eioPacket{}, fmt.Errorf("%w: unknown Engine.IO packet type %q", errPacket, t)
	}
	return eioPacket{Type: t, Data: frame[1:]}, nil
}

// eioHandshake is the JSON body of the Engine.IO open packet.
type eioHandshake struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"` // milliseconds
	PingTimeout  int64    `json:"pingTimeout"`  // milliseconds
	MaxPayload   int64    `json:"maxPayload"`
}

func parseHandshake(data string) (eioHandshake, error) {
	var h eioHandshake
	if err := json.Unmarshal([]byte(data), &h); err != nil {
		return h, fmt.Errorf("%w: Engine.IO open: %w", errPacket, err)
	}
	if h.SID == "" || h.PingInterval <= 0 || h.PingTimeout <= 0 {
		return h, fmt.Errorf("%w: Engine.IO open lacks sid, pingInterval or pingTimeout: %.200s", errPacket, data)
	}
	return h, nil
}

// sioPacket is one Socket.IO packet.
type sioPacket struct {
	Type      int
	Namespace string // "/" when absent
	AckID     int    // -1 when absent
	Data      json.RawMessage
}

// parseSIO parses the Socket.IO packet carried by an Engine.IO message:
// type digit, optional "/namespace,", optional ack id digits, JSON payload.
// Binary packets are refused: minerkit's jobs are JSON.
func parseSIO(s string) (sioPacket, error) {
	p := sioPacket{Namespace: "/", AckID: -1}
	if s == "" {
		return p, fmt.Errorf("%w: empty Socket.IO packet", errPacket)
	}
	if s[0] < '0' || s[0] > '6' {
		return p, fmt.Errorf("%w: unknown Socket.IO packet type %q", errPacket, s[0])
	}
	p.Type = int(s[0] - '0')
	if p.Type == sioBinaryEvent || p.Type == sioBinaryAck {
		return p, fmt.Errorf("%w: binary Socket.IO packets are not supported", errPacket)
	}
	rest := s[1:]
	if strings.HasPrefix(rest, "/") {
		i := strings.IndexByte(rest, ',')
		if i < 0 {
			// A namespace with nothing after it ("41/admin") is legal.
			p.Namespace, rest = rest, ""
		} else {
			p.Namespace, rest = rest[:i], rest[i+1:]
		}
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n > 0 {
		id, err := strconv.Atoi(rest[:n])
		if err != nil || id > maxAckID {
			return p, fmt.Errorf("%w: Socket.IO ack id %.20q out of range", errPacket, rest[:n])
		}
		p.AckID, rest = id, rest[n:]
	}
	if rest != "" {
		if !json.Valid([]byte(rest)) {
			return p, fmt.Errorf("%w: Socket.IO payload is not JSON: %.200q", errPacket, rest)
		}
		p.Data = json.RawMessage(rest)
	}
	switch p.Type {
	case sioEvent:
		if len(p.Data) == 0 || p.Data[0] != '[' {
			return p, fmt.Errorf("%w: Socket.IO event payload must be an array", errPacket)
		}
	case sioAck:
		if p.AckID < 0 || len(p.Data) == 0 || p.Data[0] != '[' {
			return p, fmt.Errorf("%w: Socket.IO ack needs an id and an array payload", errPacket)
		}
	}
	return p, nil
}

// event splits an EVENT packet's payload into the event name and its first
// argument (nil when the event has none).
func (p sioPacket) event() (name string, arg json.RawMessage, err error) {
	var args []json.RawMessage
	if err := json.Unmarshal(p.Data, &args); err != nil {
		return "", nil, fmt.Errorf("%w: Socket.IO event: %w", errPacket, err)
	}
	if len(args) == 0 {
		return "", nil, fmt.Errorf("%w: Socket.IO event without a name", errPacket)
	}
	if err := json.Unmarshal(args[0], &name); err != nil {
		return "", nil, fmt.Errorf("%w: Socket.IO event name is not a string", errPacket)
	}
	if len(args) > 1 {
		arg = args[1]
	}
	return name, arg, nil
}

// ackArg returns the first argument of an ACK packet (nil when none).
func (p sioPacket) ackArg() json.RawMessage {
	var args []json.RawMessage
	if json.Unmarshal(p.Data, &args) != nil || len(args) == 0 {
		return nil
	}
	return args[0]
}

// encodeSIO builds the Engine.IO message frame ("4" + Socket.IO packet).
// data must already be JSON (or nil).
func encodeSIO(typ int, namespace string, ackID int, data []byte) string {
	var b strings.Builder
	b.Grow(8 + len(namespace) + len(data))
	b.WriteByte(eioMessage)
	b.WriteByte(byte('0' + typ))
	if namespace != "" && namespace != "/" {
		b.WriteString(namespace)
		b.WriteByte(',')
	}
	if ackID >= 0 {
		b.WriteString(strconv.Itoa(ackID))
	}
	b.Write(data)
	return b.String()
}

// eventArgs encodes ["name", arg] (arg omitted when nil).
func eventArgs(name string, arg any) ([]byte, error) {
	if arg == nil {
		return json.Marshal([]any{name})
	}
	return json.Marshal([]any{name, arg})
}
