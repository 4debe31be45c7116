package substrate

import (
	"strings"
	"testing"
)

// encodeEvents builds a System.Events value for tests: records of
// (extrinsic index or -1 for Finalization, pallet, event, fields).
func encodeEvents(t testing.TB, m *Metadata, recs []testEvent) []byte {
	t.Helper()
	_, e, err := m.LookupStorage("System", "Events")
	if err != nil {
		t.Fatal(err)
	}
	var items []Value
	for _, r := range recs {
		phase := Enum("Finalization")
		if r.index >= 0 {
			phase = Enum("ApplyExtrinsic", U64(uint64(r.index)))
		}
		items = append(items, Composite(
			Named("phase", phase),
			Named("event", Enum(r.pallet, Enum(r.name, r.fields...))),
			Named("topics", Tuple()),
		))
	}
	raw, err := m.Types.EncodeValue(e.ValueType, Tuple(items...))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

type testEvent struct {
	index        int
	pallet, name string
	fields       []Value
}

func dispatchInfo() Value {
	return Composite(Named("weight", Composite(Named("ref_time", U64(1)), Named("proof_size", U64(2)))),
		Named("class", Enum("Normal")), Named("pays_fee", Enum("Yes")))
}

func TestEventsAndDispatchError(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *Metadata
	}{{"builder", testRuntime(t, 14)}, {"finney", loadMeta(t, "mainnet.js")}} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			modErr, err := m.ModuleError("SubtensorModule", "HotKeyAlreadyRegisteredInSubNet")
			if err != nil {
				t.Fatal(err)
			}
			raw := encodeEvents(t, m, []testEvent{
				{0, "System", "ExtrinsicSuccess", []Value{dispatchInfo()}},
				{1, "System", "ExtrinsicFailed", []Value{modErr, dispatchInfo()}},
				{2, "System", "ExtrinsicFailed", []Value{Enum("BadOrigin"), dispatchInfo()}},
				{-1, "System", "ExtrinsicSuccess", []Value{dispatchInfo()}},
			})
			evs, err := m.DecodeEvents(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 4 || evs[1].String() != "System.ExtrinsicFailed" || evs[3].Phase.Kind != "Finalization" {
				t.Fatalf("events = %+v", evs)
			}
			ok, err := m.FindExtrinsicResult(evs, 0)
			if err != nil || !ok.Success {
				t.Fatalf("result 0 = %+v, %v", ok, err)
			}
			bad, err := m.FindExtrinsicResult(evs, 1)
			if err != nil || bad.Success || bad.Err == nil {
				t.Fatalf("result 1 = %+v, %v", bad, err)
			}
			if msg := bad.Err.Error(); !strings.HasPrefix(msg, "SubtensorModule.HotKeyAlreadyRegisteredInSubNet: ") {
				t.Fatalf("error = %q", msg)
			}
			origin, err := m.FindExtrinsicResult(evs, 2)
			if err != nil || origin.Err.Kind != "BadOrigin" || origin.Err.Error() != "BadOrigin" {
				t.Fatalf("result 2 = %+v, %v", origin.Err, err)
			}
			if _, err := m.FindExtrinsicResult(evs, 9); err == nil {
				t.Fatal("missing extrinsic found")
			}
		})
	}
}
