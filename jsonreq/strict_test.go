package jsonreq

import (
	"reflect"
	"strings"
	"testing"
)

type strictInner struct {
	TopK  int            `json:"top_k"`
	Names []string       `json:"names"`
	Sub   *strictInner   `json:"sub"`
	Extra map[string]any `json:"extra"`
}

type strictOuter struct {
	Model  string                 `json:"model"`
	Opts   strictInner            `json:"options"`
	List   []strictInner          `json:"list"`
	ByName map[string]strictInner `json:"by_name"`
	Any    any                    `json:"any"`
	strictEmbedded
}

type strictEmbedded struct {
	Deep [][]strictInner `json:"deep"`
}

// The byte scanner gives the token-based walk's answers: the same error
// (status, reason, field, message) or none.
func FuzzStrictScanMatchesTokens(f *testing.F) {
	for _, s := range []string{
		`{"model":"x","model":"y"}`,
		`{"Model":"x"}`,
		`{"options":{"top_k":1,"TOP_K":2}}`,
		`{"list":[{"names":["a"]},{"sub":{"sub":{"Top_K":1}}}]}`,
		`{"by_name":{"a":{"top_k":1},"a":{}}}`,
		`{"any":{"k":[1,{"k":1,"k":2}]}}`,
		`{"deep":[[{"top_k":1}],[{"top_k":1,"top_k":2}]]}`,
		`{"mod\u0065l":"x","model":"y"}`,
		`{"a\xffb":1,"a\xfeb":2}`,
		`{"é":1,"\u00e9":2}`,
		`[1,2,{"a":1,"a":2}]`,
		`{"options":{"extra":{"x":{"y":1,"y":2}}}}`,
		strings.Repeat(`[`, 70) + `{"a":1,"a":2}` + strings.Repeat(`]`, 70),
		strings.Repeat(`{"any":`, 66) + `{"model":1,"model":2}` + strings.Repeat(`}`, 66),
		`{"model":1,"model":2`, `{"a":1 "a":2}`, ` {"model" : "x" , "model" : "y"} `,
		`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k3":0}`,
	} {
		f.Add([]byte(s))
	}
	dsts := []any{&strictOuter{}, &inferRequest{}, new(map[string]strictInner), new([]strictOuter), new(any)}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range dsts {
			got := checkStrictJSON(body, dst)
			want := checkStrictJSONTokens(body, dst)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q into %T: scanner %v, tokens %v", body, dst, got, want)
			}
		}
	})
}
