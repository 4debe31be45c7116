package substrate_test

import (
	"fmt"

	"github.com/minerkit/minerkit/internal/metabuild"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
)

// exampleRuntime builds a one-pallet runtime; real code decodes the chain's
// metadata with substrate.DecodeMetadata(state_getMetadata's bytes).
func exampleRuntime() *substrate.Metadata {
	mb := metabuild.NewMetadataBuilder()
	mb.SignedExtensions = []string{"CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality",
		"CheckNonce", "CheckWeight", "ChargeTransactionPayment", "SubtensorTransactionExtension", "CheckMetadataHash"}
	b := mb.Types
	u16, u64 := b.Primitive(substrate.PrimU16), b.Primitive(substrate.PrimU64)
	acc := b.AccountID32()
	mb.AddPallet(&metabuild.PalletDef{
		Name: "System", Index: 0,
		Events: []substrate.Variant{metabuild.V("ExtrinsicSuccess", 0), metabuild.V("ExtrinsicFailed", 1,
			metabuild.F("dispatch_error", b.DispatchError()))},
		Storage: []*substrate.StorageEntry{metabuild.PlainStorage("Events", mb.EventRecords(), substrate.ModifierDefault, []byte{0})},
	})
	mb.AddPallet(&metabuild.PalletDef{
		Name: "SubtensorModule", Index: 7,
		Calls: []substrate.Variant{metabuild.V("burned_register", 7, metabuild.F("netuid", u16), metabuild.F("hotkey", acc))},
		Errors: []substrate.Variant{{Name: "HotKeyAlreadyRegisteredInSubNet", Index: 6,
			Docs: []string{"The hotkey is already registered on this subnet."}}},
		Storage: []*substrate.StorageEntry{
			metabuild.MapStorage("Uids", []substrate.StorageHasher{substrate.Identity, substrate.Blake2_128Concat},
				b.Tuple(u16, acc), u16, substrate.ModifierOptional, []byte{0}),
			metabuild.MapStorage("Burn", []substrate.StorageHasher{substrate.Identity}, u16, u64, substrate.ModifierDefault,
				[]byte{0x00, 0xca, 0x9a, 0x3b, 0, 0, 0, 0}),
		},
	})
	m, err := mb.Build(14)
	if err != nil {
		panic(err)
	}
	return m
}

func Example_signExtrinsic() {
	m := exampleRuntime()
	coldkey, _ := keys.FromSURI("//Alice")
	hotkey, _ := keys.FromSURI("//Bob")

	hk := hotkey.Public()
	call, err := m.NewCall("SubtensorModule", "burned_register", substrate.U64(1), substrate.Bytes(hk[:]))
	if err != nil {
		fmt.Println(err)
		return
	}
	opts := &substrate.SignOptions{
		SpecVersion: 219, TxVersion: 1,
		Era:   substrate.MortalEra(1000, 64), // read block 1000 and its hash
		Nonce: 0,
	}
	xt, err := m.SignExtrinsic(call.Bytes(), coldkey, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, _ := m.DecodeExtrinsic(xt)
	fmt.Println(x.Call, x.Signer.Address(), x.Era, m.VerifyExtrinsic(x, opts))
	// Output:
	// SubtensorModule.burned_register 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY mortal(period 64, phase 40) <nil>
}

func ExampleMetadata_StorageKey() {
	m := exampleRuntime()
	hotkey, _ := keys.DecodeAddress("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")
	key, _ := m.StorageKey("SubtensorModule", "Uids", substrate.U64(1), substrate.Bytes(hotkey[:]))
	fmt.Printf("%x\n", key[:32])
	back, _ := m.DecodeStorageKey("SubtensorModule", "Uids", key)
	fmt.Println(back[0])
	burn, _ := m.DecodeStorageValue("SubtensorModule", "Burn", nil) // absent: the default
	fmt.Println(burn)
	// Output:
	// 658faa385070e074c85bf6b568cf0555aab1b4e78e1ea8305462ee53b3686dc8
	// 1
	// 1000000000
}

func ExampleMetadata_FindExtrinsicResult() {
	m := exampleRuntime()
	failed, _ := m.ModuleError("SubtensorModule", "HotKeyAlreadyRegisteredInSubNet")
	raw, _ := m.EncodeEvents([]substrate.EventRecord{{
		Phase:  substrate.Phase{Kind: "ApplyExtrinsic", ExtrinsicIndex: 2},
		Pallet: "System", Name: "ExtrinsicFailed",
		Fields: []substrate.NamedValue{substrate.Named("dispatch_error", failed)},
	}})
	events, _ := m.DecodeEvents(raw) // System.Events at the block
	res, _ := m.FindExtrinsicResult(events, 2)
	fmt.Println(res.Success, res.Err)
	// Output:
	// false SubtensorModule.HotKeyAlreadyRegisteredInSubNet: The hotkey is already registered on this subnet.
}
