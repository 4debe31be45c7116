package epistula

import (
	"testing"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// keyMap is a keys.VerifyKeys over a map.
type keyMap map[string]*keys.VerifyKey

func (m keyMap) VerifyKey(addr string) (*keys.VerifyKey, bool) { vk, ok := m[addr]; return vk, ok }

// TestVerifierAsksKeysFirst: a signer Keys knows is verified with Keys' key
// (here a precomputed one, then a deliberately wrong one, which must fail);
// others are decoded as before; both request forms pass with a precomputed
// key.
func TestVerifierAsksKeysFirst(t *testing.T) {
	alice, bob, carol := mustKey(t, "//Alice"), mustKey(t, "//Bob"), mustKey(t, "//Carol")
	pre, err := keys.NewPrecomputedVerifyKey(alice.Public())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	body := []byte(`{"q":1}`)
	v := &Verifier{Self: bob.Address(), Replay: noReplay{}, Keys: keyMap{alice.Address(): pre}}
	for _, signer := range []*keys.Keypair{alice, carol} {
		got, err := v.Verify(Sign(signer, body, bob.Address(), now), body, now)
		if err != nil || got != signer.Address() {
			t.Fatalf("%s: %q, %v", signer.Address(), got, err)
		}
	}
	// <Bytes>-wrapped, with the precomputed key.
	h := Sign(alice, body, bob.Address(), now)
	bh := BodyHash(body)
	msg := AppendMessage(nil, &bh, h.Get(HeaderUUID), h.Get(HeaderTimestamp), bob.Address())
	h.Set(HeaderSignature, alice.Sign(keys.WrapBytes(msg)).Hex())
	if got, err := v.Verify(h, body, now); err != nil || got != alice.Address() {
		t.Fatalf("wrapped: %q, %v", got, err)
	}
	strict := &Verifier{Self: bob.Address(), Replay: noReplay{}, Keys: keyMap{alice.Address(): pre}, RejectBytesWrap: true}
	if _, err := strict.Verify(h, body, now); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("wrapped with RejectBytesWrap: %v", err)
	}
	wrongKey, err := keys.NewPrecomputedVerifyKey(carol.Public())
	if err != nil {
		t.Fatal(err)
	}
	v2 := &Verifier{Self: bob.Address(), Replay: noReplay{}, Keys: keyMap{alice.Address(): wrongKey}}
	if _, err := v2.Verify(Sign(alice, body, bob.Address(), now), body, now); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("Keys' key was not used: %v", err)
	}
}
