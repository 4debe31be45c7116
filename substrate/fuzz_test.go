package substrate

import (
	"encoding/binary"
	"sync"
	"testing"

	"github.com/minerkit/minerkit/keys"
)

var (
	fuzzMetaOnce sync.Once
	fuzzMeta     *Metadata
)

// fuzzRuntime is the builder runtime, built once for all fuzz iterations.
func fuzzRuntime(f *testing.F) *Metadata {
	fuzzMetaOnce.Do(func() { fuzzMeta = testRuntime(f, 15) })
	return fuzzMeta
}

func FuzzDecodeMetadata(f *testing.F) {
	for _, v := range []uint8{14, 15} {
		m := testRuntime(f, v)
		enc, err := EncodeMetadata(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
		f.Add(enc[:len(enc)/3])
	}
	f.Add([]byte("meta\x0e\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMetadata(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode back to the same bytes, and every
		// type must be usable without panics.
		enc, err := EncodeMetadata(m)
		if err != nil {
			t.Fatalf("decoded metadata does not encode: %v", err)
		}
		if string(enc) != string(data) {
			t.Fatalf("re-encoding differs")
		}
		for i := range m.Types.Types {
			_, _ = m.Types.DecodeValue(TypeID(i), data[len(data)/2:])
			_ = m.Types.Name(TypeID(i))
			_ = m.Types.IsZeroSized(TypeID(i))
		}
		_, _, _ = m.EncodeExtensions(&SignOptions{})
	})
}

func FuzzDecodeExtrinsic(f *testing.F) {
	m := fuzzRuntime(f)
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range []struct {
		pallet, call string
		args         []Value
	}{
		{"SubtensorModule", "burned_register", []Value{U64(1), Bytes(make([]byte, 32))}},
		{"SubtensorModule", "set_weights", []Value{U64(1), Tuple(U64(1), U64(2)), Tuple(U64(3), U64(4)), U64(9)}},
		{"System", "remark", []Value{Bytes([]byte("hello"))}},
	} {
		call, err := m.NewCall(c.pallet, c.call, c.args...)
		if err != nil {
			f.Fatal(err)
		}
		xt, err := m.SignExtrinsic(call.Bytes(), alice, signOpts())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(xt)
		f.Add(UnsignedExtrinsic(call.Bytes()))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := m.DecodeExtrinsic(data)
		if err != nil {
			return
		}
		if x.Signed {
			_ = m.VerifyExtrinsic(x, signOpts())
		}
		if _, err := m.DecodeCall(x.CallBytes); err != nil {
			t.Fatalf("call bytes of a decoded extrinsic do not decode: %v", err)
		}
	})
}

func FuzzDecodeEvents(f *testing.F) {
	m := fuzzRuntime(f)
	mod, _ := m.ModuleError("SubtensorModule", "HotKeyAlreadyRegisteredInSubNet")
	f.Add(encodeEvents(f, m, []testEvent{
		{0, "System", "ExtrinsicSuccess", []Value{dispatchInfo()}},
		{1, "System", "ExtrinsicFailed", []Value{mod, dispatchInfo()}},
	}))
	f.Add([]byte{0x04, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := m.DecodeEvents(data)
		if err != nil {
			return
		}
		for i := range evs {
			_, _ = m.FindExtrinsicResult(evs, uint32(i))
		}
		if _, err := m.EncodeEvents(evs); err != nil {
			t.Fatalf("decoded events do not encode: %v", err)
		}
	})
}

// FuzzDecodeValue decodes arbitrary bytes as every kind of type the builder
// runtime has: the first two bytes pick the type.
func FuzzDecodeValue(f *testing.F) {
	m := fuzzRuntime(f)
	f.Add([]byte{0, 0, 1, 2, 3})
	f.Add([]byte{5, 0, 0xff, 0xff, 0xff, 0xff, 0x03})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		id := TypeID(binary.LittleEndian.Uint16(data)) % TypeID(m.Types.Len())
		v, err := m.Types.DecodeValue(id, data[2:])
		if err != nil {
			return
		}
		enc, err := m.Types.EncodeValue(id, v)
		if err != nil {
			t.Fatalf("type %s: decoded %s does not encode: %v", m.Types.Name(id), v, err)
		}
		if string(enc) != string(data[2:]) {
			t.Fatalf("type %s: %x decodes to %s which encodes to %x", m.Types.Name(id), data[2:], v, enc)
		}
	})
}

func FuzzDecodeStorageKey(f *testing.F) {
	m := fuzzRuntime(f)
	k, _ := m.StorageKey("SubtensorModule", "Uids", U64(1), Bytes(make([]byte, 32)))
	f.Add(k)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, item := range []string{"Uids", "Axons", "Burn"} {
			_, _ = m.DecodeStorageKey("SubtensorModule", item, data)
		}
	})
}
