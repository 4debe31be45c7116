package subtensor

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestRaoString(t *testing.T) {
	for _, tc := range []struct {
		r    Rao
		want string
	}{
		{0, "0 τ"},
		{1, "0.000000001 τ"},
		{RaoPerTAO, "1 τ"},
		{1_500_000_000, "1.5 τ"},
		{TAO(1_000_000), "1000000 τ"},
		{Rao(math.MaxUint64), "18446744073.709551615 τ"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("Rao(%d).String() = %q, want %q", uint64(tc.r), got, tc.want)
		}
	}
}

func TestParseTAO(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Rao
		err  bool
	}{
		{"1", RaoPerTAO, false},
		{"0.5", 500_000_000, false},
		{".5", 500_000_000, false},
		{"1.", RaoPerTAO, false},
		{"1.5τ", 1_500_000_000, false},
		{"τ2", 2 * RaoPerTAO, false},
		{" 2 TAO ", 2 * RaoPerTAO, false},
		{"1_000", TAO(1000), false},
		{"0.000000001", 1, false},
		{"1500rao", 1500, false},
		{"18446744073.709551615", Rao(math.MaxUint64), false},
		{"18446744073.709551616", 0, true},
		{"18446744074", 0, true},
		{"0.0000000001", 0, true},
		{"-1", 0, true},
		{"", 0, true},
		{".", 0, true},
		{"1e9", 0, true},
		{"abc", 0, true},
		{"1.5rao", 0, true},
	} {
		got, err := ParseTAO(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("ParseTAO(%q) = %d, want an error", tc.in, got)
			} else if !errors.Is(err, errAmountSyntax) {
				t.Errorf("ParseTAO(%q) error %v does not wrap errAmountSyntax", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTAO(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseTAO(f *testing.F) {
	for _, s := range []string{"1", "0.5", "1.5τ", "1500rao", "18446744073.709551615", "τ", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseTAO(s)
		if err != nil {
			return
		}
		back, err := ParseTAO(r.Decimal())
		if err != nil || back != r {
			t.Fatalf("ParseTAO(%q) = %d, but %q parses to %d, %v", s, r, r.Decimal(), back, err)
		}
	})
}

func ExampleParseTAO() {
	r, _ := ParseTAO("1.25")
	fmt.Println(uint64(r), r)
	// Output: 1250000000 1.25 τ
}
