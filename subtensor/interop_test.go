package subtensor_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/subtensor"
)

// The Node peer encodes random NeuronInfoLite vectors and Metagraph structs
// with @polkadot/types from the Rust struct definitions; our hand-written
// decoders must read back exactly what it was given.
func TestDecodersAgainstPolkadotJS(t *testing.T) {
	for _, tc := range []struct{ seed, neurons int }{{1, 0}, {3, 17}, {4, 256}} {
		t.Run(fmt.Sprintf("seed%d_n%d", tc.seed, tc.neurons), func(t *testing.T) {
			var out []struct {
				Kind  string          `json:"kind"`
				Hex   string          `json:"hex"`
				Value json.RawMessage `json:"value"`
			}
			interoptest.RunJSON(t, "subtensor_types.js", map[string]int{"seed": tc.seed, "neurons": tc.neurons}, &out)
			for _, o := range out {
				raw, err := hex.DecodeString(o.Hex[2:])
				if err != nil {
					t.Fatal(err)
				}
				var got any
				switch o.Kind {
				case "neurons":
					ns, err := subtensor.DecodeNeuronsLite(raw)
					if err != nil {
						t.Fatalf("neurons: %v", err)
					}
					l := make([]any, len(ns))
					for i := range ns {
						l[i] = neuronJS(&ns[i])
					}
					got = l
				case "metagraph", "metagraph-none":
					m, err := subtensor.DecodeMetagraph(raw, subtensor.MetagraphLayout{})
					if err != nil {
						t.Fatalf("metagraph: %v", err)
					}
					if m == nil {
						got = nil
					} else {
						got = metagraphJS(m)
						// And our encoder writes polkadot-js's bytes exactly.
						if enc := subtensor.AppendMetagraph(nil, m, subtensor.MetagraphLayout{}); hex.EncodeToString(enc) != o.Hex[2:] {
							t.Fatalf("AppendMetagraph differs from polkadot-js")
						}
					}
				}
				if !sameJSON(t, got, o.Value) {
					g, _ := json.Marshal(got)
					t.Fatalf("%s differs:\n ours %.600s\n  pjs %.600s", o.Kind, g, o.Value)
				}
			}
		})
	}
}

func sameJSON(t *testing.T, ours any, theirs json.RawMessage) bool {
	t.Helper()
	b, err := json.Marshal(ours)
	if err != nil {
		t.Fatal(err)
	}
	var a, c any
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(theirs, &c); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(a, c)
}

func dec(v uint64) string          { return strconv.FormatUint(v, 10) }
func acct(k keys.PublicKey) string { return k.Hex() }
func u128(v scale.Uint128) string  { return v.String() }
func hexs(s string) string         { return "0x" + hex.EncodeToString([]byte(s)) }
func raos(v []subtensor.Rao) []string {
	return mapS(v, func(x subtensor.Rao) string { return dec(uint64(x)) })
}

func mapS[T any](v []T, f func(T) string) []string {
	out := make([]string, len(v))
	for i := range v {
		out[i] = f(v[i])
	}
	return out
}

func axonJS(a subtensor.AxonInfo) map[string]any {
	return map[string]any{"block": dec(a.Block), "version": dec(uint64(a.Version)), "ip": u128(a.IP), "port": dec(uint64(a.Port)),
		"ip_type": dec(uint64(a.IPType)), "protocol": dec(uint64(a.Protocol)), "placeholder1": dec(uint64(a.Placeholder1)), "placeholder2": dec(uint64(a.Placeholder2))}
}

func neuronJS(n *subtensor.NeuronInfoLite) map[string]any {
	stake := make([]any, len(n.Stake))
	for i, s := range n.Stake {
		stake[i] = []string{acct(s.Coldkey), dec(uint64(s.Amount))}
	}
	p := n.Prometheus
	return map[string]any{
		"hotkey": acct(n.Hotkey), "coldkey": acct(n.Coldkey), "uid": dec(uint64(n.UID)), "netuid": dec(uint64(n.NetUID)),
		"active": n.Active, "axon_info": axonJS(n.Axon),
		"prometheus_info": map[string]any{"block": dec(p.Block), "version": dec(uint64(p.Version)), "ip": u128(p.IP), "port": dec(uint64(p.Port)), "ip_type": dec(uint64(p.IPType))},
		"stake":           stake, "rank": dec(uint64(n.Rank)), "emission": dec(uint64(n.Emission)), "incentive": dec(uint64(n.Incentive)),
		"consensus": dec(uint64(n.Consensus)), "trust": dec(uint64(n.Trust)), "validator_trust": dec(uint64(n.ValidatorTrust)),
		"dividends": dec(uint64(n.Dividends)), "last_update": dec(n.LastUpdate), "validator_permit": n.ValidatorPermit,
		"pruning_score": dec(uint64(n.PruningScore)),
	}
}

var subnetIdentityNames = []string{"subnet_name", "github_repo", "subnet_contact", "subnet_url", "discord", "description", "logo_url", "additional"}
var chainIdentityNames = []string{"name", "url", "github_repo", "image", "discord", "description", "additional"}

func identJS(names, fields []string) map[string]any {
	m := map[string]any{}
	for i, n := range names {
		m[n] = hexs(fields[i])
	}
	return m
}

func metagraphJS(m *subtensor.Metagraph) map[string]any {
	u16s := func(v []uint16) []string { return mapS(v, func(x uint16) string { return dec(uint64(x)) }) }
	u64s := func(v []uint64) []string { return mapS(v, dec) }
	bytesOf := func(s string) []int {
		out := make([]int, len(s))
		for i := 0; i < len(s); i++ {
			out[i] = int(s[i])
		}
		return out
	}
	pairs := func(v []subtensor.HotkeyAmount) []any {
		out := make([]any, len(v))
		for i, p := range v {
			out[i] = []string{acct(p.Hotkey), dec(uint64(p.Amount))}
		}
		return out
	}
	var ident any
	if m.Identity != nil {
		ident = identJS(subnetIdentityNames, m.Identity.Fields)
	}
	ids := make([]any, len(m.Identities))
	for i, id := range m.Identities {
		if id != nil {
			ids[i] = identJS(chainIdentityNames, id.Fields)
		}
	}
	axons := make([]any, len(m.Axons))
	for i, a := range m.Axons {
		axons[i] = axonJS(a)
	}
	bools := func(v []bool) []bool {
		if v == nil {
			return []bool{}
		}
		return v
	}
	return map[string]any{
		"netuid": dec(uint64(m.NetUID)), "name": bytesOf(m.Name), "symbol": bytesOf(m.Symbol), "identity": ident,
		"network_registered_at": dec(m.NetworkRegisteredAt), "owner_hotkey": acct(m.OwnerHotkey), "owner_coldkey": acct(m.OwnerColdkey),
		"block": dec(m.Block), "tempo": dec(uint64(m.Tempo)), "last_step": dec(m.LastStep), "blocks_since_last_step": dec(m.BlocksSinceLastStep),
		"subnet_emission": dec(m.SubnetEmission), "alpha_in": dec(uint64(m.AlphaIn)), "alpha_out": dec(uint64(m.AlphaOut)),
		"tao_in": dec(uint64(m.TaoIn)), "alpha_out_emission": dec(uint64(m.AlphaOutEmission)), "alpha_in_emission": dec(uint64(m.AlphaInEmission)),
		"tao_in_emission": dec(uint64(m.TaoInEmission)), "pending_alpha_emission": dec(uint64(m.PendingAlphaEmis)),
		"pending_root_emission": dec(uint64(m.PendingRootEmis)), "subnet_volume": u128(m.SubnetVolume), "moving_price": m.MovingPrice.String(),
		"rho": dec(uint64(m.Rho)), "kappa": dec(uint64(m.Kappa)), "min_allowed_weights": dec(uint64(m.MinAllowedWeights)),
		"max_weights_limit": dec(uint64(m.MaxWeightsLimit)), "weights_version": dec(m.WeightsVersion), "weights_rate_limit": dec(m.WeightsRateLimit),
		"activity_cutoff": dec(m.ActivityCutoff), "max_validators": dec(uint64(m.MaxValidators)), "num_uids": dec(uint64(m.NumUIDs)),
		"max_uids": dec(uint64(m.MaxUIDs)), "burn": dec(uint64(m.Burn)), "difficulty": dec(m.Difficulty),
		"registration_allowed": m.RegistrationAllowed, "pow_registration_allowed": m.PoWRegAllowed, "immunity_period": dec(uint64(m.ImmunityPeriod)),
		"min_difficulty": dec(m.MinDifficulty), "max_difficulty": dec(m.MaxDifficulty), "min_burn": dec(uint64(m.MinBurn)), "max_burn": dec(uint64(m.MaxBurn)),
		"adjustment_alpha": dec(m.AdjustmentAlpha), "adjustment_interval": dec(uint64(m.AdjustmentInterval)),
		"target_regs_per_interval": dec(uint64(m.TargetRegsPerIntvl)), "max_regs_per_block": dec(uint64(m.MaxRegsPerBlock)),
		"serving_rate_limit": dec(m.ServingRateLimit), "commit_reveal_weights_enabled": m.CommitRevealEnabled,
		"commit_reveal_period": dec(m.CommitRevealPeriod), "liquid_alpha_enabled": m.LiquidAlphaEnabled, "alpha_high": dec(uint64(m.AlphaHigh)),
		"alpha_low": dec(uint64(m.AlphaLow)), "bonds_moving_avg": dec(m.BondsMovingAvg),
		"hotkeys": mapS(m.Hotkeys, acct), "coldkeys": mapS(m.Coldkeys, acct), "identities": ids, "axons": axons,
		"active": bools(m.Active), "validator_permit": bools(m.ValidatorPermit), "pruning_score": u16s(m.PruningScore),
		"last_update": u64s(m.LastUpdate), "emission": raos(m.Emission), "dividends": u16s(m.Dividends), "incentives": u16s(m.Incentives),
		"consensus": u16s(m.Consensus), "trust": u16s(m.Trust), "rank": u16s(m.Rank), "block_at_registration": u64s(m.BlockAtRegistration),
		"alpha_stake": raos(m.AlphaStake), "tao_stake": raos(m.TaoStake), "total_stake": raos(m.TotalStake),
		"tao_dividends_per_hotkey": pairs(m.TaoDividends), "alpha_dividends_per_hotkey": pairs(m.AlphaDividends),
	}
}
