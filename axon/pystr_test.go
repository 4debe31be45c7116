package axon

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

// testdata/pystr.json holds Python 3.11's own str() of each JSON value as a
// pydantic field of the named type holds it (generated with python3:
// json.loads, the type's conversion, str()).
var pyTypes = map[string]reflect.Type{
	"float":         reflect.TypeFor[float64](),
	"int":           reflect.TypeFor[int64](),
	"str":           reflect.TypeFor[string](),
	"bool":          reflect.TypeFor[bool](),
	"liststr":       reflect.TypeFor[[]string](),
	"listfloat":     reflect.TypeFor[[]float64](),
	"listint":       reflect.TypeFor[[]int](),
	"listbool":      reflect.TypeFor[[]bool](),
	"listany":       reflect.TypeFor[[]any](),
	"dictstrint":    reflect.TypeFor[map[string]int](),
	"dictintstr":    reflect.TypeFor[map[int]string](),
	"any":           reflect.TypeFor[any](),
	"listlistfloat": reflect.TypeFor[[][]float32](),
	"ptrint":        reflect.TypeFor[*int](),
	"model": reflect.TypeFor[struct {
		X string    `json:"x"`
		Y []float64 `json:"y"`
	}](),
}

func TestPyStrVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/pystr.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Type, JSON, Str string }
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 50 {
		t.Fatalf("only %d vectors", len(cases))
	}
	for _, c := range cases {
		typ, ok := pyTypes[c.Type]
		if !ok {
			t.Fatalf("no Go type for %q", c.Type)
		}
		got, err := PyStr([]byte(c.JSON), typ)
		if err != nil {
			t.Errorf("%s %s: %v", c.Type, c.JSON, err)
			continue
		}
		if got != c.Str {
			t.Errorf("%s %s:\n got %s\nwant %s", c.Type, c.JSON, got, c.Str)
		}
	}
}

func TestPyStrRefusesWrongJSON(t *testing.T) {
	for _, c := range []struct {
		typ  reflect.Type
		json string
	}{
		{reflect.TypeFor[int](), `1.5`},
		{reflect.TypeFor[int](), `"1"`},
		{reflect.TypeFor[string](), `1`},
		{reflect.TypeFor[bool](), `"true"`},
		{reflect.TypeFor[[]string](), `{}`},
		{reflect.TypeFor[map[string]int](), `[]`},
		{reflect.TypeFor[map[int]int](), `{"x":1}`},
		{reflect.TypeFor[float64](), `[1]`},
		{reflect.TypeFor[[]int](), `[1,`},
		{reflect.TypeFor[int](), `1 2`},
	} {
		if got, err := PyStr([]byte(c.json), c.typ); err == nil {
			t.Errorf("%s %s: rendered %q, want an error", c.typ, c.json, got)
		}
	}
}

// The two vectors of PROTOCOLS.md §6.
type helloSynapse struct {
	Synapse
	Prompt string  `json:"prompt"`
	Out    *string `json:"out"`
}

func (helloSynapse) RequiredHashFields() []string { return []string{"prompt"} }
func (helloSynapse) SynapseName() string          { return "Hello" }

// A synapse with every kind of hash field; the expected hash is Python's
// (sha3 of the joined sha3 hex digests of str() of each value).
type mixedSynapse struct {
	Synapse
	Prompt string            `json:"prompt"`
	Temps  []float64         `json:"temps"`
	N      int               `json:"n"`
	Stream bool              `json:"stream"`
	Stop   *string           `json:"stop"`
	Meta   map[string]string `json:"meta"`
	Out    *string           `json:"out"`
}

func (mixedSynapse) RequiredHashFields() []string {
	return []string{"prompt", "temps", "n", "stream", "stop", "meta"}
}

func TestBodyHashVectors(t *testing.T) {
	ping, err := SpecFor[Synapse]()
	if err != nil {
		t.Fatal(err)
	}
	hello, err := SpecFor[helloSynapse]()
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := SpecFor[mixedSynapse]()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		spec *Spec
		body string
		want string
	}{
		{"no fields", ping, `{}`, "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"},
		{"no fields, any body", ping, `not json`, EmptyBodyHash},
		{"prompt hello", hello, `{"name":"Hello","prompt":"hello","out":null}`, "cd1ba9b9d9fae7c1e56ddf6aa2947ad2e0b83b96bd91dd4b67fc560e83589bad"},
		{"prompt hello, other fields differ", hello, `{"prompt":"hello","out":"x","timeout":3}`, "cd1ba9b9d9fae7c1e56ddf6aa2947ad2e0b83b96bd91dd4b67fc560e83589bad"},
		{"mixed", mixed, `{"name":"mixedSynapse","timeout":12.0,"total_size":0,"header_size":0,"dendrite":{},"axon":{},"computed_body_hash":"","prompt":"hello","temps":[0.5,1.0],"n":3,"stream":false,"stop":null,"meta":{"b":"x","a":"é"},"out":null}`,
			"78a496adcbe8274480b044cbb4d208a1ab87a43a96434af47a035614e6f61a64"},
		{"mixed, ints for floats", mixed, `{"prompt":"hello","temps":[0.5,1],"n":3,"stream":false,"stop":null,"meta":{"b":"x","a":"\u00e9"}}`,
			"78a496adcbe8274480b044cbb4d208a1ab87a43a96434af47a035614e6f61a64"},
	} {
		got, err := c.spec.BodyHash([]byte(c.body))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	if _, err := mixed.BodyHash([]byte(`{"prompt":1}`)); err == nil {
		t.Error("a number in a str field hashed")
	} else {
		var be *BodyHashError
		if !errors.As(err, &be) || be.Field != "prompt" {
			t.Errorf("error %v does not name the field", err)
		}
	}
}

type badTime struct {
	Synapse
	At time.Time `json:"at"`
}

func (badTime) RequiredHashFields() []string { return []string{"at"} }

type badBytes struct {
	Synapse
	Blob []byte `json:"blob"`
}

func (badBytes) RequiredHashFields() []string { return []string{"blob"} }

type badMissing struct {
	Synapse
	A string `json:"a"`
}

func (badMissing) RequiredHashFields() []string { return []string{"b"} }

type badNested struct {
	Synapse
	M map[string]chan int `json:"m"`
}

func (badNested) RequiredHashFields() []string { return []string{"m"} }

type notASynapse struct{ A string }

// Unsupported declarations are refused when the synapse is registered,
// naming the field.
func TestSpecRefusals(t *testing.T) {
	_, err := SpecFor[badTime]()
	var ute *UnsupportedTypeError
	if !errors.As(err, &ute) || ute.Field != "at" {
		t.Errorf("time.Time: %v", err)
	}
	if _, err := SpecFor[badBytes](); !errors.As(err, &ute) || ute.Field != "blob" {
		t.Errorf("[]byte: %v", err)
	}
	if _, err := SpecFor[badNested](); !errors.As(err, &ute) {
		t.Errorf("chan: %v", err)
	}
	if _, err := SpecFor[badMissing](); err == nil {
		t.Error("a hash field that is not a JSON field passed")
	}
	if _, err := SpecFor[notASynapse](); err == nil {
		t.Error("a struct without axon.Synapse passed")
	}
	s, err := SpecFor[helloSynapse]()
	if err != nil || s.Name != "Hello" || !reflect.DeepEqual(s.HashFields, []string{"prompt"}) {
		t.Errorf("hello spec %+v, %v", s, err)
	}
}

func TestAppendPyFloatRoundTrips(t *testing.T) {
	for _, f := range []float64{1, 0.1, 1e16, 1e15, 1e-4, 1e-5, 123.456, 1e300, 5e-324, 2.220446049250313e-16, 9.999999999999999e15} {
		s := string(AppendPyFloat(nil, f))
		var back float64
		if err := json.Unmarshal([]byte(s), &back); err != nil || back != f {
			t.Errorf("%v → %s → %v %v", f, s, back, err)
		}
	}
}

func BenchmarkBodyHash(b *testing.B) {
	spec, err := SpecFor[mixedSynapse]()
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"name":"mixedSynapse","timeout":12.0,"total_size":0,"header_size":0,"dendrite":{"status_code":null,"status_message":null,"process_time":null,"ip":"127.0.0.1","port":null,"version":10002000,"nonce":1796360659317157219,"uuid":"ca10e25b-70a6-42f9-9cd3-0d802845bc1c","hotkey":"5FntUfpakvz4NF4UWjD89pgvEiBRmPA1aaCHbxrsTD5tSrma","signature":"0x0e77de4ee82cc6e2dbea416d6e8c7bebeda357cb431cd9d006e3157ee0abcc223ba3972451122b5ab4c0bae07b7b0a84f5a67d79f6c0d548c930583635c56387"},"axon":{"status_code":null,"status_message":null,"process_time":null,"ip":"127.0.0.1","port":8091,"version":null,"nonce":null,"uuid":null,"hotkey":"5CA3onFpA75kRSgNkF6twsDeumSA5NhLhxQWSdraSEL8vScn","signature":null},"computed_body_hash":"","prompt":"hello","temps":[0.5,1.0],"n":3,"stream":false,"stop":null,"meta":{"b":"x","a":"é"},"out":null}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spec.BodyHash(body); err != nil {
			b.Fatal(err)
		}
	}
}
