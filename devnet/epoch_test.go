package devnet

import (
	"math"
	"slices"
	"testing"
)

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func approxAll(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !approx(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestYuma checks consensus, clipping, incentive, dividends and permits on
// small subnets whose answers follow from the rules by hand.
func TestYuma(t *testing.T) {
	row := func(n int, kv ...float64) []float64 {
		r := make([]float64, n)
		for i := 0; i+1 < len(kv); i += 2 {
			r[int(kv[i])] = kv[i+1]
		}
		return r
	}
	cases := []struct {
		name      string
		in        epochInput
		permit    []bool
		consensus []float64
		incentive []float64
		dividends []float64
	}{
		{
			name: "one validator splits evenly",
			in: epochInput{stake: []float64{10, 0, 0}, permitLimit: 8, active: []bool{true, true, true}, kappa: 0.5, bondsAlpha: 0.1, owner: -1,
				weights: [][]float64{row(3, 1, 1, 2, 1), row(3), row(3)}},
			permit:    []bool{true, false, false},
			consensus: []float64{0, 0.5, 0.5},
			incentive: []float64{0, 0.5, 0.5},
			dividends: []float64{1, 0, 0},
		},
		{
			name: "a minority weight is clipped to consensus",
			in: epochInput{stake: []float64{4, 3, 3, 0, 0}, permitLimit: 8, active: []bool{true, true, true, true, true}, kappa: 0.5, bondsAlpha: 0.1, owner: -1,
				weights: [][]float64{row(5, 3, 1), row(5, 3, 1), row(5, 4, 1), row(5), row(5)}},
			permit:    []bool{true, true, true, false, false},
			consensus: []float64{0, 0, 0, 1, 0},
			incentive: []float64{0, 0, 0, 1, 0},
			dividends: []float64{4.0 / 7, 3.0 / 7, 0, 0, 0},
		},
		{
			name: "permits go to the top stakes only",
			in: epochInput{stake: []float64{1, 5, 3, 0}, permitLimit: 2, active: []bool{true, true, true, true}, kappa: 0.5, bondsAlpha: 0.1, owner: -1,
				weights: [][]float64{row(4, 3, 1), row(4, 3, 1), row(4, 3, 1), row(4)}},
			permit:    []bool{false, true, true, false},
			consensus: []float64{0, 0, 0, 1},
			incentive: []float64{0, 0, 0, 1},
			dividends: []float64{0, 5.0 / 8, 3.0 / 8, 0},
		},
		{
			name: "the subnet owner's UID holds a permit beyond the top stakes (HEAD run_epoch)",
			in: epochInput{stake: []float64{1, 5, 3, 0}, permitLimit: 2, active: []bool{true, true, true, true}, kappa: 0.5, bondsAlpha: 0.1, owner: 3,
				weights: [][]float64{row(4, 3, 1), row(4, 3, 1), row(4, 3, 1), row(4)}},
			permit:    []bool{false, true, true, true},
			consensus: []float64{0, 0, 0, 1},
			incentive: []float64{0, 0, 0, 1},
			dividends: []float64{0, 5.0 / 8, 3.0 / 8, 0},
		},
		{
			name: "self-weights do not count",
			in: epochInput{stake: []float64{1, 0}, permitLimit: 8, active: []bool{true, true}, kappa: 0.5, bondsAlpha: 0.1, owner: -1,
				weights: [][]float64{row(2, 0, 1), row(2)}},
			permit:    []bool{true, false},
			consensus: []float64{0, 0},
			incentive: []float64{0, 0},
			dividends: []float64{0, 0},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := yuma(c.in)
			if !slices.Equal(out.permit, c.permit) {
				t.Errorf("permit %v, want %v", out.permit, c.permit)
			}
			if !approxAll(out.consensus, c.consensus) {
				t.Errorf("consensus %v, want %v", out.consensus, c.consensus)
			}
			if !approxAll(out.incentive, c.incentive) {
				t.Errorf("incentive %v, want %v", out.incentive, c.incentive)
			}
			if !approxAll(out.dividends, c.dividends) {
				t.Errorf("dividends %v, want %v", out.dividends, c.dividends)
			}
		})
	}
}

// HEAD should_run_epoch: every tempo blocks from LastEpochBlock, or at
// PendingEpochAt; never with tempo 0.
func TestEpochDue(t *testing.T) {
	for _, tc := range []struct {
		name              string
		tempo             uint16
		last, pending     uint64
		wantFirstDueAfter uint64 // first n > last that is due; 0 for none up to last+100
	}{
		{"tempo 10 from block 0", 10, 0, 0, 10},
		{"tempo 10 anchored at 9 (netuid 1's stagger)", 10, 9, 0, 19},
		{"pending epoch fires early", 10, 0, 4, 4},
		{"tempo 0 never", 0, 0, 0, 0},
	} {
		var first uint64
		for n := tc.last + 1; n <= tc.last+100; n++ {
			if epochDue(n, tc.tempo, tc.last, tc.pending) {
				first = n
				break
			}
		}
		if first != tc.wantFirstDueAfter {
			t.Errorf("%s: first epoch at %d, want %d", tc.name, first, tc.wantFirstDueAfter)
		}
	}
}
