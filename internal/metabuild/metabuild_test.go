package metabuild

import (
	"bytes"
	"testing"

	"github.com/minerkit/minerkit/substrate"
)

func TestMetadataBuilderRoundTrip(t *testing.T) {
	for _, version := range []uint8{14, 15} {
		m, err := TestRuntime(version)
		if err != nil {
			t.Fatal(err)
		}
		if version == 15 {
			m.APIs = []*substrate.RuntimeAPI{{Name: "NeuronInfoRuntimeApi", Methods: []*substrate.RuntimeAPIMethod{{
				Name: "get_neurons_lite", Inputs: []substrate.RuntimeAPIParam{{Name: "netuid", Type: m.Types.Types[0].Elem}}, Output: 0,
			}}}}
			m.Custom = []substrate.CustomValue{{Name: "x", Type: 0, Value: []byte{1}}}
		}
		enc, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := substrate.DecodeMetadata(enc)
		if err != nil {
			t.Fatalf("v%d: decode built metadata: %v", version, err)
		}
		enc2, err := Encode(got)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("v%d: re-encode differs: %v", version, err)
		}
		if _, v, err := got.LookupCall("SubtensorModule", "burned_register"); err != nil || v.Index != 7 {
			t.Fatalf("v%d: lookup burned_register: %v", version, err)
		}
		if len(got.Extrinsic.SignedExtensions) != 13 || got.Extrinsic.CallType != m.OuterEnums.CallType {
			t.Fatalf("v%d: extrinsic info %+v", version, got.Extrinsic)
		}
		if version == 15 {
			if _, err := got.LookupRuntimeAPI("NeuronInfoRuntimeApi", "get_neurons_lite"); err != nil {
				t.Fatal(err)
			}
		}
	}
}
