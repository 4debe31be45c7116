package axon

import (
	"bytes"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The first renderer, on encoding/json's Decoder, kept as the reference the
// scanner-based one (pystr.go) is fuzzed against.

// renderTop appends Python's str(value) of the JSON value raw, read as p: a
// str is itself, everything else is its repr.
func refRenderTop(dst []byte, raw []byte, p *plan) ([]byte, error) {
	if !json.Valid(raw) {
		// The Decoder took "0\v" for one value; Python's json.loads does not.
		return dst, fmt.Errorf("not one JSON value")
	}
	raw = bytes.TrimSpace(raw)
	if p.kind == kString && len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return dst, err
		}
		return append(dst, s...), nil
	}
	if p.kind == kAny && len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return dst, err
		}
		return append(dst, s...), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dst, err := refRenderValue(dst, dec, p)
	if err != nil {
		return dst, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return dst, fmt.Errorf("data after the value")
	}
	return dst, nil
}

// renderValue appends the repr of the next JSON value of dec.
func refRenderValue(dst []byte, dec *json.Decoder, p *plan) ([]byte, error) {
	tok, err := dec.Token()
	if err != nil {
		return dst, err
	}
	return refRenderToken(dst, dec, tok, p)
}

func refRenderToken(dst []byte, dec *json.Decoder, tok json.Token, p *plan) (_ []byte, err error) {
	if tok == nil {
		return append(dst, "None"...), nil
	}
	want := func(what string) error { return fmt.Errorf("want %s, got %s", what, refTokenKind(tok)) }
	switch p.kind {
	case kString:
		s, ok := tok.(string)
		if !ok {
			return dst, want("a string")
		}
		return AppendPyRepr(dst, s), nil
	case kBool:
		b, ok := tok.(bool)
		if !ok {
			return dst, want("true or false")
		}
		return appendPyBool(dst, b), nil
	case kInt, kUint:
		n, ok := tok.(json.Number)
		if !ok {
			return dst, want("an integer")
		}
		return appendPyInt(dst, string(n))
	case kFloat:
		n, ok := tok.(json.Number)
		if !ok {
			return dst, want("a number")
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return dst, fmt.Errorf("number %s: %w", n, err)
		}
		return AppendPyFloat(dst, f), nil
	case kList:
		if tok != json.Delim('[') {
			return dst, want("a list")
		}
		dst = append(dst, '[')
		for i := 0; dec.More(); i++ {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if dst, err = refRenderValue(dst, dec, p.elem); err != nil {
				return dst, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return dst, err
		}
		return append(dst, ']'), nil
	case kDict, kModel:
		if tok != json.Delim('{') {
			return dst, want("an object")
		}
		return refRenderObject(dst, dec, p)
	case kAny:
		switch v := tok.(type) {
		case string:
			return AppendPyRepr(dst, v), nil
		case bool:
			return appendPyBool(dst, v), nil
		case json.Number:
			if strings.ContainsAny(string(v), ".eE") {
				f, err := strconv.ParseFloat(string(v), 64)
				if err != nil {
					return dst, fmt.Errorf("number %s: %w", v, err)
				}
				return AppendPyFloat(dst, f), nil
			}
			return appendPyInt(dst, string(v))
		case json.Delim:
			if v == '[' {
				return refRenderToken(dst, dec, tok, &plan{kind: kList, elem: p})
			}
			return refRenderObject(dst, dec, &plan{kind: kDict, elem: p})
		}
	}
	return dst, want("a value")
}

// renderObject renders an object whose '{' was read, as a Python dict: keys
// in the order first seen, a repeated key keeping its first place and its
// last value (what json.loads does).
func refRenderObject(dst []byte, dec *json.Decoder, p *plan) ([]byte, error) {
	type entry struct {
		key string
		val []byte
	}
	var entries []entry
	pos := map[string]int{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return dst, err
		}
		key, ok := kt.(string)
		if !ok {
			return dst, fmt.Errorf("object key is not a string")
		}
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
		var val []byte
		if vp == nil {
			// A key the model does not declare: pydantic drops it.
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return dst, err
			}
			continue
		}
		val, err = refRenderValue(nil, dec, vp)
		if err != nil {
			return dst, fmt.Errorf("key %q: %w", key, err)
		}
		if i, dup := pos[key]; dup {
			entries[i].val = val
			continue
		}
		pos[key] = len(entries)
		entries = append(entries, entry{key, val})
	}
	if _, err := dec.Token(); err != nil {
		return dst, err
	}
	if p.kind == kModel {
		// model_dump writes the fields in declaration order.
		ordered := entries[:0:0]
		for _, f := range p.fields {
			if i, ok := pos[f.name]; ok {
				ordered = append(ordered, entries[i])
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

func refTokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "a list"
		}
		return "an object"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + string(v)
	}
	return "null"
}

func FuzzRenderMatchesReference(f *testing.F) {
	f.Add([]byte(`["a", 1, 1.5, {"x": [true, null]}, "\u00e9\n"]`), uint8(0))
	f.Add([]byte(`{"b":1,"a":[2.5e-7],"b":3}`), uint8(3))
	f.Add([]byte(` "it's" `), uint8(2))
	f.Add([]byte(`{"x":"q","y":[1],"z":0}`), uint8(6))
	types := []*plan{}
	for _, t := range []any{new(any), new(float64), new(string), new(map[string][]float64), new(int), new([]*string),
		new(struct {
			X string    `json:"x"`
			Y []float64 `json:"y"`
		}), new(map[int]bool), new(bool)} {
		p, why := planFor(reflect.TypeOf(t).Elem(), map[reflect.Type]bool{})
		if p == nil {
			f.Fatal(why)
		}
		types = append(types, p)
	}
	f.Fuzz(func(t *testing.T, raw []byte, which uint8) {
		p := types[int(which)%len(types)]
		want, werr := refRenderTop(nil, raw, p)
		got, gerr := renderTop(nil, raw, p)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: reference error %v, scanner error %v", raw, werr, gerr)
		}
		if werr == nil && string(got) != string(want) {
			t.Fatalf("%q: reference %q, scanner %q", raw, want, got)
		}
	})
}

// refBodyHash is the first BodyHash: the body into a map, each field
// rendered by the reference renderer.
func refBodyHash(s *Spec, body []byte) (string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return "", err
	}
	if top == nil {
		return "", fmt.Errorf("null is not a synapse") // Python: Synapse(**None) fails
	}
	var joined []byte
	for i, name := range s.HashFields {
		raw, ok := top[name]
		if !ok {
			raw = json.RawMessage("null")
		}
		b, err := refRenderTop(nil, raw, s.plans[i])
		if err != nil {
			return "", err
		}
		sum := sha3.Sum256(b)
		joined = hex.AppendEncode(joined, sum[:])
	}
	sum := sha3.Sum256(joined)
	return hex.EncodeToString(sum[:]), nil
}

func FuzzBodyHashMatchesReference(f *testing.F) {
	f.Add([]byte(`{"s":"x","f":[1,2.5],"m":{"b":[1],"a":[]},"a":[null,{"k":1e5}],"p":true,"mi":{"3":null},"n":{"X":3},"l":[[{}]]}`))
	f.Add([]byte(`{"s":"a","s":"b","f":null}`))
	f.Add([]byte(` { "s" : "\u0041" , "\u0073" : "B" } `))
	spec, err := SpecFor[fuzzSynapse]()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, werr := refBodyHash(spec, body)
		got, gerr := spec.BodyHash(body)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: reference error %v, new error %v", body, werr, gerr)
		}
		if werr == nil && got != want {
			t.Fatalf("%q: reference %s, new %s", body, want, got)
		}
	})
}
