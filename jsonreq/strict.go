package jsonreq

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
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
func checkStrictJSON(body []byte, dst any) error {
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
			fields = jsonFields(t)
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
