package subtensor

import (
	"context"
	"fmt"
	"time"

	"github.com/minerkit/minerkit/metagraph"
)

// MetagraphSource reads metagraph Snapshots for a metagraph.Syncer. It
// implements metagraph.Source with one SubnetInfoRuntimeApi_get_metagraph
// call (get_neurons_lite on runtimes without it), plus the subnet's
// commitments unless SkipCommitments is set, and metagraph.HeadSource with
// chain_subscribeNewHeads.
type MetagraphSource struct {
	Client *Client
	// SkipCommitments leaves Neuron.Commitment empty and saves the extra
	// round trips (state_getKeysPaged + state_queryStorageAt).
	SkipCommitments bool
	// Now is the clock stamped on snapshots (default time.Now).
	Now func() time.Time
}

var (
	_ metagraph.Source     = (*MetagraphSource)(nil)
	_ metagraph.HeadSource = (*MetagraphSource)(nil)
)

// Snapshot reads netuid's metagraph now.
func (s *MetagraphSource) Snapshot(ctx context.Context, netuid uint16) (*metagraph.Snapshot, error) {
	c := s.Client
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	var (
		block   uint64
		neurons []metagraph.Neuron
	)
	m, _, err := c.anyMetagraph(ctx, netuid)
	if err != nil {
		return nil, err
	}
	if m.lite != nil {
		block, neurons = m.Block, NeuronsFromLite(m.lite)
	} else {
		block, neurons = m.Block, NeuronsFromMetagraph(m)
	}
	if !s.SkipCommitments && c.Features().CommitmentMaxFields > 0 {
		cs, err := c.Commitments(ctx, netuid)
		if err != nil {
			return nil, err
		}
		for i := range neurons {
			if cm := cs[neurons[i].HotkeyPub]; cm != nil {
				neurons[i].Commitment = commitmentPayload(cm)
			}
		}
	}
	snap, err := metagraph.NewSnapshot(netuid, block, now(), neurons)
	if err != nil {
		return nil, fmt.Errorf("subtensor: metagraph of netuid %d at block %d: %w", netuid, block, err)
	}
	return snap, nil
}

// commitmentPayload concatenates the Raw and BigRaw fields.
func commitmentPayload(c *Commitment) []byte {
	var out []byte
	for _, f := range c.Fields {
		if f.Kind == DataRaw || f.Kind == DataBigRaw {
			out = append(out, f.Bytes...)
		}
	}
	return out
}

// Heads streams new best block numbers until ctx ends or the subscription
// drops (the channel is then closed).
func (s *MetagraphSource) Heads(ctx context.Context) (<-chan uint64, error) {
	st, err := s.Client.rpc.ChainSubscribeNewHeads(ctx)
	if err != nil {
		return nil, fmt.Errorf("subtensor: subscribe to new heads: %w", err)
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

// NeuronsFromMetagraph converts a Metagraph to metagraph.Neurons (stake =
// TotalStake, the stake weight).
func NeuronsFromMetagraph(m *Metagraph) []metagraph.Neuron {
	out := make([]metagraph.Neuron, len(m.Hotkeys))
	for i := range out {
		n := &out[i]
		n.UID = uint16(i)
		n.HotkeyPub = m.Hotkeys[i]
		if i < len(m.Coldkeys) {
			n.ColdkeyPub = m.Coldkeys[i]
		}
		n.Stake = uint64(GetRao(m.TotalStake, i))
		n.ValidatorPermit = GetBool(m.ValidatorPermit, i)
		n.Active = GetBool(m.Active, i)
		n.Incentive = U16Fraction(GetU16(m.Incentives, i))
		n.Consensus = U16Fraction(GetU16(m.Consensus, i))
		n.Dividends = U16Fraction(GetU16(m.Dividends, i))
		n.Emission = uint64(GetRao(m.Emission, i))
		if i < len(m.Axons) {
			n.Axon = toAxon(m.Axons[i])
		}
	}
	return out
}

// NeuronsFromLite converts NeuronInfoLite records to metagraph.Neurons.
func NeuronsFromLite(ns []NeuronInfoLite) []metagraph.Neuron {
	out := make([]metagraph.Neuron, len(ns))
	for i := range ns {
		x := &ns[i]
		out[i] = metagraph.Neuron{
			UID: x.UID, HotkeyPub: x.Hotkey, ColdkeyPub: x.Coldkey, Stake: uint64(x.TotalStake()),
			ValidatorPermit: x.ValidatorPermit, Active: x.Active,
			Incentive: U16Fraction(x.Incentive), Consensus: U16Fraction(x.Consensus), Dividends: U16Fraction(x.Dividends),
			Emission: uint64(x.Emission), Axon: toAxon(x.Axon),
		}
	}
	return out
}

func toAxon(a AxonInfo) metagraph.Axon {
	ax := metagraph.Axon{Block: a.Block, Version: a.Version, Port: a.Port, IPType: a.IPType, Protocol: a.Protocol}
	if a.Served() {
		ax.IP = a.Addr()
	}
	return ax
}
