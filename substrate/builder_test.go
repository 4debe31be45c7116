package substrate

import (
	"bytes"
	"testing"
)

// testRuntime builds a small runtime like the devnet's: System (events),
// Balances (transfer) and SubtensorModule (burned_register, serve_axon,
// Uids storage), with the current finney extension list.
func testRuntime(t testing.TB, version uint8) *Metadata {
	t.Helper()
	mb := NewMetadataBuilder()
	mb.SignedExtensions = []string{"CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis",
		"CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment", "SudoTransactionExtension",
		"CheckShieldedTxValidity", "SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash"}
	b := mb.Types
	u8, u16, u32, u64, u128 := b.Primitive(PrimU8), b.Primitive(PrimU16), b.Primitive(PrimU32), b.Primitive(PrimU64), b.Primitive(PrimU128)
	acc := b.AccountID32()
	weight := b.Composite([]string{"sp_weights", "weight_v2", "Weight"}, F("ref_time", b.Compact(u64)), F("proof_size", b.Compact(u64)))
	dispatchInfo := b.Composite([]string{"frame_support", "dispatch", "DispatchInfo"},
		F("weight", weight), F("class", b.Variant([]string{"DispatchClass"}, V("Normal", 0), V("Operational", 1), V("Mandatory", 2))),
		F("pays_fee", b.Variant([]string{"Pays"}, V("Yes", 0), V("No", 1))))
	accountData := b.Composite([]string{"pallet_balances", "AccountData"}, F("free", u64), F("reserved", u64), F("frozen", u64), F("flags", u128))
	accountInfo := b.Composite([]string{"frame_system", "AccountInfo"}, F("nonce", u32), F("consumers", u32), F("providers", u32),
		F("sufficients", u32), F("data", accountData))
	mb.AddPallet(&PalletDef{
		Name: "System", Index: 0,
		Calls: []Variant{V("remark", 0, F("remark", b.Bytes()))},
		Events: []Variant{
			V("ExtrinsicSuccess", 0, F("dispatch_info", dispatchInfo)),
			V("ExtrinsicFailed", 1, F("dispatch_error", b.DispatchError()), F("dispatch_info", dispatchInfo)),
		},
		Storage: []*StorageEntry{
			MapStorage("Account", []StorageHasher{Blake2_128Concat}, acc, accountInfo, ModifierDefault, make([]byte, 80)),
			PlainStorage("Events", mb.EventRecords(), ModifierDefault, []byte{0}),
			PlainStorage("Number", u32, ModifierDefault, []byte{0, 0, 0, 0}),
		},
		Constants: []*Constant{{Name: "SS58Prefix", Type: u16, Value: []byte{42, 0}, Docs: []string{" The SS58 prefix."}}},
	})
	mb.AddPallet(&PalletDef{
		Name: "Balances", Index: 5,
		Calls:  []Variant{V("transfer_allow_death", 0, F("dest", b.MultiAddress()), F("value", b.Compact(u64)))},
		Events: []Variant{V("Transfer", 2, F("from", acc), F("to", acc), F("amount", u64))},
		Errors: []Variant{{Name: "InsufficientBalance", Index: 2, Docs: []string{"Balance too low to send value."}}},
	})
	axon := b.Composite([]string{"pallet_subtensor", "AxonInfo"}, F("block", u64), F("version", u32), F("ip", u128), F("port", u16),
		F("ip_type", u8), F("protocol", u8), F("placeholder1", u8), F("placeholder2", u8))
	mb.AddPallet(&PalletDef{
		Name: "SubtensorModule", Index: 7,
		Calls: []Variant{
			V("set_weights", 0, F("netuid", u16), F("dests", b.Sequence(u16)), F("weights", b.Sequence(u16)), F("version_key", u64)),
			V("serve_axon", 4, F("netuid", u16), F("version", u32), F("ip", u128), F("port", u16), F("ip_type", u8),
				F("protocol", u8), F("placeholder1", u8), F("placeholder2", u8)),
			V("burned_register", 7, F("netuid", u16), F("hotkey", acc)),
		},
		Events: []Variant{V("NeuronRegistered", 6, Field{Type: u16}, Field{Type: u16}, Field{Type: acc})},
		Errors: []Variant{
			{Name: "HotKeyAlreadyRegisteredInSubNet", Index: 6, Docs: []string{"The caller is requesting registering a neuron which", "already exists in the active set."}},
		},
		Storage: []*StorageEntry{
			MapStorage("Uids", []StorageHasher{Identity, Blake2_128Concat}, b.Tuple(u16, acc), u16, ModifierOptional, []byte{0}),
			MapStorage("Axons", []StorageHasher{Identity, Blake2_128Concat}, b.Tuple(u16, acc), axon, ModifierOptional, []byte{0}),
			MapStorage("Burn", []StorageHasher{Identity}, u16, u64, ModifierDefault, []byte{0, 0xca, 0x9a, 0x3b, 0, 0, 0, 0}),
		},
	})
	m, err := mb.Build(version)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMetadataBuilderRoundTrip(t *testing.T) {
	for _, version := range []uint8{14, 15} {
		m := testRuntime(t, version)
		if version == 15 {
			m.APIs = []*RuntimeAPI{{Name: "NeuronInfoRuntimeApi", Methods: []*RuntimeAPIMethod{{
				Name: "get_neurons_lite", Inputs: []RuntimeAPIParam{{Name: "netuid", Type: m.Types.Types[0].Elem}}, Output: 0,
			}}}}
			m.Custom = []CustomValue{{Name: "x", Type: 0, Value: []byte{1}}}
		}
		enc, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeMetadata(enc)
		if err != nil {
			t.Fatalf("v%d: decode built metadata: %v", version, err)
		}
		enc2, err := got.Encode()
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
