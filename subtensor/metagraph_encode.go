package subtensor

import (
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
)

// appendMetagraph appends the SCALE encoding of get_metagraph's result,
// Option<Metagraph>, for m (nil encodes None) in the given layout. It is the
// exact inverse of DecodeMetagraph: identities are written with the layout's
// field counts (missing fields as empty strings, extra ones dropped).
func appendMetagraph(b []byte, m *Metagraph, layout MetagraphLayout) []byte {
	if m == nil {
		return append(b, 0)
	}
	l := layout.withDefaults()
	b = append(b, 1)
	c := func(v uint64) { b = scale.AppendCompact(b, v) }
	cb := func(s string) {
		c(uint64(len(s)))
		for i := 0; i < len(s); i++ {
			c(uint64(s[i]))
		}
	}
	strs := func(f []string, n int) {
		for i := 0; i < n; i++ {
			s := ""
			if i < len(f) {
				s = f[i]
			}
			b = scale.AppendString(b, s)
		}
	}
	c(uint64(m.NetUID))
	cb(m.Name)
	cb(m.Symbol)
	if m.Identity == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		strs(m.Identity.Fields, l.SubnetIdentityFields)
	}
	c(m.NetworkRegisteredAt)
	b = append(b, m.OwnerHotkey[:]...)
	b = append(b, m.OwnerColdkey[:]...)
	c(m.Block)
	c(uint64(m.Tempo))
	c(m.LastStep)
	c(m.BlocksSinceLastStep)
	c(m.SubnetEmission)
	for _, v := range []Rao{m.AlphaIn, m.AlphaOut, m.TaoIn, m.AlphaOutEmission, m.AlphaInEmission, m.TaoInEmission, m.PendingAlphaEmis, m.PendingRootEmis} {
		c(uint64(v))
	}
	b = scale.AppendCompactU128(b, m.SubnetVolume)
	b = scale.AppendI128(b, m.MovingPrice)
	for _, v := range []uint16{m.Rho, m.Kappa, m.MinAllowedWeights, m.MaxWeightsLimit} {
		c(uint64(v))
	}
	c(m.WeightsVersion)
	c(m.WeightsRateLimit)
	c(m.ActivityCutoff)
	c(uint64(m.MaxValidators))
	c(uint64(m.NumUIDs))
	c(uint64(m.MaxUIDs))
	c(uint64(m.Burn))
	c(m.Difficulty)
	b = scale.AppendBool(b, m.RegistrationAllowed)
	b = scale.AppendBool(b, m.PoWRegAllowed)
	c(uint64(m.ImmunityPeriod))
	c(m.MinDifficulty)
	c(m.MaxDifficulty)
	c(uint64(m.MinBurn))
	c(uint64(m.MaxBurn))
	c(m.AdjustmentAlpha)
	c(uint64(m.AdjustmentInterval))
	c(uint64(m.TargetRegsPerIntvl))
	c(uint64(m.MaxRegsPerBlock))
	c(m.ServingRateLimit)
	b = scale.AppendBool(b, m.CommitRevealEnabled)
	c(m.CommitRevealPeriod)
	b = scale.AppendBool(b, m.LiquidAlphaEnabled)
	c(uint64(m.AlphaHigh))
	c(uint64(m.AlphaLow))
	c(m.BondsMovingAvg)
	accts := func(v []keys.PublicKey) {
		c(uint64(len(v)))
		for i := range v {
			b = append(b, v[i][:]...)
		}
	}
	accts(m.Hotkeys)
	accts(m.Coldkeys)
	c(uint64(len(m.Identities)))
	for _, id := range m.Identities {
		if id == nil {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		strs(id.Fields, l.ChainIdentityFields)
	}
	c(uint64(len(m.Axons)))
	for _, a := range m.Axons {
		b = a.AppendSCALE(b)
	}
	bools := func(v []bool) {
		c(uint64(len(v)))
		for _, x := range v {
			b = scale.AppendBool(b, x)
		}
	}
	u16s := func(v []uint16) {
		c(uint64(len(v)))
		for _, x := range v {
			c(uint64(x))
		}
	}
	u64s := func(v []uint64) {
		c(uint64(len(v)))
		for _, x := range v {
			c(x)
		}
	}
	raos := func(v []Rao) {
		c(uint64(len(v)))
		for _, x := range v {
			c(uint64(x))
		}
	}
	pairs := func(v []HotkeyAmount) {
		c(uint64(len(v)))
		for _, x := range v {
			b = append(b, x.Hotkey[:]...)
			c(uint64(x.Amount))
		}
	}
	bools(m.Active)
	bools(m.ValidatorPermit)
	u16s(m.PruningScore)
	u64s(m.LastUpdate)
	raos(m.Emission)
	u16s(m.Dividends)
	u16s(m.Incentives)
	u16s(m.Consensus)
	u16s(m.Trust)
	u16s(m.Rank)
	u64s(m.BlockAtRegistration)
	raos(m.AlphaStake)
	raos(m.TaoStake)
	raos(m.TotalStake)
	pairs(m.TaoDividends)
	pairs(m.AlphaDividends)
	return b
}
