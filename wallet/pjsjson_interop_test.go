package wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
	"github.com/minerkit/minerkit/keys"
)

// TestPolkadotJSONInterop restores backups that polkadot-js's Keyring
// exports (pair.toJson, with its own scrypt parameters, N=2^17 in 14.x) from
// random mnemonics and SURIs, soft derivation included: Go gets the same
// public key, and a signature by the restored key verifies in polkadot-js.
// Each encrypted backup costs one scrypt derivation (128 MiB, about 0.25 s)
// on each side.
func TestPolkadotJSONInterop(t *testing.T) {
	items := []map[string]any{
		{"words": 12, "password": "correct horse"},
		{"words": 24, "path": "//hard", "password": "pw", "ss58Format": 0},
		{"words": 15, "path": "//miner/soft", "password": "ünïcödé password"},
		{"words": 21, "path": "/soft/7///suri-pw", "password": "p"},
		{"suri": "//Alice"},
		{"words": 18, "path": "//0/soft", "ss58Format": 2},
		{"words": 12, "path": "//hot", "password": "old", "params": map[string]int{"N": 1 << 15, "p": 1, "r": 8}},
		{"words": 12, "password": "preset", "params": map[string]int{"N": 1 << 16, "p": 2, "r": 8}},
	}
	var out struct {
		Results []struct {
			Backups []struct {
				SURI      string          `json:"suri"`
				JSON      json.RawMessage `json:"json"`
				PublicKey string          `json:"publicKey"`
				Address   string          `json:"address"`
			} `json:"backups"`
		} `json:"results"`
	}
	interoptest.RunJSON(t, "pjsjson.js", map[string]any{"ops": []map[string]any{{"op": "export", "items": items}}}, &out)
	backups := out.Results[0].Backups
	if len(backups) != len(items) {
		t.Fatalf("pjsjson.js returned %d backups for %d items", len(backups), len(items))
	}
	dir := t.TempDir()
	msg := []byte("restored from polkadot-js")
	var verify []map[string]string
	for i, b := range backups {
		path := filepath.Join(dir, "backup"+string(rune('a'+i))+".json")
		if err := os.WriteFile(path, b.JSON, 0o600); err != nil {
			t.Fatal(err)
		}
		pw, _ := items[i]["password"].(string)
		kp, parsed, err := RestorePolkadotJSON(path, Password(pw))
		if err != nil {
			t.Fatalf("%s: %v\n%s", b.SURI, err, b.JSON)
		}
		if kp.Public().Hex() != b.PublicKey || parsed.Address != b.Address || parsed.Encrypted != (pw != "") {
			t.Errorf("%s: restored %s, polkadot-js %s (%s)", b.SURI, kp.Public().Hex(), b.PublicKey, b.Address)
		}
		if want, err := keys.FromSURI(b.SURI); err != nil || want.Public() != kp.Public() {
			t.Errorf("%s: FromSURI gives %v (%v), the backup %s", b.SURI, want, err, kp.Address())
		}
		sig := kp.Sign(msg)
		verify = append(verify, map[string]string{
			"publicKey": b.PublicKey, "message": hex.EncodeToString(msg), "signature": "0x" + hex.EncodeToString(sig[:]),
		})
		if i == 0 {
			_, _, err := RestorePolkadotJSON(path, Password(pw+"x"))
			if !errors.Is(err, ErrWrongPassword) || err.Error() != `wallet: wrong password for JSON backup "`+path+`"` {
				t.Errorf("wrong password: %v", err)
			}
		}
	}
	var ver struct {
		Results []struct {
			Raw []bool `json:"raw"`
		} `json:"results"`
	}
	interoptest.RunJSON(t, "keys.js", map[string]any{"ops": []map[string]any{{"op": "verify", "items": verify}}}, &ver)
	for i, ok := range ver.Results[0].Raw {
		if !ok {
			t.Errorf("%s: a signature by the restored key does not verify in polkadot-js", backups[i].SURI)
		}
	}
	if len(ver.Results[0].Raw) != len(verify) {
		t.Fatalf("keys.js verified %d of %d", len(ver.Results[0].Raw), len(verify))
	}
}
