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

func TestEncodeEventsRoundTrip(t *testing.T) {
	m := testRuntime(t, 14)
	alice := [32]byte{1}
	in := []EventRecord{
		{Phase: Phase{Kind: "ApplyExtrinsic", ExtrinsicIndex: 1}, Pallet: "SubtensorModule", Name: "NeuronRegistered",
			Fields: []NamedValue{{Value: U64(1)}, {Value: U64(0)}, {Value: Bytes(alice[:])}}},
		{Phase: Phase{Kind: "ApplyExtrinsic", ExtrinsicIndex: 1}, Pallet: "System", Name: "ExtrinsicSuccess",
			Fields: []NamedValue{Named("dispatch_info", dispatchInfo())}},
		{Phase: Phase{Kind: "Finalization"}, Pallet: "Balances", Name: "Transfer", Topics: [][32]byte{alice},
			Fields: []NamedValue{Named("from", Bytes(alice[:])), Named("to", Bytes(alice[:])), Named("amount", U64(5))}},
	}
	raw, err := m.EncodeEvents(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.DecodeEvents(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0].String() != "SubtensorModule.NeuronRegistered" || out[2].Topics[0] != alice {
		t.Fatalf("events = %+v", out)
	}
	if amt, ok := out[2].Field("amount"); !ok || amt.String() != "5" {
		t.Fatalf("amount = %v", amt)
	}
	res, err := m.FindExtrinsicResult(out, 1)
	if err != nil || !res.Success || len(res.Events) != 2 {
		t.Fatalf("result = %+v, %v", res, err)
	}
}

func TestRuntimeAPICall(t *testing.T) {
	m := testRuntime(t, 15)
	u16, _ := findPrimitive(m.Types, PrimU16)
	m.APIs = []*RuntimeAPI{{Name: "NeuronInfoRuntimeApi", Methods: []*RuntimeAPIMethod{
		{Name: "get_neurons_lite", Inputs: []RuntimeAPIParam{{Name: "netuid", Type: u16}}, Output: u16},
	}}}
	if err := m.Index(); err != nil {
		t.Fatal(err)
	}
	name, params, err := m.RuntimeAPICall("NeuronInfoRuntimeApi", "get_neurons_lite", U64(3))
	if err != nil || name != "NeuronInfoRuntimeApi_get_neurons_lite" || bytesHex(params) != "0300" {
		t.Fatalf("call = %s %x %v", name, params, err)
	}
	v, err := m.DecodeRuntimeAPIResult("NeuronInfoRuntimeApi", "get_neurons_lite", []byte{7, 0})
	if err != nil || v.String() != "7" {
		t.Fatalf("result = %v %v", v, err)
	}
	if _, _, err := m.RuntimeAPICall("NeuronInfoRuntimeApi", "nope"); err == nil {
		t.Fatal("missing method accepted")
	}
}
