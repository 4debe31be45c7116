package substrate

import (
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
)

// TestInteropEvents encodes random events of every pallet of the real
// finney runtime and checks polkadot-js decodes them to the same pallet,
// event and phase, and re-encodes them to the same bytes; and that module
// errors get the same names.
func TestInteropEvents(t *testing.T) {
	m := loadMeta(t, "mainnet.js")
	rng := rand.New(rand.NewPCG(3, 4))
	var recs []EventRecord
	for _, p := range m.Pallets {
		if p.Events == nil {
			continue
		}
		et, _ := m.Types.Type(*p.Events)
		for _, v := range et.Variants {
			fs := make([]NamedValue, len(v.Fields))
			for i, f := range v.Fields {
				fs[i] = NamedValue{Name: f.Name, Value: randValue(m.Types, f.Type, rng, 0)}
			}
			ph := Phase{Kind: "ApplyExtrinsic", ExtrinsicIndex: rng.Uint32N(100)}
			if rng.IntN(4) == 0 {
				ph = Phase{Kind: []string{"Finalization", "Initialization"}[rng.IntN(2)]}
			}
			recs = append(recs, EventRecord{Phase: ph, Pallet: p.Name, Name: v.Name, Fields: fs})
		}
	}
	raw, err := m.EncodeEvents(recs)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := m.DecodeEvents(raw)
	if err != nil || len(decoded) != len(recs) {
		t.Fatalf("decode: %d records, %v", len(decoded), err)
	}
	_, failed := m.Pallets[0].Event("ExtrinsicFailed")
	if !failed {
		t.Fatal("no System.ExtrinsicFailed")
	}
	ef, _ := m.Pallets[0].Event("ExtrinsicFailed")
	deType := ef.Fields[0].Type
	var mods []string
	var ours []*DispatchError
	for _, p := range m.Pallets {
		if p.Errors == nil {
			continue
		}
		et, _ := m.Types.Type(*p.Errors)
		for _, v := range et.Variants {
			ev, _ := m.ModuleError(p.Name, v.Name)
			enc, err := m.Types.EncodeValue(deType, ev)
			if err != nil {
				t.Fatal(err)
			}
			back, err := m.Types.DecodeValue(deType, enc)
			if err != nil {
				t.Fatal(err)
			}
			mods = append(mods, "0x"+hex.EncodeToString(enc))
			ours = append(ours, m.DecodeDispatchError(back))
		}
	}
	var out struct {
		Reencoded string `json:"reencoded"`
		Records   []struct {
			Phase     string `json:"phase"`
			Extrinsic *int   `json:"extrinsic"`
			Section   string `json:"section"`
			Pallet    string `json:"pallet"`
			Method    string `json:"method"`
		} `json:"records"`
		ModuleErrors []struct {
			Section string `json:"section"`
			Pallet  string `json:"pallet"`
			Name    string `json:"name"`
			Docs    string `json:"docs"`
		} `json:"moduleErrors"`
	}
	interoptest.RunJSON(t, "events.js", map[string]any{"file": "mainnet.js", "events": "0x" + hex.EncodeToString(raw),
		"dispatchErrorType": deType, "moduleErrors": mods}, &out)
	if out.Reencoded != "0x"+hex.EncodeToString(raw) {
		t.Errorf("polkadot-js re-encodes our events differently")
	}
	if len(out.Records) != len(decoded) {
		t.Fatalf("polkadot-js decoded %d records, we %d", len(out.Records), len(decoded))
	}
	for i, r := range out.Records {
		d := decoded[i]
		if r.Pallet != d.Pallet || r.Method != d.Name || r.Phase != d.Phase.Kind ||
			(r.Extrinsic != nil && uint32(*r.Extrinsic) != d.Phase.ExtrinsicIndex) {
			t.Errorf("record %d: ours %s %+v, polkadot-js %+v", i, d.String(), d.Phase, r)
		}
	}
	if len(out.ModuleErrors) != len(ours) {
		t.Fatalf("polkadot-js named %d errors, we %d", len(out.ModuleErrors), len(ours))
	}
	for i, e := range out.ModuleErrors {
		want := e.Pallet + "." + e.Name
		if e.Docs != "" {
			want += ": " + e.Docs
		}
		if got := ours[i].Error(); got != want {
			t.Errorf("module error %s: ours %q, polkadot-js %q", mods[i], got, want)
		}
	}
	t.Logf("%d events and %d module errors agree with polkadot-js", len(recs), len(ours))
}
