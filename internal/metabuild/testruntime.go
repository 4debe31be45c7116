package metabuild

import "github.com/minerkit/minerkit/substrate"

// TestRuntime builds a small runtime like the devnet's, for tests: System
// (events), Balances (transfer) and SubtensorModule (burned_register,
// serve_axon, Uids storage), with the current finney extension list, at
// version 14 or 15.
func TestRuntime(version uint8) (*substrate.Metadata, error) {
	mb := NewMetadataBuilder()
	mb.SignedExtensions = []string{"CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis",
		"CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment", "SudoTransactionExtension",
		"CheckShieldedTxValidity", "SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash"}
	b := mb.Types
	u8, u16, u32, u64, u128 := b.Primitive(substrate.PrimU8), b.Primitive(substrate.PrimU16), b.Primitive(substrate.PrimU32), b.Primitive(substrate.PrimU64), b.Primitive(substrate.PrimU128)
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
		Calls: []substrate.Variant{V("remark", 0, F("remark", b.Bytes()))},
		Events: []substrate.Variant{
			V("ExtrinsicSuccess", 0, F("dispatch_info", dispatchInfo)),
			V("ExtrinsicFailed", 1, F("dispatch_error", b.DispatchError()), F("dispatch_info", dispatchInfo)),
		},
		Storage: []*substrate.StorageEntry{
			MapStorage("Account", []substrate.StorageHasher{substrate.Blake2_128Concat}, acc, accountInfo, substrate.ModifierDefault, make([]byte, 80)),
			PlainStorage("Events", mb.EventRecords(), substrate.ModifierDefault, []byte{0}),
			PlainStorage("Number", u32, substrate.ModifierDefault, []byte{0, 0, 0, 0}),
		},
		Constants: []*substrate.Constant{{Name: "SS58Prefix", Type: u16, Value: []byte{42, 0}, Docs: []string{" The SS58 prefix."}}},
	})
	mb.AddPallet(&PalletDef{
		Name: "Balances", Index: 5,
		Calls:  []substrate.Variant{V("transfer_allow_death", 0, F("dest", b.MultiAddress()), F("value", b.Compact(u64)))},
		Events: []substrate.Variant{V("Transfer", 2, F("from", acc), F("to", acc), F("amount", u64))},
		Errors: []substrate.Variant{{Name: "InsufficientBalance", Index: 2, Docs: []string{"Balance too low to send value."}}},
	})
	axon := b.Composite([]string{"pallet_subtensor", "AxonInfo"}, F("block", u64), F("version", u32), F("ip", u128), F("port", u16),
		F("ip_type", u8), F("protocol", u8), F("placeholder1", u8), F("placeholder2", u8))
	mb.AddPallet(&PalletDef{
		Name: "SubtensorModule", Index: 7,
		Calls: []substrate.Variant{
			V("set_weights", 0, F("netuid", u16), F("dests", b.Sequence(u16)), F("weights", b.Sequence(u16)), F("version_key", u64)),
			V("serve_axon", 4, F("netuid", u16), F("version", u32), F("ip", u128), F("port", u16), F("ip_type", u8),
				F("protocol", u8), F("placeholder1", u8), F("placeholder2", u8)),
			V("burned_register", 7, F("netuid", u16), F("hotkey", acc)),
		},
		Events: []substrate.Variant{V("NeuronRegistered", 6, substrate.Field{Type: u16}, substrate.Field{Type: u16}, substrate.Field{Type: acc})},
		Errors: []substrate.Variant{
			{Name: "HotKeyAlreadyRegisteredInSubNet", Index: 6, Docs: []string{"The caller is requesting registering a neuron which", "already exists in the active set."}},
		},
		Storage: []*substrate.StorageEntry{
			MapStorage("Uids", []substrate.StorageHasher{substrate.Identity, substrate.Blake2_128Concat}, b.Tuple(u16, acc), u16, substrate.ModifierOptional, []byte{0}),
			MapStorage("Axons", []substrate.StorageHasher{substrate.Identity, substrate.Blake2_128Concat}, b.Tuple(u16, acc), axon, substrate.ModifierOptional, []byte{0}),
			MapStorage("Burn", []substrate.StorageHasher{substrate.Identity}, u16, u64, substrate.ModifierDefault, []byte{0, 0xca, 0x9a, 0x3b, 0, 0, 0, 0}),
		},
	})
	return mb.Build(version)
}
