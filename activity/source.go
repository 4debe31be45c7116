package activity

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/subtensor"
)

// Source feeds a metagraph.Syncer and keeps, beside each snapshot, what a
// Snapshot does not hold but a miner's status needs: the subnet's tempo and
// immunity period, each UID's registration block, and each hotkey's
// identity field. Both come from one get_metagraph call plus the subnet's
// commitments, so the exporter's figures are those of one block.
//
// On runtimes without get_metagraph it falls back to
// metagraph.ChainSource and Extras returns nil.
type Source struct {
	Client *subtensor.Client
	// Now is the clock stamped on snapshots (default time.Now).
	Now func() time.Time

	// last holds the extras of the two latest snapshots: the Syncer
	// publishes a snapshot a moment after Snapshot returns it, and a scrape
	// in between still finds the extras of the one it reads.
	last atomic.Pointer[[2]*Extras]
}

// Extras is what Source read beside one snapshot.
type Extras struct {
	snap           *metagraph.Snapshot
	Tempo          uint16
	ImmunityPeriod uint16
	// BlockTime is the chain's block time, to turn blocks into days.
	BlockTime time.Duration
	// EpochsPerDay is subtensor.Client.EpochsPerDay(Tempo): the runtime's
	// epoch rule at its block time.
	EpochsPerDay float64
	// RegisteredAt is each UID's registration block, by UID.
	RegisteredAt []uint64
	// Identity is the GitHub user each hotkey's commitment names.
	Identity map[keys.PublicKey]string
	// Mechanisms holds each mechanism's emission share and per-UID
	// incentive when the subnet runs more than one (nil otherwise).
	Mechanisms []subtensor.Mechanism
}

var (
	_ metagraph.Source     = (*Source)(nil)
	_ metagraph.HeadSource = (*Source)(nil)
)

// Snapshot reads netuid's metagraph and its extras.
func (s *Source) Snapshot(ctx context.Context, netuid uint16) (*metagraph.Snapshot, error) {
	c := s.Client
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	// get_metagraph, or get_neurons_lite + storage on runtimes without it:
	// the extras (tempo, immunity, registration blocks) are there either way.
	m, err := c.SubnetMetagraph(ctx, netuid)
	if err != nil {
		return nil, err
	}
	neurons := metagraph.NeuronsFromMetagraph(m)
	ex := &Extras{
		Tempo: m.Tempo, ImmunityPeriod: m.ImmunityPeriod, BlockTime: c.BlockTime(), EpochsPerDay: c.EpochsPerDay(m.Tempo),
		RegisteredAt: make([]uint64, len(neurons)), Identity: map[keys.PublicKey]string{},
	}
	for i := range neurons {
		ex.RegisteredAt[i] = subtensor.GetU64(m.BlockAtRegistration, i)
	}
	if ex.Mechanisms, err = c.Mechanisms(ctx, netuid); err != nil {
		return nil, err
	}
	if c.Features().CommitmentMaxFields > 0 {
		cs, err := c.Commitments(ctx, netuid)
		if err != nil {
			return nil, err
		}
		for i := range neurons {
			cm := cs[neurons[i].HotkeyPub]
			if cm == nil {
				continue
			}
			// As metagraph.ChainSource does: the text fields joined.
			neurons[i].Commitment = cm.Payload()
			if u, at := IdentityOf(cm); at >= 0 {
				ex.Identity[neurons[i].HotkeyPub] = u
			}
		}
	}
	snap, err := metagraph.NewSnapshot(netuid, m.Block, now(), neurons)
	if err != nil {
		return nil, fmt.Errorf("activity: metagraph of netuid %d at block %d: %w", netuid, m.Block, err)
	}
	ex.snap = snap
	s.store(ex)
	return snap, nil
}

// Heads streams new best block numbers (see metagraph.ChainSource).
func (s *Source) Heads(ctx context.Context) (<-chan uint64, error) {
	return (&metagraph.ChainSource{Client: s.Client}).Heads(ctx)
}

// Extras returns what was read beside snap, or nil if snap is not the
// latest snapshot this Source made.
func (s *Source) Extras(snap *metagraph.Snapshot) *Extras {
	if snap == nil {
		return nil
	}
	if l := s.last.Load(); l != nil {
		for _, ex := range l {
			if ex != nil && ex.snap == snap {
				return ex
			}
		}
	}
	return nil
}

func (s *Source) store(ex *Extras) {
	var prev *Extras
	if l := s.last.Load(); l != nil {
		prev = l[0]
	}
	s.last.Store(&[2]*Extras{ex, prev})
}

// Figures are one hotkey's numbers in one snapshot: what `activity
// status` shows and the exporter serves.
type Figures struct {
	NetUID     uint16 `json:"netuid"`
	Block      uint64 `json:"block"`
	Hotkey     string `json:"hotkey"`
	Registered bool   `json:"registered"`
	UID        uint16 `json:"uid"`
	// Rank is the place by incentive among miners (subtensor.MinerRank),
	// 1 = best, ties by UID; Miners their number.
	Rank             int           `json:"rank"`
	Miners           int           `json:"miners"`
	Incentive        float64       `json:"incentive"`
	Dividends        float64       `json:"dividends"`
	ValidatorPermit  bool          `json:"validator_permit"`
	Active           bool          `json:"active"`
	Stake            subtensor.Rao `json:"stake"`
	EmissionPerTempo subtensor.Rao `json:"emission_per_tempo"`
	// The fields below need Extras; HasExtras says whether they are set.
	HasExtras      bool          `json:"has_extras"`
	Tempo          uint16        `json:"tempo,omitempty"`
	EmissionPerDay subtensor.Rao `json:"emission_per_day,omitempty"`
	RegisteredAt   uint64        `json:"registered_at,omitempty"`
	ImmunityLeft   uint64        `json:"immunity_left_blocks"`
	// Identity is the GitHub user of the hotkey's identity field ("" none).
	Identity string `json:"identity,omitempty"`
	// Mechanisms is the standing in each mechanism when the subnet runs
	// more than one (Incentive and Rank above are then mechanism 0's).
	Mechanisms []subtensor.MechanismStanding `json:"mechanisms,omitempty"`
}

// FiguresOf computes hotkey's figures from snap (and ex, which may be nil),
// with the same rules as subtensor.Client.Status.
func FiguresOf(snap *metagraph.Snapshot, ex *Extras, hotkey keys.PublicKey) Figures {
	f := Figures{NetUID: snap.NetUID(), Block: snap.Block(), Hotkey: hotkey.Address()}
	n, ok := snap.LookupKey(hotkey)
	if !ok {
		return f
	}
	f.Registered, f.UID = true, n.UID
	f.Incentive, f.Dividends = n.Incentive, n.Dividends
	f.ValidatorPermit, f.Active = n.ValidatorPermit, n.Active
	f.Stake, f.EmissionPerTempo = subtensor.Rao(n.Stake), subtensor.Rao(n.Emission)
	f.Rank, f.Miners = subtensor.MinerRank(snap.Len(), int(n.UID),
		func(i int) bool { o, _ := snap.UID(uint16(i)); return o.ValidatorPermit },
		func(i int) float64 { o, _ := snap.UID(uint16(i)); return o.Incentive })
	if ex == nil {
		return f
	}
	f.HasExtras, f.Tempo = true, ex.Tempo
	f.EmissionPerDay = subtensor.Rao(float64(f.EmissionPerTempo) * ex.EpochsPerDay)
	if int(n.UID) < len(ex.RegisteredAt) {
		f.RegisteredAt = ex.RegisteredAt[n.UID]
	}
	if end := f.RegisteredAt + uint64(ex.ImmunityPeriod); end > f.Block {
		f.ImmunityLeft = end - f.Block
	}
	f.Identity = ex.Identity[hotkey]
	f.Mechanisms = subtensor.MechanismStandings(ex.Mechanisms, snap.Len(), int(n.UID),
		func(i int) bool { o, _ := snap.UID(uint16(i)); return o.ValidatorPermit })
	return f
}
