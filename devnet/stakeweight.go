package devnet

import (
	"encoding/binary"
	"math/bits"

	"github.com/minerkit/minerkit/scale"
)

// defaultTaoWeight is HEAD's SubtensorInitialTaoWeight (runtime/src/lib.rs):
// TaoWeight's stored u64, the weight being that over u64::MAX (≈ 0.0527).
const defaultTaoWeight uint64 = 971_718_665_099_567_868

// spec218TaoWeight is spec 218's TaoWeight default, 0.18 × u64::MAX (its
// metadata's storage default).
const spec218TaoWeight uint64 = 0x2e147ae147ae147a

// linkage is one ChildKeys/ParentKeys entry: a share over u64::MAX.
type linkage struct {
	share uint64
	other accountID
}

// linkages reads SubtensorModule.item(hot, netuid), a Vec<(u64, AccountId)>.
func (s state) linkages(item string, hot accountID, netuid uint16) []linkage {
	v, ok := s.o.get(keyHotNet(item, hot, netuid))
	if !ok {
		return nil
	}
	d := scale.NewDecoder(v)
	n, err := d.Len(40)
	if err != nil {
		return nil
	}
	out := make([]linkage, 0, n)
	for range n {
		b, err := d.Bytes(40)
		if err != nil {
			return nil
		}
		var l linkage
		l.share = binary.LittleEndian.Uint64(b)
		copy(l.other[:], b[8:])
		out = append(out, l)
	}
	return out
}

// q32 is share/u64::MAX as a U96F32's raw bits (× 2^32, truncated), the
// chain's safe_div.
func q32(share uint64) uint64 {
	q, _ := bits.Div64(share>>32, share<<32, ^uint64(0))
	return q
}

// acc96 accumulates U96F32 raw values (× 2^32) in 128 bits.
type acc96 struct{ hi, lo uint64 }

func (a *acc96) addMul(x, y uint64) {
	hi, lo := bits.Mul64(x, y)
	var c uint64
	a.lo, c = bits.Add64(a.lo, lo, 0)
	a.hi, _ = bits.Add64(a.hi, hi, c)
}

func (a acc96) less(b acc96) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

// int returns the integer part, saturating at u64::MAX.
func (a acc96) int() uint64 {
	if a.hi>>32 != 0 {
		return ^uint64(0)
	}
	return a.hi<<32 | a.lo>>32
}

// inheritedStake follows HEAD staking/stake_utils.rs
// get_inherited_for_hotkey_on_subnet (from = netuid) and
// get_tao_inherited_for_hotkey_on_subnet (from = 0): the hotkey's own stake
// on from, less the shares its children on netuid take, plus the shares it
// takes of its parents' stake on from.
func (x *exec) inheritedStake(hot accountID, netuid, from uint16) uint64 {
	own := x.hotkeyStake(hot, from)
	var kept, given acc96
	kept.addMul(own, 1<<32)
	for _, ch := range x.s.linkages("ChildKeys", hot, netuid) {
		given.addMul(own, q32(ch.share))
	}
	if kept.less(given) {
		kept = acc96{}
	} else {
		var b uint64
		kept.lo, b = bits.Sub64(kept.lo, given.lo, 0)
		kept.hi, _ = bits.Sub64(kept.hi, given.hi, b)
	}
	for _, pa := range x.s.linkages("ParentKeys", hot, netuid) {
		kept.addMul(x.hotkeyStake(pa.other, from), q32(pa.share))
	}
	return kept.int()
}

// stakeWeight is HEAD's get_stake_weights_for_hotkey_on_subnet: inherited
// alpha + inherited root stake × TaoWeight, the figure validator permits,
// the stake threshold and get_metagraph's total_stake use.
func (x *exec) stakeWeight(hot accountID, netuid uint16) (weight, alpha, root uint64) {
	alpha = x.hotkeyStake(hot, netuid)
	if netuid != 0 {
		alpha = x.inheritedStake(hot, netuid, netuid)
	}
	root = x.inheritedStake(hot, netuid, 0)
	tw := q32(x.s.u64(keyPlain("SubtensorModule", "TaoWeight"), defaultTaoWeight))
	if x.rt.spec218 { // a map by netuid there
		tw = q32(x.s.u64(keyNet("TaoWeight", netuid), spec218TaoWeight))
	}
	var w acc96
	w.addMul(root, tw)
	weight, c := bits.Add64(alpha, w.int(), 0)
	if c != 0 {
		weight = ^uint64(0)
	}
	return weight, alpha, root
}

// swapTaoForAlpha buys alpha with tao rao through netuid's pool and
// returns the alpha bought. HEAD swaps through a concentrated-liquidity
// pool (the swap pallet); the devnet keeps a constant-product pool
// (SubnetTAO × SubnetAlphaIn), which gives the same shape: a price ≠ 1 and
// slippage. Root and pool-less subnets are 1:1 (HEAD's stable mechanism).
func (x *exec) swapTaoForAlpha(netuid uint16, tao uint64) uint64 {
	tIn, aIn := x.s.u64(keyNet("SubnetTAO", netuid), 0), x.s.u64(keyNet("SubnetAlphaIn", netuid), 0)
	if netuid == 0 || tIn == 0 || aIn == 0 {
		return tao
	}
	alpha := mulDiv(aIn, tao, tIn+tao)
	x.s.putU64(keyNet("SubnetTAO", netuid), tIn+tao)
	x.s.putU64(keyNet("SubnetAlphaIn", netuid), aIn-alpha)
	return alpha
}

// swapAlphaForTao sells alpha back to netuid's pool and returns the rao.
func (x *exec) swapAlphaForTao(netuid uint16, alpha uint64) uint64 {
	tIn, aIn := x.s.u64(keyNet("SubnetTAO", netuid), 0), x.s.u64(keyNet("SubnetAlphaIn", netuid), 0)
	if netuid == 0 || tIn == 0 || aIn == 0 {
		return alpha
	}
	tao := mulDiv(tIn, alpha, aIn+alpha)
	x.s.putU64(keyNet("SubnetTAO", netuid), tIn-tao)
	x.s.putU64(keyNet("SubnetAlphaIn", netuid), aIn+alpha)
	return tao
}

// mulDiv is a × b / c, floored, without overflow (the result fits: c > b).
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}
