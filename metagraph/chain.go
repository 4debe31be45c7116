package metagraph

import (
	"context"
	"fmt"
	"time"

	"github.com/minerkit/minerkit/subtensor"
)

// ChainSource reads Snapshots from a subtensor node for a Syncer. It
// implements Source with one SubnetInfoRuntimeApi_get_metagraph call
// (get_neurons_lite on runtimes without it, see
// subtensor.Client.SubnetMetagraph), plus the subnet's commitments unless
// SkipCommitments is set, and HeadSource with chain_subscribeNewHeads.
type ChainSource struct {
	Client *subtensor.Client
	// SkipCommitments leaves Neuron.Commitment empty and saves the extra
	// round trips (state_getKeysPaged + state_queryStorageAt).
	SkipCommitments bool
	// Now is the clock stamped on snapshots (default time.Now).
	Now func() time.Time
}

var (
	_ Source          = (*ChainSource)(nil)
	_ HeadSource      = (*ChainSource)(nil)
	_ BlockTimeSource = (*ChainSource)(nil)
)

// BlockTime returns the chain's block time from the runtime's constants
// (subtensor.Client.BlockTime), so a Syncer on a fast devnet does not
// assume 12 s blocks.
func (s *ChainSource) BlockTime() time.Duration { return s.Client.BlockTime() }

// Snapshot reads netuid's metagraph now.
func (s *ChainSource) Snapshot(ctx context.Context, netuid uint16) (*Snapshot, error) {
	c := s.Client
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	m, err := c.SubnetMetagraph(ctx, netuid)
	if err != nil {
		return nil, err
	}
	// An assembled Metagraph (runtimes without get_metagraph) carries the
	// stake weight computed from storage; get_neurons_lite's own stake list
	// is empty or alpha only, so neurons always come from m.
	neurons := NeuronsFromMetagraph(m)
	if !s.SkipCommitments && c.Features().CommitmentMaxFields > 0 {
		cs, err := c.Commitments(ctx, netuid)
		if err != nil {
			return nil, err
		}
		for i := range neurons {
			if cm := cs[neurons[i].HotkeyPub]; cm != nil {
				neurons[i].Commitment = cm.Payload()
			}
		}
	}
	snap, err := NewSnapshot(netuid, m.Block, now(), neurons)
	if err != nil {
		return nil, fmt.Errorf("metagraph: snapshot of netuid %d at block %d: %w", netuid, m.Block, err)
	}
	return snap, nil
}

// Heads streams new best block numbers until ctx ends or the subscription
// drops (the channel is then closed).
func (s *ChainSource) Heads(ctx context.Context) (<-chan uint64, error) {
	st, err := s.Client.RPC().ChainSubscribeNewHeads(ctx)
	if err != nil {
		return nil, fmt.Errorf("metagraph: subscribe to new heads: %w", err)
	}
	out := make(chan uint64, 1)
	go func() {
		defer close(out)
		defer func() {
			uctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = st.Unsubscribe(uctx)
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-st.Reconnected():
				// The link dropped and came back: end this stream so that the
				// Syncer re-syncs and subscribes again.
				return
			case h, ok := <-st.C():
				if !ok {
					return
				}
				select {
				case out <- uint64(h.Number):
				default:
					// Keep only the newest head when the reader is slow.
					select {
					case <-out:
					default:
					}
					out <- uint64(h.Number)
				}
			}
		}
	}()
	return out, nil
}

// NeuronsFromMetagraph converts a subtensor.Metagraph to Neurons (stake =
// TotalStake, the stake weight).
func NeuronsFromMetagraph(m *subtensor.Metagraph) []Neuron {
	out := make([]Neuron, len(m.Hotkeys))
	for i := range out {
		n := &out[i]
		n.UID = uint16(i)
		n.HotkeyPub = m.Hotkeys[i]
		if i < len(m.Coldkeys) {
			// Set the address here: the all-zero account is a real coldkey
			// (spec 218's UID 0), which NewSnapshot would take for unset.
			n.ColdkeyPub, n.Coldkey = m.Coldkeys[i], m.Coldkeys[i].Address()
		}
		n.Stake = uint64(subtensor.GetRao(m.TotalStake, i))
		n.AlphaStake = uint64(subtensor.GetRao(m.AlphaStake, i))
		n.RootStake = uint64(subtensor.GetRao(m.TaoStake, i))
		n.ValidatorPermit = subtensor.GetBool(m.ValidatorPermit, i)
		n.Active = subtensor.GetBool(m.Active, i)
		n.Incentive = subtensor.U16Fraction(subtensor.GetU16(m.Incentives, i))
		n.Consensus = subtensor.U16Fraction(subtensor.GetU16(m.Consensus, i))
		n.Dividends = subtensor.U16Fraction(subtensor.GetU16(m.Dividends, i))
		n.Emission = uint64(subtensor.GetRao(m.Emission, i))
		if i < len(m.Axons) {
			n.Axon = axonOf(m.Axons[i])
		}
	}
	return out
}

// NeuronsFromLite converts subtensor.NeuronInfoLite records to Neurons.
// Their Stake is the record's own stake list, which is not the stake weight
// (empty on spec 218, alpha only on HEAD): prefer NeuronsFromMetagraph over
// subtensor.Client.SubnetMetagraph's result.
func NeuronsFromLite(ns []subtensor.NeuronInfoLite) []Neuron {
	out := make([]Neuron, len(ns))
	for i := range ns {
		x := &ns[i]
		out[i] = Neuron{
			UID: x.UID, HotkeyPub: x.Hotkey, ColdkeyPub: x.Coldkey, Stake: uint64(x.TotalStake()),
			ValidatorPermit: x.ValidatorPermit, Active: x.Active,
			Incentive: subtensor.U16Fraction(x.Incentive),
			Consensus: subtensor.U16Fraction(x.Consensus),
			Dividends: subtensor.U16Fraction(x.Dividends),
			Emission:  uint64(x.Emission),
			Axon:      axonOf(x.Axon),
		}
	}
	return out
}

// axonOf converts a chain AxonInfo; IP stays the zero Addr until served.
func axonOf(a subtensor.AxonInfo) Axon {
	ax := Axon{Block: a.Block, Version: a.Version, Port: a.Port, IPType: a.IPType, Protocol: a.Protocol}
	if a.Served() {
		ax.IP = a.Addr()
	}
	return ax
}
