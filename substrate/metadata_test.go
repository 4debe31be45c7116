package substrate

import (
	"bytes"
	"errors"
	"testing"

	"github.com/minerkit/minerkit/scale"
)

func TestDecodeRealMetadata(t *testing.T) {
	for _, file := range []string{"mainnet.js", "testnet.js"} {
		t.Run(file, func(t *testing.T) {
			raw := loadMaterial(t, file).Metadata
			m, err := DecodeMetadata(raw)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("v%d: %d types, %d pallets, extensions %d", m.Version, m.Types.Len(), len(m.Pallets), len(m.Extrinsic.SignedExtensions))
			for _, want := range []struct {
				pallet string
				index  uint8
			}{{"System", 0}, {"Balances", 5}, {"SubtensorModule", 7}, {"Commitments", 18}} {
				p, ok := m.Pallet(want.pallet)
				if !ok || p.Index != want.index {
					t.Errorf("pallet %s: ok=%v index=%v want %d", want.pallet, ok, p, want.index)
				}
			}
			for _, c := range []struct {
				name  string
				index uint8
			}{{"set_weights", 0}, {"add_stake", 2}, {"serve_axon", 4}, {"burned_register", 7}} {
				_, v, err := m.LookupCall("SubtensorModule", c.name)
				if err != nil || v.Index != c.index {
					t.Errorf("call %s: %v %v", c.name, v, err)
				}
			}
			_, e, err := m.LookupStorage("SubtensorModule", "Uids")
			if err != nil || len(e.Hashers) != 2 || e.Hashers[0] != Identity || e.Hashers[1] != Blake2_128Concat {
				t.Errorf("Uids storage: %+v %v", e, err)
			}
			if _, _, err := m.LookupCall("SubtensorModule", "no_such_call"); !errors.Is(err, ErrNotFound) ||
				err.Error() != "substrate: call SubtensorModule.no_such_call not found in runtime metadata (is the node running the runtime you expect?)" {
				t.Errorf("missing call error: %v", err)
			}
			if et, ok := m.Types.Type(m.OuterEnums.EventType); !ok || et.PathString() != "node_subtensor_runtime::RuntimeEvent" {
				t.Errorf("outer event enum %d not derived", m.OuterEnums.EventType)
			}
			if m.Extrinsic.CallType == 0 || m.Extrinsic.AddressType == 0 || m.Extrinsic.SignatureType == 0 {
				t.Errorf("extrinsic part types not derived: %+v", m.Extrinsic)
			}
			enc, err := EncodeMetadata(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, raw) {
				i := 0
				for i < len(enc) && i < len(raw) && enc[i] == raw[i] {
					i++
				}
				t.Fatalf("re-encoded metadata differs at byte %d (len %d vs %d)", i, len(enc), len(raw))
			}
		})
	}
}

func TestDecodeMetadataRejects(t *testing.T) {
	good := loadMaterial(t, "mainnet.js").Metadata
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"bad magic", []byte("atem\x0e")},
		{"version 13", []byte("meta\x0d")},
		{"version 16", []byte("meta\x10")},
		{"truncated", good[:len(good)/2]},
		{"trailing", append(append([]byte{}, good...), 0)},
	}
	for _, tt := range tests {
		if _, err := DecodeMetadata(tt.data); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestDecodeOpaqueMetadata(t *testing.T) {
	enc, err := EncodeMetadata(testRuntime(t, 15))
	if err != nil {
		t.Fatal(err)
	}
	vec := scale.AppendBytes(nil, enc)
	for name, in := range map[string][]byte{"raw": enc, "vec": vec, "option": append([]byte{1}, vec...)} {
		m, err := DecodeOpaqueMetadata(in)
		if err != nil || m.Version != 15 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := DecodeOpaqueMetadata([]byte{0}); err == nil {
		t.Error("None accepted")
	}
}

// TestHostileMetadataLengths feeds lengths far beyond the input: decoding
// must fail without allocating for them.
func TestHostileMetadataLengths(t *testing.T) {
	huge := scale.AppendCompact([]byte("meta\x0e"), 1<<40)
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := DecodeMetadata(huge); err == nil {
			t.Fatal("accepted")
		}
	})
	if allocs > 20 {
		t.Errorf("%v allocations for a hostile type count", allocs)
	}
	m := testRuntime(t, 14)
	u16, _ := findPrimitive(m.Types, PrimU16)
	vec := m.Types.Len()
	for i, ty := range m.Types.Types {
		if ty.Kind == KindSequence && ty.Elem == u16 {
			vec = i
		}
	}
	bad := scale.AppendCompact(nil, 1<<62)
	if _, err := m.Types.DecodeValue(TypeID(vec), bad); !errors.Is(err, scale.ErrInvalid) {
		t.Errorf("Vec<u16> with length 2^62: %v", err)
	}
}
