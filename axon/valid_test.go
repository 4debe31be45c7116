package axon

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

var validSeeds = []string{
	``, ` `, `0`, `-0`, `01`, `-`, `1.`, `1.5e`, `1.5e+3`, `1E-0`, `-12.34e56`, `.5`, `+1`, `1 2`,
	`"a"`, `"\u00e9\ud800"`, `"\u00g0"`, `"\x"`, "\"a\x01\"", "\"a\xff\x7f\"", `"\/\b\f\n\r\t\\\""`, `"abc`,
	`true`, `tru`, `falsey`, `null`, `nul`, `[]`, `[ ]`, `[1,]`, `[,1]`, `[1 2]`, `{}`, `{ }`, `{"a":1,}`,
	`{"a" 1}`, `{a:1}`, `{"a":1}x`, ` {"a" : [1, {"b": null}] } `, "\t\r\n[1]\n", `{"a":1 "b":2}`,
	`[[[[[]]]]]`, `{"a":{"b":{"c":[true,false,null]}}}`, `"` + "\u2028" + `"`,
}

// FuzzValidJSON: validJSON answers as json.Valid does.
func FuzzValidJSON(f *testing.F) {
	for _, s := range validSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid %v", b, got, want)
		}
		valid, isObject := validObject(b, func([]byte, int, int) {})
		if valid != json.Valid(b) {
			t.Fatalf("validObject(%q) valid = %v", b, valid)
		}
		if valid && isObject != (bytes.TrimLeft(b, " \t\r\n")[0] == '{') {
			t.Fatalf("validObject(%q) isObject = %v", b, isObject)
		}
	})
}

func TestValidJSONDepth(t *testing.T) {
	for _, n := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		for _, open := range []string{"[", `{"k":`} {
			closer := "]"
			if open != "[" {
				closer = "}"
			}
			b := []byte(strings.Repeat(open, n) + strings.Repeat(closer, n))
			if got, want := validJSON(b), json.Valid(b); got != want {
				t.Errorf("depth %d of %s: %v, json.Valid %v", n, open, got, want)
			}
		}
	}
}

func TestValidObjectSpans(t *testing.T) {
	b := []byte(` {"a" : [1, {"b": 2}] , "\u0063":"x","a":null} `)
	var got []string
	valid, isObject := validObject(b, func(k []byte, start, end int) {
		got = append(got, string(k)+"="+string(b[start:end]))
	})
	want := []string{`"a"=[1, {"b": 2}]`, `"\u0063"="x"`, `"a"=null`}
	if !valid || !isObject || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%v %v %q", valid, isObject, got)
	}
	if valid, isObject := validObject([]byte(`[1]`), nil); !valid || isObject {
		t.Fatalf("array: %v %v", valid, isObject)
	}
}

func BenchmarkValidJSON(b *testing.B) {
	body := []byte(`{"name":"ComputeOffer","timeout":300.0,"total_size":0,"header_size":0,"dendrite":{"status_code":null,"status_message":null,"process_time":null,"ip":"127.0.0.1","port":null,"version":10002000,"nonce":1796360659317157219,"uuid":"ca10e25b-70a6-42f9-9cd3-0d802845bc1c","hotkey":"5FntUfpakvz4NF4UWjD89pgvEiBRmPA1aaCHbxrsTD5tSrma","signature":"0x0e77de4ee82cc6e2dbea416d6e8c7bebeda357cb431cd9d006e3157ee0abcc223ba3972451122b5ab4c0bae07b7b0a84f5a67d79f6c0d548c930583635c56387"},"axon":{"status_code":null,"status_message":null,"process_time":null,"ip":"127.0.0.1","port":8091,"version":null,"nonce":null,"uuid":null,"hotkey":"5CA3onFpA75kRSgNkF6twsDeumSA5NhLhxQWSdraSEL8vScn","signature":null},"computed_body_hash":"","nonce":"00000000deadbeef","offer":null}`)
	b.Run("validJSON", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !validJSON(body) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !json.Valid(body) {
				b.Fatal("invalid")
			}
		}
	})
}
