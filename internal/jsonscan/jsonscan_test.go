package jsonscan

import "testing"

// Skip moves past exactly one value, whatever it holds.
func TestSkip(t *testing.T) {
	for _, tc := range []struct{ in, rest string }{
		{`  "a\"b"  ,1`, `  ,1`},
		{`12.5e3,`, `,`},
		{`true]`, `]`},
		{`null}`, `}`},
		{`{"a":[1,{"b":"}"}],"c":"]"} ,x`, ` ,x`},
		{`[[],[[]],"[\\"] ]`, ` ]`},
		{` {}`, ``},
	} {
		s := Scanner{B: []byte(tc.in)}
		s.Skip()
		if got := string(s.B[s.I:]); got != tc.rest {
			t.Errorf("Skip(%q): rest %q, want %q", tc.in, got, tc.rest)
		}
	}
}
