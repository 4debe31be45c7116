package substrate

import (
	"encoding/hex"
	"testing"
)

func TestHashVectors(t *testing.T) {
	// Well-known keys: System.Account prefix, :code hashes etc.
	tests := []struct {
		got, want string
	}{
		{hex.EncodeToString(StoragePrefix("System", "Account")), "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"},
		{hex.EncodeToString(StoragePrefix("System", "Events")), "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"},
		{hex.EncodeToString(StoragePrefix("Timestamp", "Now")), "f0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb"},
		{func() string { h := HashTwox64([]byte("abc")); return hex.EncodeToString(h[:]) }(), "990977adf52cbc44"},
		{func() string { h := HashBlake2_256(nil); return hex.EncodeToString(h[:]) }(), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestStorageKeyRoundTrip(t *testing.T) {
	m := testRuntime(t, 14)
	alice, _ := hex.DecodeString("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
	k, err := m.StorageKey("SubtensorModule", "Uids", U64(3), Bytes(alice))
	if err != nil {
		t.Fatal(err)
	}
	b128 := HashBlake2_128(alice)
	want := hex.EncodeToString(StoragePrefix("SubtensorModule", "Uids")) + "0300" + hex.EncodeToString(b128[:]) + hex.EncodeToString(alice)
	if hex.EncodeToString(k) != want {
		t.Fatalf("key = %x\nwant  %s", k, want)
	}
	keys, err := m.DecodeStorageKey("SubtensorModule", "Uids", k)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := keys[0].Uint64(); n != 3 {
		t.Fatalf("netuid = %v", keys[0])
	}
	if a, ok := keys[1].AccountID(); !ok || hex.EncodeToString(a[:]) != hex.EncodeToString(alice) {
		t.Fatalf("hotkey = %v", keys[1])
	}
	prefix, err := m.StorageKey("SubtensorModule", "Uids", U64(3))
	if err != nil || hex.EncodeToString(prefix) != want[:len(want)-2*(16+32)] {
		t.Fatalf("partial key = %x, %v", prefix, err)
	}
	if _, err := m.StorageKey("SubtensorModule", "Uids", U64(3), Bytes(alice), U64(1)); err == nil {
		t.Fatal("too many keys accepted")
	}
	if _, err := m.DecodeStorageKey("SubtensorModule", "Uids", k[:len(k)-1]); err == nil {
		t.Fatal("truncated key accepted")
	}
	v, err := m.DecodeStorageValue("SubtensorModule", "Burn", nil)
	if n, _ := v.Uint64(); err != nil || n != 1_000_000_000 {
		t.Fatalf("Burn default = %v, %v", v, err)
	}
	if v, err := m.DecodeStorageValue("SubtensorModule", "Uids", nil); err != nil || v.IsValid() {
		t.Fatalf("absent optional = %v, %v", v, err)
	}
	if c, err := m.ConstantValue("System", "SS58Prefix"); err != nil || c.String() != "42" {
		t.Fatalf("SS58Prefix = %v, %v", c, err)
	}
}
