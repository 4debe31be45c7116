package substrate

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/minerkit/minerkit/scale"
)

var (
	bigIntType  = reflect.TypeFor[*big.Int]()
	uint128Type = reflect.TypeFor[scale.Uint128]()
	valueType   = reflect.TypeFor[Value]()
)

// Into stores v in the Go value dst points to, the typed view of a decoded
// value:
//
//   - integers into any Go integer kind that holds them, *big.Int or
//     scale.Uint128; bools, strings;
//   - byte strings into []byte or [N]byte (keys.PublicKey, hashes);
//   - composites into structs, matching a field's `scale:"name"` tag or its
//     name converted to snake_case (Nonce ↔ nonce, IPType ↔ ip_type),
//     or by position when the composite's fields have no names;
//   - lists into slices and arrays; Option into a pointer (nil for None);
//   - anything into a Value field, kept dynamic.
//
// Single-field newtypes are looked through. Fields of dst absent from v are
// left alone; a value that does not fit fails with an error naming the path.
func (v Value) Into(dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("substrate: Into needs a non-nil pointer, got %T", dst)
	}
	return into(v, rv.Elem(), "value", 0)
}

func into(v Value, dst reflect.Value, path string, depth int) error {
	if depth > maxValueDepth {
		return fmt.Errorf("substrate: %s: nested too deep", path)
	}
	t := dst.Type()
	switch {
	case t == valueType:
		dst.Set(reflect.ValueOf(v))
		return nil
	case t == bigIntType:
		n, ok := v.BigInt()
		if !ok {
			return fmt.Errorf("substrate: %s: want an integer, got %s", path, v.Kind)
		}
		dst.Set(reflect.ValueOf(n))
		return nil
	case t == uint128Type:
		n, ok := v.BigInt()
		u, fits := scale.U128FromBig(n)
		if !ok || !fits {
			return fmt.Errorf("substrate: %s: %s does not fit u128", path, v)
		}
		dst.Set(reflect.ValueOf(u))
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.Kind == ValVariant && v.Str == "None" && len(v.Fields) == 0 {
			dst.SetZero()
			return nil
		}
		if v.Kind == ValVariant && v.Str == "Some" && len(v.Fields) == 1 {
			v = v.Fields[0].Value
		}
		p := reflect.New(t.Elem())
		if err := into(v, p.Elem(), path, depth+1); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Bool:
		v = v.Unwrap()
		if v.Kind != ValBool {
			return fmt.Errorf("substrate: %s: want a bool, got %s", path, v.Kind)
		}
		dst.SetBool(v.Bool)
		return nil
	case reflect.String:
		v = v.Unwrap()
		switch v.Kind {
		case ValString:
			dst.SetString(v.Str)
		case ValBytes:
			dst.SetString(string(v.Bytes))
		case ValVariant:
			dst.SetString(v.Str)
		default:
			return fmt.Errorf("substrate: %s: want a string, got %s", path, v.Kind)
		}
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := v.Uint64()
		if !ok || dst.OverflowUint(n) {
			return fmt.Errorf("substrate: %s: %s does not fit %s", path, v, t)
		}
		dst.SetUint(n)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.Int64()
		if !ok || dst.OverflowInt(n) {
			return fmt.Errorf("substrate: %s: %s does not fit %s", path, v, t)
		}
		dst.SetInt(n)
		return nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			if b, ok := v.AsBytes(); ok {
				if t.Kind() == reflect.Array {
					if len(b) != t.Len() {
						return fmt.Errorf("substrate: %s: want %d bytes, got %d", path, t.Len(), len(b))
					}
					reflect.Copy(dst, reflect.ValueOf(b))
					return nil
				}
				dst.SetBytes(append([]byte(nil), b...))
				return nil
			}
		}
		err := intoList(v, dst, path, depth)
		if err != nil && t.Kind() == reflect.Slice && v.Kind == ValComposite && len(v.Fields) == 1 &&
			v.Fields[0].Name == "" && v.Fields[0].Value.Kind == ValComposite {
			// A newtype around a list (BoundedVec, WeakBoundedVec).
			if err2 := into(v.Fields[0].Value, dst, path, depth+1); err2 == nil {
				return nil
			}
		}
		return err
	case reflect.Struct:
		return intoStruct(v, dst, path, depth)
	}
	return fmt.Errorf("substrate: %s: cannot store a value in a %s", path, t)
}

func intoList(list Value, dst reflect.Value, path string, depth int) error {
	t := dst.Type()
	if list.Kind != ValComposite {
		return fmt.Errorf("substrate: %s: want a list, got %s", path, list.Kind)
	}
	n := len(list.Fields)
	out := dst
	if t.Kind() == reflect.Array {
		if n != t.Len() {
			return fmt.Errorf("substrate: %s: want %d elements, got %d", path, t.Len(), n)
		}
		out = reflect.New(t).Elem()
	} else {
		out = reflect.MakeSlice(t, n, n)
	}
	for i, f := range list.Fields {
		if err := into(f.Value, out.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
			return err
		}
	}
	dst.Set(out)
	return nil
}

func intoStruct(v Value, dst reflect.Value, path string, depth int) error {
	t := dst.Type()
	// A newtype around a struct: a one-field tuple cannot fill a struct of
	// several fields, so look inside it.
	for v.Kind == ValComposite && len(v.Fields) == 1 && v.Fields[0].Name == "" && v.Fields[0].Value.Kind == ValComposite &&
		exportedFields(t) > 1 {
		v = v.Fields[0].Value
	}
	if v.Kind == ValVariant {
		// An enum into a struct: its fields (the variant name is lost;
		// use a string or Value field to keep it).
		v = Value{Kind: ValComposite, Fields: v.Fields}
	}
	if v.Kind != ValComposite {
		return fmt.Errorf("substrate: %s: want a composite for %s, got %s", path, t, v.Kind)
	}
	named := len(v.Fields) > 0 && v.Fields[0].Name != ""
	pos := 0
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := sf.Tag.Get("scale")
		if name == "-" {
			continue
		}
		if name == "" {
			name = snakeCase(sf.Name)
		}
		var fv Value
		if named {
			var ok bool
			if fv, ok = v.Field(name); !ok {
				continue
			}
		} else {
			if pos >= len(v.Fields) {
				break
			}
			fv = v.Fields[pos].Value
			pos++
		}
		if err := into(fv, dst.Field(i), path+"."+name, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// snakeCase turns a Go field name into the Rust one: IPType → ip_type,
// Placeholder1 → placeholder1, NetUID → net_uid.
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 {
			prevLower := rs[i-1] >= 'a' && rs[i-1] <= 'z' || rs[i-1] >= '0' && rs[i-1] <= '9'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			if prevLower || (nextLower && rs[i-1] >= 'A' && rs[i-1] <= 'Z') {
				b.WriteByte('_')
			}
		}
		if upper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func exportedFields(t reflect.Type) int {
	n := 0
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() && t.Field(i).Tag.Get("scale") != "-" {
			n++
		}
	}
	return n
}

// ValueOf converts a Go value to a Value, the reverse of Into: integers,
// *big.Int and scale.Uint128 to numbers; []byte and [N]byte to bytes;
// other slices and arrays to lists; structs to composites named by their
// `scale` tags or snake_case field names; nil pointers to None and others
// to Some; a Value as itself. Use it to pass Go structs to NewCall or
// StorageKey.
func ValueOf(x any) (Value, error) {
	return valueOf(reflect.ValueOf(x), "value", 0)
}

func valueOf(rv reflect.Value, path string, depth int) (Value, error) {
	if depth > maxValueDepth {
		return Value{}, fmt.Errorf("substrate: %s: nested too deep", path)
	}
	if !rv.IsValid() {
		return None(), nil
	}
	t := rv.Type()
	switch {
	case t == valueType:
		return rv.Interface().(Value), nil
	case t == bigIntType:
		if rv.IsNil() {
			return Value{}, fmt.Errorf("substrate: %s: nil *big.Int", path)
		}
		return BigInt(rv.Interface().(*big.Int)), nil
	case t == uint128Type:
		return U128(rv.Interface().(scale.Uint128)), nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return None(), nil
		}
		inner, err := valueOf(rv.Elem(), path, depth+1)
		if err != nil {
			return Value{}, err
		}
		if t.Kind() == reflect.Interface {
			return inner, nil
		}
		return Some(inner), nil
	case reflect.Bool:
		return Bool(rv.Bool()), nil
	case reflect.String:
		return Str(rv.String()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return U64(rv.Uint()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return I64(rv.Int()), nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return Bytes(b), nil
		}
		vs := make([]Value, rv.Len())
		for i := range vs {
			v, err := valueOf(rv.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return Value{}, err
			}
			vs[i] = v
		}
		return Tuple(vs...), nil
	case reflect.Struct:
		var fs []NamedValue
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name := sf.Tag.Get("scale")
			if name == "-" {
				continue
			}
			if name == "" {
				name = snakeCase(sf.Name)
			}
			v, err := valueOf(rv.Field(i), path+"."+name, depth+1)
			if err != nil {
				return Value{}, err
			}
			fs = append(fs, Named(name, v))
		}
		return Composite(fs...), nil
	}
	return Value{}, fmt.Errorf("substrate: %s: cannot convert a %s to a Value", path, t)
}
