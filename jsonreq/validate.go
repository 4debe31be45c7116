package jsonreq

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// CheckTags checks the `validate` struct tags of v (a struct or a pointer to
// one), recursing into nested structs, pointers to structs and slices of
// them. Rules, comma-separated:
//
//	required      the value is not its zero value (a nil pointer, "", 0, an
//	              empty slice or map); use a pointer for "present, may be 0"
//	min=N, max=N  numbers: the value is within [N, …] / […, N]
//	minlen=N,     strings (counted in characters), slices, maps: the length
//	maxlen=N      is within bounds
//	oneof=a|b|c   strings: one of the listed values
//
// Rules other than required skip a nil pointer. The first failure is returned
// as a 400 *RequestError naming the field by its JSON path. A malformed tag
// is a programming error reported as a 500 *RequestError with reason
// internal_error, so that it shows up in the first test.
func CheckTags(v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	return checkStruct(rv, "")
}

type fieldRule struct {
	index    int
	name     string // JSON name
	required bool
	min, max *float64
	minLen   int
	maxLen   int // -1: none
	oneOf    []string
}

type structRules struct {
	fields []fieldRule
	err    error
}

// ruleCache holds the parsed rules of each struct type. Like encoding/json's
// field cache it is derived, immutable data keyed by type, so sharing it is
// safe; it saves re-parsing the tags on every request of the hot path.
var ruleCache sync.Map // reflect.Type → *structRules

func rulesFor(t reflect.Type) *structRules {
	if sr, ok := ruleCache.Load(t); ok {
		return sr.(*structRules)
	}
	sr, _ := ruleCache.LoadOrStore(t, parseRules(t))
	return sr.(*structRules)
}

func parseRules(t reflect.Type) *structRules {
	sr := &structRules{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		fr := fieldRule{index: i, name: name, maxLen: -1}
		tag := f.Tag.Get("validate")
		for rule := range strings.SplitSeq(tag, ",") {
			rule = strings.TrimSpace(rule)
			if rule == "" {
				continue
			}
			key, arg, _ := strings.Cut(rule, "=")
			var err error
			switch key {
			case "required":
				fr.required = true
			case "min", "max":
				var x float64
				x, err = strconv.ParseFloat(arg, 64)
				if key == "min" {
					fr.min = &x
				} else {
					fr.max = &x
				}
			case "minlen":
				fr.minLen, err = strconv.Atoi(arg)
			case "maxlen":
				fr.maxLen, err = strconv.Atoi(arg)
			case "oneof":
				fr.oneOf = strings.Split(arg, "|")
			default:
				err = fmt.Errorf("unknown rule %q", key)
			}
			if err != nil {
				sr.err = fmt.Errorf("jsonreq: bad validate tag on %s.%s: %q: %w", t.Name(), f.Name, tag, err)
				return sr
			}
		}
		sr.fields = append(sr.fields, fr)
	}
	return sr
}

func checkStruct(rv reflect.Value, prefix string) error {
	sr := rulesFor(rv.Type())
	if sr.err != nil {
		return &RequestError{Status: http.StatusInternalServerError, Reason: ReasonInternal, Msg: sr.err.Error()}
	}
	for _, fr := range sr.fields {
		fv := rv.Field(fr.index)
		path := fr.name
		if prefix != "" {
			path = prefix + "." + fr.name
		}
		if err := checkValue(fv, fr, path); err != nil {
			return err
		}
	}
	return nil
}

func invalid(path, format string, args ...any) error {
	return &RequestError{Status: http.StatusBadRequest, Reason: ReasonInvalidField, Field: path, Msg: fmt.Sprintf(format, args...)}
}

func checkValue(fv reflect.Value, fr fieldRule, path string) error {
	if fr.required && fv.IsZero() {
		return invalid(path, "required")
	}
	for fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return nil
		}
		fv = fv.Elem()
	}
	switch fv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return checkRange(float64(fv.Int()), fr, path)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return checkRange(float64(fv.Uint()), fr, path)
	case reflect.Float32, reflect.Float64:
		return checkRange(fv.Float(), fr, path)
	case reflect.String:
		s := fv.String()
		if err := checkLen(utf8.RuneCountInString(s), fr, path, "characters"); err != nil {
			return err
		}
		if len(fr.oneOf) > 0 {
			for _, o := range fr.oneOf {
				if s == o {
					return nil
				}
			}
			return invalid(path, "must be one of %s", strings.Join(fr.oneOf, ", "))
		}
	case reflect.Map:
		return checkLen(fv.Len(), fr, path, "entries")
	case reflect.Slice, reflect.Array:
		if err := checkLen(fv.Len(), fr, path, "items"); err != nil {
			return err
		}
		for i := range fv.Len() {
			ev := fv.Index(i)
			for ev.Kind() == reflect.Pointer && !ev.IsNil() {
				ev = ev.Elem()
			}
			if ev.Kind() == reflect.Struct {
				if err := checkStruct(ev, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	case reflect.Struct:
		return checkStruct(fv, path)
	}
	return nil
}

func checkRange(x float64, fr fieldRule, path string) error {
	if fr.min != nil && x < *fr.min {
		return invalid(path, "must be at least %s", strconv.FormatFloat(*fr.min, 'g', -1, 64))
	}
	if fr.max != nil && x > *fr.max {
		return invalid(path, "must be at most %s", strconv.FormatFloat(*fr.max, 'g', -1, 64))
	}
	return nil
}

func checkLen(n int, fr fieldRule, path, unit string) error {
	if n < fr.minLen {
		return invalid(path, "must have at least %d %s", fr.minLen, unit)
	}
	if fr.maxLen >= 0 && n > fr.maxLen {
		return invalid(path, "must have at most %d %s", fr.maxLen, unit)
	}
	return nil
}
