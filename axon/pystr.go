package axon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/minerkit/minerkit/internal/jsonscan"
)

// The body hash is over Python's str() of each hash field's value as the
// Python axon holds it after pydantic validation. A renderer turns the field's
// JSON text into that form, guided by the Go type the synapse declares (a
// float64 field holding JSON 1 is the Python float 1.0, so "1.0"). Rendering
// from the JSON, never from a decoded Go value, keeps what the sender wrote:
// the key order of objects (Python dicts keep insertion order, Go maps do
// not) and null (Python None) apart from an empty list.

// kind is what a renderer expects.
type kind uint8

const (
	kString kind = iota + 1
	kBool
	kInt
	kUint
	kFloat
	kList
	kDict
	kModel
	kAny
)

// plan renders one Go type.
type plan struct {
	kind kind
	elem *plan // list element, dict value, pointer target
	// keyInt: dict keys are Python ints (Go map[int]…), written without quotes.
	keyInt bool
	// model fields in declaration order (a nested pydantic model is dumped
	// as a dict in field order).
	fields []modelField
}

type modelField struct {
	name string
	p    *plan
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	marshalerType  = reflect.TypeFor[json.Marshaler]()
	unmarshalType  = reflect.TypeFor[json.Unmarshaler]()
	textMarshaler  = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
)

// UnsupportedTypeError is returned when a synapse declares a hash field whose
// Go type has no fixed Python str() form here.
type UnsupportedTypeError struct {
	Synapse string
	Field   string
	Type    reflect.Type
	// Why names the part of the type at fault when it is nested.
	Why string
}

func (e *UnsupportedTypeError) Error() string {
	s := fmt.Sprintf("axon: synapse %s: hash field %q has type %s", e.Synapse, e.Field, e.Type)
	if e.Why != "" {
		s += " (" + e.Why + ")"
	}
	return s + ", which has no Python str() form here: use string, bool, integers, floats, pointers to them (None), slices (list), maps with string or integer keys (dict), structs (nested model) or any"
}

// planFor builds the renderer plan of t. seen guards recursive types.
func planFor(t reflect.Type, seen map[reflect.Type]bool) (*plan, string) {
	if t == rawMessageType {
		return &plan{kind: kAny}, ""
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface &&
		(t.Implements(marshalerType) || reflect.PointerTo(t).Implements(unmarshalType) || t.Implements(textMarshaler)) {
		return nil, t.String() + " has its own JSON form"
	}
	switch t.Kind() {
	case reflect.String:
		return &plan{kind: kString}, ""
	case reflect.Bool:
		return &plan{kind: kBool}, ""
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &plan{kind: kInt}, ""
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &plan{kind: kUint}, ""
	case reflect.Float32, reflect.Float64:
		return &plan{kind: kFloat}, ""
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return &plan{kind: kAny}, ""
		}
		return nil, "an interface with methods"
	case reflect.Pointer:
		if seen[t] {
			return nil, "a recursive type"
		}
		seen[t] = true
		defer delete(seen, t)
		return planFor(t.Elem(), seen)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil, "bytes travel as base64 in Go's JSON and as b'…' in Python"
		}
		e, why := planFor(t.Elem(), seen)
		if e == nil {
			return nil, why
		}
		return &plan{kind: kList, elem: e}, ""
	case reflect.Map:
		p := &plan{kind: kDict}
		switch t.Key().Kind() {
		case reflect.String:
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			p.keyInt = true
		default:
			return nil, "map keys must be strings or integers"
		}
		e, why := planFor(t.Elem(), seen)
		if e == nil {
			return nil, why
		}
		p.elem = e
		return p, ""
	case reflect.Struct:
		if seen[t] {
			return nil, "a recursive type"
		}
		seen[t] = true
		defer delete(seen, t)
		p := &plan{kind: kModel}
		for _, f := range jsonFields(t) {
			fp, why := planFor(f.typ, seen)
			if fp == nil {
				return nil, "field " + f.name + ": " + why
			}
			p.fields = append(p.fields, modelField{f.name, fp})
		}
		return p, ""
	}
	return nil, t.Kind().String() + " values"
}

// jsonField is a field as encoding/json sees it.
type jsonField struct {
	name  string
	typ   reflect.Type
	index []int
}

// jsonFields lists t's JSON fields in order, embedded structs without a name
// tag flattened as encoding/json does (the first name wins here; Go's rule for
// equal depths does not matter for the shapes synapses use).
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft, idx)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, jsonField{name: name, typ: f.Type, index: idx})
			}
		}
	}
	walk(t, nil)
	return out
}

// renderTop appends Python's str(value) of the JSON value raw, read as p: a
// str is itself, everything else is its repr. raw must be one JSON value.
func renderTop(dst []byte, raw []byte, p *plan) ([]byte, error) {
	if !json.Valid(raw) {
		var v any
		err := json.Unmarshal(raw, &v)
		if err == nil {
			err = fmt.Errorf("not one JSON value")
		}
		return dst, err
	}
	s := jscan{jsonscan.Scanner{B: raw}}
	return s.top(dst, p)
}

// top renders the value at s as str() does: a string (read as str or any)
// is itself, unquoted.
func (s *jscan) top(dst []byte, p *plan) ([]byte, error) {
	s.WS()
	if s.B[s.I] == '"' && (p.kind == kString || p.kind == kAny) {
		v, err := s.str()
		if err != nil {
			return dst, err
		}
		return append(dst, v...), nil
	}
	return s.render(dst, p)
}

// jscan walks JSON already checked by json.Valid: it never meets a syntax
// error, so it only looks at what it needs.
type jscan struct{ jsonscan.Scanner }

// str reads the string at s.I.
func (s *jscan) str() (string, error) {
	start := s.I
	s.SkipString()
	raw := s.B[start:s.I]
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err
}

// kindAt names the value at s.I for an error message.
func (s *jscan) kindAt() string {
	switch c := s.B[s.I]; c {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		save := s.I
		n := s.Literal()
		s.I = save
		return "the number " + string(n)
	}
}

// render appends the repr of the value at s, read as p.
func (s *jscan) render(dst []byte, p *plan) ([]byte, error) {
	s.WS()
	c := s.B[s.I]
	if c == 'n' {
		s.I += 4
		return append(dst, "None"...), nil
	}
	want := func(what string) error { return fmt.Errorf("want %s, got %s", what, s.kindAt()) }
	switch p.kind {
	case kString:
		if c != '"' {
			return dst, want("a string")
		}
		v, err := s.str()
		if err != nil {
			return dst, err
		}
		return AppendPyRepr(dst, v), nil
	case kBool:
		switch c {
		case 't':
			s.I += 4
			return append(dst, "True"...), nil
		case 'f':
			s.I += 5
			return append(dst, "False"...), nil
		}
		return dst, want("true or false")
	case kInt, kUint:
		if c == '"' || c == '{' || c == '[' || c == 't' || c == 'f' {
			return dst, want("an integer")
		}
		return appendPyInt(dst, string(s.Literal()))
	case kFloat:
		if c == '"' || c == '{' || c == '[' || c == 't' || c == 'f' {
			return dst, want("a number")
		}
		n := s.Literal()
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return dst, fmt.Errorf("number %s: %w", n, err)
		}
		return AppendPyFloat(dst, f), nil
	case kList:
		if c != '[' {
			return dst, want("a list")
		}
		s.I++
		dst = append(dst, '[')
		s.WS()
		if s.B[s.I] == ']' {
			s.I++
			return append(dst, ']'), nil
		}
		for n := 0; ; n++ {
			if n > 0 {
				dst = append(dst, ", "...)
			}
			var err error
			if dst, err = s.render(dst, p.elem); err != nil {
				return dst, err
			}
			s.WS()
			if s.B[s.I] == ']' {
				s.I++
				return append(dst, ']'), nil
			}
			s.I++ // ','
		}
	case kDict, kModel:
		if c != '{' {
			return dst, want("an object")
		}
		return s.object(dst, p)
	case kAny:
		switch c {
		case '"':
			v, err := s.str()
			if err != nil {
				return dst, err
			}
			return AppendPyRepr(dst, v), nil
		case 't', 'f':
			return s.render(dst, &plan{kind: kBool})
		case '[':
			return s.render(dst, &plan{kind: kList, elem: p})
		case '{':
			return s.object(dst, &plan{kind: kDict, elem: p})
		}
		n := s.Literal()
		if bytes.ContainsAny(n, ".eE") {
			f, err := strconv.ParseFloat(string(n), 64)
			if err != nil {
				return dst, fmt.Errorf("number %s: %w", n, err)
			}
			return AppendPyFloat(dst, f), nil
		}
		return appendPyInt(dst, string(n))
	}
	return dst, want("a value")
}

// object renders the object at s as a Python dict: keys in the order first
// seen, a repeated key keeping its first place and its last value (what
// json.loads does); a model's keys in declaration order, undeclared ones
// dropped (pydantic ignores them).
func (s *jscan) object(dst []byte, p *plan) ([]byte, error) {
	type entry struct {
		key string
		val []byte
	}
	var entries []entry
	var pos map[string]int
	s.I++ // '{'
	for {
		s.WS()
		if s.B[s.I] == '}' {
			s.I++
			break
		}
		if s.B[s.I] == ',' {
			s.I++
			s.WS()
		}
		key, err := s.str()
		if err != nil {
			return dst, err
		}
		s.WS()
		s.I++ // ':'
		vp := p.elem
		if p.kind == kModel {
			vp = nil
			for _, f := range p.fields {
				if f.name == key {
					vp = f.p
					break
				}
			}
		}
		if vp == nil {
			s.Skip()
			continue
		}
		val, err := s.render(nil, vp)
		if err != nil {
			return dst, fmt.Errorf("key %q: %w", key, err)
		}
		// Look repeated keys up in a map once there are many: a list is
		// quadratic in a body of a million bytes.
		if pos == nil && len(entries) >= 16 {
			pos = make(map[string]int, 2*len(entries))
			for i, e := range entries {
				pos[e.key] = i
			}
		}
		i, dup := -1, false
		if pos != nil {
			i, dup = pos[key]
		} else {
			for j := range entries {
				if entries[j].key == key {
					i, dup = j, true
					break
				}
			}
		}
		if dup {
			entries[i].val = val
			continue
		}
		if pos != nil {
			pos[key] = len(entries)
		}
		entries = append(entries, entry{key, val})
	}
	if p.kind == kModel {
		ordered := entries[:0:0]
		for _, f := range p.fields {
			for _, e := range entries {
				if e.key == f.name {
					ordered = append(ordered, e)
				}
			}
		}
		entries = ordered
	}
	dst = append(dst, '{')
	for i, e := range entries {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		if p.keyInt {
			var err error
			if dst, err = appendPyInt(dst, e.key); err != nil {
				return dst, fmt.Errorf("dict key %q: %w", e.key, err)
			}
		} else {
			dst = AppendPyRepr(dst, e.key)
		}
		dst = append(dst, ": "...)
		dst = append(dst, e.val...)
	}
	return append(dst, '}'), nil
}

func appendPyBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "True"...)
	}
	return append(dst, "False"...)
}

// appendPyInt appends the Python int of the JSON number text s: decimal, no
// sign for zero. Integers of any size pass (Python's are unbounded); a
// number with a fraction or exponent is refused.
func appendPyInt(dst []byte, s string) ([]byte, error) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	if digits == "" {
		return dst, fmt.Errorf("%q is not an integer", s)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return dst, fmt.Errorf("%s is not an integer", s)
		}
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return append(dst, '0'), nil
	}
	if neg {
		dst = append(dst, '-')
	}
	return append(dst, digits...), nil
}

// AppendPyFloat appends Python's repr (= str) of f: the shortest digits that
// read back as f, with ".0" on integral values and an exponent (at least two
// digits, with sign) when the decimal point lies more than 16 places right or
// 4 places left of the first digit: 1.0, 0.1, 1e+16, 1e-05, 1.5e+300, inf.
func AppendPyFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // -d.ddde±dd
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	mant, expText, _ := bytes.Cut(e, []byte{'e'})
	exp, _ := strconv.Atoi(string(expText))
	var dbuf [24]byte
	digits := append(dbuf[:0], mant[0])
	if len(mant) > 2 {
		digits = append(digits, mant[2:]...)
	}
	decpt := exp + 1
	switch {
	case decpt <= -4 || decpt > 16:
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	case decpt <= 0:
		dst = append(dst, "0."...)
		for range -decpt {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	case decpt >= len(digits):
		dst = append(dst, digits...)
		for range decpt - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	default:
		dst = append(dst, digits[:decpt]...)
		dst = append(dst, '.')
		return append(dst, digits[decpt:]...)
	}
}

// AppendPyRepr appends Python's repr of the str s: single quotes unless s
// holds a single quote and no double quote; backslash escapes for the quote,
// backslash, \t \n \r, other control characters (\xhh) and characters
// Python does not print (\xhh, \uhhhh, \Uhhhhhhhh); everything printable as is.
func AppendPyRepr(dst []byte, s string) []byte {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	const hexdigits = "0123456789abcdef"
	dst = append(dst, quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == rune(quote) || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r < ' ' || r == 0x7f:
			dst = append(dst, '\\', 'x', hexdigits[r>>4], hexdigits[r&0xf])
		case r < 0x7f:
			dst = append(dst, byte(r))
		case unicode.IsPrint(r):
			dst = utf8.AppendRune(dst, r)
		case r <= 0xff:
			dst = append(dst, '\\', 'x', hexdigits[r>>4], hexdigits[r&0xf])
		case r <= 0xffff:
			dst = append(dst, '\\', 'u')
			for sh := 12; sh >= 0; sh -= 4 {
				dst = append(dst, hexdigits[(r>>sh)&0xf])
			}
		default:
			dst = append(dst, '\\', 'U')
			for sh := 28; sh >= 0; sh -= 4 {
				dst = append(dst, hexdigits[(r>>sh)&0xf])
			}
		}
	}
	return append(dst, quote)
}
