package substrate

import (
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/minerkit/minerkit/scale"
)

// maxValueDepth bounds the nesting of values, so that a recursive type in
// hostile metadata cannot exhaust the stack.
const maxValueDepth = 128

// maxZeroSizedArray bounds arrays of zero-sized elements, which consume no
// input and so are not bounded by it.
const maxZeroSizedArray = 1 << 16

// DecodeValue decodes data, which must hold exactly one value of type id.
func (r *Registry) DecodeValue(id TypeID, data []byte) (Value, error) {
	d := scale.NewDecoder(data)
	v, err := r.DecodeValueFrom(d, id)
	if err != nil {
		return Value{}, err
	}
	if err := d.Finish(); err != nil {
		return Value{}, fmt.Errorf("substrate: decode %s: %w", r.Name(id), err)
	}
	return v, nil
}

// DecodeValueFrom decodes one value of type id from d.
func (r *Registry) DecodeValueFrom(d *scale.Decoder, id TypeID) (Value, error) {
	v, err := r.decode(d, id, 0)
	if err != nil {
		return Value{}, fmt.Errorf("substrate: decode %s: %w", r.Name(id), err)
	}
	return v, nil
}

// SkipValue advances d over one value of type id without building it.
func (r *Registry) SkipValue(d *scale.Decoder, id TypeID) error {
	_, err := r.DecodeValueFrom(d, id)
	return err
}

func (r *Registry) decodeFields(d *scale.Decoder, fs []Field, depth int) ([]NamedValue, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	out := make([]NamedValue, len(fs))
	for i, f := range fs {
		v, err := r.decode(d, f.Type, depth+1)
		if err != nil {
			if f.Name != "" {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			return nil, fmt.Errorf("field %d: %w", i, err)
		}
		out[i] = NamedValue{Name: f.Name, Value: v}
	}
	return out, nil
}

func (r *Registry) decode(d *scale.Decoder, id TypeID, depth int) (Value, error) {
	if depth > maxValueDepth {
		return Value{}, fmt.Errorf("%w: values nested deeper than %d (recursive type %d?)", scale.ErrInvalid, maxValueDepth, id)
	}
	t, err := r.typ(id)
	if err != nil {
		return Value{}, err
	}
	switch t.Kind {
	case KindComposite:
		fs, err := r.decodeFields(d, t.Fields, depth)
		return Value{Kind: ValComposite, Fields: fs}, err
	case KindVariant:
		at := d.Offset()
		idx, err := d.U8()
		if err != nil {
			return Value{}, err
		}
		vt, ok := t.VariantByIndex(idx)
		if !ok {
			return Value{}, fmt.Errorf("%w: %s has no variant %d (offset %d)", scale.ErrInvalid, r.Name(id), idx, at)
		}
		fs, err := r.decodeFields(d, vt.Fields, depth)
		if err != nil {
			return Value{}, fmt.Errorf("%s: %w", vt.Name, err)
		}
		return Value{Kind: ValVariant, Str: vt.Name, Fields: fs}, nil
	case KindSequence:
		if r.isU8(t.Elem) {
			b, err := d.ByteSlice()
			return Value{Kind: ValBytes, Bytes: b}, err
		}
		n, err := d.Len(1)
		if err != nil {
			return Value{}, err
		}
		return r.decodeItems(d, t.Elem, n, depth)
	case KindArray:
		if r.isU8(t.Elem) {
			b, err := d.Bytes(int(min(t.Len, 1<<31-1)))
			return Value{Kind: ValBytes, Bytes: b}, err
		}
		if uint64(t.Len) > uint64(d.Remaining()) && !(r.IsZeroSized(t.Elem) && t.Len <= maxZeroSizedArray) {
			return Value{}, fmt.Errorf("%w: array of %d elements with %d bytes left", scale.ErrShort, t.Len, d.Remaining())
		}
		return r.decodeItems(d, t.Elem, int(t.Len), depth)
	case KindTuple:
		if len(t.Tuple) == 0 {
			return Value{Kind: ValComposite}, nil
		}
		out := make([]NamedValue, len(t.Tuple))
		for i, e := range t.Tuple {
			v, err := r.decode(d, e, depth+1)
			if err != nil {
				return Value{}, fmt.Errorf("tuple element %d: %w", i, err)
			}
			out[i].Value = v
		}
		return Value{Kind: ValComposite, Fields: out}, nil
	case KindPrimitive:
		return decodePrimitive(d, t.Primitive)
	case KindCompact:
		inner, err := r.compactInner(t.Elem)
		if err != nil {
			return Value{}, err
		}
		if inner == nil {
			return Value{Kind: ValComposite}, nil
		}
		if inner.size() <= 16 {
			u, err := d.CompactU128()
			if err != nil {
				return Value{}, err
			}
			if inner.size() < 16 && (u.Hi != 0 || (inner.size() < 8 && u.Lo>>(8*inner.size()) != 0)) {
				return Value{}, fmt.Errorf("%w: compact %s overflows %s", scale.ErrInvalid, u, inner)
			}
			return U128(u), nil
		}
		b, err := d.CompactBig()
		if err != nil {
			return Value{}, err
		}
		if b.BitLen() > 8*inner.size() {
			return Value{}, fmt.Errorf("%w: compact %s overflows %s", scale.ErrInvalid, b, inner)
		}
		return BigInt(b), nil
	case KindBitSequence:
		return r.decodeBits(d, t)
	}
	return Value{}, fmt.Errorf("%w: type %d has unknown kind %d", scale.ErrInvalid, id, t.Kind)
}

func (r *Registry) decodeItems(d *scale.Decoder, elem TypeID, n, depth int) (Value, error) {
	out := make([]NamedValue, 0, min(n, d.Remaining()+1))
	for i := 0; i < n; i++ {
		v, err := r.decode(d, elem, depth+1)
		if err != nil {
			return Value{}, fmt.Errorf("element %d: %w", i, err)
		}
		out = append(out, NamedValue{Value: v})
	}
	return Value{Kind: ValComposite, Fields: out}, nil
}

// compactInner resolves the type inside a Compact through single-field
// composites to an unsigned primitive; nil means a zero-sized inner type.
func (r *Registry) compactInner(id TypeID) (*Primitive, error) {
	for range 16 {
		t, err := r.typ(id)
		if err != nil {
			return nil, err
		}
		switch {
		case t.Kind == KindPrimitive:
			switch t.Primitive {
			case PrimU8, PrimU16, PrimU32, PrimU64, PrimU128, PrimU256:
				p := t.Primitive
				return &p, nil
			}
			return nil, fmt.Errorf("%w: Compact<%s> is not an unsigned integer", scale.ErrInvalid, t.Primitive)
		case t.Kind == KindComposite && len(t.Fields) == 1:
			id = t.Fields[0].Type
		case t.Kind == KindTuple && len(t.Tuple) == 1:
			id = t.Tuple[0]
		case r.IsZeroSized(id):
			return nil, nil
		default:
			return nil, fmt.Errorf("%w: Compact<%s> is not a number", scale.ErrInvalid, r.Name(id))
		}
	}
	return nil, fmt.Errorf("%w: Compact of type %d nests too deep", scale.ErrInvalid, id)
}

func decodePrimitive(d *scale.Decoder, p Primitive) (Value, error) {
	switch p {
	case PrimBool:
		b, err := d.Bool()
		return Bool(b), err
	case PrimChar:
		at := d.Offset()
		c, err := d.U32()
		if err != nil {
			return Value{}, err
		}
		if !utf8.ValidRune(rune(c)) {
			return Value{}, fmt.Errorf("%w: char %#x at offset %d", scale.ErrInvalid, c, at)
		}
		return Value{Kind: ValChar, Uint: uint64(c)}, nil
	case PrimStr:
		s, err := d.String()
		return Str(s), err
	case PrimU8:
		v, err := d.U8()
		return U64(uint64(v)), err
	case PrimU16:
		v, err := d.U16()
		return U64(uint64(v)), err
	case PrimU32:
		v, err := d.U32()
		return U64(uint64(v)), err
	case PrimU64:
		v, err := d.U64()
		return U64(v), err
	case PrimU128:
		v, err := d.U128()
		return U128(v), err
	case PrimI8:
		v, err := d.I8()
		return I64(int64(v)), err
	case PrimI16:
		v, err := d.I16()
		return I64(int64(v)), err
	case PrimI32:
		v, err := d.I32()
		return I64(int64(v)), err
	case PrimI64:
		v, err := d.I64()
		return I64(v), err
	case PrimI128:
		v, err := d.I128()
		if err != nil {
			return Value{}, err
		}
		return BigInt(v.Big()), nil
	case PrimU256, PrimI256:
		b, err := d.Bytes(32)
		if err != nil {
			return Value{}, err
		}
		be := make([]byte, 32)
		for i := range b {
			be[31-i] = b[i]
		}
		n := new(big.Int).SetBytes(be)
		if p == PrimI256 && b[31]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 256))
		}
		return BigInt(n), nil
	}
	return Value{}, fmt.Errorf("%w: unknown primitive %d", scale.ErrInvalid, p)
}

// bitLayout returns the byte size of a BitVec's store type and whether its
// order is Msb0.
func (r *Registry) bitLayout(t *Type) (int, bool, error) {
	st, err := r.typ(t.BitStore)
	if err != nil {
		return 0, false, err
	}
	if st.Kind != KindPrimitive || st.Primitive < PrimU8 || st.Primitive > PrimU64 {
		return 0, false, fmt.Errorf("%w: BitVec store type %s is not u8..u64", scale.ErrInvalid, r.Name(t.BitStore))
	}
	ot, err := r.typ(t.BitOrder)
	if err != nil {
		return 0, false, err
	}
	msb := len(ot.Path) > 0 && ot.Path[len(ot.Path)-1] == "Msb0"
	return st.Primitive.size(), msb, nil
}

func (r *Registry) decodeBits(d *scale.Decoder, t *Type) (Value, error) {
	size, msb, err := r.bitLayout(t)
	if err != nil {
		return Value{}, err
	}
	n, err := d.Compact()
	if err != nil {
		return Value{}, err
	}
	words := (n + uint64(size*8) - 1) / uint64(size*8)
	if words > uint64(d.Remaining()/size) {
		return Value{}, fmt.Errorf("%w: BitVec of %d bits with %d bytes left", scale.ErrShort, n, d.Remaining())
	}
	raw, err := d.Bytes(int(words) * size)
	if err != nil {
		return Value{}, err
	}
	bits := make([]bool, n)
	for i := range bits {
		w := i / (size * 8)
		k := i % (size * 8)
		// Each store word is little-endian; bit k of the word.
		if msb {
			k = size*8 - 1 - k
		}
		bits[i] = raw[w*size+k/8]>>(k%8)&1 == 1
	}
	return Value{Kind: ValBits, Bits: bits}, nil
}
