package orchestrator

import (
	"strconv"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// AuthStyle selects how the miner proves its hotkey.
type AuthStyle string

const (
	// AuthConnect (the default) sends the credentials as the Socket.IO
	// connect auth payload (plain WebSocket: a first "connect" message).
	AuthConnect AuthStyle = "connect"
	// AuthEvent connects first, then emits "authenticate" with the
	// credentials and waits for "auth_success" or "auth_failed", as
	// Chutes (subnet 64) miners do.
	AuthEvent AuthStyle = "event"
)

// DefaultPurpose is the last part of the signed message
// "<hotkey>:<nonce>:<purpose>".
const DefaultPurpose = "minerkit"

// Credentials prove the hotkey to the orchestrator. They are built afresh for
// every connection attempt.
type Credentials struct {
	Hotkey    string `json:"hotkey"`    // SS58
	Nonce     string `json:"nonce"`     // Unix seconds, decimal
	Signature string `json:"signature"` // 0x + hex sr25519 signature
}

// Message returns the signed message "<hotkey>:<nonce>:<purpose>".
func Message(hotkey, nonce, purpose string) []byte {
	return []byte(hotkey + ":" + nonce + ":" + purpose)
}

// SignCredentials signs "<hotkey>:<unix seconds of now>:<purpose>".
func SignCredentials(s keys.Signer, purpose string, now time.Time) Credentials {
	if purpose == "" {
		purpose = DefaultPurpose
	}
	hotkey := s.Public().Address()
	nonce := strconv.FormatInt(now.Unix(), 10)
	sig := s.Sign(Message(hotkey, nonce, purpose))
	return Credentials{Hotkey: hotkey, Nonce: nonce, Signature: sig.Hex()}
}
