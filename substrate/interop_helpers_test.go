package substrate

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
)

// randValue returns a random value of type id, for the differential tests.
// Sequences are short; enums pick a random variant.
func randValue(r *Registry, id TypeID, rng *rand.Rand, depth int) Value {
	t, ok := r.Type(id)
	if !ok || depth > 12 {
		panic(fmt.Sprintf("randValue: type %d", id))
	}
	switch t.Kind {
	case KindComposite:
		fs := make([]NamedValue, len(t.Fields))
		for i, f := range t.Fields {
			fs[i] = NamedValue{Name: f.Name, Value: randValue(r, f.Type, rng, depth+1)}
		}
		return Value{Kind: ValComposite, Fields: fs}
	case KindVariant:
		v := t.Variants[rng.IntN(len(t.Variants))]
		fs := make([]NamedValue, len(v.Fields))
		for i, f := range v.Fields {
			fs[i] = NamedValue{Name: f.Name, Value: randValue(r, f.Type, rng, depth+1)}
		}
		return Value{Kind: ValVariant, Str: v.Name, Fields: fs}
	case KindSequence, KindArray:
		n := int(t.Len)
		if t.Kind == KindSequence {
			n = rng.IntN(6)
			if rng.IntN(8) == 0 {
				n = 40 + rng.IntN(60)
			}
		}
		if r.isU8(t.Elem) {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			return Bytes(b)
		}
		vs := make([]Value, n)
		for i := range vs {
			vs[i] = randValue(r, t.Elem, rng, depth+1)
		}
		return Tuple(vs...)
	case KindTuple:
		vs := make([]Value, len(t.Tuple))
		for i, e := range t.Tuple {
			vs[i] = randValue(r, e, rng, depth+1)
		}
		return Tuple(vs...)
	case KindPrimitive:
		return randPrimitive(t.Primitive, rng)
	case KindCompact:
		inner, _ := r.compactInner(t.Elem)
		if inner == nil {
			return Value{Kind: ValComposite}
		}
		return randPrimitive(*inner, rng)
	}
	panic(fmt.Sprintf("randValue: kind %s", t.Kind))
}

func randPrimitive(p Primitive, rng *rand.Rand) Value {
	switch p {
	case PrimBool:
		return Bool(rng.IntN(2) == 1)
	case PrimStr:
		return Str(fmt.Sprintf("s%d", rng.IntN(1000)))
	}
	bits := 8 * p.size()
	// Mix small numbers, boundary values and full-width random ones.
	n := new(big.Int)
	switch rng.IntN(4) {
	case 0:
		n.SetUint64(rng.Uint64N(64))
	case 1:
		n.Lsh(big.NewInt(1), uint(bits))
		n.Sub(n, big.NewInt(1))
	default:
		for i := 0; i < bits; i += 64 {
			n.Lsh(n, 64)
			n.Or(n, new(big.Int).SetUint64(rng.Uint64()))
		}
		n.Rsh(n, uint(rng.IntN(bits)))
		mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(bits)), big.NewInt(1))
		n.And(n, mask)
	}
	if p >= PrimI8 {
		n.Rsh(n, 1)
		if rng.IntN(2) == 0 {
			n.Neg(n)
		}
	}
	return BigInt(n)
}

// pjsJSON renders v of type id as @polkadot/types accepts it in createType
// and in decorated call and storage functions.
func pjsJSON(r *Registry, id TypeID, v Value) any {
	t, _ := r.Type(id)
	switch t.Kind {
	case KindComposite:
		if len(t.Fields) == 1 && t.Fields[0].Name == "" {
			return pjsJSON(r, t.Fields[0].Type, v.Fields[0].Value)
		}
		return pjsFields(r, t.Fields, v.Fields)
	case KindVariant:
		if len(t.Path) == 1 && t.Path[0] == "Option" {
			if v.Str == "None" {
				return nil
			}
			return pjsJSON(r, t.Variants[1].Fields[0].Type, v.Fields[0].Value)
		}
		vt, _ := t.VariantByName(v.Str)
		if len(vt.Fields) == 0 {
			return map[string]any{v.Str: nil}
		}
		if len(vt.Fields) == 1 && vt.Fields[0].Name == "" {
			return map[string]any{v.Str: pjsJSON(r, vt.Fields[0].Type, v.Fields[0].Value)}
		}
		return map[string]any{v.Str: pjsFields(r, vt.Fields, v.Fields)}
	case KindSequence, KindArray:
		if v.Kind == ValBytes {
			return "0x" + hex.EncodeToString(v.Bytes)
		}
		out := make([]any, len(v.Fields))
		for i, f := range v.Fields {
			out[i] = pjsJSON(r, t.Elem, f.Value)
		}
		return out
	case KindTuple:
		out := make([]any, len(v.Fields))
		for i, f := range v.Fields {
			out[i] = pjsJSON(r, t.Tuple[i], f.Value)
		}
		return out
	case KindPrimitive, KindCompact:
		switch v.Kind {
		case ValBool:
			return v.Bool
		case ValString:
			return v.Str
		}
		n, _ := v.BigInt()
		return n.String()
	}
	return nil
}

func pjsFields(r *Registry, fs []Field, vs []NamedValue) any {
	if len(fs) > 0 && fs[0].Name != "" {
		m := make(map[string]any, len(fs))
		for i, f := range fs {
			m[f.Name] = pjsJSON(r, f.Type, vs[i].Value)
		}
		return m
	}
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = pjsJSON(r, f.Type, vs[i].Value)
	}
	return out
}
