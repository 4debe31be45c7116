package subtensor

import (
	"fmt"
	"math"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// Metagraph is SubnetInfoRuntimeApi_get_metagraph's result: a subnet's
// parameters and one entry per UID in the per-UID slices (Hotkeys[uid] …).
// Per-UID slices that the runtime no longer fills (Rank, Trust,
// PruningScore since 2026) are empty; use the Get helpers to read them
// safely by UID.
type Metagraph struct {
	NetUID              uint16           `json:"netuid"`
	Name                string           `json:"name"`
	Symbol              string           `json:"symbol"`
	Identity            *SubnetIdentity  `json:"identity,omitempty"`
	NetworkRegisteredAt uint64           `json:"network_registered_at"`
	OwnerHotkey         keys.PublicKey   `json:"owner_hotkey"`
	OwnerColdkey        keys.PublicKey   `json:"owner_coldkey"`
	Block               uint64           `json:"block"`
	Tempo               uint16           `json:"tempo"`
	LastStep            uint64           `json:"last_step"`
	BlocksSinceLastStep uint64           `json:"blocks_since_last_step"`
	SubnetEmission      uint64           `json:"subnet_emission"`
	AlphaIn             Rao              `json:"alpha_in"`
	AlphaOut            Rao              `json:"alpha_out"`
	TaoIn               Rao              `json:"tao_in"`
	AlphaOutEmission    Rao              `json:"alpha_out_emission"`
	AlphaInEmission     Rao              `json:"alpha_in_emission"`
	TaoInEmission       Rao              `json:"tao_in_emission"`
	PendingAlphaEmis    Rao              `json:"pending_alpha_emission"`
	PendingRootEmis     Rao              `json:"pending_root_emission"`
	SubnetVolume        scale.Uint128    `json:"-"`
	MovingPrice         scale.Int128     `json:"-"` // I96F32 bits
	Rho                 uint16           `json:"rho"`
	Kappa               uint16           `json:"kappa"`
	MinAllowedWeights   uint16           `json:"min_allowed_weights"`
	MaxWeightsLimit     uint16           `json:"max_weights_limit"`
	WeightsVersion      uint64           `json:"weights_version"`
	WeightsRateLimit    uint64           `json:"weights_rate_limit"`
	ActivityCutoff      uint64           `json:"activity_cutoff"`
	MaxValidators       uint16           `json:"max_validators"`
	NumUIDs             uint16           `json:"num_uids"`
	MaxUIDs             uint16           `json:"max_uids"`
	Burn                Rao              `json:"burn"`
	Difficulty          uint64           `json:"difficulty"`
	RegistrationAllowed bool             `json:"registration_allowed"`
	PoWRegAllowed       bool             `json:"pow_registration_allowed"`
	ImmunityPeriod      uint16           `json:"immunity_period"`
	MinDifficulty       uint64           `json:"min_difficulty"`
	MaxDifficulty       uint64           `json:"max_difficulty"`
	MinBurn             Rao              `json:"min_burn"`
	MaxBurn             Rao              `json:"max_burn"`
	AdjustmentAlpha     uint64           `json:"adjustment_alpha"`
	AdjustmentInterval  uint16           `json:"adjustment_interval"`
	TargetRegsPerIntvl  uint16           `json:"target_regs_per_interval"`
	MaxRegsPerBlock     uint16           `json:"max_regs_per_block"`
	ServingRateLimit    uint64           `json:"serving_rate_limit"`
	CommitRevealEnabled bool             `json:"commit_reveal_weights_enabled"`
	CommitRevealPeriod  uint64           `json:"commit_reveal_period"`
	LiquidAlphaEnabled  bool             `json:"liquid_alpha_enabled"`
	AlphaHigh           uint16           `json:"alpha_high"`
	AlphaLow            uint16           `json:"alpha_low"`
	BondsMovingAvg      uint64           `json:"bonds_moving_avg"`
	Hotkeys             []keys.PublicKey `json:"hotkeys"`
	Coldkeys            []keys.PublicKey `json:"coldkeys"`
	Identities          []*ChainIdentity `json:"identities"`
	Axons               []AxonInfo       `json:"axons"`
	Active              []bool           `json:"active"`
	ValidatorPermit     []bool           `json:"validator_permit"`
	PruningScore        []uint16         `json:"pruning_score"`
	LastUpdate          []uint64         `json:"last_update"`
	Emission            []Rao            `json:"emission"`
	Dividends           []uint16         `json:"dividends"`
	Incentives          []uint16         `json:"incentives"`
	Consensus           []uint16         `json:"consensus"`
	Trust               []uint16         `json:"trust"`
	Rank                []uint16         `json:"rank"`
	BlockAtRegistration []uint64         `json:"block_at_registration"`
	AlphaStake          []Rao            `json:"alpha_stake"`
	TaoStake            []Rao            `json:"tao_stake"`
	TotalStake          []Rao            `json:"total_stake"`
	TaoDividends        []HotkeyAmount   `json:"tao_dividends_per_hotkey"`
	AlphaDividends      []HotkeyAmount   `json:"alpha_dividends_per_hotkey"`

	// Missing names the figures the runtime did not provide (storage items
	// absent on an assembled Metagraph); their fields are zero but unknown.
	Missing []string `json:"missing,omitempty"`

	// lite holds the NeuronInfoLite records a Metagraph was assembled from
	// on runtimes without get_metagraph.
	lite []NeuronInfoLite
}

// NeuronsLite returns the get_neurons_lite records that
// [Client.SubnetMetagraph] assembled m from on a runtime without a usable
// get_metagraph, or nil when m is get_metagraph's own result. The records
// hold what the assembled Metagraph leaves out (per-neuron stake lists,
// last update, pruning score); callers must not modify them.
func (m *Metagraph) NeuronsLite() []NeuronInfoLite { return m.lite }

// HotkeyAmount is one (hotkey, amount) pair.
type HotkeyAmount struct {
	Hotkey keys.PublicKey `json:"hotkey"`
	Amount Rao            `json:"amount"`
}

// SubnetIdentity is a subnet's self-description (SubnetIdentityV3; older
// runtimes have fewer fields, which stay empty).
type SubnetIdentity struct {
	Fields []string `json:"fields"` // subnet_name, github_repo, subnet_contact, subnet_url, discord, description, logo_url, additional
}

// ChainIdentity is a coldkey's self-description (ChainIdentityV2: name,
// url, github_repo, image, discord, description, additional).
type ChainIdentity struct {
	Fields []string `json:"fields"`
}

// MetagraphLayout holds the parts of the Metagraph struct that changed
// between runtimes. The zero value means the current runtime's layout.
type MetagraphLayout struct {
	// SubnetIdentityFields is the number of byte-string fields of the
	// subnet identity (8 for SubnetIdentityV3, 7 for V2).
	SubnetIdentityFields int
	// ChainIdentityFields is the number of byte-string fields of a coldkey
	// identity (7 for ChainIdentityV2).
	ChainIdentityFields int

	// fields, when set (from v15 metadata), is the runtime's field list of
	// the Metagraph struct: DecodeMetagraph then reads the fields it knows
	// by name, skips the others through reg, and names the known fields the
	// runtime lacks in Metagraph.Missing, so that a runtime upgrade that
	// adds or removes a field is not a decode failure.
	fields []layoutField
	reg    *substrate.Registry
}

// layoutField is one field of the runtime's Metagraph struct.
type layoutField struct {
	name string
	typ  substrate.TypeID
	skip bool // known name, but a shape this client does not read
}

func (l MetagraphLayout) withDefaults() MetagraphLayout {
	if l.SubnetIdentityFields == 0 {
		l.SubnetIdentityFields = 8
	}
	if l.ChainIdentityFields == 0 {
		l.ChainIdentityFields = 7
	}
	return l
}

// N returns the number of UIDs (the length of Hotkeys).
func (m *Metagraph) N() int { return len(m.Hotkeys) }

// GetU16 reads s[uid] or 0 if the runtime left s short.
func GetU16(s []uint16, uid int) uint16 {
	if uid >= 0 && uid < len(s) {
		return s[uid]
	}
	return 0
}

// GetRao reads s[uid] or 0 if the runtime left s short.
func GetRao(s []Rao, uid int) Rao {
	if uid >= 0 && uid < len(s) {
		return s[uid]
	}
	return 0
}

// GetU64 reads s[uid] or 0 if the runtime left s short.
func GetU64(s []uint64, uid int) uint64 {
	if uid >= 0 && uid < len(s) {
		return s[uid]
	}
	return 0
}

// GetBool reads s[uid] or false if the runtime left s short.
func GetBool(s []bool, uid int) bool {
	return uid >= 0 && uid < len(s) && s[uid]
}

// UIDOf returns the UID of hotkey, or -1. It scans; build a map for
// repeated lookups (the metagraph package does).
func (m *Metagraph) UIDOf(hotkey keys.PublicKey) int {
	for i := range m.Hotkeys {
		if m.Hotkeys[i] == hotkey {
			return i
		}
	}
	return -1
}

// MovingPriceFloat returns MovingPrice (an I96F32 fixed-point number) as a
// float64.
func (m *Metagraph) MovingPriceFloat() float64 {
	v := m.MovingPrice
	neg := int64(v.Hi) < 0
	u := scale.Uint128(v)
	if neg {
		u.Lo, u.Hi = ^u.Lo+1, ^u.Hi
		if u.Lo == 0 {
			u.Hi++
		}
	}
	f := (float64(u.Hi)*math.Pow(2, 64) + float64(u.Lo)) / math.Pow(2, 32)
	if neg {
		return -f
	}
	return f
}

// DecodeMetagraph decodes get_metagraph's result, an Option<Metagraph>. It
// returns nil, nil for None (no such subnet). The decoder never panics and
// bounds every vector by the bytes left.
func DecodeMetagraph(data []byte, layout MetagraphLayout) (*Metagraph, error) {
	d := scale.NewDecoder(data)
	some, err := d.OptionTag()
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode metagraph: %w", err)
	}
	if !some {
		if err := d.Finish(); err != nil {
			return nil, fmt.Errorf("subtensor: decode metagraph: %w", err)
		}
		return nil, nil
	}
	m := new(Metagraph)
	md := metaDecoder{d: d, l: layout.withDefaults()}
	if len(md.l.fields) > 0 && md.l.reg != nil {
		md.bodyByName(m)
	} else {
		md.body(m)
	}
	if md.err == nil {
		md.err = d.Finish()
	}
	if md.err != nil {
		return nil, fmt.Errorf("subtensor: decode metagraph (%d bytes) at %s: %w", len(data), md.field, md.err)
	}
	return m, nil
}

// metaDecoder keeps the first error and the field being read, so that the
// long positional struct reads as a list.
type metaDecoder struct {
	d     *scale.Decoder
	l     MetagraphLayout
	err   error
	field string
}

func (md *metaDecoder) c64(name string) uint64 {
	if md.err != nil {
		return 0
	}
	md.field = name
	v, err := md.d.Compact()
	md.err = err
	return v
}

func (md *metaDecoder) c16(name string) uint16 {
	if md.err != nil {
		return 0
	}
	md.field = name
	v, err := compactU16(md.d)
	md.err = err
	return v
}

func (md *metaDecoder) boolean(name string) bool {
	if md.err != nil {
		return false
	}
	md.field = name
	v, err := md.d.Bool()
	md.err = err
	return v
}

func (md *metaDecoder) account(name string, k *keys.PublicKey) {
	if md.err != nil {
		return
	}
	md.field = name
	md.err = decodeAccount(md.d, k)
}

func (md *metaDecoder) compactBytes(name string) string {
	if md.err != nil {
		return ""
	}
	md.field = name
	n, err := md.d.Len(1)
	if err != nil {
		md.err = err
		return ""
	}
	b := make([]byte, n)
	for i := range b {
		if b[i], md.err = compactU8(md.d); md.err != nil {
			return ""
		}
	}
	return string(b)
}

func (md *metaDecoder) strings(n int) []string {
	out := make([]string, n)
	for i := range out {
		b, err := md.d.ByteSlice()
		if err != nil {
			md.err = err
			return nil
		}
		out[i] = string(b)
	}
	return out
}

func (md *metaDecoder) vecLen(name string, minElem int) int {
	if md.err != nil {
		return 0
	}
	md.field = name
	n, err := md.d.Len(minElem)
	md.err = err
	return n
}

func (md *metaDecoder) vecC16(name string) []uint16 {
	n := md.vecLen(name, 1)
	if md.err != nil || n == 0 {
		return nil
	}
	out := make([]uint16, n)
	for i := range out {
		if out[i], md.err = compactU16(md.d); md.err != nil {
			return nil
		}
	}
	return out
}

func (md *metaDecoder) vecC64(name string) []uint64 {
	n := md.vecLen(name, 1)
	if md.err != nil || n == 0 {
		return nil
	}
	out := make([]uint64, n)
	for i := range out {
		if out[i], md.err = md.d.Compact(); md.err != nil {
			return nil
		}
	}
	return out
}

func (md *metaDecoder) vecRao(name string) []Rao {
	n := md.vecLen(name, 1)
	if md.err != nil || n == 0 {
		return nil
	}
	out := make([]Rao, n)
	for i := range out {
		v, err := md.d.Compact()
		if err != nil {
			md.err = err
			return nil
		}
		out[i] = Rao(v)
	}
	return out
}

func (md *metaDecoder) vecBool(name string) []bool {
	n := md.vecLen(name, 1)
	if md.err != nil || n == 0 {
		return nil
	}
	out := make([]bool, n)
	for i := range out {
		if out[i], md.err = md.d.Bool(); md.err != nil {
			return nil
		}
	}
	return out
}

func (md *metaDecoder) vecAccount(name string) []keys.PublicKey {
	n := md.vecLen(name, 32)
	if md.err != nil || n == 0 {
		return nil
	}
	raw, err := md.d.Bytes(32 * n)
	if err != nil {
		md.err = err
		return nil
	}
	out := make([]keys.PublicKey, n)
	for i := range out {
		copy(out[i][:], raw[32*i:])
	}
	return out
}

func (md *metaDecoder) vecHotkeyAmount(name string) []HotkeyAmount {
	n := md.vecLen(name, 33)
	if md.err != nil || n == 0 {
		return nil
	}
	out := make([]HotkeyAmount, n)
	for i := range out {
		if md.err = decodeAccount(md.d, &out[i].Hotkey); md.err != nil {
			return nil
		}
		v, err := md.d.Compact()
		if err != nil {
			md.err = err
			return nil
		}
		out[i].Amount = Rao(v)
	}
	return out
}

// metagraphReaders reads each field of the Metagraph struct by its name in
// the runtime's metadata, from the decoder's position.
var metagraphReaders = map[string]func(md *metaDecoder, m *Metagraph){
	"netuid": func(md *metaDecoder, m *Metagraph) {
		m.NetUID = md.c16("netuid")
	},
	"name": func(md *metaDecoder, m *Metagraph) {
		m.Name = md.compactBytes("name")
	},
	"symbol": func(md *metaDecoder, m *Metagraph) {
		m.Symbol = md.compactBytes("symbol")
	},
	"identity": func(md *metaDecoder, m *Metagraph) {
		if md.err == nil {
			md.field = "identity"
			var some bool
			if some, md.err = md.d.OptionTag(); md.err == nil && some {
				if f := md.strings(md.l.SubnetIdentityFields); md.err == nil {
					m.Identity = &SubnetIdentity{Fields: f}
				}
			}
		}
	},
	"network_registered_at": func(md *metaDecoder, m *Metagraph) {
		m.NetworkRegisteredAt = md.c64("network_registered_at")
	},
	"owner_hotkey": func(md *metaDecoder, m *Metagraph) {
		md.account("owner_hotkey", &m.OwnerHotkey)
	},
	"owner_coldkey": func(md *metaDecoder, m *Metagraph) {
		md.account("owner_coldkey", &m.OwnerColdkey)
	},
	"block": func(md *metaDecoder, m *Metagraph) {
		m.Block = md.c64("block")
	},
	"tempo": func(md *metaDecoder, m *Metagraph) {
		m.Tempo = md.c16("tempo")
	},
	"last_step": func(md *metaDecoder, m *Metagraph) {
		m.LastStep = md.c64("last_step")
	},
	"blocks_since_last_step": func(md *metaDecoder, m *Metagraph) {
		m.BlocksSinceLastStep = md.c64("blocks_since_last_step")
	},
	"subnet_emission": func(md *metaDecoder, m *Metagraph) {
		m.SubnetEmission = md.c64("subnet_emission")
	},
	"alpha_in": func(md *metaDecoder, m *Metagraph) {
		m.AlphaIn = Rao(md.c64("alpha_in"))
	},
	"alpha_out": func(md *metaDecoder, m *Metagraph) {
		m.AlphaOut = Rao(md.c64("alpha_out"))
	},
	"tao_in": func(md *metaDecoder, m *Metagraph) {
		m.TaoIn = Rao(md.c64("tao_in"))
	},
	"alpha_out_emission": func(md *metaDecoder, m *Metagraph) {
		m.AlphaOutEmission = Rao(md.c64("alpha_out_emission"))
	},
	"alpha_in_emission": func(md *metaDecoder, m *Metagraph) {
		m.AlphaInEmission = Rao(md.c64("alpha_in_emission"))
	},
	"tao_in_emission": func(md *metaDecoder, m *Metagraph) {
		m.TaoInEmission = Rao(md.c64("tao_in_emission"))
	},
	"pending_alpha_emission": func(md *metaDecoder, m *Metagraph) {
		m.PendingAlphaEmis = Rao(md.c64("pending_alpha_emission"))
	},
	"pending_root_emission": func(md *metaDecoder, m *Metagraph) {
		m.PendingRootEmis = Rao(md.c64("pending_root_emission"))
	},
	"subnet_volume": func(md *metaDecoder, m *Metagraph) {
		if md.err == nil {
			md.field = "subnet_volume"
			m.SubnetVolume, md.err = md.d.CompactU128()
		}
	},
	"moving_price": func(md *metaDecoder, m *Metagraph) {
		if md.err == nil {
			md.field = "moving_price"
			m.MovingPrice, md.err = md.d.I128()
		}
	},
	"rho": func(md *metaDecoder, m *Metagraph) {
		m.Rho = md.c16("rho")
	},
	"kappa": func(md *metaDecoder, m *Metagraph) {
		m.Kappa = md.c16("kappa")
	},
	"min_allowed_weights": func(md *metaDecoder, m *Metagraph) {
		m.MinAllowedWeights = md.c16("min_allowed_weights")
	},
	"max_weights_limit": func(md *metaDecoder, m *Metagraph) {
		m.MaxWeightsLimit = md.c16("max_weights_limit")
	},
	"weights_version": func(md *metaDecoder, m *Metagraph) {
		m.WeightsVersion = md.c64("weights_version")
	},
	"weights_rate_limit": func(md *metaDecoder, m *Metagraph) {
		m.WeightsRateLimit = md.c64("weights_rate_limit")
	},
	"activity_cutoff": func(md *metaDecoder, m *Metagraph) {
		m.ActivityCutoff = md.c64("activity_cutoff")
	},
	"max_validators": func(md *metaDecoder, m *Metagraph) {
		m.MaxValidators = md.c16("max_validators")
	},
	"num_uids": func(md *metaDecoder, m *Metagraph) {
		m.NumUIDs = md.c16("num_uids")
	},
	"max_uids": func(md *metaDecoder, m *Metagraph) {
		m.MaxUIDs = md.c16("max_uids")
	},
	"burn": func(md *metaDecoder, m *Metagraph) {
		m.Burn = Rao(md.c64("burn"))
	},
	"difficulty": func(md *metaDecoder, m *Metagraph) {
		m.Difficulty = md.c64("difficulty")
	},
	"registration_allowed": func(md *metaDecoder, m *Metagraph) {
		m.RegistrationAllowed = md.boolean("registration_allowed")
	},
	"pow_registration_allowed": func(md *metaDecoder, m *Metagraph) {
		m.PoWRegAllowed = md.boolean("pow_registration_allowed")
	},
	"immunity_period": func(md *metaDecoder, m *Metagraph) {
		m.ImmunityPeriod = md.c16("immunity_period")
	},
	"min_difficulty": func(md *metaDecoder, m *Metagraph) {
		m.MinDifficulty = md.c64("min_difficulty")
	},
	"max_difficulty": func(md *metaDecoder, m *Metagraph) {
		m.MaxDifficulty = md.c64("max_difficulty")
	},
	"min_burn": func(md *metaDecoder, m *Metagraph) {
		m.MinBurn = Rao(md.c64("min_burn"))
	},
	"max_burn": func(md *metaDecoder, m *Metagraph) {
		m.MaxBurn = Rao(md.c64("max_burn"))
	},
	"adjustment_alpha": func(md *metaDecoder, m *Metagraph) {
		m.AdjustmentAlpha = md.c64("adjustment_alpha")
	},
	"adjustment_interval": func(md *metaDecoder, m *Metagraph) {
		m.AdjustmentInterval = md.c16("adjustment_interval")
	},
	"target_regs_per_interval": func(md *metaDecoder, m *Metagraph) {
		m.TargetRegsPerIntvl = md.c16("target_regs_per_interval")
	},
	"max_regs_per_block": func(md *metaDecoder, m *Metagraph) {
		m.MaxRegsPerBlock = md.c16("max_regs_per_block")
	},
	"serving_rate_limit": func(md *metaDecoder, m *Metagraph) {
		m.ServingRateLimit = md.c64("serving_rate_limit")
	},
	"commit_reveal_weights_enabled": func(md *metaDecoder, m *Metagraph) {
		m.CommitRevealEnabled = md.boolean("commit_reveal_weights_enabled")
	},
	"commit_reveal_period": func(md *metaDecoder, m *Metagraph) {
		m.CommitRevealPeriod = md.c64("commit_reveal_period")
	},
	"liquid_alpha_enabled": func(md *metaDecoder, m *Metagraph) {
		m.LiquidAlphaEnabled = md.boolean("liquid_alpha_enabled")
	},
	"alpha_high": func(md *metaDecoder, m *Metagraph) {
		m.AlphaHigh = md.c16("alpha_high")
	},
	"alpha_low": func(md *metaDecoder, m *Metagraph) {
		m.AlphaLow = md.c16("alpha_low")
	},
	"bonds_moving_avg": func(md *metaDecoder, m *Metagraph) {
		m.BondsMovingAvg = md.c64("bonds_moving_avg")
	},
	"hotkeys": func(md *metaDecoder, m *Metagraph) {
		m.Hotkeys = md.vecAccount("hotkeys")
	},
	"coldkeys": func(md *metaDecoder, m *Metagraph) {
		m.Coldkeys = md.vecAccount("coldkeys")
	},
	"identities": func(md *metaDecoder, m *Metagraph) {
		if n := md.vecLen("identities", 1); md.err == nil && n > 0 {
			m.Identities = make([]*ChainIdentity, n)
			for i := range m.Identities {
				var some bool
				if some, md.err = md.d.OptionTag(); md.err != nil {
					return
				}
				if some {
					f := md.strings(md.l.ChainIdentityFields)
					if md.err != nil {
						return
					}
					m.Identities[i] = &ChainIdentity{Fields: f}
				}
			}
		}
	},
	"axons": func(md *metaDecoder, m *Metagraph) {
		if n := md.vecLen("axons", 34); md.err == nil && n > 0 {
			m.Axons = make([]AxonInfo, n)
			for i := range m.Axons {
				if m.Axons[i], md.err = DecodeAxonInfo(md.d); md.err != nil {
					return
				}
			}
		}
	},
	"active": func(md *metaDecoder, m *Metagraph) {
		m.Active = md.vecBool("active")
	},
	"validator_permit": func(md *metaDecoder, m *Metagraph) {
		m.ValidatorPermit = md.vecBool("validator_permit")
	},
	"pruning_score": func(md *metaDecoder, m *Metagraph) {
		m.PruningScore = md.vecC16("pruning_score")
	},
	"last_update": func(md *metaDecoder, m *Metagraph) {
		m.LastUpdate = md.vecC64("last_update")
	},
	"emission": func(md *metaDecoder, m *Metagraph) {
		m.Emission = md.vecRao("emission")
	},
	"dividends": func(md *metaDecoder, m *Metagraph) {
		m.Dividends = md.vecC16("dividends")
	},
	"incentives": func(md *metaDecoder, m *Metagraph) {
		m.Incentives = md.vecC16("incentives")
	},
	"consensus": func(md *metaDecoder, m *Metagraph) {
		m.Consensus = md.vecC16("consensus")
	},
	"trust": func(md *metaDecoder, m *Metagraph) {
		m.Trust = md.vecC16("trust")
	},
	"rank": func(md *metaDecoder, m *Metagraph) {
		m.Rank = md.vecC16("rank")
	},
	"block_at_registration": func(md *metaDecoder, m *Metagraph) {
		m.BlockAtRegistration = md.vecC64("block_at_registration")
	},
	"alpha_stake": func(md *metaDecoder, m *Metagraph) {
		m.AlphaStake = md.vecRao("alpha_stake")
	},
	"tao_stake": func(md *metaDecoder, m *Metagraph) {
		m.TaoStake = md.vecRao("tao_stake")
	},
	"total_stake": func(md *metaDecoder, m *Metagraph) {
		m.TotalStake = md.vecRao("total_stake")
	},
	"tao_dividends_per_hotkey": func(md *metaDecoder, m *Metagraph) {
		m.TaoDividends = md.vecHotkeyAmount("tao_dividends_per_hotkey")
	},
	"alpha_dividends_per_hotkey": func(md *metaDecoder, m *Metagraph) {
		m.AlphaDividends = md.vecHotkeyAmount("alpha_dividends_per_hotkey")
	},
}

// bodyByName reads the fields in the runtime's order: known ones with their
// reader, others skipped through the type registry.
func (md *metaDecoder) bodyByName(m *Metagraph) {
	seen := make(map[string]bool, len(md.l.fields))
	for _, f := range md.l.fields {
		if md.err != nil {
			return
		}
		if read, ok := metagraphReaders[f.name]; ok && !f.skip {
			read(md, m)
			seen[f.name] = true
			continue
		}
		md.field = f.name
		md.err = md.l.reg.SkipValue(md.d, f.typ)
	}
	for _, name := range metagraphFields {
		if !seen[name] {
			m.Missing = append(m.Missing, name)
		}
	}
}

func (md *metaDecoder) body(m *Metagraph) {
	for _, name := range metagraphFields {
		if md.err != nil {
			return
		}
		metagraphReaders[name](md, m)
	}
}
