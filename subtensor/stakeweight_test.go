package subtensor

import (
	"math"
	"testing"

	"github.com/minerkit/minerkit/keys"
)

// Vectors computed with exact integer arithmetic outside Go (Python
// integers): TaoWeight as U96F32 bits = floor(w × 2^32 / u64::MAX), the
// product truncated to an integer, the sum saturating.
func TestStakeWeightOf(t *testing.T) {
	const headTaoWeight = 971_718_665_099_567_868 // HEAD SubtensorInitialTaoWeight
	for _, tc := range []struct {
		alpha, root, tw, want uint64
	}{
		{0, 0, headTaoWeight, 0},
		{2000e9, 1000e9, headTaoWeight, 2052676974330},
		{1, 1e9, headTaoWeight, 52676975},
		{0, math.MaxUint64, headTaoWeight, 971718664044675071},
		{math.MaxUint64, math.MaxUint64, headTaoWeight, math.MaxUint64},
		{5e9, 7e9, 0, 5e9},
		{5e9, 7e9, math.MaxUint64, 12e9},
	} {
		if got := StakeWeightOf(tc.alpha, tc.root, tc.tw); got != tc.want {
			t.Errorf("StakeWeightOf(%d, %d, %d) = %d, want %d", tc.alpha, tc.root, tc.tw, got, tc.want)
		}
	}
}

// HEAD get_inherited_for_hotkey_on_subnet: own stake less the children's
// shares, plus shares of the parents' stake, in U96F32.
func TestInheritedStake(t *testing.T) {
	var a keys.PublicKey
	for _, tc := range []struct {
		name     string
		own      uint64
		children []proportion
		parents  []proportion
		pStake   []uint64
		want     uint64
	}{
		{"alone", 1000e9, nil, nil, nil, 1000e9},
		{"quarter to a child, half of a parent's 300", 1000e9,
			[]proportion{{math.MaxUint64 / 4, a}}, []proportion{{math.MaxUint64 / 2, a}}, []uint64{300e9}, 900000000162},
		{"all to children saturates at 0", 10,
			[]proportion{{math.MaxUint64, a}, {math.MaxUint64, a}}, nil, nil, 0},
	} {
		if got := inherited(tc.own, tc.children, tc.parents, tc.pStake); got != tc.want {
			t.Errorf("%s: inherited = %d, want %d", tc.name, got, tc.want)
		}
	}
}
