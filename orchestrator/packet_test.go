package orchestrator

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseSIO(t *testing.T) {
	tests := []struct {
		in      string
		typ     int
		ns      string
		ack     int
		data    string
		wantErr bool
	}{
		{in: "0", typ: sioConnect, ns: "/", ack: -1},
		{in: `0{"token":"x"}`, typ: sioConnect, ns: "/", ack: -1, data: `{"token":"x"}`},
		{in: `0/miners,{"sid":"a"}`, typ: sioConnect, ns: "/miners", ack: -1, data: `{"sid":"a"}`},
		{in: "1", typ: sioDisconnect, ns: "/", ack: -1},
		{in: "1/admin", typ: sioDisconnect, ns: "/admin", ack: -1},
		{in: "1/admin,", typ: sioDisconnect, ns: "/admin", ack: -1},
		{in: `2["job",{"id":"1"}]`, typ: sioEvent, ns: "/", ack: -1, data: `["job",{"id":"1"}]`},
		{in: `27["job",{"id":"1"}]`, typ: sioEvent, ns: "/", ack: 7, data: `["job",{"id":"1"}]`},
		{in: `2/m,12["x"]`, typ: sioEvent, ns: "/m", ack: 12, data: `["x"]`},
		{in: `37[{"ok":true}]`, typ: sioAck, ns: "/", ack: 7, data: `[{"ok":true}]`},
		{in: `4{"message":"stale nonce"}`, typ: sioConnectError, ns: "/", ack: -1, data: `{"message":"stale nonce"}`},
		{in: "", wantErr: true},
		{in: "9", wantErr: true},
		{in: `51-["x",{"_placeholder":true,"num":0}]`, wantErr: true},
		{in: `2`, wantErr: true},
		{in: `2{"a":1}`, wantErr: true},
		{in: `2["x"`, wantErr: true},
		{in: `3["x"]`, wantErr: true},
		{in: `399999999999999999999["x"]`, wantErr: true},
		{in: `2x`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := parseSIO(tt.in)
			if tt.wantErr {
				if !errors.Is(err, errPacket) {
					t.Fatalf("parseSIO(%q) err = %v, want errPacket", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Type != tt.typ || p.Namespace != tt.ns || p.AckID != tt.ack || string(p.Data) != tt.data {
				t.Errorf("got %+v (data %s)", p, p.Data)
			}
		})
	}
}

func TestSIORoundTrip(t *testing.T) {
	data, _ := eventArgs("job", map[string]string{"id": "9"})
	frame := encodeSIO(sioEvent, "/miners", 42, data)
	if frame != `42/miners,42["job",{"id":"9"}]` {
		t.Fatalf("frame = %s", frame)
	}
	e, err := parseEIO(frame)
	if err != nil || e.Type != eioMessage {
		t.Fatal(e, err)
	}
	p, err := parseSIO(e.Data)
	if err != nil {
		t.Fatal(err)
	}
	name, arg, err := p.event()
	if err != nil || name != "job" || string(arg) != `{"id":"9"}` || p.AckID != 42 || p.Namespace != "/miners" {
		t.Fatalf("%q %s %v %+v", name, arg, err, p)
	}
	if got := encodeSIO(sioAck, "/", 3, []byte(`[1]`)); got != "433[1]" {
		t.Errorf("ack frame = %s", got)
	}
}

func TestParseHandshake(t *testing.T) {
	h, err := parseHandshake(`{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
	if err != nil || h.SID != "abc" || h.PingInterval != 25000 || h.MaxPayload != 1e6 {
		t.Fatal(h, err)
	}
	for _, bad := range []string{``, `{}`, `{"sid":"a"}`, `[1]`, `{"sid":"a","pingInterval":-1,"pingTimeout":1}`} {
		if _, err := parseHandshake(bad); !errors.Is(err, errPacket) {
			t.Errorf("parseHandshake(%q) err = %v", bad, err)
		}
	}
}

// FuzzParsePacket feeds arbitrary frames through the whole inbound parse
// path: it must never panic, and whatever it accepts must re-encode to a
// frame that parses to the same packet.
func FuzzParsePacket(f *testing.F) {
	for _, s := range []string{
		`0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
		"2", "3", "1", "6", `40{"sid":"a"}`, `40/m,{"sid":"a"}`, `41`, `44{"message":"no"}`,
		`427["job",{"id":"1","type":"inference","payload":{"n":3}}]`, `437[{"ok":true}]`,
		`42/x,["results",[]]`, `451-["x",{"_placeholder":true}]`, "4", "42", `42[`, `4299999999999[]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, frame string) {
		e, err := parseEIO(frame)
		if err != nil {
			return
		}
		switch e.Type {
		case eioOpen:
			_, _ = parseHandshake(e.Data)
		case eioMessage:
			p, err := parseSIO(e.Data)
			if err != nil {
				return
			}
			if p.Type == sioEvent {
				_, _, _ = p.event()
			}
			if p.Type == sioAck {
				_ = p.ackArg()
			}
			var compact []byte
			if len(p.Data) > 0 {
				compact = p.Data
			}
			again := encodeSIO(p.Type, p.Namespace, p.AckID, compact)
			e2, err := parseEIO(again)
			if err != nil {
				t.Fatalf("re-encoded frame %q: %v", again, err)
			}
			p2, err := parseSIO(e2.Data)
			if err != nil {
				// "1/ns," and "1/ns" differ only in a trailing comma; both
				// are accepted, so the re-encoding must be too.
				t.Fatalf("re-encoded frame %q of %q: %v", again, frame, err)
			}
			if p2.Type != p.Type || p2.AckID != p.AckID || !json.Valid(p2.Data) && len(p2.Data) > 0 {
				t.Fatalf("round trip %q → %q changed the packet: %+v vs %+v", frame, again, p, p2)
			}
		}
	})
}

func TestParseWSMessage(t *testing.T) {
	tests := []struct {
		in      string
		event   string
		ackID   int
		isAck   bool
		wantErr bool
	}{
		{in: `{"event":"job","data":{"id":"1"},"id":3}`, event: "job", ackID: 3},
		{in: `{"event":"auth_success"}`, event: "auth_success", ackID: -1},
		{in: `{"ack":4,"data":{"ok":true}}`, isAck: true, ackID: -1},
		{in: `{"data":1}`, wantErr: true},
		{in: `{"ack":-1}`, wantErr: true},
		{in: `{"event":"x","id":-5}`, wantErr: true},
		{in: `{"event":"x","id":1e12}`, wantErr: true},
		{in: `[]`, wantErr: true},
		{in: ``, wantErr: true},
	}
	for _, tt := range tests {
		m, err := parseWSMessage([]byte(tt.in))
		if tt.wantErr {
			if !errors.Is(err, errPacket) {
				t.Errorf("%s: err = %v, want errPacket", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if tt.isAck != (m.Ack != nil) {
			t.Errorf("%s: ack = %v", tt.in, m.Ack)
		}
		if ev := m.inbound(); !tt.isAck && (ev.Event != tt.event || ev.AckID != tt.ackID) {
			t.Errorf("%s: inbound %+v", tt.in, ev)
		}
	}
}

// FuzzParseWSMessage: the plain WebSocket transport's decoder never panics
// and never accepts an out-of-range id.
func FuzzParseWSMessage(f *testing.F) {
	for _, s := range []string{`{"event":"job","data":{"id":"1","type":"inference","payload":{}},"id":0}`,
		`{"ack":1,"data":{}}`, `{"event":"connect_error","data":{"message":"stale nonce"}}`, `{"ack":1e30}`, `null`, `{"id":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseWSMessage(b)
		if err != nil {
			return
		}
		if m.Ack == nil && m.Event == "" {
			t.Fatalf("accepted a message with neither event nor ack: %q", b)
		}
		if ev := m.inbound(); ev.AckID < -1 || ev.AckID > maxAckID {
			t.Fatalf("ack id %d out of range", ev.AckID)
		}
	})
}
