package metagraph

import (
	"context"
	"strconv"
	"testing"

	"github.com/minerkit/minerkit/keys"
)

func TestSyncerPrecomputesValidatorKeys(t *testing.T) {
	ns := make([]Neuron, 4)
	pairs := make([]*keys.Keypair, 5)
	for i := range pairs {
		kp, err := keys.FromSURI("//Validator/" + strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		pairs[i] = kp
	}
	for i := range ns {
		ns[i] = Neuron{UID: uint16(i), HotkeyPub: pairs[i].Public(), ValidatorPermit: i != 1}
	}
	ns[3].HotkeyPub = pub(3) // a permit holder whose hotkey is no point
	src := &fakeSource{}
	src.set(1, ns, nil)
	s := NewSyncer(plainSource{src}, 0)
	if _, ok := s.VerifyKey(pairs[0].Address()); ok {
		t.Fatal("a key before the first snapshot")
	}
	if err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	vk0, ok := s.VerifyKey(pairs[0].Address())
	if !ok || !vk0.Precomputed() || vk0.Public() != pairs[0].Public() {
		t.Fatalf("validator 0: %v %v", vk0, ok)
	}
	msg := []byte("signed by validator 0")
	sig := pairs[0].Sign(msg)
	if !vk0.VerifyRaw(msg, sig[:]) {
		t.Fatal("the precomputed key refuses its signature")
	}
	if _, ok := s.VerifyKey(pairs[1].Address()); ok {
		t.Fatal("a key precomputed for a neuron without a permit")
	}
	if _, ok := s.VerifyKey(pub(3).Address()); ok {
		t.Fatal("a key for a hotkey that is not a point")
	}
	// A refresh with one more validator builds only the new key.
	ns = append(ns, Neuron{UID: 4, HotkeyPub: pairs[4].Public(), ValidatorPermit: true})
	src.set(2, ns, nil)
	if err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.VerifyKey(pairs[0].Address()); again != vk0 {
		t.Fatal("validator 0's table was rebuilt")
	}
	if _, ok := s.VerifyKey(pairs[4].Address()); !ok {
		t.Fatal("the new validator has no key")
	}
}
