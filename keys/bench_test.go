package keys_test

import (
	"testing"

	"github.com/minerkit/minerkit/keys"
)

// An Epistula-sized message: sha256 hex, uuid, timestamp, receiver.
var benchMsg = []byte("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.0b7a1a9c-1d4e-4c3e-8f0e-1234567890ab.1717000000000.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")

func benchKey(b *testing.B) *keys.Keypair {
	kp, err := keys.FromSURI("//Alice")
	if err != nil {
		b.Fatal(err)
	}
	return kp
}

func BenchmarkSign(b *testing.B) {
	kp := benchKey(b)
	for b.Loop() {
		kp.Sign(benchMsg)
	}
}

// BenchmarkVerify decodes the public key on every call, as keys.Verify does.
func BenchmarkVerify(b *testing.B) {
	kp := benchKey(b)
	sig := kp.Sign(benchMsg)
	pub := kp.Public()
	for b.Loop() {
		if !keys.Verify(pub, benchMsg, sig[:]) {
			b.Fatal("does not verify")
		}
	}
}

// BenchmarkVerifyKey uses a public key decoded once, as hot paths should.
func BenchmarkVerifyKey(b *testing.B) {
	kp := benchKey(b)
	sig := kp.Sign(benchMsg)
	vk, err := keys.NewVerifyKey(kp.Public())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !vk.Verify(benchMsg, sig[:]) {
			b.Fatal("does not verify")
		}
	}
}

// BenchmarkVerifyWrapped measures a <Bytes>-wrapped signature, which costs
// a failed raw verification first.
func BenchmarkVerifyWrapped(b *testing.B) {
	kp := benchKey(b)
	sig := kp.Sign(keys.WrapBytes(benchMsg))
	vk, err := keys.NewVerifyKey(kp.Public())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !vk.Verify(benchMsg, sig[:]) {
			b.Fatal("does not verify")
		}
	}
}

func BenchmarkDecodeSS58(b *testing.B) {
	addr := benchKey(b).Address()
	for b.Loop() {
		if _, err := keys.DecodeAddress(addr); err != nil {
			b.Fatal(err)
		}
	}
}
