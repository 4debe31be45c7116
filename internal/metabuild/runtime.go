package metabuild

import (
	"fmt"
	"strings"

	"github.com/minerkit/minerkit/substrate"
)

// PalletDef defines one pallet for a MetadataBuilder. Calls, Events and
// Errors are the variants of the pallet's call, event and error enums
// (build them with V and F); leave a slice empty for a pallet without that
// part.
type PalletDef struct {
	Name      string
	Index     uint8
	Calls     []substrate.Variant
	Events    []substrate.Variant
	Errors    []substrate.Variant
	Storage   []*substrate.StorageEntry // build entries with PlainStorage and MapStorage
	Constants []*substrate.Constant
	Docs      []string
}

// PlainStorage returns a storage value entry.
func PlainStorage(name string, value substrate.TypeID, modifier substrate.StorageModifier, def []byte) *substrate.StorageEntry {
	return &substrate.StorageEntry{Name: name, Plain: true, ValueType: value, Modifier: modifier, Default: def}
}

// MapStorage returns a storage map entry with one hasher per key. With
// several keys, key must be the tuple of the key types (RegistryBuilder.Tuple).
func MapStorage(name string, hashers []substrate.StorageHasher, key, value substrate.TypeID, modifier substrate.StorageModifier, def []byte) *substrate.StorageEntry {
	return &substrate.StorageEntry{Name: name, Hashers: hashers, KeyType: key, ValueType: value, Modifier: modifier, Default: def}
}

// MetadataBuilder assembles a whole runtime's metadata from pallet
// definitions: the per-pallet call, event and error enums, the outer
// RuntimeCall, RuntimeEvent and RuntimeError enums, the extrinsic types
// (MultiAddress, MultiSignature, the signed extensions' types) and the
// UncheckedExtrinsic type. It is how the devnet serves metadata that real
// clients (polkadot-js, the bittensor SDK) can use.
type MetadataBuilder struct {
	// Types is the registry being built; register the pallets' own types
	// (fields of calls, storage values) here.
	Types *RegistryBuilder
	// SignedExtensions lists the transaction extensions in order. Known
	// names get their standard types (see SignedExtensionTypes); any other
	// name carries no data.
	SignedExtensions []string
	// RuntimePath is the path of the runtime type; if empty,
	// ["node_subtensor_runtime", "Runtime"].
	RuntimePath []string

	pallets                           []*PalletDef
	runtimeCall, runtimeEvent, runErr substrate.TypeID
}

// NewMetadataBuilder returns a builder with the outer enums reserved, so
// that pallet types (a sudo call's boxed call, System.Events) can refer to
// them before Build.
func NewMetadataBuilder() *MetadataBuilder {
	b := NewRegistryBuilder()
	mb := &MetadataBuilder{Types: b}
	mb.runtimeCall = b.Reserve()
	mb.runtimeEvent = b.Reserve()
	mb.runErr = b.Reserve()
	return mb
}

// RuntimeCall returns the id of the outer call enum (filled by Build).
func (mb *MetadataBuilder) RuntimeCall() substrate.TypeID { return mb.runtimeCall }

// RuntimeEvent returns the id of the outer event enum (filled by Build).
func (mb *MetadataBuilder) RuntimeEvent() substrate.TypeID { return mb.runtimeEvent }

// EventRecords returns the id of Vec<EventRecord<RuntimeEvent, H256>>, the
// value type of System.Events.
func (mb *MetadataBuilder) EventRecords() substrate.TypeID {
	b := mb.Types
	return b.once("EventRecords", func() substrate.Type {
		phase := b.Variant([]string{"frame_system", "Phase"},
			V("ApplyExtrinsic", 0, substrate.Field{Type: b.Primitive(substrate.PrimU32), TypeName: "u32"}), V("Finalization", 1), V("Initialization", 2))
		h := b.H256()
		rec := b.Composite([]string{"frame_system", "EventRecord"},
			FT("phase", phase, "Phase"), FT("event", mb.runtimeEvent, "E"), FT("topics", b.Sequence(h), "Vec<T>"))
		b.Type(rec).Params = []substrate.TypeParam{{Name: "E", Type: mb.runtimeEvent, HasType: true}, {Name: "T", Type: h, HasType: true}}
		return substrate.Type{Kind: substrate.KindSequence, Elem: rec}
	})
}

// AddPallet adds a pallet definition.
func (mb *MetadataBuilder) AddPallet(p *PalletDef) { mb.pallets = append(mb.pallets, p) }

// SignedExtensionTypes returns the extra and additional-signed types of a
// signed extension as FRAME defines them; unknown names carry no data.
func (mb *MetadataBuilder) SignedExtensionTypes(name string) (extra, additional substrate.TypeID) {
	b := mb.Types
	unit := b.Tuple()
	comp := func(fields ...substrate.Field) substrate.TypeID {
		return b.once("ext:"+name, func() substrate.Type {
			return substrate.Type{Path: []string{"minerkit_devnet", "extensions", name}, Kind: substrate.KindComposite, Fields: fields}
		})
	}
	switch name {
	case "CheckSpecVersion", "CheckTxVersion":
		return comp(), b.Primitive(substrate.PrimU32)
	case "CheckGenesis":
		return comp(), b.H256()
	case "CheckMortality", "CheckEra":
		return comp(substrate.Field{Type: b.Era(), TypeName: "Era"}), b.H256()
	case "CheckNonce":
		return comp(substrate.Field{Type: b.Compact(b.Primitive(substrate.PrimU32)), TypeName: "T::Nonce"}), unit
	case "ChargeTransactionPayment":
		return comp(substrate.Field{Type: b.Compact(b.Primitive(substrate.PrimU64)), TypeName: "BalanceOf<T>"}), unit
	case "ChargeTransactionPaymentWrapper":
		inner := b.once("ext:ChargeTransactionPayment", func() substrate.Type {
			return substrate.Type{Path: []string{"pallet_transaction_payment", "ChargeTransactionPayment"}, Kind: substrate.KindComposite,
				Fields: []substrate.Field{{Type: b.Compact(b.Primitive(substrate.PrimU64)), TypeName: "BalanceOf<T>"}}}
		})
		return comp(FT("inner", inner, "ChargeTransactionPayment<T>")), unit
	case "CheckMetadataHash":
		mode := b.once("ext:Mode", func() substrate.Type {
			return substrate.Type{Path: []string{"frame_metadata_hash_extension", "Mode"}, Kind: substrate.KindVariant,
				Variants: []substrate.Variant{V("Disabled", 0), V("Enabled", 1)}}
		})
		return comp(FT("mode", mode, "Mode")), b.Option(b.Array(32, b.Primitive(substrate.PrimU8)))
	}
	return comp(), unit
}

func snake(s string) string {
	var out strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				out.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		out.WriteRune(r)
	}
	return out.String()
}

// Build assembles the metadata at the given version (14 or 15) and indexes
// it. Build once: it adds the outer types to the builder's registry.
func (mb *MetadataBuilder) Build(version uint8) (*substrate.Metadata, error) {
	if version != 14 && version != 15 {
		return nil, fmt.Errorf("%w %d: the builder writes 14 or 15", substrate.ErrMetadataVersion, version)
	}
	b := mb.Types
	var callVars, eventVars, errVars []substrate.Variant
	pallets := make([]*substrate.Pallet, 0, len(mb.pallets))
	for _, pd := range mb.pallets {
		p := &substrate.Pallet{Name: pd.Name, Index: pd.Index, Constants: pd.Constants, Docs: pd.Docs}
		mod := "pallet_" + snake(pd.Name)
		part := func(kind string, vs []substrate.Variant, outer *[]substrate.Variant) *substrate.TypeID {
			if len(vs) == 0 {
				return nil
			}
			id := b.Variant([]string{mod, "pallet", kind}, vs...)
			*outer = append(*outer, V(pd.Name, pd.Index, substrate.Field{Type: id, TypeName: mod + "::" + kind}))
			return &id
		}
		p.Calls = part("Call", pd.Calls, &callVars)
		p.Events = part("Event", pd.Events, &eventVars)
		p.Errors = part("Error", pd.Errors, &errVars)
		if len(pd.Storage) > 0 {
			p.Storage = &substrate.PalletStorage{Prefix: pd.Name, Entries: pd.Storage}
		}
		pallets = append(pallets, p)
	}
	rt := mb.RuntimePath
	if len(rt) == 0 {
		rt = []string{"node_subtensor_runtime", "Runtime"}
	}
	rtMod := rt[0]
	b.Set(mb.runtimeCall, substrate.Type{Path: []string{rtMod, "RuntimeCall"}, Kind: substrate.KindVariant, Variants: callVars})
	b.Set(mb.runtimeEvent, substrate.Type{Path: []string{rtMod, "RuntimeEvent"}, Kind: substrate.KindVariant, Variants: eventVars})
	b.Set(mb.runErr, substrate.Type{Path: []string{rtMod, "RuntimeError"}, Kind: substrate.KindVariant, Variants: errVars})

	exts := make([]substrate.SignedExtension, len(mb.SignedExtensions))
	extraIDs := make([]substrate.TypeID, len(mb.SignedExtensions))
	for i, name := range mb.SignedExtensions {
		extra, add := mb.SignedExtensionTypes(name)
		exts[i] = substrate.SignedExtension{Identifier: name, Type: extra, AdditionalSigned: add}
		extraIDs[i] = extra
	}
	addr, sig, extra := b.MultiAddress(), b.MultiSignature(), b.Tuple(extraIDs...)
	uxt := b.Add(substrate.Type{
		Path: []string{"sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"},
		Params: []substrate.TypeParam{{Name: "Address", Type: addr, HasType: true}, {Name: "Call", Type: mb.runtimeCall, HasType: true},
			{Name: "Signature", Type: sig, HasType: true}, {Name: "Extra", Type: extra, HasType: true}},
		Kind: substrate.KindComposite, Fields: []substrate.Field{{Type: b.Bytes()}},
	})
	runtime := b.Composite(rt)
	m := &substrate.Metadata{
		Version: version,
		Types:   b.Registry(),
		Pallets: pallets,
		Extrinsic: substrate.ExtrinsicInfo{Version: 4, Type: uxt, AddressType: addr, CallType: mb.runtimeCall,
			SignatureType: sig, ExtraType: extra, SignedExtensions: exts},
		RuntimeType: runtime,
		OuterEnums:  substrate.OuterEnums{CallType: mb.runtimeCall, EventType: mb.runtimeEvent, ErrorType: mb.runErr},
	}
	if err := m.Index(); err != nil {
		return nil, err
	}
	return m, nil
}
