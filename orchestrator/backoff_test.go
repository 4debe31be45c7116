package orchestrator

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second}
	tests := []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{0, 0, 0},
		{0, 0.5, 50 * time.Millisecond},
		{1, 0.5, 100 * time.Millisecond},
		{3, 0.999, 799200 * time.Microsecond},
		{4, 0.5, 500 * time.Millisecond}, // 1.6 s capped at 1 s
		{1000, 0.5, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := b.delay(tt.attempt, tt.r); got != tt.want {
			t.Errorf("delay(%d, %v) = %v, want %v", tt.attempt, tt.r, got, tt.want)
		}
	}
	if got := (Backoff{}).delay(100, 0.999999); got > 60*time.Second || got < 59*time.Second {
		t.Errorf("default cap: %v", got)
	}
	for i := 0; i < 100; i++ {
		if d := b.Delay(i); d < 0 || d >= time.Second {
			t.Fatalf("Delay(%d) = %v out of [0, 1s)", i, d)
		}
	}
}

func TestWebsocketURL(t *testing.T) {
	tests := []struct {
		in, path string
		sio      bool
		want, ns string
		wantErr  bool
	}{
		{in: "http://127.0.0.1:3000", sio: true, want: "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket", ns: "/"},
		{in: "https://orch.example/miners", sio: true, want: "wss://orch.example/socket.io/?EIO=4&transport=websocket", ns: "/miners"},
		{in: "ws://h:1/", path: "/io/", sio: true, want: "ws://h:1/io/?EIO=4&transport=websocket", ns: "/"},
		{in: "ws://h:1/ws", want: "ws://h:1/ws"},
		{in: "https://h/ws?token=1", want: "wss://h/ws?token=1"},
		{in: "ftp://h", wantErr: true},
		{in: "http://", wantErr: true},
		{in: "::", wantErr: true},
	}
	for _, tt := range tests {
		got, ns, err := websocketURL(tt.in, tt.path, tt.sio)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err = %v", tt.in, err)
			continue
		}
		if got != tt.want || ns != tt.ns {
			t.Errorf("%q → %q %q, want %q %q", tt.in, got, ns, tt.want, tt.ns)
		}
	}
}

func TestSignCredentials(t *testing.T) {
	k := testKey(t, "//Alice")
	now := time.Unix(1700000000, 0)
	c := SignCredentials(k, "", now)
	if c.Hotkey != "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" || c.Nonce != "1700000000" || len(c.Signature) != 130 {
		t.Fatalf("%+v", c)
	}
	sig := mustHex(t, c.Signature)
	if !verify(k, Message(c.Hotkey, c.Nonce, DefaultPurpose), sig) {
		t.Error("signature does not verify")
	}
	if verify(k, Message(c.Hotkey, c.Nonce, "other"), sig) {
		t.Error("signature verifies for another purpose")
	}
	if c2 := SignCredentials(k, "", now); c2.Signature == c.Signature {
		t.Error("two signatures are identical: sr25519 signatures are randomized")
	}
}
