package substrate

import (
	"testing"

	"github.com/minerkit/minerkit/keys"
)

// BenchmarkDecodeFinneyMetadata decodes real finney metadata (v14, about
// 430 KB) into an indexed Metadata.
func BenchmarkDecodeFinneyMetadata(b *testing.B) {
	raw := loadMaterial(b, "mainnet.js").Metadata
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeMetadata(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildAndSignExtrinsic builds SubtensorModule.serve_axon by name
// on finney metadata and signs it (sr25519) with a mortal era.
func BenchmarkBuildAndSignExtrinsic(b *testing.B) {
	m := loadMeta(b, "mainnet.js")
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		b.Fatal(err)
	}
	o := signOpts()
	b.ReportAllocs()
	for b.Loop() {
		call, err := m.NewCall("SubtensorModule", "serve_axon", U64(1), U64(100), U64(0x0a000001), U64(8091),
			U64(4), U64(0), U64(0), U64(0))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.SignExtrinsic(call.Bytes(), alice, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStorageKey builds SubtensorModule.Uids(netuid, hotkey).
func BenchmarkStorageKey(b *testing.B) {
	m := loadMeta(b, "mainnet.js")
	hk := Bytes(make([]byte, 32))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.StorageKey("SubtensorModule", "Uids", U64(1), hk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeEvents decodes a block's worth of System.Events (64 records).
func BenchmarkDecodeEvents(b *testing.B) {
	m := loadMeta(b, "mainnet.js")
	var evs []testEvent
	for i := range 32 {
		evs = append(evs, testEvent{i, "System", "ExtrinsicSuccess", []Value{dispatchInfo()}})
		mod, _ := m.ModuleError("SubtensorModule", "HotKeyAlreadyRegisteredInSubNet")
		evs = append(evs, testEvent{i, "System", "ExtrinsicFailed", []Value{mod, dispatchInfo()}})
	}
	raw := encodeEvents(b, m, evs)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.DecodeEvents(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeExtrinsic decodes a signed serve_axon extrinsic.
func BenchmarkDecodeExtrinsic(b *testing.B) {
	m := loadMeta(b, "mainnet.js")
	alice, _ := keys.FromSURI("//Alice")
	call, _ := m.NewCall("SubtensorModule", "serve_axon", U64(1), U64(100), U64(0x0a000001), U64(8091), U64(4), U64(0), U64(0), U64(0))
	xt, err := m.SignExtrinsic(call.Bytes(), alice, signOpts())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.DecodeExtrinsic(xt); err != nil {
			b.Fatal(err)
		}
	}
}
