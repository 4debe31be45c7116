package orchestrator

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/keys"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verify(k *keys.Keypair, msg, sig []byte) bool { return keys.Verify(k.Public(), msg, sig) }
