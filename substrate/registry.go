package substrate

import (
	"fmt"
	"strings"
)

// TypeID identifies a type in a metadata's portable type registry.
type TypeID uint32

// TypeKind says which of the scale-info type definitions a Type is.
type TypeKind uint8

// The scale-info type definitions, numbered as on the wire.
const (
	KindComposite TypeKind = iota
	KindVariant
	KindSequence
	KindArray
	KindTuple
	KindPrimitive
	KindCompact
	KindBitSequence
)

var kindNames = [...]string{"composite", "variant", "sequence", "array", "tuple", "primitive", "compact", "bitsequence"}

func (k TypeKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Primitive is a scale-info primitive type, numbered as on the wire.
type Primitive uint8

// The primitives.
const (
	PrimBool Primitive = iota
	PrimChar
	PrimStr
	PrimU8
	PrimU16
	PrimU32
	PrimU64
	PrimU128
	PrimU256
	PrimI8
	PrimI16
	PrimI32
	PrimI64
	PrimI128
	PrimI256
)

var primNames = [...]string{"bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "u256", "i8", "i16", "i32", "i64", "i128", "i256"}

func (p Primitive) String() string {
	if int(p) < len(primNames) {
		return primNames[p]
	}
	return fmt.Sprintf("primitive(%d)", uint8(p))
}

// size returns the fixed encoded size of p (0 for str).
func (p Primitive) size() int {
	switch p {
	case PrimBool, PrimU8, PrimI8:
		return 1
	case PrimU16, PrimI16:
		return 2
	case PrimChar, PrimU32, PrimI32:
		return 4
	case PrimU64, PrimI64:
		return 8
	case PrimU128, PrimI128:
		return 16
	case PrimU256, PrimI256:
		return 32
	}
	return 0
}

// Field is a field of a composite type or of an enum variant.
type Field struct {
	Name     string // empty for tuple-like fields
	Type     TypeID
	TypeName string // the Rust type name as written in the source, if known
	Docs     []string
}

// Variant is one variant of an enum (KindVariant) type.
type Variant struct {
	Name   string
	Fields []Field
	Index  uint8
	Docs   []string
}

// TypeParam is a generic parameter of a type; HasType is false when the
// parameter's type was not recorded.
type TypeParam struct {
	Name    string
	Type    TypeID
	HasType bool
}

// Type is one entry of the portable type registry. Which fields are used
// depends on Kind:
//
//	KindComposite    Fields
//	KindVariant      Variants
//	KindSequence     Elem
//	KindArray        Elem, Len
//	KindTuple        Tuple
//	KindPrimitive    Primitive
//	KindCompact      Elem
//	KindBitSequence  BitStore, BitOrder
type Type struct {
	Path      []string
	Params    []TypeParam
	Kind      TypeKind
	Fields    []Field
	Variants  []Variant
	Elem      TypeID
	Len       uint32
	Tuple     []TypeID
	Primitive Primitive
	BitStore  TypeID
	BitOrder  TypeID
	Docs      []string
}

// PathString returns the type's path joined by "::" (empty for anonymous types).
func (t *Type) PathString() string { return strings.Join(t.Path, "::") }

// VariantByIndex returns the variant with the given index.
func (t *Type) VariantByIndex(i uint8) (*Variant, bool) {
	for k := range t.Variants {
		if t.Variants[k].Index == i {
			return &t.Variants[k], true
		}
	}
	return nil, false
}

// VariantByName returns the variant with the given name.
func (t *Type) VariantByName(name string) (*Variant, bool) {
	for k := range t.Variants {
		if t.Variants[k].Name == name {
			return &t.Variants[k], true
		}
	}
	return nil, false
}

// Param returns the type of the generic parameter with the given name.
func (t *Type) Param(name string) (TypeID, bool) {
	for _, p := range t.Params {
		if p.Name == name && p.HasType {
			return p.Type, true
		}
	}
	return 0, false
}

// Registry is a portable type registry: type i is Types[i].
type Registry struct {
	Types []Type
}

// Type returns the type with the given id.
func (r *Registry) Type(id TypeID) (*Type, bool) {
	if r == nil || uint64(id) >= uint64(len(r.Types)) {
		return nil, false
	}
	return &r.Types[id], true
}

// Len returns the number of types.
func (r *Registry) Len() int { return len(r.Types) }

// mustType is Type with an error naming the id for a miss.
func (r *Registry) typ(id TypeID) (*Type, error) {
	t, ok := r.Type(id)
	if !ok {
		return nil, fmt.Errorf("substrate: type id %d not in the registry (%d types)", id, r.Len())
	}
	return t, nil
}

// Name returns a readable name of the type: its path's last segment with
// its parameters, or a structural description for anonymous types.
func (r *Registry) Name(id TypeID) string {
	return r.name(id, 0)
}

func (r *Registry) name(id TypeID, depth int) string {
	t, ok := r.Type(id)
	if !ok {
		return fmt.Sprintf("<unknown type %d>", id)
	}
	if depth > 8 {
		return "…"
	}
	switch {
	case len(t.Path) > 0:
		n := t.Path[len(t.Path)-1]
		var ps []string
		for _, p := range t.Params {
			if p.HasType {
				ps = append(ps, r.name(p.Type, depth+1))
			}
		}
		if len(ps) > 0 {
			n += "<" + strings.Join(ps, ", ") + ">"
		}
		return n
	case t.Kind == KindPrimitive:
		return t.Primitive.String()
	case t.Kind == KindSequence:
		return "Vec<" + r.name(t.Elem, depth+1) + ">"
	case t.Kind == KindArray:
		return fmt.Sprintf("[%s; %d]", r.name(t.Elem, depth+1), t.Len)
	case t.Kind == KindCompact:
		return "Compact<" + r.name(t.Elem, depth+1) + ">"
	case t.Kind == KindTuple:
		ps := make([]string, len(t.Tuple))
		for i, e := range t.Tuple {
			ps[i] = r.name(e, depth+1)
		}
		return "(" + strings.Join(ps, ", ") + ")"
	case t.Kind == KindBitSequence:
		return "BitVec"
	}
	return fmt.Sprintf("<anonymous %s %d>", t.Kind, id)
}

// Shape renders a type by its wire form rather than its name, so that two
// registries' types can be compared: a composite of one field is that field
// (NetUid(u16) is u16), other composites list their named fields
// ("{block:u64,port:u16}"), enums their variants by index, and arrays,
// sequences, tuples and compacts their elements ("[u8;32]",
// "Vec<(u16,Compact<u64>)>"). Deep types are cut off with "…".
func (r *Registry) Shape(id TypeID) string { return r.shape(id, 0) }

func (r *Registry) shape(id TypeID, depth int) string {
	t, ok := r.Type(id)
	if !ok {
		return "?"
	}
	if depth > 6 {
		return "…"
	}
	join := func(ids []TypeID) string {
		ps := make([]string, len(ids))
		for i, e := range ids {
			ps[i] = r.shape(e, depth+1)
		}
		return strings.Join(ps, ",")
	}
	switch t.Kind {
	case KindComposite:
		if len(t.Fields) == 1 {
			return r.shape(t.Fields[0].Type, depth)
		}
		ps := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			ps[i] = f.Name + ":" + r.shape(f.Type, depth+1)
		}
		return "{" + strings.Join(ps, ",") + "}"
	case KindVariant:
		ps := make([]string, len(t.Variants))
		for i, v := range t.Variants {
			fs := make([]TypeID, len(v.Fields))
			for j, f := range v.Fields {
				fs[j] = f.Type
			}
			ps[i] = fmt.Sprintf("%d:%s(%s)", v.Index, v.Name, join(fs))
		}
		return "enum{" + strings.Join(ps, "|") + "}"
	case KindSequence:
		return "Vec<" + r.shape(t.Elem, depth+1) + ">"
	case KindArray:
		return fmt.Sprintf("[%s;%d]", r.shape(t.Elem, depth+1), t.Len)
	case KindTuple:
		return "(" + join(t.Tuple) + ")"
	case KindCompact:
		return "Compact<" + r.shape(t.Elem, depth+1) + ">"
	}
	return r.Name(id)
}

// IsZeroSized reports whether every value of the type encodes to zero bytes
// (an empty composite or tuple, or one made only of such types). Unknown
// signed extensions whose types are zero-sized can be skipped.
func (r *Registry) IsZeroSized(id TypeID) bool {
	return r.zeroSized(id, 0)
}

func (r *Registry) zeroSized(id TypeID, depth int) bool {
	t, ok := r.Type(id)
	if !ok || depth > 32 {
		return false
	}
	switch t.Kind {
	case KindComposite:
		for _, f := range t.Fields {
			if !r.zeroSized(f.Type, depth+1) {
				return false
			}
		}
		return true
	case KindTuple:
		for _, e := range t.Tuple {
			if !r.zeroSized(e, depth+1) {
				return false
			}
		}
		return true
	case KindArray:
		return t.Len == 0 || r.zeroSized(t.Elem, depth+1)
	}
	return false
}

// resolveU8 reports whether id is the primitive u8 (looking through
// single-field composites is not done: only the primitive itself counts).
func (r *Registry) isU8(id TypeID) bool {
	t, ok := r.Type(id)
	return ok && t.Kind == KindPrimitive && t.Primitive == PrimU8
}
