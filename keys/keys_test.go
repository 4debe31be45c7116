package keys

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestVectors(t *testing.T) {
	tests := []struct {
		suri, addr, pub string
	}{
		{DevPhrase, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV", ""},
		{"//Alice", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"},
		{"/Alice", "5GvKEoc787uDV8etY1AM8vF385edu2iyqD1WfCjDugzLUiAL", ""},
		{"//Bob", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", ""},
		{"  bottom drive obey  lake curtain smoke basket hold race lonely fit walk\n//Alice", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", ""},
	}
	for _, tt := range tests {
		kp, err := FromSURI(tt.suri)
		if err != nil {
			t.Fatalf("%q: %v", tt.suri, err)
		}
		if got := kp.Address(); got != tt.addr {
			t.Errorf("%q: address %s, want %s", tt.suri, got, tt.addr)
		}
		if tt.pub != "" && kp.Public().Hex() != "0x"+tt.pub {
			t.Errorf("%q: pub %x", tt.suri, kp.Public())
		}
	}
}

func TestSignVerify(t *testing.T) {
	kp, err := FromSURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("hello minerkit")
	sig := kp.Sign(msg)
	if !Verify(kp.Public(), msg, sig[:]) {
		t.Fatal("own signature does not verify")
	}
	if Verify(kp.Public(), []byte("hello minerkiT"), sig[:]) {
		t.Fatal("signature verifies for another message")
	}
	wrapped := kp.Sign(WrapBytes(msg))
	if !Verify(kp.Public(), msg, wrapped[:]) {
		t.Fatal("<Bytes>-wrapped signature not accepted")
	}
	vk, _ := NewVerifyKey(kp.Public())
	if vk.VerifyRaw(msg, wrapped[:]) {
		t.Fatal("VerifyRaw accepted a wrapped signature")
	}
	if Verify(kp.Public(), msg, sig[:63]) {
		t.Fatal("short signature accepted")
	}
}

func TestPrivateKeyRoundTrip(t *testing.T) {
	for _, s := range []string{"//Alice", "//Alice/soft", DevPhrase + "//1//2/x///pw"} {
		kp, err := FromSURI(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromPrivateKey(kp.PrivateKey())
		if err != nil {
			t.Fatal(err)
		}
		if back.Public() != kp.Public() || !bytes.Equal(back.PrivateKey(), kp.PrivateKey()) {
			t.Errorf("%q: private key round trip changed the key", s)
		}
	}
}

func TestSS58(t *testing.T) {
	kp, _ := FromSURI("//Alice")
	for _, prefix := range []uint16{0, 2, 42, 63, 64, 255, 1284, 16383} {
		a := EncodeSS58(kp.Public(), prefix)
		pub, p, err := DecodeSS58(a)
		if err != nil || p != prefix || pub != kp.Public() {
			t.Errorf("prefix %d: %s → %v %d %v", prefix, a, pub, p, err)
		}
	}
	bad := []string{"", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ", "0OIl", "5Grwva", strings.Repeat("1", 100)}
	for _, b := range bad {
		if _, err := DecodeAddress(b); err == nil {
			t.Errorf("%q: no error", b)
		}
	}
}

func TestMnemonic(t *testing.T) {
	for _, n := range []int{12, 15, 18, 21, 24} {
		m, err := GenerateMnemonic(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(strings.Fields(m)) != n {
			t.Fatalf("%d words: got %q", n, m)
		}
		if _, err := MnemonicToEntropy(m); err != nil {
			t.Fatalf("%q: %v", m, err)
		}
	}
	bad := []string{
		"bottom drive obey lake curtain smoke basket hold race lonely fit fit",  // checksum
		"bottom drive obey lake curtain smoke basket hold race lonely fit",      // 11 words
		"bottom drive obey lake curtain smoke basket hold race lonely fit wlak", // unknown word
	}
	for _, m := range bad {
		if _, err := FromMnemonic(m, ""); err == nil {
			t.Errorf("%q: no error", m)
		}
	}
	if _, err := GenerateMnemonic(13); err == nil {
		t.Error("13 words accepted")
	}
}

func TestParseSURIErrors(t *testing.T) {
	for _, s := range []string{"", "   ", "//Alice//", "0x1234//a", "word//a"} {
		if _, err := FromSURI(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func ExampleFromSURI() {
	kp, err := FromSURI("//Alice")
	if err != nil {
		panic(err)
	}
	sig := kp.Sign([]byte("message"))
	fmt.Println(kp.Address(), Verify(kp.Public(), []byte("message"), sig[:]))
	// Output: 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY true
}

// A VerifyKey is shared by concurrent requests on the hot path: run with
// -race.
func TestVerifyKeyConcurrent(t *testing.T) {
	kp, _ := FromSURI("//Alice")
	msg := []byte("concurrent")
	sig := kp.Sign(msg)
	vk, err := NewVerifyKey(kp.Public())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for range 4 {
		go func() { done <- vk.Verify(msg, sig[:]) }()
	}
	for range 4 {
		if !<-done {
			t.Fatal("concurrent verification failed")
		}
	}
}
