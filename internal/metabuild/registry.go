// Package metabuild authors Substrate runtime metadata: a type registry
// built one type at a time, pallets defined as data, a whole runtime's
// metadata (outer enums, extrinsic and signed-extension types) and its v14
// and v15 wire encoding. The devnet serves the metadata it builds, and tests
// build small runtimes with it; clients only decode metadata
// (substrate.DecodeMetadata).
package metabuild

import (
	"fmt"
	"strings"

	"github.com/minerkit/minerkit/substrate"
)

// RegistryBuilder builds a portable type registry one type at a time and
// hands out type ids. Primitives, sequences, arrays, tuples, compacts and
// options are deduplicated: asking twice returns the same id. The zero value
// is ready to use.
type RegistryBuilder struct {
	reg   substrate.Registry
	dedup map[string]substrate.TypeID
}

// NewRegistryBuilder returns an empty builder.
func NewRegistryBuilder() *RegistryBuilder { return &RegistryBuilder{} }

// F returns a named field of type ty.
func F(name string, ty substrate.TypeID) substrate.Field {
	return substrate.Field{Name: name, Type: ty}
}

// FT returns a named field of type ty with its Rust type name.
func FT(name string, ty substrate.TypeID, typeName string) substrate.Field {
	return substrate.Field{Name: name, Type: ty, TypeName: typeName}
}

// V returns an enum variant.
func V(name string, index uint8, fields ...substrate.Field) substrate.Variant {
	return substrate.Variant{Name: name, Index: index, Fields: fields}
}

// Add appends t and returns its id.
func (b *RegistryBuilder) Add(t substrate.Type) substrate.TypeID {
	b.reg.Types = append(b.reg.Types, t)
	return substrate.TypeID(len(b.reg.Types) - 1)
}

// Reserve returns the id of a placeholder type to be filled by Set, for
// recursive types and types whose definition comes later.
func (b *RegistryBuilder) Reserve() substrate.TypeID {
	return b.Add(substrate.Type{Kind: substrate.KindTuple})
}

// Set replaces the type with the given id (from Reserve).
func (b *RegistryBuilder) Set(id substrate.TypeID, t substrate.Type) {
	b.reg.Types[id] = t
}

// Type returns a pointer to a type already added, to adjust it; the pointer
// is valid until the next Add.
func (b *RegistryBuilder) Type(id substrate.TypeID) *substrate.Type { return &b.reg.Types[id] }

func (b *RegistryBuilder) once(key string, mk func() substrate.Type) substrate.TypeID {
	if b.dedup == nil {
		b.dedup = make(map[string]substrate.TypeID)
	}
	if id, ok := b.dedup[key]; ok {
		return id
	}
	id := b.Add(mk())
	b.dedup[key] = id
	return id
}

// Primitive returns the id of primitive p.
func (b *RegistryBuilder) Primitive(p substrate.Primitive) substrate.TypeID {
	return b.once("p"+p.String(), func() substrate.Type { return substrate.Type{Kind: substrate.KindPrimitive, Primitive: p} })
}

// Composite adds a struct with the given path (e.g. "pallet_subtensor",
// "AxonInfo") and fields.
func (b *RegistryBuilder) Composite(path []string, fields ...substrate.Field) substrate.TypeID {
	return b.Add(substrate.Type{Path: path, Kind: substrate.KindComposite, Fields: fields})
}

// Variant adds an enum with the given path and variants.
func (b *RegistryBuilder) Variant(path []string, variants ...substrate.Variant) substrate.TypeID {
	return b.Add(substrate.Type{Path: path, Kind: substrate.KindVariant, Variants: variants})
}

// Sequence returns the id of Vec<elem>.
func (b *RegistryBuilder) Sequence(elem substrate.TypeID) substrate.TypeID {
	return b.once(fmt.Sprintf("s%d", elem), func() substrate.Type { return substrate.Type{Kind: substrate.KindSequence, Elem: elem} })
}

// Array returns the id of [elem; n].
func (b *RegistryBuilder) Array(n uint32, elem substrate.TypeID) substrate.TypeID {
	return b.once(fmt.Sprintf("a%d;%d", elem, n), func() substrate.Type { return substrate.Type{Kind: substrate.KindArray, Elem: elem, Len: n} })
}

// Tuple returns the id of the tuple of elems (the unit type () when empty).
func (b *RegistryBuilder) Tuple(elems ...substrate.TypeID) substrate.TypeID {
	var k strings.Builder
	k.WriteString("t")
	for _, e := range elems {
		fmt.Fprintf(&k, "%d,", e)
	}
	return b.once(k.String(), func() substrate.Type {
		return substrate.Type{Kind: substrate.KindTuple, Tuple: append([]substrate.TypeID(nil), elems...)}
	})
}

// Compact returns the id of Compact<elem>.
func (b *RegistryBuilder) Compact(elem substrate.TypeID) substrate.TypeID {
	return b.once(fmt.Sprintf("c%d", elem), func() substrate.Type { return substrate.Type{Kind: substrate.KindCompact, Elem: elem} })
}

// Bytes returns the id of Vec<u8>.
func (b *RegistryBuilder) Bytes() substrate.TypeID { return b.Sequence(b.Primitive(substrate.PrimU8)) }

// Option returns the id of Option<elem>.
func (b *RegistryBuilder) Option(elem substrate.TypeID) substrate.TypeID {
	return b.once(fmt.Sprintf("o%d", elem), func() substrate.Type {
		return substrate.Type{Path: []string{"Option"}, Params: []substrate.TypeParam{{Name: "T", Type: elem, HasType: true}}, Kind: substrate.KindVariant,
			Variants: []substrate.Variant{V("None", 0), V("Some", 1, substrate.Field{Type: elem})}}
	})
}

// Result returns the id of Result<ok, err>.
func (b *RegistryBuilder) Result(ok, err substrate.TypeID) substrate.TypeID {
	return b.once(fmt.Sprintf("r%d,%d", ok, err), func() substrate.Type {
		return substrate.Type{Path: []string{"Result"}, Params: []substrate.TypeParam{{Name: "T", Type: ok, HasType: true}, {Name: "E", Type: err, HasType: true}},
			Kind: substrate.KindVariant, Variants: []substrate.Variant{V("Ok", 0, substrate.Field{Type: ok}), V("Err", 1, substrate.Field{Type: err})}}
	})
}

// AccountID32 returns the id of sp_core::crypto::AccountId32 ([u8; 32]).
func (b *RegistryBuilder) AccountID32() substrate.TypeID {
	return b.once("AccountId32", func() substrate.Type {
		return substrate.Type{Path: []string{"sp_core", "crypto", "AccountId32"}, Kind: substrate.KindComposite,
			Fields: []substrate.Field{{Type: b.Array(32, b.Primitive(substrate.PrimU8)), TypeName: "[u8; 32]"}}}
	})
}

// H256 returns the id of primitive_types::H256 ([u8; 32]).
func (b *RegistryBuilder) H256() substrate.TypeID {
	return b.once("H256", func() substrate.Type {
		return substrate.Type{Path: []string{"primitive_types", "H256"}, Kind: substrate.KindComposite,
			Fields: []substrate.Field{{Type: b.Array(32, b.Primitive(substrate.PrimU8)), TypeName: "[u8; 32]"}}}
	})
}

// MultiAddress returns the id of sp_runtime::MultiAddress<AccountId32, ()>:
// Id, Index (Compact<()>), Raw, Address32, Address20.
func (b *RegistryBuilder) MultiAddress() substrate.TypeID {
	return b.once("MultiAddress", func() substrate.Type {
		acc := b.AccountID32()
		unit := b.Tuple()
		u8 := b.Primitive(substrate.PrimU8)
		return substrate.Type{Path: []string{"sp_runtime", "multiaddress", "MultiAddress"},
			Params: []substrate.TypeParam{{Name: "AccountId", Type: acc, HasType: true}, {Name: "AccountIndex", Type: unit, HasType: true}},
			Kind:   substrate.KindVariant, Variants: []substrate.Variant{
				V("Id", 0, substrate.Field{Type: acc, TypeName: "AccountId"}),
				V("Index", 1, substrate.Field{Type: b.Compact(unit), TypeName: "AccountIndex"}),
				V("Raw", 2, substrate.Field{Type: b.Bytes(), TypeName: "Vec<u8>"}),
				V("Address32", 3, substrate.Field{Type: b.Array(32, u8), TypeName: "[u8; 32]"}),
				V("Address20", 4, substrate.Field{Type: b.Array(20, u8), TypeName: "[u8; 20]"}),
			}}
	})
}

// MultiSignature returns the id of sp_runtime::MultiSignature: Ed25519,
// Sr25519 ([u8; 64] each) and Ecdsa ([u8; 65]).
func (b *RegistryBuilder) MultiSignature() substrate.TypeID {
	return b.once("MultiSignature", func() substrate.Type {
		u8 := b.Primitive(substrate.PrimU8)
		a64 := b.Array(64, u8)
		return substrate.Type{Path: []string{"sp_runtime", "MultiSignature"}, Kind: substrate.KindVariant, Variants: []substrate.Variant{
			V("Ed25519", 0, substrate.Field{Type: b.Composite([]string{"sp_core", "ed25519", "Signature"}, substrate.Field{Type: a64})}),
			V("Sr25519", 1, substrate.Field{Type: b.Composite([]string{"sp_core", "sr25519", "Signature"}, substrate.Field{Type: a64})}),
			V("Ecdsa", 2, substrate.Field{Type: b.Composite([]string{"sp_core", "ecdsa", "Signature"}, substrate.Field{Type: b.Array(65, u8)})}),
		}}
	})
}

// Era returns the id of sp_runtime::generic::Era: Immortal (0) and
// Mortal1..Mortal255 (each carrying the era's second byte).
func (b *RegistryBuilder) Era() substrate.TypeID {
	return b.once("Era", func() substrate.Type {
		vs := make([]substrate.Variant, 256)
		vs[0] = V("Immortal", 0)
		u8 := b.Primitive(substrate.PrimU8)
		for i := 1; i < 256; i++ {
			vs[i] = V(fmt.Sprintf("Mortal%d", i), uint8(i), substrate.Field{Type: u8})
		}
		return substrate.Type{Path: []string{"sp_runtime", "generic", "era", "Era"}, Kind: substrate.KindVariant, Variants: vs}
	})
}

// DispatchError returns the id of sp_runtime::DispatchError with its
// Module(ModuleError{index u8, error [u8; 4]}) variant, as current runtimes
// define it.
func (b *RegistryBuilder) DispatchError() substrate.TypeID {
	return b.once("DispatchError", func() substrate.Type {
		u8 := b.Primitive(substrate.PrimU8)
		module := b.Composite([]string{"sp_runtime", "ModuleError"},
			FT("index", u8, "u8"), FT("error", b.Array(4, u8), "[u8; 4]"))
		token := b.Variant([]string{"sp_runtime", "TokenError"},
			V("FundsUnavailable", 0), V("OnlyProvider", 1), V("BelowMinimum", 2), V("CannotCreate", 3),
			V("UnknownAsset", 4), V("Frozen", 5), V("Unsupported", 6), V("CannotCreateHold", 7),
			V("NotExpendable", 8), V("Blocked", 9))
		arith := b.Variant([]string{"sp_arithmetic", "ArithmeticError"}, V("Underflow", 0), V("Overflow", 1), V("DivisionByZero", 2))
		trans := b.Variant([]string{"sp_runtime", "TransactionalError"}, V("LimitReached", 0), V("NoLayer", 1))
		return substrate.Type{Path: []string{"sp_runtime", "DispatchError"}, Kind: substrate.KindVariant, Variants: []substrate.Variant{
			V("Other", 0), V("CannotLookup", 1), V("BadOrigin", 2),
			V("Module", 3, FT("", module, "ModuleError")),
			V("ConsumerRemaining", 4), V("NoProviders", 5), V("TooManyConsumers", 6),
			V("Token", 7, substrate.Field{Type: token}), V("Arithmetic", 8, substrate.Field{Type: arith}),
			V("Transactional", 9, substrate.Field{Type: trans}), V("Exhausted", 10), V("Corruption", 11), V("Unavailable", 12),
			V("RootNotAllowed", 13),
		}}
	})
}

// Registry returns the registry being built; types added later appear in it
// too. Do not add types while others read the registry.
func (b *RegistryBuilder) Registry() *substrate.Registry { return &b.reg }
