package devnet

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/minerkit/minerkit/keys"
)

// TAO is one TAO in rao.
const TAO uint64 = 1_000_000_000

// SubnetParams are a subnet's hyperparameters. Field names follow the
// chain's storage items; JSON names are their snake_case forms.
type SubnetParams struct {
	Tempo                      uint16 `json:"tempo"`
	Burn                       uint64 `json:"burn"`
	MaxAllowedUids             uint16 `json:"max_allowed_uids"`
	MaxAllowedValidators       uint16 `json:"max_allowed_validators"`
	ImmunityPeriod             uint16 `json:"immunity_period"`
	WeightsSetRateLimit        uint64 `json:"weights_set_rate_limit"`
	ServingRateLimit           uint64 `json:"serving_rate_limit"`
	CommitRevealWeightsEnabled bool   `json:"commit_reveal_weights_enabled"`
	MinAllowedWeights          uint16 `json:"min_allowed_weights"`
	MaxWeightsLimit            uint16 `json:"max_weights_limit"`
	MaxRegistrationsPerBlock   uint16 `json:"max_registrations_per_block"`
	ActivityCutoff             uint16 `json:"activity_cutoff"`
	Kappa                      uint16 `json:"kappa"`
	BondsMovingAverage         uint64 `json:"bonds_moving_average"`
	WeightsVersionKey          uint64 `json:"weights_version_key"`
	// PoolTAO and PoolAlpha seed the subnet's pool (SubnetTAO,
	// SubnetAlphaIn): add_stake and remove_stake swap through it, so alpha
	// costs PoolTAO/PoolAlpha TAO at first and slips as stake moves. Zero
	// in either means no pool: stake moves 1:1.
	PoolTAO   uint64 `json:"pool_tao"`   // rao
	PoolAlpha uint64 `json:"pool_alpha"` // 1e-9 α
	// The burn price decays each block with BurnHalfLife (blocks; 0: no
	// decay) and is multiplied by BurnIncreaseMult after each registration,
	// kept within [MinBurn, MaxBurn] (HEAD subnets/registration.rs).
	BurnHalfLife     uint16  `json:"burn_half_life"`
	BurnIncreaseMult float64 `json:"burn_increase_mult"`
	MinBurn          uint64  `json:"min_burn"` // rao
	MaxBurn          uint64  `json:"max_burn"` // rao
}

// GenesisAccount is an endowed account. Account is an SS58 address or a
// secret URI such as "//Alice".
type GenesisAccount struct {
	Account string `json:"account"`
	Balance uint64 `json:"balance"` // rao
}

// GenesisSubnet is a subnet that exists at genesis, with no neurons.
type GenesisSubnet struct {
	Netuid      uint16        `json:"netuid"`
	Owner       string        `json:"owner"`                  // coldkey: SS58 or SURI
	OwnerHotkey string        `json:"owner_hotkey,omitempty"` // if empty, Owner
	Params      *SubnetParams `json:"params,omitempty"`       // if nil, SubnetDefaults
}

// Genesis is the devnet's initial state and its economic constants. The
// zero value is not useful: start from DevGenesis, or LoadGenesis a JSON
// file (fields it omits keep DevGenesis's values).
type Genesis struct {
	Chain string `json:"chain"`
	// Runtime is the runtime generation the devnet presents: RuntimeHEAD
	// (empty means it) or RuntimeSpec218.
	Runtime             string           `json:"runtime,omitempty"`
	Accounts            []GenesisAccount `json:"accounts"`
	Sudo                string           `json:"sudo"`
	ExistentialDeposit  uint64           `json:"existential_deposit"`   // rao
	EmissionPerBlock    uint64           `json:"emission_per_block"`    // rao per block per subnet
	NetworkLockCost     uint64           `json:"network_lock_cost"`     // rao, paid by register_network
	FeeBase             uint64           `json:"fee_base"`              // rao per paying transaction
	FeePerByte          uint64           `json:"fee_per_byte"`          // rao per encoded extrinsic byte
	StakeThreshold      uint64           `json:"stake_threshold"`       // rao of stake needed to set weights
	CommitmentMaxFields uint32           `json:"commitment_max_fields"` // Commitments MaxFields
	CommitmentMaxSpace  uint32           `json:"commitment_max_space"`  // bytes per account per tempo
	CommitmentRateLimit uint32           `json:"commitment_rate_limit"` // blocks between commitments
	SubnetDefaults      SubnetParams     `json:"subnet_defaults"`
	Subnets             []GenesisSubnet  `json:"subnets"`
}

// DevAccounts are the well-known development accounts, in genesis order.
var DevAccounts = []string{"//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"}

// DevGenesis returns the default devnet genesis: //Alice, //Bob and
// //Charlie with 1,000,000 TAO, //Dave, //Eve and //Ferdie with 2,000 TAO,
// //Alice as sudo, and subnet 1 owned by //Alice with commit-reveal on, as
// subtensor HEAD starts every subnet (set_weights then fails with
// CommitRevealEnabled; the owner can turn it off with
// sudo_set_commit_reveal_weights_enabled).
func DevGenesis() *Genesis {
	g := &Genesis{
		Chain:               "minerkit devnet",
		Sudo:                "//Alice",
		ExistentialDeposit:  500,
		EmissionPerBlock:    TAO,
		NetworkLockCost:     100 * TAO,
		FeeBase:             100_000,
		FeePerByte:          100,
		CommitmentMaxFields: 3,
		CommitmentMaxSpace:  3100,
		CommitmentRateLimit: 1,
		SubnetDefaults: SubnetParams{
			Tempo:                    10,
			Burn:                     TAO,
			MaxAllowedUids:           256,
			MaxAllowedValidators:     64,
			ImmunityPeriod:           100,
			WeightsSetRateLimit:      2,
			ServingRateLimit:         2,
			MinAllowedWeights:        1,
			MaxWeightsLimit:          65535,
			MaxRegistrationsPerBlock: 16,
			ActivityCutoff:           5000,
			Kappa:                    32767,
			BondsMovingAverage:       900_000,
			// HEAD turns commit-reveal on for every subnet
			// (CommitRevealWeightsVersion 4, timelocked commits).
			CommitRevealWeightsEnabled: true,
			BurnHalfLife:               defaultBurnHalfLife,
			BurnIncreaseMult:           defaultBurnIncreaseMult,
			MinBurn:                    defaultMinBurn,
			MaxBurn:                    defaultMaxBurn,
			PoolTAO:                    1_000_000 * TAO, // price 0.5 τ per α
			PoolAlpha:                  2_000_000 * TAO,
		},
		Subnets: []GenesisSubnet{{Netuid: 1, Owner: "//Alice"}},
	}
	for i, a := range DevAccounts {
		bal := 1_000_000 * TAO
		if i >= 3 {
			bal = 2_000 * TAO
		}
		g.Accounts = append(g.Accounts, GenesisAccount{Account: a, Balance: bal})
	}
	return g
}

// LoadGenesis reads a JSON genesis file over DevGenesis's values.
func LoadGenesis(path string) (*Genesis, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devnet: read genesis: %w", err)
	}
	g := DevGenesis()
	if err := json.Unmarshal(b, g); err != nil {
		return nil, fmt.Errorf("devnet: genesis %s: %w (see DevGenesis for the fields)", path, err)
	}
	if _, err := g.resolve(); err != nil {
		return nil, err
	}
	return g, nil
}

// accountIDs maps the genesis's account strings (SS58 or SURI) to keys.
type accountIDs map[string]accountID

// resolve checks the genesis and resolves each account string once (a
// secret URI costs a key derivation).
func (g *Genesis) resolve() (accountIDs, error) {
	if g.ExistentialDeposit == 0 {
		return nil, fmt.Errorf("devnet: genesis existential_deposit must be positive")
	}
	ids := make(accountIDs)
	// Dev accounts share one phrase: derive its root once (PBKDF2 is the
	// cost), then each account's junctions.
	roots := make(map[[2]string]*keys.Keypair)
	add := func(s string) error {
		if _, ok := ids[s]; ok {
			return nil
		}
		if !isSURI(s) {
			id, err := resolveAccount(s)
			if err != nil {
				return err
			}
			ids[s] = id
			return nil
		}
		u, err := keys.ParseSURI(s)
		if err != nil {
			return fmt.Errorf("devnet: genesis account %q: %w", s, err)
		}
		rk := [2]string{u.Phrase, u.Password}
		kp := roots[rk]
		if kp == nil {
			root := u
			root.Path = nil
			if kp, err = root.Keypair(); err != nil {
				return fmt.Errorf("devnet: genesis account %q: %w", s, err)
			}
			roots[rk] = kp
		}
		for _, j := range u.Path {
			if kp, err = kp.Derive(j); err != nil {
				return fmt.Errorf("devnet: genesis account %q: %w", s, err)
			}
		}
		ids[s] = kp.Public()
		return nil
	}
	for _, a := range g.Accounts {
		if err := add(a.Account); err != nil {
			return nil, err
		}
	}
	for _, s := range g.Subnets {
		if s.Netuid == 0 {
			return nil, fmt.Errorf("devnet: genesis subnet 0 is the root network; use netuid 1 or more")
		}
		if err := add(s.Owner); err != nil {
			return nil, err
		}
		if s.OwnerHotkey != "" {
			if err := add(s.OwnerHotkey); err != nil {
				return nil, err
			}
		}
	}
	if g.Sudo != "" {
		if err := add(g.Sudo); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func isSURI(s string) bool {
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "0x") || strings.Contains(s, " ")
}

// resolveAccount reads an SS58 address or a secret URI.
func resolveAccount(s string) (accountID, error) {
	if isSURI(s) {
		kp, err := keys.FromSURI(s)
		if err != nil {
			return accountID{}, fmt.Errorf("devnet: genesis account %q: %w", s, err)
		}
		return kp.Public(), nil
	}
	pub, err := keys.DecodeAddress(s)
	if err != nil {
		return accountID{}, fmt.Errorf("devnet: genesis account %q is neither an SS58 address nor a secret URI: %w", s, err)
	}
	return pub, nil
}

// build writes the genesis state.
func (g *Genesis) build(x *exec, ids accountIDs) error {
	var total uint64
	for _, a := range g.Accounts {
		id := ids[a.Account]
		if a.Balance < g.ExistentialDeposit {
			return fmt.Errorf("devnet: genesis account %s: balance %d below the existential deposit %d", a.Account, a.Balance, g.ExistentialDeposit)
		}
		acc := x.s.account(id)
		acc.providers = 1
		acc.free += a.Balance
		x.s.putAccount(id, acc)
		total += a.Balance
	}
	x.s.putU64(keyPlain("Balances", "TotalIssuance"), total)
	if g.Sudo != "" {
		x.s.putAcc(keyPlain("Sudo", "Key"), ids[g.Sudo])
	}
	x.s.putU64(keyPlain("SubtensorModule", "StakeThreshold"), g.StakeThreshold)
	x.s.putU32(keyPlain("Commitments", "MaxSpace"), g.CommitmentMaxSpace)
	// The root network exists on every subtensor chain; nobody registers on it.
	x.s.putBool(keyNet("NetworksAdded", 0), true)
	x.s.putU16(keyNet("Tempo", 0), 0)
	x.s.putU16(keyPlain("SubtensorModule", "TotalNetworks"), 1)
	for _, s := range g.Subnets {
		owner := ids[s.Owner]
		hot := owner
		if s.OwnerHotkey != "" {
			hot = ids[s.OwnerHotkey]
		}
		p := g.SubnetDefaults
		if s.Params != nil {
			p = *s.Params
		}
		x.createSubnet(s.Netuid, owner, hot, p)
		x.s.putAcc(keyHot("Owner", hot), owner)
	}
	// System.BlockHash(0) holds a placeholder until block 1, as in FRAME.
	x.s.o.set(keyBlockHash(0), repeat(69, 32))
	return nil
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
