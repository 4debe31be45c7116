// Package serve is the part of the load harness that measures the whole
// `minerkit serve` process: a devnet subnet of 256 UIDs with 64 validators,
// the built minerkit binary serving the compute miner on it over loopback,
// and a Node peer (bench/peers/epistula-node.js, @polkadot/util-crypto) doing
// the same checks, for comparison with package bench's bare-verify limit.
//
// The program is bench/cmd/serveload (make bench runs it). Nothing here
// dials anything but loopback.
package serve

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
	"github.com/minerkit/minerkit/subtensor"
)

// NetUID is the subnet the harness builds and serves.
const NetUID = 1

// Subnet is a running devnet with a full subnet.
type Subnet struct {
	Node   *devnet.Node
	Client *subtensor.Client
	// Neurons are the subnet's UIDs as the chain reports them.
	Neurons []Neuron
}

// Neuron is one UID of the subnet.
type Neuron struct {
	Hotkey string
	Stake  uint64 // rao
	Permit bool
}

// SubnetConfig says what to build.
type SubnetConfig struct {
	// Validators are the hotkeys to stake on (they get validator permits).
	Validators []*keys.Keypair
	// Miner is the serving miner's hotkey, registered without stake.
	Miner *keys.Keypair
	// N is the number of UIDs in all; the rest are filler hotkeys
	// (//bench/neuron/i) without stake.
	N int
	// StakeTAO is each validator's stake.
	StakeTAO uint64
	// BlockTime of the devnet (default 250 ms).
	BlockTime time.Duration
}

// StartSubnet starts a devnet whose subnet 1 holds cfg.N UIDs, registers
// them all in one block (paid by //Alice), stakes on the validators, and
// waits for the epoch that gives them their permits.
func StartSubnet(ctx context.Context, cfg SubnetConfig) (*Subnet, error) {
	n := cfg.N
	if n < len(cfg.Validators)+1 || n > 4096 {
		return nil, fmt.Errorf("serve: a subnet of %d UIDs cannot hold %d validators and the miner", n, len(cfg.Validators))
	}
	// //Alice pays every burn (1 TAO) and stake out of her 1,000,000 TAO.
	if cost := uint64(n) + uint64(len(cfg.Validators))*cfg.StakeTAO; cost > 990_000 {
		return nil, fmt.Errorf("serve: %d registrations and %d stakes of %d TAO cost %d TAO, more than //Alice has; stake less", n, len(cfg.Validators), cfg.StakeTAO, cost)
	}
	g := devnet.DevGenesis()
	g.SubnetDefaults.MaxAllowedUids = uint16(n)
	g.SubnetDefaults.MaxRegistrationsPerBlock = uint16(n)
	g.SubnetDefaults.MaxAllowedValidators = uint16(len(cfg.Validators))
	node, err := devnet.Start(ctx, devnet.Config{Genesis: g, BlockTime: cfg.BlockTime})
	if err != nil {
		return nil, err
	}
	s := &Subnet{Node: node}
	if err := s.build(ctx, cfg); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Subnet) build(ctx context.Context, cfg SubnetConfig) error {
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{s.Node.URL()}}, subtensor.Options{})
	if err != nil {
		return err
	}
	s.Client = c
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		return err
	}
	submit := func(call substrate.Call) error {
		ext, err := c.Sign(ctx, alice, call, subtensor.TxOptions{})
		if err != nil {
			return err
		}
		_, err = s.Node.Submit(ext)
		return err
	}
	hots := []keys.PublicKey{cfg.Miner.Public()}
	for _, v := range cfg.Validators {
		hots = append(hots, v.Public())
	}
	for i := 0; len(hots) < cfg.N; i++ {
		k, err := keys.FromSURI("//bench/neuron/" + strconv.Itoa(i))
		if err != nil {
			return err
		}
		hots = append(hots, k.Public())
	}
	for _, h := range hots {
		call, err := c.NewCall("SubtensorModule", "burned_register",
			substrate.Named("netuid", substrate.U64(NetUID)), substrate.Named("hotkey", substrate.Bytes(h[:])))
		if err != nil {
			return err
		}
		if err := submit(call); err != nil {
			return fmt.Errorf("serve: register %s: %w", h.Address(), err)
		}
	}
	// Stake calls go in after the registrations (same signer: nonce order).
	for _, v := range cfg.Validators {
		pub := v.Public()
		args := []substrate.NamedValue{substrate.Named("hotkey", substrate.Bytes(pub[:]))}
		if c.Features().AddStakeNetuid {
			args = append(args, substrate.Named("netuid", substrate.U64(NetUID)))
		}
		args = append(args, substrate.Named("amount_staked", substrate.U64(cfg.StakeTAO*devnet.TAO)))
		call, err := c.NewCall("SubtensorModule", "add_stake", args...)
		if err != nil {
			return err
		}
		if err := submit(call); err != nil {
			return fmt.Errorf("serve: stake on %s: %w", pub.Address(), err)
		}
	}
	// Wait (bounded) for an epoch that hands out the permits.
	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		m, err := c.Metagraph(tctx, NetUID)
		if err == nil && m.N() == cfg.N {
			permits := 0
			for uid := 0; uid < m.N(); uid++ {
				if subtensor.GetBool(m.ValidatorPermit, uid) {
					permits++
				}
			}
			if permits == len(cfg.Validators) {
				s.Neurons = make([]Neuron, m.N())
				for uid := range s.Neurons {
					s.Neurons[uid] = Neuron{
						Hotkey: m.Hotkeys[uid].Address(),
						Stake:  uint64(subtensor.GetRao(m.TotalStake, uid)),
						Permit: subtensor.GetBool(m.ValidatorPermit, uid),
					}
				}
				return nil
			}
		}
		if err := s.Node.WaitBlocks(tctx, 1); err != nil {
			return fmt.Errorf("serve: waiting for %d validator permits on the devnet: %w", len(cfg.Validators), err)
		}
	}
}

// Close stops the client and the devnet.
func (s *Subnet) Close() {
	if s.Client != nil {
		s.Client.Close()
	}
	s.Node.Close()
}
