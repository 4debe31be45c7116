package subtensor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate/rpc"
)

// MinerStatus is one hotkey's standing on a subnet, for `minerkit status`.
type MinerStatus struct {
	NetUID     uint16 `json:"netuid"`
	Block      uint64 `json:"block"`
	Hotkey     string `json:"hotkey"`
	Registered bool   `json:"registered"`
	UID        uint16 `json:"uid"`
	// Rank is the hotkey's place by incentive among the subnet's miners
	// (UIDs without a validator permit, or with incentive), 1 = best;
	// Miners is their number.
	Rank   int `json:"rank"`
	Miners int `json:"miners"`
	// Incentive is the chain's u16 incentive as a fraction of 1.
	Incentive       float64 `json:"incentive"`
	Consensus       float64 `json:"consensus"`
	Dividends       float64 `json:"dividends"`
	ValidatorPermit bool    `json:"validator_permit"`
	Active          bool    `json:"active"`
	Stake           Rao     `json:"stake"`
	// EmissionPerTempo is what the UID earned in the last epoch; PerDay
	// extrapolates it to 24 h at the network's block time.
	EmissionPerTempo Rao     `json:"emission_per_tempo"`
	EmissionPerDay   Rao     `json:"emission_per_day"`
	Tempo            uint16  `json:"tempo"`
	EpochsPerDay     float64 `json:"epochs_per_day"`
	RegisteredAt     uint64  `json:"registered_at"`
	// ImmunityLeft is the number of blocks until the UID may be replaced
	// (0 once immunity is over); ImmunityLeftTime the same in time.
	ImmunityLeft     uint64        `json:"immunity_left_blocks"`
	ImmunityLeftTime time.Duration `json:"immunity_left_ns"`
	Axon             string        `json:"axon,omitempty"`
	Commitment       string        `json:"commitment,omitempty"`
	CommitmentBlock  uint32        `json:"commitment_block,omitempty"`
	// Mechanisms is the hotkey's standing in each mechanism when the
	// subnet runs more than one; Incentive and Rank above are then
	// mechanism 0's (what get_metagraph reports), and EmissionPerTempo the
	// sum over all of them.
	Mechanisms []MechanismStanding `json:"mechanisms,omitempty"`
}

// Status reads hotkey's standing on netuid: UID, rank among miners,
// incentive, emission per tempo and per day, registration block, immunity
// left and committed endpoint. An unregistered hotkey returns Registered
// false and no error.
func (c *Client) Status(ctx context.Context, netuid uint16, hotkey keys.PublicKey) (*MinerStatus, error) {
	st := &MinerStatus{NetUID: netuid, Hotkey: hotkey.Address()}
	m, err := c.SubnetMetagraph(ctx, netuid)
	if err != nil {
		return nil, err
	}
	st.Block, st.Tempo = m.Block, m.Tempo
	uid := m.UIDOf(hotkey)
	if uid < 0 {
		return st, nil
	}
	st.Registered, st.UID = true, uint16(uid)
	st.Incentive = U16Fraction(GetU16(m.Incentives, uid))
	st.Consensus = U16Fraction(GetU16(m.Consensus, uid))
	st.Dividends = U16Fraction(GetU16(m.Dividends, uid))
	st.ValidatorPermit = GetBool(m.ValidatorPermit, uid)
	st.Active = GetBool(m.Active, uid)
	st.Stake = GetRao(m.TotalStake, uid)
	st.EmissionPerTempo = GetRao(m.Emission, uid)
	net := c.network
	net.BlockTime = c.BlockTime()
	st.EpochsPerDay = c.EpochsPerDay(m.Tempo)
	st.EmissionPerDay = Rao(float64(st.EmissionPerTempo) * st.EpochsPerDay)
	st.RegisteredAt = GetU64(m.BlockAtRegistration, uid)
	if len(m.BlockAtRegistration) == 0 {
		if st.RegisteredAt, err = c.registeredAt(ctx, netuid, uint16(uid)); err != nil {
			return nil, err
		}
	}
	if end := st.RegisteredAt + uint64(m.ImmunityPeriod); end > m.Block {
		st.ImmunityLeft = end - m.Block
		st.ImmunityLeftTime = net.BlocksToDuration(st.ImmunityLeft)
	}
	if uid < len(m.Axons) {
		st.Axon = m.Axons[uid].Endpoint()
	}
	st.Rank, st.Miners = minerRank(m, uid)
	mechs, err := c.Mechanisms(ctx, netuid)
	if err != nil {
		return nil, err
	}
	st.Mechanisms = MechanismStandings(mechs, len(m.Hotkeys), uid, func(i int) bool { return GetBool(m.ValidatorPermit, i) })
	if c.Features().CommitmentMaxFields > 0 {
		cm, err := c.Commitment(ctx, netuid, hotkey)
		if err != nil {
			return nil, err
		}
		if cm != nil {
			st.Commitment, st.CommitmentBlock = string(cm.Payload()), cm.Block
		}
	}
	return st, nil
}

// EpochsPerDay is how many epochs a subnet with tempo runs in 24 hours at
// the chain's block time: one every tempo blocks on runtimes with
// LastEpochBlock (HEAD coinbase/run_coinbase.rs should_run_epoch), one every
// tempo + 1 blocks before. Zero for tempo 0 (no epochs).
func (c *Client) EpochsPerDay(tempo uint16) float64 {
	if tempo == 0 {
		return 0
	}
	period := float64(tempo)
	if !c.Features().EpochEveryTempo {
		period++
	}
	net := c.network
	net.BlockTime = c.BlockTime()
	return net.BlocksPerDay() / period
}

// SubnetMetagraph reads netuid's metagraph with get_metagraph, or assembles
// it from get_neurons_lite and storage when the runtime lacks get_metagraph
// or its result does not decode (a layout this client does not know). An
// assembled Metagraph fills the per-UID slices a miner needs (hotkeys,
// coldkeys, axons, active, validator permit, emission, incentive,
// consensus, dividends, total stake) plus Tempo and ImmunityPeriod, and
// [Metagraph.NeuronsLite] returns the records it came from.
func (c *Client) SubnetMetagraph(ctx context.Context, netuid uint16) (*Metagraph, error) {
	if c.Features().MetagraphAPI {
		m, err := c.Metagraph(ctx, netuid)
		if err == nil {
			return m, nil
		}
		if !errors.Is(err, scale.ErrInvalid) && !errors.Is(err, scale.ErrShort) {
			return nil, err
		}
		c.log.Warn("subtensor: get_metagraph result has an unknown layout; using get_neurons_lite", "netuid", netuid, "err", err)
	}
	return c.metagraphFromLite(ctx, netuid)
}

// minerRank is MinerRank over a Metagraph.
func minerRank(m *Metagraph, uid int) (rank, miners int) {
	return MinerRank(len(m.Hotkeys), uid,
		func(i int) bool { return GetBool(m.ValidatorPermit, i) },
		func(i int) float64 { return float64(GetU16(m.Incentives, i)) })
}

// MinerRank ranks uid by incentive among the n UIDs of a subnet that count
// as miners: those without a validator permit, those with incentive (on
// small subnets every UID may hold a permit), and uid itself. 1 is the best;
// ties go to the lower UID. permit and incentive read UID i. Status and the
// activity exporter both rank with it.
func MinerRank(n, uid int, permit func(i int) bool, incentive func(i int) float64) (rank, miners int) {
	mine := incentive(uid)
	for i := range n {
		x := incentive(i)
		if i != uid && permit(i) && x <= 0 {
			continue
		}
		miners++
		if x > mine || (x == mine && i < uid) {
			rank++
		}
	}
	return rank + 1, miners
}

// metagraphFromLite assembles a Metagraph on runtimes without
// get_metagraph: one get_neurons_lite call for the per-UID figures, the
// subnet's parameters and registration blocks from storage, and every UID's
// stake weight computed from storage as the chain does
// ([Client.StakeWeights]; get_neurons_lite's stake list is empty on spec
// 218 and holds alpha only on HEAD). Parameters the runtime does not store
// are named in Metagraph.Missing.
func (c *Client) metagraphFromLite(ctx context.Context, netuid uint16) (*Metagraph, error) {
	block, err := c.BlockNumber(ctx)
	if err != nil {
		return nil, err
	}
	ns, err := c.NeuronsLite(ctx, netuid)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		if ok, err := c.SubnetExists(ctx, netuid); err == nil && !ok {
			return nil, fmt.Errorf("%w: netuid %d", ErrNoSubnet, netuid)
		}
	}
	m := &Metagraph{NetUID: netuid, Block: block, lite: ns}
	for i := range ns {
		n := &ns[i]
		m.Hotkeys = append(m.Hotkeys, n.Hotkey)
		m.Coldkeys = append(m.Coldkeys, n.Coldkey)
		m.Axons = append(m.Axons, n.Axon)
		m.Active = append(m.Active, n.Active)
		m.ValidatorPermit = append(m.ValidatorPermit, n.ValidatorPermit)
		m.Emission = append(m.Emission, n.Emission)
		m.Incentives = append(m.Incentives, n.Incentive)
		m.Consensus = append(m.Consensus, n.Consensus)
		m.Dividends = append(m.Dividends, n.Dividends)
	}
	// Stake, parameters and registration blocks are read at one block.
	at, err := c.rpc.ChainGetBestBlockHash(ctx)
	if err != nil {
		return nil, fmt.Errorf("subtensor: read best block: %w", err)
	}
	sw, err := c.stakeWeightsAt(ctx, netuid, m.Hotkeys, at)
	if err != nil {
		return nil, fmt.Errorf("subtensor: stake of netuid %d: %w", netuid, err)
	}
	for _, w := range sw {
		m.AlphaStake = append(m.AlphaStake, w.Alpha)
		m.TaoStake = append(m.TaoStake, w.Root)
		m.TotalStake = append(m.TotalStake, w.Weight)
	}
	if err := c.subnetParams(ctx, m, at); err != nil {
		return nil, err
	}
	if err := c.registrationBlocks(ctx, m, at); err != nil {
		return nil, err
	}
	return m, nil
}

// registrationBlocks fills m.BlockAtRegistration from storage, one batched
// read for every UID.
func (c *Client) registrationBlocks(ctx context.Context, m *Metagraph, at rpc.Hash) error {
	if _, ok := c.Metadata().Pallet("SubtensorModule"); !ok {
		return nil
	}
	var err error
	b := storageBatch{c: c, at: at}
	for uid := range m.N() {
		if err := b.want("BlockAtRegistration", u16Key(m.NetUID), u16Key(uint16(uid))); err != nil {
			return err
		}
	}
	if err := b.fetch(ctx); err != nil {
		return err
	}
	m.BlockAtRegistration = make([]uint64, m.N())
	for uid := range m.BlockAtRegistration {
		if m.BlockAtRegistration[uid], err = b.u64("BlockAtRegistration", u16Key(m.NetUID), u16Key(uint16(uid))); err != nil {
			return err
		}
	}
	return nil
}

// subnetParams fills m's subnet parameters from storage (one batched read),
// naming in m.Missing those this runtime does not store.
func (c *Client) subnetParams(ctx context.Context, m *Metagraph, at rpc.Hash) error {
	p, ok := c.Metadata().Pallet("SubtensorModule")
	if !ok {
		return fmt.Errorf("%w: no SubtensorModule pallet", ErrUnsupported)
	}
	type param struct {
		item string
		set  func(d *scale.Decoder) error
	}
	u16 := func(dst *uint16) func(*scale.Decoder) error {
		return func(d *scale.Decoder) (err error) { *dst, err = d.U16(); return err }
	}
	u64 := func(dst *uint64) func(*scale.Decoder) error {
		return func(d *scale.Decoder) (err error) { *dst, err = d.U64(); return err }
	}
	rao := func(dst *Rao) func(*scale.Decoder) error {
		return func(d *scale.Decoder) error { v, err := d.U64(); *dst = Rao(v); return err }
	}
	boolean := func(dst *bool) func(*scale.Decoder) error {
		return func(d *scale.Decoder) (err error) { *dst, err = d.Bool(); return err }
	}
	params := []param{
		{"Tempo", u16(&m.Tempo)},
		{"ImmunityPeriod", u16(&m.ImmunityPeriod)},
		{"Kappa", u16(&m.Kappa)},
		{"MaxAllowedValidators", u16(&m.MaxValidators)},
		{"MaxAllowedUids", u16(&m.MaxUIDs)},
		{"MinAllowedWeights", u16(&m.MinAllowedWeights)},
		{"MaxWeightsLimit", u16(&m.MaxWeightsLimit)},
		{"WeightsVersionKey", u64(&m.WeightsVersion)},
		{"WeightsSetRateLimit", u64(&m.WeightsRateLimit)},
		{"ServingRateLimit", u64(&m.ServingRateLimit)},
		{"CommitRevealWeightsEnabled", boolean(&m.CommitRevealEnabled)},
		{"RevealPeriodEpochs", u64(&m.CommitRevealPeriod)},
		{"Burn", rao(&m.Burn)},
		{"MinBurn", rao(&m.MinBurn)},
		{"MaxBurn", rao(&m.MaxBurn)},
		{"NetworkRegistrationAllowed", boolean(&m.RegistrationAllowed)},
		{"BlocksSinceLastStep", u64(&m.BlocksSinceLastStep)},
		{"LastMechansimStepBlock", u64(&m.LastStep)},
	}
	b := storageBatch{c: c, at: at}
	var present []param
	for _, x := range params {
		e, ok := p.StorageEntry(x.item)
		if !ok {
			m.Missing = append(m.Missing, x.item)
			continue
		}
		var key [][]byte
		if !e.Plain {
			key = append(key, u16Key(m.NetUID))
		}
		if err := b.want(x.item, key...); err != nil {
			return err
		}
		present = append(present, x)
	}
	if err := b.fetch(ctx); err != nil {
		return err
	}
	for _, x := range present {
		e, _ := p.StorageEntry(x.item)
		var key [][]byte
		if !e.Plain {
			key = append(key, u16Key(m.NetUID))
		}
		raw, err := b.raw(x.item, key...)
		if err != nil {
			return err
		}
		d := scale.NewDecoder(raw)
		err = x.set(d)
		if err == nil {
			err = d.Finish()
		}
		if err != nil {
			// A type this client does not know: report the figure as
			// missing rather than fail the whole metagraph.
			c.log.Warn("subtensor: unknown storage layout; figure left out", "item", x.item, "err", err)
			m.Missing = append(m.Missing, x.item)
		}
	}
	return nil
}

// registeredAt returns the block uid registered at.
func (c *Client) registeredAt(ctx context.Context, netuid, uid uint16) (uint64, error) {
	raw, err := c.storageOrDefault(ctx, "SubtensorModule", "BlockAtRegistration", u16Key(netuid), u16Key(uid))
	if err != nil {
		return 0, err
	}
	return decodeU64(raw, "SubtensorModule.BlockAtRegistration")
}
