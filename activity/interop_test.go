package activity

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
)

// TestProofInteropPolkadotJS: polkadot-js verifies minerkit's proofs (so
// anyone can check one without minerkit), and minerkit accepts proofs whose
// signature polkadot-js made, raw or <Bytes>-wrapped (what wallet
// extensions sign); an altered message fails in both.
func TestProofInteropPolkadotJS(t *testing.T) {
	const suri = "//Alice//miner"
	hot := mustKey(t, suri)
	var proofs []*Proof
	for i, u := range []string{"octocat", "a", "alice-dev", "Z9"} {
		p, err := NewProof(hot, u, uint16(i*37), ProofOptions{})
		if err != nil {
			t.Fatal(err)
		}
		proofs = append(proofs, p)
	}
	var items []map[string]string
	var msgs []string
	for _, p := range proofs {
		m := "0x" + hex.EncodeToString(p.Message())
		msgs = append(msgs, m)
		items = append(items, map[string]string{"publicKey": "0x" + hex.EncodeToString(p.Hotkey[:]), "message": m, "signature": "0x" + hex.EncodeToString(p.Signature[:])})
		altered := strings.Replace(string(p.Message()), "nonce: ", "nonce:  ", 1)
		items = append(items, map[string]string{"publicKey": items[len(items)-1]["publicKey"], "message": "0x" + hex.EncodeToString([]byte(altered)), "signature": items[len(items)-1]["signature"]})
	}
	ops := []map[string]any{
		{"op": "verify", "items": items},
		{"op": "sign", "suri": suri, "messages": msgs},
	}
	var out struct {
		Results []json.RawMessage `json:"results"`
	}
	interoptest.RunJSON(t, "keys.js", map[string]any{"ops": ops}, &out)
	if len(out.Results) != 2 {
		t.Fatalf("keys.js: %d results", len(out.Results))
	}
	var ver struct{ Raw, Any []bool }
	if err := json.Unmarshal(out.Results[0], &ver); err != nil {
		t.Fatal(err)
	}
	for i := range items {
		if want := i%2 == 0; ver.Raw[i] != want || ver.Any[i] != want {
			t.Fatalf("polkadot-js verify of item %d (altered=%v): raw %v any %v", i, i%2 == 1, ver.Raw[i], ver.Any[i])
		}
	}
	var sig struct {
		Signatures []struct{ Raw, Wrapped string }
	}
	if err := json.Unmarshal(out.Results[1], &sig); err != nil {
		t.Fatal(err)
	}
	for i, p := range proofs {
		for _, s := range []string{sig.Signatures[i].Raw, sig.Signatures[i].Wrapped} {
			q := *p
			b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
			if err != nil || len(b) != 64 {
				t.Fatalf("signature from keys.js: %q", s)
			}
			copy(q.Signature[:], b)
			if _, err := VerifyProof([]byte(q.Text()), q.Hotkey, q.GitHub, VerifyOptions{}); err != nil {
				t.Fatalf("proof signed by polkadot-js: %v", err)
			}
			bad := strings.Replace(q.Text(), "date: 20", "date: 21", 1)
			if _, err := VerifyProof([]byte(bad), q.Hotkey, q.GitHub, VerifyOptions{Now: q.Date.AddDate(200, 0, 0)}); err == nil {
				t.Fatal("altered proof signed by polkadot-js accepted")
			}
		}
	}
}
