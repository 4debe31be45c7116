package substrate

import (
	"fmt"
	"math/big"

	"github.com/minerkit/minerkit/scale"
)

// EncodeValue returns the encoding of v as a value of type id.
func (r *Registry) EncodeValue(id TypeID, v Value) ([]byte, error) {
	return r.AppendValue(nil, id, v)
}

// AppendValue appends the encoding of v as a value of type id to b.
//
// Besides the exact shape DecodeValue returns, it accepts: composites by
// field name in any order or by position; a bare value for a single-field
// composite or one-element tuple (so Bytes(pub) works for an AccountId32);
// ValBytes or ValString for any Vec<u8> or [u8; N]; any integer kind for any
// integer type that holds it.
func (r *Registry) AppendValue(b []byte, id TypeID, v Value) ([]byte, error) {
	return r.encode(b, id, v, 0)
}

func (r *Registry) encode(b []byte, id TypeID, v Value, depth int) ([]byte, error) {
	if depth > maxValueDepth {
		return b, valueErr(r, id, "nested deeper than %d", maxValueDepth)
	}
	t, err := r.typ(id)
	if err != nil {
		return b, err
	}
	switch t.Kind {
	case KindComposite:
		if len(t.Fields) == 1 && (v.Kind != ValComposite || len(v.Fields) != 1) {
			// A newtype: accept the inner value directly.
			return r.encode(b, t.Fields[0].Type, v, depth+1)
		}
		if v.Kind != ValComposite {
			return b, valueErr(r, id, "want a composite with %d fields, got %s", len(t.Fields), v.Kind)
		}
		out, err := r.encodeFields(b, id, t.Fields, v.Fields, depth)
		if err != nil && len(t.Fields) == 1 {
			// A one-element list given to a newtype around a list
			// (BoundedVec): try the value as the inner value itself.
			if out2, err2 := r.encode(b, t.Fields[0].Type, v, depth+1); err2 == nil {
				return out2, nil
			}
		}
		return out, err
	case KindVariant:
		if v.Kind != ValVariant {
			return b, valueErr(r, id, "want an enum variant, got %s", v.Kind)
		}
		vt, ok := t.VariantByName(v.Str)
		if !ok {
			return b, valueErr(r, id, "no variant named %q", v.Str)
		}
		b = append(b, vt.Index)
		return r.encodeFields(b, id, vt.Fields, v.Fields, depth)
	case KindSequence, KindArray:
		fixed := t.Kind == KindArray
		if r.isU8(t.Elem) {
			if raw, ok := v.AsBytes(); ok {
				if fixed && uint32(len(raw)) != t.Len {
					return b, valueErr(r, id, "want %d bytes, got %d", t.Len, len(raw))
				}
				if !fixed {
					b = scale.AppendCompact(b, uint64(len(raw)))
				}
				return append(b, raw...), nil
			}
		}
		if v.Kind != ValComposite {
			return b, valueErr(r, id, "want a list, got %s", v.Kind)
		}
		if fixed && uint32(len(v.Fields)) != t.Len {
			return b, valueErr(r, id, "want %d elements, got %d", t.Len, len(v.Fields))
		}
		if !fixed {
			b = scale.AppendCompact(b, uint64(len(v.Fields)))
		}
		for i, f := range v.Fields {
			if b, err = r.encode(b, t.Elem, f.Value, depth+1); err != nil {
				return b, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return b, nil
	case KindTuple:
		if len(t.Tuple) == 1 && (v.Kind != ValComposite || len(v.Fields) != 1) {
			return r.encode(b, t.Tuple[0], v, depth+1)
		}
		if len(t.Tuple) == 0 && v.Kind == ValInvalid {
			return b, nil
		}
		if v.Kind != ValComposite || len(v.Fields) != len(t.Tuple) {
			return b, valueErr(r, id, "want a tuple of %d, got %s of %d", len(t.Tuple), v.Kind, len(v.Fields))
		}
		for i, e := range t.Tuple {
			if b, err = r.encode(b, e, v.Fields[i].Value, depth+1); err != nil {
				return b, fmt.Errorf("tuple element %d: %w", i, err)
			}
		}
		return b, nil
	case KindPrimitive:
		return r.encodePrimitive(b, id, t.Primitive, v)
	case KindCompact:
		inner, err := r.compactInner(t.Elem)
		if err != nil {
			return b, err
		}
		if inner == nil {
			return b, nil
		}
		n, ok := v.BigInt()
		if !ok || n.Sign() < 0 || n.BitLen() > 8*inner.size() {
			return b, valueErr(r, id, "want an unsigned integer that fits %s, got %s", inner, v)
		}
		if n.IsUint64() {
			return scale.AppendCompact(b, n.Uint64()), nil
		}
		return scale.AppendCompactBig(b, n)
	case KindBitSequence:
		return r.encodeBits(b, id, t, v)
	}
	return b, valueErr(r, id, "unknown type kind %d", t.Kind)
}

func (r *Registry) encodeFields(b []byte, id TypeID, fs []Field, vs []NamedValue, depth int) ([]byte, error) {
	if len(vs) != len(fs) {
		return b, valueErr(r, id, "want %d fields, got %d", len(fs), len(vs))
	}
	byName := len(fs) > 0 && fs[0].Name != "" && vs[0].Name != ""
	var err error
	for i, f := range fs {
		fv := vs[i].Value
		if byName && vs[i].Name != f.Name {
			found := false
			for _, nv := range vs {
				if nv.Name == f.Name {
					fv, found = nv.Value, true
					break
				}
			}
			if !found {
				return b, valueErr(r, id, "missing field %q", f.Name)
			}
		}
		if b, err = r.encode(b, f.Type, fv, depth+1); err != nil {
			if f.Name != "" {
				return b, fmt.Errorf("field %s: %w", f.Name, err)
			}
			return b, fmt.Errorf("field %d: %w", i, err)
		}
	}
	return b, nil
}

// two256 is read-only.
var two256 = new(big.Int).Lsh(big.NewInt(1), 256)

func (r *Registry) encodePrimitive(b []byte, id TypeID, p Primitive, v Value) ([]byte, error) {
	v = v.Unwrap()
	switch p {
	case PrimBool:
		if v.Kind != ValBool {
			return b, valueErr(r, id, "want a bool, got %s", v.Kind)
		}
		return scale.AppendBool(b, v.Bool), nil
	case PrimStr:
		if v.Kind != ValString {
			return b, valueErr(r, id, "want a string, got %s", v.Kind)
		}
		return scale.AppendString(b, v.Str), nil
	case PrimChar:
		if v.Kind == ValString && len([]rune(v.Str)) == 1 {
			return scale.AppendU32(b, uint32([]rune(v.Str)[0])), nil
		}
		if v.Kind != ValChar {
			return b, valueErr(r, id, "want a char, got %s", v.Kind)
		}
		return scale.AppendU32(b, uint32(v.Uint)), nil
	}
	n, ok := v.BigInt()
	if !ok {
		return b, valueErr(r, id, "want an integer, got %s", v.Kind)
	}
	size := p.size()
	signed := p >= PrimI8
	if signed {
		lim := new(big.Int).Lsh(big.NewInt(1), uint(8*size-1))
		if n.Cmp(lim) >= 0 || n.Cmp(new(big.Int).Neg(lim)) < 0 {
			return b, valueErr(r, id, "%s does not fit %s", n, p)
		}
	} else if n.Sign() < 0 || n.BitLen() > 8*size {
		return b, valueErr(r, id, "%s does not fit %s", n, p)
	}
	if size <= 8 {
		var u uint64
		if signed {
			u = uint64(n.Int64())
		} else {
			u = n.Uint64()
		}
		for i := 0; i < size; i++ {
			b = append(b, byte(u>>(8*i)))
		}
		return b, nil
	}
	if n.Sign() < 0 {
		n = new(big.Int).Add(n, two256)
	}
	be := n.FillBytes(make([]byte, 32))
	for i := 0; i < size; i++ {
		b = append(b, be[31-i])
	}
	return b, nil
}

func (r *Registry) encodeBits(b []byte, id TypeID, t *Type, v Value) ([]byte, error) {
	if v.Kind != ValBits {
		return b, valueErr(r, id, "want bits, got %s", v.Kind)
	}
	size, msb, err := r.bitLayout(t)
	if err != nil {
		return b, err
	}
	b = scale.AppendCompact(b, uint64(len(v.Bits)))
	words := (len(v.Bits) + size*8 - 1) / (size * 8)
	raw := make([]byte, words*size)
	for i, bit := range v.Bits {
		if !bit {
			continue
		}
		w, k := i/(size*8), i%(size*8)
		if msb {
			k = size*8 - 1 - k
		}
		raw[w*size+k/8] |= 1 << (k % 8)
	}
	return append(b, raw...), nil
}
