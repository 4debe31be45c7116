package subtensor

import (
	"context"
	"fmt"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// Subnet mechanisms. Since late 2025 a subnet may run several mechanisms
// (subtensor pallets/subtensor/src/subnets/mechanism.rs): each has its own
// validator weights, bonds and miner incentive, and the subnet's emission
// is split between them. A mechanism's per-UID incentive and last-update
// vectors live under the storage index netuid + mechanism × 4096;
// get_metagraph reports mechanism 0's, get_mechagraph any one's. Runtimes
// without mechanisms have exactly one, numbered 0.

// mechanismStride is GLOBAL_MAX_SUBNET_COUNT, the stride of mechanism
// storage indices.
const mechanismStride = 4096

// MechanismIndex is the storage index of a subnet's mechanism (netuid for
// mechanism 0).
func MechanismIndex(netuid uint16, mechanism uint8) uint16 {
	return uint16(mechanism)*mechanismStride + netuid
}

// MechanismStanding is one hotkey's standing in one mechanism of a subnet.
type MechanismStanding struct {
	Mechanism uint8 `json:"mechanism"`
	// Share is the fraction of the subnet's emission the mechanism gets
	// (MechanismEmissionSplit; even when the owner has not set one).
	Share float64 `json:"emission_share"`
	// Incentive is the hotkey's incentive in this mechanism, a fraction of 1.
	Incentive float64 `json:"incentive"`
	// Rank among the mechanism's miners, 1 = best (see MinerRank).
	Rank   int `json:"rank"`
	Miners int `json:"miners"`
}

// MechanismCount returns how many mechanisms netuid runs (1 on runtimes
// without mechanisms).
func (c *Client) MechanismCount(ctx context.Context, netuid uint16) (uint8, error) {
	if _, _, err := c.Metadata().LookupStorage("SubtensorModule", "MechanismCountCurrent"); err != nil {
		return 1, nil
	}
	raw, err := c.storageOrDefault(ctx, "SubtensorModule", "MechanismCountCurrent", u16Key(netuid))
	if err != nil {
		return 0, err
	}
	if len(raw) != 1 {
		return 0, fmt.Errorf("subtensor: decode SubtensorModule.MechanismCountCurrent: %d bytes, want 1", len(raw))
	}
	return max(raw[0], 1), nil
}

// MechanismShares returns each of count mechanisms' fraction of netuid's
// emission: MechanismEmissionSplit (parts of 65535), or even when unset, as
// subtensor's split_emissions divides it.
func (c *Client) MechanismShares(ctx context.Context, netuid uint16, count uint8) ([]float64, error) {
	shares := make([]float64, count)
	for i := range shares {
		shares[i] = 1 / float64(count)
	}
	if count <= 1 {
		return shares, nil
	}
	raw, ok, err := c.storage(ctx, "SubtensorModule", "MechanismEmissionSplit", u16Key(netuid))
	if err != nil || !ok {
		return shares, err
	}
	split, err := scale.DecodeVec(scale.NewDecoder(raw), (*scale.Decoder).U16)
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode SubtensorModule.MechanismEmissionSplit: %w", err)
	}
	for i := range shares {
		shares[i] = 0
		if i < len(split) {
			shares[i] = float64(split[i]) / 65535
		}
	}
	return shares, nil
}

// MechanismIncentives returns the per-UID incentive (u16) of one mechanism
// of netuid, from storage (Incentive under the mechanism's index).
func (c *Client) MechanismIncentives(ctx context.Context, netuid uint16, mechanism uint8) ([]uint16, error) {
	raw, err := c.storageOrDefault(ctx, "SubtensorModule", "Incentive", u16Key(MechanismIndex(netuid, mechanism)))
	if err != nil {
		return nil, err
	}
	v, err := scale.DecodeVec(scale.NewDecoder(raw), (*scale.Decoder).U16)
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode SubtensorModule.Incentive: %w", err)
	}
	return v, nil
}

// Mechagraph returns the metagraph of one mechanism of netuid
// (SubnetInfoRuntimeApi_get_mechagraph): the subnet's metagraph with that
// mechanism's incentives and last updates, and NetUID its storage index.
// It wraps ErrUnsupported where the runtime has no mechagraph API and
// ErrNoSubnet when the subnet or mechanism does not exist.
func (c *Client) Mechagraph(ctx context.Context, netuid uint16, mechanism uint8) (*Metagraph, error) {
	f := c.Features()
	if _, err := c.Metadata().LookupRuntimeAPI("SubnetInfoRuntimeApi", "get_mechagraph"); err != nil || !f.MetagraphAPI {
		if mechanism == 0 {
			return c.SubnetMetagraph(ctx, netuid)
		}
		return nil, fmt.Errorf("%w: SubnetInfoRuntimeApi.get_mechagraph is missing (spec %d)", ErrUnsupported, f.SpecVersion)
	}
	raw, err := c.rpc.StateCall(ctx, "SubnetInfoRuntimeApi_get_mechagraph", append(u16Key(netuid), mechanism), nil)
	if err != nil {
		return nil, fmt.Errorf("subtensor: get_mechagraph(%d, %d): %w", netuid, mechanism, err)
	}
	m, err := DecodeMetagraph(raw, f.MetagraphLayout)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%w: netuid %d mechanism %d", ErrNoSubnet, netuid, mechanism)
	}
	return m, nil
}

// Mechanism is one mechanism of a subnet: its share of the subnet's
// emission and its per-UID incentive (u16).
type Mechanism struct {
	Share     float64
	Incentive []uint16
}

// Mechanisms reads every mechanism of netuid when it runs more than one
// (nil for one: get_metagraph's figures are then the whole story).
func (c *Client) Mechanisms(ctx context.Context, netuid uint16) ([]Mechanism, error) {
	count, err := c.MechanismCount(ctx, netuid)
	if err != nil || count <= 1 {
		return nil, err
	}
	shares, err := c.MechanismShares(ctx, netuid, count)
	if err != nil {
		return nil, err
	}
	out := make([]Mechanism, count)
	for m := range out {
		inc, err := c.MechanismIncentives(ctx, netuid, uint8(m))
		if err != nil {
			return nil, err
		}
		out[m] = Mechanism{Share: shares[m], Incentive: inc}
	}
	return out, nil
}

// MechanismStandings is uid's standing in each of mechs, on a subnet of n
// UIDs where permit(i) is UID i's validator permit (ranked by MinerRank).
func MechanismStandings(mechs []Mechanism, n, uid int, permit func(int) bool) []MechanismStanding {
	var out []MechanismStanding
	for m, mf := range mechs {
		at := func(i int) float64 {
			if i < len(mf.Incentive) {
				return float64(mf.Incentive[i])
			}
			return 0
		}
		rank, miners := MinerRank(n, uid, permit, at)
		out = append(out, MechanismStanding{Mechanism: uint8(m), Share: mf.Share, Incentive: at(uid) / 65535, Rank: rank, Miners: miners})
	}
	return out
}

// SetMechanismWeights sets hotkey's weights on one mechanism of netuid
// (SubtensorModule.set_mechanism_weights); mechanism 0 on a runtime without
// mechanisms is plain set_weights.
func (c *Client) SetMechanismWeights(ctx context.Context, hotkey keys.Signer, netuid uint16, mechanism uint8, uids, weights []uint16, versionKey uint64, o TxOptions) (*TxResult, error) {
	if _, _, err := c.Metadata().LookupCall("SubtensorModule", "set_mechanism_weights"); err != nil {
		if mechanism == 0 {
			return c.SetWeights(ctx, hotkey, netuid, uids, weights, versionKey, o)
		}
		return nil, fmt.Errorf("%w: set_mechanism_weights (spec %d has no subnet mechanisms)", ErrUnsupported, c.Features().SpecVersion)
	}
	if len(uids) != len(weights) {
		return nil, fmt.Errorf("subtensor: %d uids but %d weights; give one weight per uid", len(uids), len(weights))
	}
	call, err := c.NewCall("SubtensorModule", "set_mechanism_weights",
		substrate.Named("netuid", substrate.U64(uint64(netuid))),
		substrate.Named("mecid", substrate.U64(uint64(mechanism))),
		substrate.Named("dests", u16List(uids)),
		substrate.Named("weights", u16List(weights)),
		substrate.Named("version_key", substrate.U64(versionKey)))
	if err != nil {
		return nil, err
	}
	return c.Submit(ctx, hotkey, call, o)
}

// SetMechanismCount sets how many mechanisms netuid runs
// (AdminUtils.sudo_set_mechanism_count), signed by the subnet owner.
func (c *Client) SetMechanismCount(ctx context.Context, owner keys.Signer, netuid uint16, count uint8, o TxOptions) (*TxResult, error) {
	call, err := c.NewCall("AdminUtils", "sudo_set_mechanism_count",
		substrate.Named("netuid", substrate.U64(uint64(netuid))),
		substrate.Named("mechanism_count", substrate.U64(uint64(count))))
	if err != nil {
		return nil, err
	}
	return c.Submit(ctx, owner, call, o)
}

// SetMechanismEmissionSplit sets how netuid's emission is split between
// its mechanisms, in parts of 65535 that add up to 65535; nil resets it to
// even (AdminUtils.sudo_set_mechanism_emission_split, by the owner).
func (c *Client) SetMechanismEmissionSplit(ctx context.Context, owner keys.Signer, netuid uint16, split []uint16, o TxOptions) (*TxResult, error) {
	arg := substrate.Enum("None")
	if split != nil {
		arg = substrate.Enum("Some", u16List(split))
	}
	call, err := c.NewCall("AdminUtils", "sudo_set_mechanism_emission_split",
		substrate.Named("netuid", substrate.U64(uint64(netuid))),
		substrate.Named("maybe_split", arg))
	if err != nil {
		return nil, err
	}
	return c.Submit(ctx, owner, call, o)
}
