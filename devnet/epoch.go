package devnet

import (
	"math"
	"sort"
)

// Emission split of each epoch (the devnet's fixed choice, see PROTOCOLS §4).
const (
	ownerCut     = 0.18
	minersCut    = 0.41
	validatorCut = 0.41
)

// epochDue follows HEAD coinbase/run_coinbase.rs should_run_epoch: with
// tempo > 0, the epoch runs at PendingEpochAt when one is set, else once
// tempo blocks have passed since LastEpochBlock (so every tempo blocks, not
// tempo + 1 as before 2026).
func epochDue(n uint64, tempo uint16, lastEpoch, pendingAt uint64) bool {
	if tempo == 0 {
		return false
	}
	if pendingAt > 0 && n >= pendingAt {
		return true
	}
	return n >= lastEpoch && n-lastEpoch >= uint64(tempo)
}

// epochDue218 is the rule before 2026 (spec 218's blocks_until_next_epoch):
// an epoch when (n + netuid + 1) is a multiple of tempo + 1.
func epochDue218(n uint64, netuid, tempo uint16) bool {
	return tempo > 0 && (n+uint64(netuid)+1)%(uint64(tempo)+1) == 0
}

// anchorEpochs sets LastEpochBlock as HEAD does for a new subnet
// (subnets/subnet.rs init_new_network: now − netuid mod tempo, a stagger)
// or after a tempo change (utils/misc.rs apply_tempo_with_cycle_reset: now,
// stagger 0).
func (x *exec) anchorEpochs(netuid uint16, stagger bool) {
	now := uint64(x.block)
	if stagger {
		period := max(uint64(x.s.u16(keyNet("Tempo", netuid), 0)), 1)
		now -= min(now, uint64(netuid)%period)
	}
	x.s.putU64(keyNet("LastEpochBlock", netuid), now)
}

func toU16(p float64) uint16 {
	if !(p > 0) {
		return 0
	}
	if p >= 1 {
		return 65535
	}
	return uint16(p*65535 + 0.5)
}

func normalize(v []float64) []float64 {
	var sum float64
	for _, x := range v {
		sum += x
	}
	out := make([]float64, len(v))
	if sum <= 0 {
		return out
	}
	for i, x := range v {
		out[i] = x / sum
	}
	return out
}

// epochInput is what Yuma consensus reads for one subnet.
type epochInput struct {
	stake       []float64   // stake weight per UID
	permitLimit int         // MaxAllowedValidators
	weights     [][]float64 // weights[i][j], raw (u16 scale)
	bonds       [][]float64 // previous bonds, column-normalized
	active      []bool
	kappa       float64 // consensus quantile, 0.5
	bondsAlpha  float64 // EMA weight of the new bonds
	owner       int     // the subnet owner hotkey's UID, -1 when it has none
}

// epochOutput is what Yuma consensus writes back.
type epochOutput struct {
	permit                                 []bool
	consensus, incentive, dividends, trust []float64
	validatorTrust, rank                   []float64
	bonds                                  [][]float64
}

// yuma runs one epoch of Yuma consensus (float arithmetic; subtensor uses
// I32F32 fixed point, so the last digits may differ from the real chain).
func yuma(in epochInput) epochOutput {
	n := len(in.stake)
	out := epochOutput{permit: make([]bool, n)}
	// Validator permits: the top permitLimit UIDs by stake, non-zero stake only.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return in.stake[order[a]] > in.stake[order[b]] })
	// HEAD epoch/run_epoch.rs: the subnet owner's UID always holds a permit.
	if in.owner >= 0 && in.owner < n {
		out.permit[in.owner] = true
	}
	for r, i := range order {
		if r < in.permitLimit && in.stake[i] > 0 {
			out.permit[i] = true
		}
	}
	s := make([]float64, n)
	for i := range s {
		if out.permit[i] && in.active[i] {
			s[i] = in.stake[i]
		}
	}
	s = normalize(s)
	// Row-normalized weights of permitted validators, self-weights masked.
	w := make([][]float64, n)
	for i := range w {
		w[i] = make([]float64, n)
		if !out.permit[i] {
			continue
		}
		row := in.weights[i]
		for j := 0; j < n && j < len(row); j++ {
			if j != i {
				w[i][j] = row[j]
			}
		}
		w[i] = normalize(w[i])
	}
	// Consensus: the largest weight that a kappa fraction of stake supports.
	out.consensus = make([]float64, n)
	type vs struct{ v, s float64 }
	col := make([]vs, 0, n)
	for j := 0; j < n; j++ {
		col = col[:0]
		for i := 0; i < n; i++ {
			if s[i] > 0 {
				col = append(col, vs{w[i][j], s[i]})
			}
		}
		sort.Slice(col, func(a, b int) bool { return col[a].v > col[b].v })
		var cum float64
		for _, c := range col {
			cum += c.s
			if cum >= in.kappa-1e-12 {
				out.consensus[j] = c.v
				break
			}
		}
	}
	// Clip, rank, incentive, trust, validator trust.
	clipped := make([][]float64, n)
	out.rank = make([]float64, n)
	preRank := make([]float64, n)
	out.validatorTrust = make([]float64, n)
	for i := 0; i < n; i++ {
		clipped[i] = make([]float64, n)
		for j := 0; j < n; j++ {
			clipped[i][j] = math.Min(w[i][j], out.consensus[j])
			out.rank[j] += s[i] * clipped[i][j]
			preRank[j] += s[i] * w[i][j]
			out.validatorTrust[i] += clipped[i][j]
		}
	}
	out.incentive = normalize(out.rank)
	out.trust = make([]float64, n)
	for j := range out.trust {
		if preRank[j] > 0 {
			out.trust[j] = out.rank[j] / preRank[j]
		}
	}
	// Bonds: EMA of column-normalized stake-weighted clipped weights.
	delta := make([][]float64, n)
	colSum := make([]float64, n)
	for i := 0; i < n; i++ {
		delta[i] = make([]float64, n)
		for j := 0; j < n; j++ {
			delta[i][j] = s[i] * clipped[i][j]
			colSum[j] += delta[i][j]
		}
	}
	out.bonds = make([][]float64, n)
	bondCol := make([]float64, n)
	for i := 0; i < n; i++ {
		out.bonds[i] = make([]float64, n)
		for j := 0; j < n; j++ {
			d := 0.0
			if colSum[j] > 0 {
				d = delta[i][j] / colSum[j]
			}
			old := 0.0
			if i < len(in.bonds) && j < len(in.bonds[i]) {
				old = in.bonds[i][j]
			}
			out.bonds[i][j] = in.bondsAlpha*d + (1-in.bondsAlpha)*old
			bondCol[j] += out.bonds[i][j]
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if bondCol[j] > 0 {
				out.bonds[i][j] /= bondCol[j]
			}
		}
	}
	div := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			div[i] += out.bonds[i][j] * out.incentive[j]
		}
	}
	out.dividends = normalize(div)
	return out
}

// runEpoch runs Yuma consensus for netuid and pays out its pending
// emission. With several mechanisms it follows HEAD epoch_with_mechanisms
// (subnets/mechanism.rs): the emission is split between them
// (split_emissions), each runs its own epoch on its own weights, bonds and
// last updates, its incentive is kept under its index, and the rest is
// summed (emission) or weighted by the mechanism's share (consensus,
// dividends, validator trust; active is any).
func (x *exec) runEpoch(netuid uint16) {
	s := x.s
	pending := s.u64(keyNet("PendingEmission", netuid), 0)
	s.putU64(keyNet("PendingEmission", netuid), 0)
	n := int(s.u16(keyNet("SubnetworkN", netuid), 0))
	ownerAmount := uint64(float64(pending) * ownerCut)
	if ownerCold, ok := s.account32(keyNet("SubnetOwner", netuid)); ok && ownerAmount > 0 {
		x.mint(ownerCold, ownerAmount)
	}
	if n == 0 {
		return
	}
	hot := make([]accountID, n)
	base := epochInput{
		stake:       make([]float64, n),
		permitLimit: int(s.u16(keyNet("MaxAllowedValidators", netuid), 64)),
		kappa:       float64(s.u16(keyNet("Kappa", netuid), 32767)) / 65535,
		bondsAlpha:  1 - float64(s.u64(keyNet("BondsMovingAverage", netuid), 900_000))/1e6,
		owner:       -1,
	}
	if oh, ok := s.account32(keyNet("SubnetOwnerHotkey", netuid)); ok {
		if uid, ok := x.uidOf(netuid, oh); ok {
			base.owner = int(uid)
		}
	}
	threshold := s.u64(keyPlain("SubtensorModule", "StakeThreshold"), 0)
	regAt := make([]uint64, n)
	for i := 0; i < n; i++ {
		hot[i] = x.hotkeyAt(netuid, uint16(i))
		// HEAD run_epoch: stake below StakeThreshold counts as 0, except
		// the owner's.
		if st, _, _ := x.stakeWeight(hot[i], netuid); st >= threshold || i == base.owner {
			base.stake[i] = float64(st)
		}
		regAt[i] = s.u64(keyNetUID("BlockAtRegistration", netuid, uint16(i)), 0)
	}
	shares := x.splitEmission(netuid, pending)
	emission := make([]uint64, n)
	active := make([]bool, n)
	consensus, dividends, vtrust := make([]float64, n), make([]float64, n), make([]float64, n)
	var main epochOutput
	for m, share := range shares {
		idx := mechIndex(netuid, uint8(m))
		in := x.mechanismInput(base, idx, n, regAt)
		out := yuma(in)
		if m == 0 {
			main = out
		}
		weight := 0.0 // the mechanism's share; all of it to mechanism 0 when nothing is emitted
		if pending > 0 {
			weight = float64(share) / float64(pending)
		} else if m == 0 {
			weight = 1
		}
		inc, div := out.incentive, out.dividends
		if sum(div) == 0 {
			// No bonds yet: validators share by stake, as subtensor falls back to.
			stakeShare := make([]float64, n)
			for i := range stakeShare {
				if out.permit[i] {
					stakeShare[i] = in.stake[i]
				}
			}
			div = normalize(stakeShare)
		}
		minerPool, valPool := float64(share)*minersCut, float64(share)*validatorCut
		for i := 0; i < n; i++ {
			emission[i] += uint64(minerPool*inc[i]) + uint64(valPool*div[i])
			active[i] = active[i] || in.active[i]
			consensus[i] += weight * out.consensus[i]
			dividends[i] += weight * out.dividends[i]
			vtrust[i] += weight * out.validatorTrust[i]
		}
		x.s.putVecU16(keyNet("Incentive", idx), x.u16s(out.incentive))
		x.putBonds(idx, out.bonds)
	}
	for i := 0; i < n; i++ {
		if emission[i] > 0 {
			owner, ok := s.account32(keyHot("Owner", hot[i]))
			if !ok {
				owner = hot[i]
			}
			x.addStakeTo(owner, hot[i], netuid, emission[i])
		}
	}
	s.putVecBool(keyNet("ValidatorPermit", netuid), main.permit)
	s.putVecBool(keyNet("Active", netuid), active)
	s.putVecU16(keyNet("Consensus", netuid), x.u16s(consensus))
	s.putVecU16(keyNet("Dividends", netuid), x.u16s(dividends))
	s.putVecU16(keyNet("ValidatorTrust", netuid), x.u16s(vtrust))
	s.putVecU64(keyNet("Emission", netuid), emission)
	if x.rt.spec218 { // removed from HEAD (April 2026)
		var maxE uint64
		for _, e := range emission {
			maxE = max(maxE, e)
		}
		pruning := make([]float64, n)
		for i, e := range emission {
			if maxE > 0 {
				pruning[i] = float64(e) / float64(maxE)
			}
		}
		s.putVecU16(keyNet("Trust", netuid), x.u16s(main.trust))
		s.putVecU16(keyNet("Rank", netuid), x.u16s(normalize(main.rank)))
		s.putVecU16(keyNet("PruningScores", netuid), x.u16s(pruning))
	}
}

// mechanismInput is base with the weights, bonds and activity of the
// mechanism stored under idx.
func (x *exec) mechanismInput(base epochInput, idx uint16, n int, regAt []uint64) epochInput {
	s := x.s
	in := base
	in.weights, in.bonds, in.active = make([][]float64, n), make([][]float64, n), make([]bool, n)
	lastUpdate := s.vecU64(keyNet("LastUpdate", idx))
	cutoff := uint64(s.u16(keyNet("ActivityCutoff", idx%globalMaxSubnetCount), 5000))
	for i := 0; i < n; i++ {
		var lu uint64
		if i < len(lastUpdate) {
			lu = lastUpdate[i]
		}
		in.active[i] = uint64(x.block)-lu <= cutoff
		row := make([]float64, n)
		for _, p := range s.pairs(keyNetUID("Weights", idx, uint16(i))) {
			// Weights set before the target registered are outdated.
			if int(p[0]) < n && regAt[p[0]] <= lu {
				row[p[0]] = float64(p[1])
			}
		}
		in.weights[i] = row
		brow := make([]float64, n)
		for _, p := range s.pairs(keyNetUID("Bonds", idx, uint16(i))) {
			if int(p[0]) < n {
				brow[p[0]] = float64(p[1]) / 65535
			}
		}
		in.bonds[i] = brow
	}
	return in
}

func (x *exec) u16s(v []float64) []uint16 {
	o := make([]uint16, len(v))
	for i := range o {
		o[i] = toU16(v[i])
	}
	return o
}

// putBonds stores each UID's non-zero bonds under idx.
func (x *exec) putBonds(idx uint16, bonds [][]float64) {
	for i, row := range bonds {
		var ps [][2]uint16
		for j, b := range row {
			if v := toU16(b); v > 0 {
				ps = append(ps, [2]uint16{uint16(j), v})
			}
		}
		if len(ps) == 0 {
			x.s.o.del(keyNetUID("Bonds", idx, uint16(i)))
		} else {
			x.s.putPairs(keyNetUID("Bonds", idx, uint16(i)), ps)
		}
	}
}

func sum(v []float64) float64 {
	var t float64
	for _, x := range v {
		t += x
	}
	return t
}
