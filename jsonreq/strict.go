package jsonreq

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/minerkit/minerkit/internal/jsonscan"
)

// ReasonDuplicateField refuses an object that names one key twice
// (encoding/json would keep the last, so two readers could disagree on
// what was sent).
const ReasonDuplicateField = "duplicate_field"

// strictJSONDepth bounds how deep checkStrictJSON looks; deeper nesting is
// left to encoding/json.
const strictJSONDepth = 64

// checkStrictJSON refuses what encoding/json silently accepts: a key given
// twice in one object, and a key that matches a field of dst only when case
// is ignored. Syntax errors are left to the decoder, which reports them.
//
// Valid JSON (nearly every body) is walked by a scanner over the bytes;
// invalid JSON, and JSON nested deeper than strictJSONDepth, by the
// token-based walk below, whose answers the scanner's equal
// (FuzzStrictScanMatchesTokens).
func checkStrictJSON(body []byte, dst any) error {
	if json.Valid(body) {
		s := strictScan{jsonscan.Scanner{B: body}}
		err := s.value(reflect.TypeOf(dst), "", 0)
		if err != errTooDeep {
			return err
		}
	}
	return checkStrictJSONTokens(body, dst)
}

// checkStrictJSONTokens is checkStrictJSON on encoding/json's tokens.
func checkStrictJSONTokens(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	t := reflect.TypeOf(dst)
	err := strictValue(dec, t, "", 0)
	if _, ok := err.(*RequestError); ok {
		return err
	}
	return nil
}

func strictValue(dec *json.Decoder, t reflect.Type, path string, depth int) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok || depth > strictJSONDepth {
		return nil
	}
	switch d {
	case '{':
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = structFields(t)
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			p := key
			if path != "" {
				p = path + "." + key
			}
			if seen[key] {
				return &RequestError{Status: http.StatusBadRequest, Reason: ReasonDuplicateField, Field: p,
					Msg: "the key appears twice in one object; send it once"}
			}
			seen[key] = true
			var child reflect.Type
			switch {
			case fields != nil:
				ft, exact := fields[key]
				if !exact {
					for name := range fields {
						if strings.EqualFold(name, key) {
							return &RequestError{Status: http.StatusBadRequest, Reason: ReasonUnknownField, Field: p,
								Msg: fmt.Sprintf("field names are case-sensitive: use %q", name)}
						}
					}
				}
				child = ft
			case t != nil && t.Kind() == reflect.Map:
				child = t.Elem()
			}
			if err := strictValue(dec, child, p, depth+1); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := strictValue(dec, elem, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// fieldCache holds jsonFields by type (reflect.Type → map[string]reflect.Type,
// read only).
var fieldCache sync.Map

// structFields is jsonFields(t), computed once per type.
func structFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	f := jsonFields(t)
	fieldCache.Store(t, f)
	return f
}

// jsonFields lists the JSON names of t's fields as encoding/json sees them
// (tag name, else the Go name; "-" skipped; untagged embedded structs
// flattened).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" && !strings.HasPrefix(tag, "-,") {
			continue
		}
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	return out
}

// errTooDeep sends the scanner's caller to the token-based walk, which
// decides what nesting past strictJSONDepth means.
var errTooDeep = errors.New("jsonreq: nested deeper than the strict check looks")

// strictScan walks JSON that json.Valid accepted: it never meets a syntax
// error, and allocates only to build the path of a field at fault (and for
// keys with escapes or non-ASCII bytes, decoded as encoding/json decodes
// them).
type strictScan struct{ jsonscan.Scanner }

// key reads the object key at s.I as encoding/json's Token returns it:
// the bytes as written when they are plain ASCII without escapes, else
// decoded (escapes resolved, invalid UTF-8 replaced).
func (s *strictScan) key() []byte {
	start := s.I
	s.SkipString()
	raw := s.B[start:s.I]
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c == '\\' || c >= 0x80 {
			var k string
			_ = json.Unmarshal(raw, &k) // valid JSON: cannot fail
			return []byte(k)
		}
	}
	return inner
}

// value checks the value at s.I, read as t, as strictValue does.
func (s *strictScan) value(t reflect.Type, path string, depth int) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	s.WS()
	switch s.B[s.I] {
	case '{':
		if depth > strictJSONDepth {
			return errTooDeep
		}
		return s.object(t, path, depth)
	case '[':
		if depth > strictJSONDepth {
			return errTooDeep
		}
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		s.I++
		for i := 0; ; i++ {
			s.WS()
			switch s.B[s.I] {
			case ']':
				s.I++
				return nil
			case ',':
				s.I++
				s.WS()
			}
			if c := s.B[s.I]; c == '{' || c == '[' {
				if err := s.value(elem, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
					return err
				}
			} else {
				s.SkipScalar()
			}
		}
	}
	s.SkipScalar()
	return nil
}

func (s *strictScan) object(t reflect.Type, path string, depth int) error {
	var fields map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = structFields(t)
	}
	at := func(key []byte) string {
		if path != "" {
			return path + "." + string(key)
		}
		return string(key)
	}
	s.I++ // '{'
	var small [16][]byte
	seen := small[:0]
	var seenMap map[string]bool // past 16 keys
	for {
		s.WS()
		switch s.B[s.I] {
		case '}':
			s.I++
			return nil
		case ',':
			s.I++
			s.WS()
		}
		key := s.key()
		dup := false
		if seenMap != nil {
			dup = seenMap[string(key)]
			seenMap[string(key)] = true
		} else {
			for _, k := range seen {
				if bytes.Equal(k, key) {
					dup = true
					break
				}
			}
			if seen = append(seen, key); len(seen) > len(small) {
				seenMap = make(map[string]bool, 2*len(seen))
				for _, k := range seen {
					seenMap[string(k)] = true
				}
			}
		}
		if dup {
			return &RequestError{Status: http.StatusBadRequest, Reason: ReasonDuplicateField, Field: at(key),
				Msg: "the key appears twice in one object; send it once"}
		}
		var child reflect.Type
		switch {
		case fields != nil:
			ft, exact := fields[string(key)]
			if !exact {
				for name := range fields {
					if strings.EqualFold(name, string(key)) {
						return &RequestError{Status: http.StatusBadRequest, Reason: ReasonUnknownField, Field: at(key),
							Msg: fmt.Sprintf("field names are case-sensitive: use %q", name)}
					}
				}
			}
			child = ft
		case t != nil && t.Kind() == reflect.Map:
			child = t.Elem()
		}
		s.WS()
		s.I++ // ':'
		s.WS()
		if c := s.B[s.I]; c == '{' || c == '[' {
			if err := s.value(child, at(key), depth+1); err != nil {
				return err
			}
		} else {
			s.SkipScalar()
		}
	}
}
