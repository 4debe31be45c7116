// Package settings fills a struct of settings from its defaults, a JSON
// file, environment variables and command-line flags, each named by the
// fields' json tags.
//
// A field `json:"admin_listen" help:"..."` is the flag --admin-listen (the
// help tag is its usage), the environment variable prefix+"ADMIN_LISTEN"
// (MINERKIT_ADMIN_LISTEN for the prefix "MINERKIT_") and the file key
// "admin_listen". Later sources win: defaults, then the file (--config, else
// the variable prefix+"CONFIG"), then the environment, then the flags that
// were set. Fields may be strings, bools, ints, uints, float64s, []string
// (comma-separated outside the file), [Duration], or any type whose pointer
// implements encoding.TextUnmarshaler (and json.Unmarshaler for the file,
// where it needs one).
package settings

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as "5s", "250ms" in config files,
// flags and environment variables (a file may also give a number of
// seconds).
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d as a string such as "5s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "5s" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil {
			return fmt.Errorf("duration: want a string such as \"5s\" or a number of seconds, got %s", b)
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	return d.UnmarshalText([]byte(s))
}

// UnmarshalText reads a duration such as "500ms", "5s" or "2m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: use a form such as 500ms, 5s or 2m", b)
	}
	*d = Duration(v)
	return nil
}

// Source loads a T (a struct): its defaults, the environment variables
// under its prefix, and the flags [Source.Flags] defined.
type Source[T any] struct {
	defaults T
	prefix   string
	flags    []*flagValue
	file     string
}

// New returns a Source for T with these defaults, reading the environment
// variables that start with envPrefix ("MINERKIT_"). It panics when T is not
// a struct, a programming error.
func New[T any](defaults T, envPrefix string) *Source[T] {
	if reflect.TypeFor[T]().Kind() != reflect.Struct {
		panic(fmt.Sprintf("settings: %s is not a struct", reflect.TypeFor[T]()))
	}
	return &Source[T]{defaults: defaults, prefix: envPrefix}
}

// Flags defines on fs one flag per field of T, plus --config (the file).
// The defaults shown in help are s's; flags left unset change nothing.
func (s *Source[T]) Flags(fs *flag.FlagSet) {
	dv := reflect.ValueOf(&s.defaults).Elem()
	t := dv.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := Name(f)
		if name == "" {
			continue
		}
		v := &flagValue{field: i, kind: f.Type}
		if !dv.Field(i).IsZero() {
			v.def = formatField(dv.Field(i))
		}
		s.flags = append(s.flags, v)
		fs.Var(v, strings.ReplaceAll(name, "_", "-"), f.Tag.Get("help"))
	}
	fs.StringVar(&s.file, "config", "", "config file (JSON object with the settings' names as keys; default $"+s.prefix+"CONFIG)")
}

// Load builds the settings: the defaults, then the config file (--config,
// else the variable prefix+"CONFIG"), then the prefix's variables from
// getenv (nil: os.Getenv), then the flags that were set. On an error it returns what it
// had so far with the source named.
func (s *Source[T]) Load(getenv func(string) string) (T, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := s.defaults
	file := getenv(s.prefix + "CONFIG")
	if s.file != "" {
		file = s.file
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return c, fmt.Errorf("settings: read config file: %w", err)
		}
		if err := ParseFile(data, &c); err != nil {
			return c, fmt.Errorf("settings: config file %s: %w", file, err)
		}
	}
	cv := reflect.ValueOf(&c).Elem()
	t := cv.Type()
	for i := range t.NumField() {
		name := Name(t.Field(i))
		if name == "" {
			continue
		}
		env := s.prefix + strings.ToUpper(name)
		if v := getenv(env); v != "" {
			if err := setField(cv.Field(i), v); err != nil {
				return c, fmt.Errorf("settings: environment variable %s: %w", env, err)
			}
		}
	}
	for _, fv := range s.flags {
		if fv.set {
			if err := setField(cv.Field(fv.field), fv.val); err != nil {
				return c, fmt.Errorf("settings: flag --%s: %w", strings.ReplaceAll(Name(t.Field(fv.field)), "_", "-"), err)
			}
		}
	}
	return c, nil
}

// ParseFile reads a config file's bytes, one JSON object whose keys are the
// fields' json names (unknown keys refused), over dst.
func ParseFile(data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w (the file is one JSON object; keys are the flag names with _ for -)", err)
	}
	return nil
}

// Name is a field's setting name: its json tag's name ("" for a field
// without one, or tagged "-", which is not a setting).
func Name(f reflect.StructField) string {
	n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if n == "-" || !f.IsExported() {
		return ""
	}
	return n
}

// flagValue is a flag.Value that keeps the text it was set to, so that flags
// are applied after the file and the environment.
type flagValue struct {
	field int
	kind  reflect.Type
	def   string
	val   string
	set   bool
}

func (v *flagValue) String() string {
	if v == nil {
		return ""
	}
	if v.set {
		return v.val
	}
	return v.def
}

func (v *flagValue) Set(s string) error {
	// Check the text now so that a bad flag fails at parse time.
	if err := setField(reflect.New(v.kind).Elem(), s); err != nil {
		return err
	}
	v.val, v.set = s, true
	return nil
}

// Type names the value's type in help (pflag shows it).
func (v *flagValue) Type() string {
	if v.kind == durationType {
		return "duration"
	}
	if reflect.PointerTo(v.kind).Implements(textUnmarshaler) {
		return "value"
	}
	switch v.kind.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "int"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "uint"
	case reflect.Float32, reflect.Float64:
		return "float"
	case reflect.Slice:
		return "strings"
	}
	return "string"
}

// IsBoolFlag lets "--register" stand for "--register=true".
func (v *flagValue) IsBoolFlag() bool { return v.kind.Kind() == reflect.Bool }

var (
	durationType    = reflect.TypeFor[Duration]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)

func setField(fv reflect.Value, s string) error {
	if u, ok := fv.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(s))
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not an integer from 0 to %d", s, uint64(1)<<fv.Type().Bits()-1)
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		fv.SetFloat(x)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported setting type %s", fv.Type())
		}
		var out []string
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		fv.Set(reflect.ValueOf(out).Convert(fv.Type()))
	default:
		return fmt.Errorf("unsupported setting type %s", fv.Type())
	}
	return nil
}

// formatField is a default as help shows it.
func formatField(fv reflect.Value) string {
	if fv.Type() != durationType && fv.Type().Implements(textMarshaler) {
		if b, err := fv.Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return string(b)
		}
	}
	if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String {
		return strings.Join(fv.Convert(reflect.TypeFor[[]string]()).Interface().([]string), ",")
	}
	return fmt.Sprint(fv.Interface())
}
