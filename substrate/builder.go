package substrate

import (
	"fmt"
	"strings"
)

// RegistryBuilder builds a portable type registry one type at a time and
// hands out type ids. Primitives, sequences, arrays, tuples, compacts and
// options are deduplicated: asking twice returns the same id. The zero value
// is ready to use.
type RegistryBuilder struct {
	reg   Registry
	dedup map[string]TypeID
}

// NewRegistryBuilder returns an empty builder.
func NewRegistryBuilder() *RegistryBuilder { return &RegistryBuilder{} }

// F returns a named field of type ty.
func F(name string, ty TypeID) Field { return Field{Name: name, Type: ty} }

// FT returns a named field of type ty with its Rust type name.
func FT(name string, ty TypeID, typeName string) Field {
	return Field{Name: name, Type: ty, TypeName: typeName}
}

// V returns an enum variant.
func V(name string, index uint8, fields ...Field) Variant {
	return Variant{Name: name, Index: index, Fields: fields}
}

// Add appends t and returns its id.
func (b *RegistryBuilder) Add(t Type) TypeID {
	b.reg.Types = append(b.reg.Types, t)
	return TypeID(len(b.reg.Types) - 1)
}

// Reserve returns the id of a placeholder type to be filled by Set, for
// recursive types and types whose definition comes later.
func (b *RegistryBuilder) Reserve() TypeID {
	return b.Add(Type{Kind: KindTuple})
}

// Set replaces the type with the given id (from Reserve).
func (b *RegistryBuilder) Set(id TypeID, t Type) {
	b.reg.Types[id] = t
}

// Type returns a pointer to a type already added, to adjust it; the pointer
// is valid until the next Add.
func (b *RegistryBuilder) Type(id TypeID) *Type { return &b.reg.Types[id] }

func (b *RegistryBuilder) once(key string, mk func() Type) TypeID {
	if b.dedup == nil {
		b.dedup = make(map[string]TypeID)
	}
	if id, ok := b.dedup[key]; ok {
		return id
	}
	id := b.Add(mk())
	b.dedup[key] = id
	return id
}

// Primitive returns the id of primitive p.
func (b *RegistryBuilder) Primitive(p Primitive) TypeID {
	return b.once("p"+p.String(), func() Type { return Type{Kind: KindPrimitive, Primitive: p} })
}

// Composite adds a struct with the given path (e.g. "pallet_subtensor",
// "AxonInfo") and fields.
func (b *RegistryBuilder) Composite(path []string, fields ...Field) TypeID {
	return b.Add(Type{Path: path, Kind: KindComposite, Fields: fields})
}

// Variant adds an enum with the given path and variants.
func (b *RegistryBuilder) Variant(path []string, variants ...Variant) TypeID {
	return b.Add(Type{Path: path, Kind: KindVariant, Variants: variants})
}

// Sequence returns the id of Vec<elem>.
func (b *RegistryBuilder) Sequence(elem TypeID) TypeID {
	return b.once(fmt.Sprintf("s%d", elem), func() Type { return Type{Kind: KindSequence, Elem: elem} })
}

// Array returns the id of [elem; n].
func (b *RegistryBuilder) Array(n uint32, elem TypeID) TypeID {
	return b.once(fmt.Sprintf("a%d;%d", elem, n), func() Type { return Type{Kind: KindArray, Elem: elem, Len: n} })
}

// Tuple returns the id of the tuple of elems (the unit type () when empty).
func (b *RegistryBuilder) Tuple(elems ...TypeID) TypeID {
	var k strings.Builder
	k.WriteString("t")
	for _, e := range elems {
		fmt.Fprintf(&k, "%d,", e)
	}
	return b.once(k.String(), func() Type { return Type{Kind: KindTuple, Tuple: append([]TypeID(nil), elems...)} })
}

// Compact returns the id of Compact<elem>.
func (b *RegistryBuilder) Compact(elem TypeID) TypeID {
	return b.once(fmt.Sprintf("c%d", elem), func() Type { return Type{Kind: KindCompact, Elem: elem} })
}

// Bytes returns the id of Vec<u8>.
func (b *RegistryBuilder) Bytes() TypeID { return b.Sequence(b.Primitive(PrimU8)) }

// Option returns the id of Option<elem>.
func (b *RegistryBuilder) Option(elem TypeID) TypeID {
	return b.once(fmt.Sprintf("o%d", elem), func() Type {
		return Type{Path: []string{"Option"}, Params: []TypeParam{{Name: "T", Type: elem, HasType: true}}, Kind: KindVariant,
			Variants: []Variant{V("None", 0), V("Some", 1, Field{Type: elem})}}
	})
}

// Result returns the id of Result<ok, err>.
func (b *RegistryBuilder) Result(ok, err TypeID) TypeID {
	return b.once(fmt.Sprintf("r%d,%d", ok, err), func() Type {
		return Type{Path: []string{"Result"}, Params: []TypeParam{{Name: "T", Type: ok, HasType: true}, {Name: "E", Type: err, HasType: true}},
			Kind: KindVariant, Variants: []Variant{V("Ok", 0, Field{Type: ok}), V("Err", 1, Field{Type: err})}}
	})
}

// AccountID32 returns the id of sp_core::crypto::AccountId32 ([u8; 32]).
func (b *RegistryBuilder) AccountID32() TypeID {
	return b.once("AccountId32", func() Type {
		return Type{Path: []string{"sp_core", "crypto", "AccountId32"}, Kind: KindComposite,
			Fields: []Field{{Type: b.Array(32, b.Primitive(PrimU8)), TypeName: "[u8; 32]"}}}
	})
}

// H256 returns the id of primitive_types::H256 ([u8; 32]).
func (b *RegistryBuilder) H256() TypeID {
	return b.once("H256", func() Type {
		return Type{Path: []string{"primitive_types", "H256"}, Kind: KindComposite,
			Fields: []Field{{Type: b.Array(32, b.Primitive(PrimU8)), TypeName: "[u8; 32]"}}}
	})
}

// MultiAddress returns the id of sp_runtime::MultiAddress<AccountId32, ()>:
// Id, Index (Compact<()>), Raw, Address32, Address20.
func (b *RegistryBuilder) MultiAddress() TypeID {
	return b.once("MultiAddress", func() Type {
		acc := b.AccountID32()
		unit := b.Tuple()
		u8 := b.Primitive(PrimU8)
		return Type{Path: []string{"sp_runtime", "multiaddress", "MultiAddress"},
			Params: []TypeParam{{Name: "AccountId", Type: acc, HasType: true}, {Name: "AccountIndex", Type: unit, HasType: true}},
			Kind:   KindVariant, Variants: []Variant{
				V("Id", 0, Field{Type: acc, TypeName: "AccountId"}),
				V("Index", 1, Field{Type: b.Compact(unit), TypeName: "AccountIndex"}),
				V("Raw", 2, Field{Type: b.Bytes(), TypeName: "Vec<u8>"}),
				V("Address32", 3, Field{Type: b.Array(32, u8), TypeName: "[u8; 32]"}),
				V("Address20", 4, Field{Type: b.Array(20, u8), TypeName: "[u8; 20]"}),
			}}
	})
}

// MultiSignature returns the id of sp_runtime::MultiSignature: Ed25519,
// Sr25519 ([u8; 64] each) and Ecdsa ([u8; 65]).
func (b *RegistryBuilder) MultiSignature() TypeID {
	return b.once("MultiSignature", func() Type {
		u8 := b.Primitive(PrimU8)
		a64 := b.Array(64, u8)
		return Type{Path: []string{"sp_runtime", "MultiSignature"}, Kind: KindVariant, Variants: []Variant{
			V("Ed25519", 0, Field{Type: b.Composite([]string{"sp_core", "ed25519", "Signature"}, Field{Type: a64})}),
			V("Sr25519", 1, Field{Type: b.Composite([]string{"sp_core", "sr25519", "Signature"}, Field{Type: a64})}),
			V("Ecdsa", 2, Field{Type: b.Composite([]string{"sp_core", "ecdsa", "Signature"}, Field{Type: b.Array(65, u8)})}),
		}}
	})
}

// Era returns the id of sp_runtime::generic::Era: Immortal (0) and
// Mortal1..Mortal255 (each carrying the era's second byte).
func (b *RegistryBuilder) Era() TypeID {
	return b.once("Era", func() Type {
		vs := make([]Variant, 256)
		vs[0] = V("Immortal", 0)
		u8 := b.Primitive(PrimU8)
		for i := 1; i < 256; i++ {
			vs[i] = V(fmt.Sprintf("Mortal%d", i), uint8(i), Field{Type: u8})
		}
		return Type{Path: []string{"sp_runtime", "generic", "era", "Era"}, Kind: KindVariant, Variants: vs}
	})
}

// DispatchError returns the id of sp_runtime::DispatchError with its
// Module(ModuleError{index u8, error [u8; 4]}) variant, as current runtimes
// define it.
func (b *RegistryBuilder) DispatchError() TypeID {
	return b.once("DispatchError", func() Type {
		u8 := b.Primitive(PrimU8)
		module := b.Composite([]string{"sp_runtime", "ModuleError"},
			FT("index", u8, "u8"), FT("error", b.Array(4, u8), "[u8; 4]"))
		token := b.Variant([]string{"sp_runtime", "TokenError"},
			V("FundsUnavailable", 0), V("OnlyProvider", 1), V("BelowMinimum", 2), V("CannotCreate", 3),
			V("UnknownAsset", 4), V("Frozen", 5), V("Unsupported", 6), V("CannotCreateHold", 7),
			V("NotExpendable", 8), V("Blocked", 9))
		arith := b.Variant([]string{"sp_arithmetic", "ArithmeticError"}, V("Underflow", 0), V("Overflow", 1), V("DivisionByZero", 2))
		trans := b.Variant([]string{"sp_runtime", "TransactionalError"}, V("LimitReached", 0), V("NoLayer", 1))
		return Type{Path: []string{"sp_runtime", "DispatchError"}, Kind: KindVariant, Variants: []Variant{
			V("Other", 0), V("CannotLookup", 1), V("BadOrigin", 2),
			V("Module", 3, FT("", module, "ModuleError")),
			V("ConsumerRemaining", 4), V("NoProviders", 5), V("TooManyConsumers", 6),
			V("Token", 7, Field{Type: token}), V("Arithmetic", 8, Field{Type: arith}),
			V("Transactional", 9, Field{Type: trans}), V("Exhausted", 10), V("Corruption", 11), V("Unavailable", 12),
			V("RootNotAllowed", 13),
		}}
	})
}

// Registry returns the registry being built; types added later appear in it
// too. Do not add types while others read the registry.
func (b *RegistryBuilder) Registry() *Registry { return &b.reg }
