package validator

import (
	"context"
	"errors"
	"fmt"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/subtensor"
)

// Subnet is what the validator reads from the chain each round.
type Subnet struct {
	NetUID uint16
	Block  uint64
	// Tempo is the number of blocks between epochs.
	Tempo uint16
	// WeightsVersion is the least version key set_weights accepts.
	WeightsVersion uint64
	// WeightsRateLimit is the least number of blocks between two
	// set_weights of one hotkey.
	WeightsRateLimit uint64
	// CommitReveal is true when the subnet takes only committed weights
	// (this validator then does not set weights).
	CommitReveal bool
	// Neurons are the subnet's UIDs, with their commitments.
	Neurons []metagraph.Neuron
	// LastUpdate is, per UID, the block of its last set_weights (or of its
	// registration).
	LastUpdate []uint64
}

// Neuron returns the neuron of hotkey, if registered.
func (s *Subnet) Neuron(hotkey keys.PublicKey) (*metagraph.Neuron, bool) {
	for i := range s.Neurons {
		if s.Neurons[i].HotkeyPub == hotkey {
			return &s.Neurons[i], true
		}
	}
	return nil, false
}

// Chain is what a Validator needs from the chain. SubtensorChain implements
// it; tests use a fake.
type Chain interface {
	// Subnet reads netuid's current state.
	Subnet(ctx context.Context, netuid uint16) (*Subnet, error)
	// SetWeights sets the validator's weights and returns the block that
	// included them.
	SetWeights(ctx context.Context, netuid uint16, uids, weights []uint16, versionKey uint64) (block uint64, err error)
}

// SubtensorChain is the Chain of a real validator: a subtensor client and
// the validator's hotkey, which signs set_weights.
type SubtensorChain struct {
	Client *subtensor.Client
	Hotkey keys.Signer
	// Tx tunes the set_weights transaction (wait for finalization, tip).
	Tx subtensor.TxOptions
	// Mechanism is the subnet mechanism the weights are for (0: the main
	// one; others with set_mechanism_weights, on runtimes that have them).
	Mechanism uint8
}

var _ Chain = (*SubtensorChain)(nil)

// Subnet reads the metagraph with one get_metagraph runtime-API call (or
// get_neurons_lite and storage on runtimes without it, see
// subtensor.Client.SubnetMetagraph) and the subnet's commitments.
func (c *SubtensorChain) Subnet(ctx context.Context, netuid uint16) (*Subnet, error) {
	if c.Client == nil {
		return nil, errors.New("validator: SubtensorChain has no Client")
	}
	// SubnetMetagraph assembles the metagraph from get_neurons_lite and
	// storage on runtimes without get_metagraph, so tempo, the weights
	// rate limit, the version key and commit-reveal are the chain's on
	// every runtime.
	m, err := c.Client.SubnetMetagraph(ctx, netuid)
	if err != nil {
		return nil, err
	}
	sub := &Subnet{
		NetUID: netuid, Block: m.Block, Tempo: m.Tempo,
		WeightsVersion: m.WeightsVersion, WeightsRateLimit: m.WeightsRateLimit,
		CommitReveal: m.CommitRevealEnabled,
		Neurons:      metagraph.NeuronsFromMetagraph(m), LastUpdate: m.LastUpdate,
	}
	if lite := m.NeuronsLite(); lite != nil {
		sub.LastUpdate = nil
		for i := range lite {
			sub.LastUpdate = append(sub.LastUpdate, lite[i].LastUpdate)
		}
	}
	if c.Client.Features().CommitmentMaxFields > 0 {
		cs, err := c.Client.Commitments(ctx, netuid)
		if err != nil {
			return nil, fmt.Errorf("validator: read the commitments of subnet %d: %w", netuid, err)
		}
		for i := range sub.Neurons {
			if cm := cs[sub.Neurons[i].HotkeyPub]; cm != nil {
				sub.Neurons[i].Commitment = cm.Bytes()
			}
		}
	}
	return sub, nil
}

// SetWeights sends set_weights signed by the hotkey and waits for its block.
func (c *SubtensorChain) SetWeights(ctx context.Context, netuid uint16, uids, weights []uint16, versionKey uint64) (uint64, error) {
	if c.Hotkey == nil {
		return 0, errors.New("validator: SubtensorChain has no Hotkey to sign set_weights")
	}
	res, err := c.Client.SetMechanismWeights(ctx, c.Hotkey, netuid, c.Mechanism, uids, weights, versionKey, c.Tx)
	if err != nil {
		return 0, err
	}
	return res.Block, nil
}
