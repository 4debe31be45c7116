package wallet

import (
	"os"
	"testing"
)

// BenchmarkColdkeyDecrypt opens a real $NACL coldkey: one Argon2i
// derivation (8 passes over 512 MiB) and a secretbox open. Run it alone; it
// dominates any command that needs the coldkey.
func BenchmarkColdkeyDecrypt(b *testing.B) {
	w, err := New(b.TempDir(), "bench", "default")
	if err != nil {
		b.Fatal(err)
	}
	w.kdf = cheapKDF // keep the setup cheap; the loop below uses Argon2i
	if err := w.CreateColdkey(mustKeypair(b, "//Alice"), "", []byte("pw"), false); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(w.ColdkeyFile())
	if err != nil {
		b.Fatal(err)
	}
	data, err = Encrypt(mustDecrypt(b, data), []byte("pw"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(w.ColdkeyFile(), data, 0o600); err != nil {
		b.Fatal(err)
	}
	w.kdf = nil
	for b.Loop() {
		if _, err := w.Coldkey(Password("pw")); err != nil {
			b.Fatal(err)
		}
	}
}

func mustDecrypt(b *testing.B, data []byte) []byte {
	out, err := decrypt(data, []byte("pw"), cheapKDF)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkHotkeyLoad reads and parses a plaintext hotkey, as every miner
// start does.
func BenchmarkHotkeyLoad(b *testing.B) {
	w, err := New(b.TempDir(), "bench", "default")
	if err != nil {
		b.Fatal(err)
	}
	if err := w.CreateHotkey(mustKeypair(b, "//Alice"), "", nil, false); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := w.HotkeyPair(nil); err != nil {
			b.Fatal(err)
		}
	}
}
