package substrate

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/minerkit/minerkit/scale"
)

// ValueKind says what a Value holds.
type ValueKind uint8

// The value kinds.
const (
	ValInvalid   ValueKind = iota // the zero Value
	ValBool                       // Bool
	ValChar                       // Uint holds the rune
	ValString                     // Str
	ValUint                       // Uint, or Big when wider than 64 bits
	ValInt                        // Int, or Big when wider than 64 bits
	ValBytes                      // Bytes: a Vec<u8> or [u8; N]
	ValComposite                  // Fields: a struct, tuple, array or sequence
	ValVariant                    // Str is the variant name, Fields its fields
	ValBits                       // Bits: a BitVec
)

var valueKindNames = [...]string{"invalid", "bool", "char", "string", "uint", "int", "bytes", "composite", "variant", "bits"}

func (k ValueKind) String() string {
	if int(k) < len(valueKindNames) {
		return valueKindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a dynamic value of any registry type: what DecodeValue returns
// and EncodeValue accepts, so that calls, events, storage values and runtime
// API results work without generated code.
//
// Composite values (structs, tuples, arrays, sequences) hold their fields in
// order; named struct fields carry their names. Vec<u8> and [u8; N] decode
// as ValBytes. A Compact<T> decodes as the number itself.
type Value struct {
	Kind   ValueKind
	Bool   bool
	Str    string   // ValString; the variant name for ValVariant
	Uint   uint64   // ValUint (when Big is nil) and ValChar
	Int    int64    // ValInt (when Big is nil)
	Big    *big.Int // ValUint and ValInt wider than 64 bits
	Bytes  []byte   // ValBytes
	Fields []NamedValue
	Bits   []bool
}

// NamedValue is a field of a composite or variant value; Name is empty for
// tuple-like fields.
type NamedValue struct {
	Name  string
	Value Value
}

// Bool returns a bool value.
func Bool(b bool) Value { return Value{Kind: ValBool, Bool: b} }

// U64 returns an unsigned integer value (for any uN or Compact type).
func U64(v uint64) Value { return Value{Kind: ValUint, Uint: v} }

// I64 returns a signed integer value.
func I64(v int64) Value { return Value{Kind: ValInt, Int: v} }

// U128 returns an unsigned 128-bit value.
func U128(v scale.Uint128) Value {
	if v.Hi == 0 {
		return U64(v.Lo)
	}
	return Value{Kind: ValUint, Big: v.Big()}
}

// BigInt returns an integer value of any width (signed if b < 0).
func BigInt(b *big.Int) Value {
	if b.Sign() < 0 {
		if b.IsInt64() {
			return I64(b.Int64())
		}
		return Value{Kind: ValInt, Big: new(big.Int).Set(b)}
	}
	if b.IsUint64() {
		return U64(b.Uint64())
	}
	return Value{Kind: ValUint, Big: new(big.Int).Set(b)}
}

// Str returns a string value.
func Str(s string) Value { return Value{Kind: ValString, Str: s} }

// Bytes returns a byte-string value (Vec<u8>, [u8; N], or a newtype around
// one such as AccountId32).
func Bytes(b []byte) Value { return Value{Kind: ValBytes, Bytes: b} }

// Tuple returns an unnamed composite value (a tuple, array, sequence or
// tuple struct) of vs in order.
func Tuple(vs ...Value) Value {
	fs := make([]NamedValue, len(vs))
	for i, v := range vs {
		fs[i].Value = v
	}
	return Value{Kind: ValComposite, Fields: fs}
}

// Named returns a named field.
func Named(name string, v Value) NamedValue { return NamedValue{Name: name, Value: v} }

// Composite returns a composite value with named fields.
func Composite(fields ...NamedValue) Value { return Value{Kind: ValComposite, Fields: fields} }

// Enum returns an enum value: the variant's name and its unnamed fields.
func Enum(name string, fields ...Value) Value {
	v := Tuple(fields...)
	v.Kind, v.Str = ValVariant, name
	return v
}

// EnumNamed returns an enum value whose variant has named fields.
func EnumNamed(name string, fields ...NamedValue) Value {
	return Value{Kind: ValVariant, Str: name, Fields: fields}
}

// Some returns Option's Some(v).
func Some(v Value) Value { return Enum("Some", v) }

// None returns Option's None.
func None() Value { return Enum("None") }

// IsValid reports whether v holds a value.
func (v Value) IsValid() bool { return v.Kind != ValInvalid }

// Field returns the field with the given name of a composite or variant.
func (v Value) Field(name string) (Value, bool) {
	for _, f := range v.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return Value{}, false
}

// At returns field i of a composite or variant.
func (v Value) At(i int) (Value, bool) {
	if i < 0 || i >= len(v.Fields) {
		return Value{}, false
	}
	return v.Fields[i].Value, true
}

// Len returns the number of fields (or bytes, for ValBytes).
func (v Value) Len() int {
	if v.Kind == ValBytes {
		return len(v.Bytes)
	}
	return len(v.Fields)
}

// Unwrap returns the only field of a single-field composite (a newtype such
// as AccountId32 or Perbill), repeatedly; other values are returned as is.
func (v Value) Unwrap() Value {
	for v.Kind == ValComposite && len(v.Fields) == 1 {
		v = v.Fields[0].Value
	}
	return v
}

// Uint64 returns an unsigned integer (looking through newtypes); ok is
// false for other kinds, negative numbers and numbers wider than 64 bits.
func (v Value) Uint64() (uint64, bool) {
	v = v.Unwrap()
	switch v.Kind {
	case ValUint:
		if v.Big == nil {
			return v.Uint, true
		}
		if v.Big.IsUint64() {
			return v.Big.Uint64(), true
		}
	case ValInt:
		if v.Big == nil && v.Int >= 0 {
			return uint64(v.Int), true
		}
	}
	return 0, false
}

// Int64 returns a signed integer (looking through newtypes).
func (v Value) Int64() (int64, bool) {
	v = v.Unwrap()
	switch v.Kind {
	case ValInt:
		if v.Big == nil {
			return v.Int, true
		}
		if v.Big.IsInt64() {
			return v.Big.Int64(), true
		}
	case ValUint:
		if v.Big == nil && v.Uint <= 1<<63-1 {
			return int64(v.Uint), true
		}
	}
	return 0, false
}

// BigInt returns any integer value as a new big.Int.
func (v Value) BigInt() (*big.Int, bool) {
	v = v.Unwrap()
	switch {
	case (v.Kind == ValUint || v.Kind == ValInt) && v.Big != nil:
		return new(big.Int).Set(v.Big), true
	case v.Kind == ValUint:
		return new(big.Int).SetUint64(v.Uint), true
	case v.Kind == ValInt:
		return big.NewInt(v.Int), true
	}
	return nil, false
}

// AsBytes returns the bytes of a ValBytes (looking through newtypes), or of
// a composite made only of u8 values.
func (v Value) AsBytes() ([]byte, bool) {
	v = v.Unwrap()
	switch v.Kind {
	case ValBytes:
		return v.Bytes, true
	case ValString:
		return []byte(v.Str), true
	case ValComposite:
		out := make([]byte, len(v.Fields))
		for i, f := range v.Fields {
			n, ok := f.Value.Uint64()
			if !ok || n > 255 {
				return nil, false
			}
			out[i] = byte(n)
		}
		return out, true
	}
	return nil, false
}

// AccountID returns a 32-byte account id (an AccountId32 value).
func (v Value) AccountID() ([32]byte, bool) {
	var a [32]byte
	b, ok := v.AsBytes()
	if !ok || len(b) != 32 {
		return a, false
	}
	copy(a[:], b)
	return a, true
}

// String formats v for people: numbers in decimal, bytes in 0x hex, structs
// as {name: value}, variants as Name(fields).
func (v Value) String() string {
	var sb strings.Builder
	v.format(&sb)
	return sb.String()
}

func (v Value) format(sb *strings.Builder) {
	switch v.Kind {
	case ValBool:
		sb.WriteString(strconv.FormatBool(v.Bool))
	case ValChar:
		sb.WriteString(strconv.QuoteRune(rune(v.Uint)))
	case ValString:
		sb.WriteString(strconv.Quote(v.Str))
	case ValUint, ValInt:
		n, _ := v.BigInt()
		sb.WriteString(n.String())
	case ValBytes:
		sb.WriteString("0x")
		sb.WriteString(hex.EncodeToString(v.Bytes))
	case ValBits:
		for _, b := range v.Bits {
			if b {
				sb.WriteByte('1')
			} else {
				sb.WriteByte('0')
			}
		}
	case ValVariant:
		sb.WriteString(v.Str)
		if len(v.Fields) > 0 {
			formatFields(sb, v.Fields, "(", ")")
		}
	case ValComposite:
		formatFields(sb, v.Fields, "(", ")")
	default:
		sb.WriteString("<invalid>")
	}
}

func formatFields(sb *strings.Builder, fs []NamedValue, open, close string) {
	named := len(fs) > 0 && fs[0].Name != ""
	if named {
		open, close = "{", "}"
	}
	sb.WriteString(open)
	for i, f := range fs {
		if i > 0 {
			sb.WriteString(", ")
		}
		if f.Name != "" {
			sb.WriteString(f.Name)
			sb.WriteString(": ")
		}
		f.Value.format(sb)
	}
	sb.WriteString(close)
}

// MarshalJSON writes v the way polkadot-js's toJSON does: named composites
// as objects, unnamed ones as arrays, a variant as {"Name": fields} (or just
// "Name" without fields), bytes as 0x hex, integers beyond 2^53 as strings.
func (v Value) MarshalJSON() ([]byte, error) {
	return json.Marshal(v.jsonAny())
}

func (v Value) jsonAny() any {
	switch v.Kind {
	case ValBool:
		return v.Bool
	case ValChar:
		return string(rune(v.Uint))
	case ValString:
		return v.Str
	case ValUint, ValInt:
		n, _ := v.BigInt()
		if n.IsInt64() && n.Int64() <= 1<<53 && n.Int64() >= -(1<<53) {
			return n.Int64()
		}
		return n.String()
	case ValBytes:
		return "0x" + hex.EncodeToString(v.Bytes)
	case ValBits:
		return v.String()
	case ValVariant:
		if len(v.Fields) == 0 {
			return v.Str
		}
		return map[string]any{v.Str: fieldsJSON(v.Fields)}
	case ValComposite:
		return fieldsJSON(v.Fields)
	}
	return nil
}

func fieldsJSON(fs []NamedValue) any {
	if len(fs) > 0 && fs[0].Name != "" {
		m := make(map[string]any, len(fs))
		for _, f := range fs {
			m[f.Name] = f.Value.jsonAny()
		}
		return m
	}
	if len(fs) == 1 {
		return fs[0].Value.jsonAny()
	}
	a := make([]any, len(fs))
	for i, f := range fs {
		a[i] = f.Value.jsonAny()
	}
	return a
}

// valueErr describes a value that does not fit its type.
func valueErr(r *Registry, id TypeID, format string, args ...any) error {
	return fmt.Errorf("substrate: value for %s (type %d): %s", r.Name(id), id, fmt.Sprintf(format, args...))
}
