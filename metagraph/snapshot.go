// Package metagraph holds a subnet's metagraph as immutable snapshots and a
// Syncer that refreshes them in the background.
//
// Request handlers read the current [Snapshot] through one atomic pointer load
// and look a caller up by hotkey in a map: no lock, no allocation, no network.
// The [Syncer] is the only part that talks to the chain, through the one-method
// [Source] interface ([ChainSource] implements it on a subtensor.Client with a
// single runtime-API call), and it never blocks a reader: while the chain is
// unreachable readers keep the last snapshot and the Syncer reports its age.
//
// The package sits above subtensor: it imports subtensor (for ChainSource,
// [NeuronsFromMetagraph] and [NeuronsFromLite]), never the reverse. It must
// never call the chain on a request path and never mutate a published
// Snapshot.
package metagraph

import (
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"time"
	"unicode/utf8"

	"github.com/minerkit/minerkit/keys"
)

// RaoPerTAO is the number of rao in one TAO.
const RaoPerTAO = 1_000_000_000

// Axon is the endpoint a neuron announced with serve_axon.
type Axon struct {
	// Block is the block at which the axon was last served (0: never).
	Block    uint64     `json:"block"`
	Version  uint32     `json:"version"`
	IP       netip.Addr `json:"ip"`
	Port     uint16     `json:"port"`
	IPType   uint8      `json:"ip_type"`
	Protocol uint8      `json:"protocol"`
}

// Served reports whether the axon holds a usable address and port.
func (a Axon) Served() bool { return a.IP.IsValid() && !a.IP.IsUnspecified() && a.Port != 0 }

// String returns "ip:port", or "" when the axon was never served.
func (a Axon) String() string {
	if !a.Served() {
		return ""
	}
	return netip.AddrPortFrom(a.IP, a.Port).String()
}

// Neuron is one UID of a subnet as the chain reported it when the snapshot was
// taken. Values obtained from a Snapshot share memory with it (Commitment):
// callers must not modify them.
type Neuron struct {
	UID uint16 `json:"uid"`
	// Hotkey is the SS58 address (prefix 42) of HotkeyPub.
	Hotkey    string         `json:"hotkey"`
	HotkeyPub keys.PublicKey `json:"-"`
	// Coldkey is the SS58 address (prefix 42) of ColdkeyPub.
	Coldkey    string         `json:"coldkey"`
	ColdkeyPub keys.PublicKey `json:"-"`
	// Stake is the neuron's stake weight, the figure validator permits and
	// the guard compare: alpha on the subnet + root stake × TaoWeight,
	// children and parents included (subtensor HEAD
	// get_stake_weights_for_hotkey_on_subnet), in 1e-9 α (total stake in rao
	// before dynamic TAO). The JSON name keeps its old "_rao" suffix.
	Stake uint64 `json:"stake_rao"`
	// AlphaStake is the inherited alpha on the subnet (1e-9 α) and
	// RootStake the inherited root stake (rao of TAO) Stake is made of.
	AlphaStake      uint64 `json:"alpha_stake"`
	RootStake       uint64 `json:"root_stake"`
	ValidatorPermit bool   `json:"validator_permit"`
	Active          bool   `json:"active"`
	// Incentive, Consensus and Dividends are the chain's u16 fractions
	// scaled to [0, 1].
	Incentive float64 `json:"incentive"`
	Consensus float64 `json:"consensus"`
	Dividends float64 `json:"dividends"`
	// Emission is the rao the neuron earned in the last epoch.
	Emission uint64 `json:"emission_rao"`
	Axon     Axon   `json:"axon"`
	// Commitment is the data the hotkey committed with
	// Commitments.set_commitment (its fields concatenated), nil when none.
	Commitment []byte `json:"commitment,omitempty"`
}

// StakeTAO returns the stake weight in whole units. Despite its name the
// unit is α (stake weight is counted in the subnet's alpha).
func (n Neuron) StakeTAO() float64 { return float64(n.Stake) / RaoPerTAO }

// CommitmentText returns the commitment as text when it is valid UTF-8, and
// "" otherwise.
func (n Neuron) CommitmentText() string {
	if !utf8.Valid(n.Commitment) {
		return ""
	}
	return string(n.Commitment)
}

// Snapshot is an immutable view of one subnet's metagraph at one block.
// All methods are safe for concurrent use; a nil *Snapshot is an empty one.
type Snapshot struct {
	block   uint64
	netuid  uint16
	takenAt time.Time
	neurons []Neuron
	permits int
	byHot   map[string]int32
	byPub   map[keys.PublicKey]int32
}

// MaxPrecomputedKeys bounds the validators whose keys a Syncer precomputes
// (102 KiB each): a subnet has at most 256 validator permits.
const MaxPrecomputedKeys = 256

// verifyKeys returns precomputed verification keys
// (keys.NewPrecomputedVerifyKey) of the permitted validators of s, in UID
// order, at most MaxPrecomputedKeys; keys in prev are reused, so a refresh
// builds only the new validators' tables.
func (s *Snapshot) verifyKeys(prev map[string]*keys.VerifyKey) map[string]*keys.VerifyKey {
	out := make(map[string]*keys.VerifyKey, min(s.permits, MaxPrecomputedKeys))
	for i := range s.neurons {
		n := &s.neurons[i]
		if !n.ValidatorPermit || len(out) == MaxPrecomputedKeys {
			continue
		}
		if vk, ok := prev[n.Hotkey]; ok {
			out[n.Hotkey] = vk
			continue
		}
		// A hotkey that is not a valid point never signs: leave it out.
		if vk, err := keys.NewPrecomputedVerifyKey(n.HotkeyPub); err == nil {
			out[n.Hotkey] = vk
		}
	}
	return out
}

// Errors NewSnapshot returns; match them with errors.Is.
var (
	ErrDuplicateHotkey = errors.New("metagraph: duplicate hotkey")
	ErrBadHotkey       = errors.New("metagraph: bad hotkey")
)

// NewSnapshot builds a Snapshot from the neurons of netuid at block. It copies
// the slice (not the Commitment bytes, which must not change afterwards). A
// neuron whose Hotkey or Coldkey is empty gets the SS58 address of its public
// key (and the reverse); Hotkey is normalized to SS58 prefix 42. A Hotkey that
// disagrees with HotkeyPub, or a hotkey present twice, is an error, because the
// guard would otherwise admit the wrong caller.
func NewSnapshot(netuid uint16, block uint64, takenAt time.Time, neurons []Neuron) (*Snapshot, error) {
	s := &Snapshot{
		block:   block,
		netuid:  netuid,
		takenAt: takenAt,
		neurons: make([]Neuron, len(neurons)),
		byHot:   make(map[string]int32, len(neurons)),
		byPub:   make(map[keys.PublicKey]int32, len(neurons)),
	}
	copy(s.neurons, neurons)
	for i := range s.neurons {
		n := &s.neurons[i]
		if n.Hotkey != "" {
			pub, err := keys.DecodeAddress(n.Hotkey)
			switch {
			case err != nil:
				return nil, fmt.Errorf("%w: uid %d hotkey %q: %w", ErrBadHotkey, n.UID, n.Hotkey, err)
			case n.HotkeyPub == (keys.PublicKey{}):
				n.HotkeyPub = pub
			case pub != n.HotkeyPub:
				return nil, fmt.Errorf("%w: uid %d hotkey %q is not %s (fill one of Hotkey and HotkeyPub)", ErrBadHotkey, n.UID, n.Hotkey, n.HotkeyPub.Hex())
			}
		}
		// Callers present prefix-42 addresses (Epistula-Signed-By), so index
		// that form whatever prefix the Source used.
		n.Hotkey = n.HotkeyPub.Address()
		if n.Coldkey == "" && n.ColdkeyPub != (keys.PublicKey{}) {
			n.Coldkey = n.ColdkeyPub.Address()
		}
		if j, dup := s.byPub[n.HotkeyPub]; dup {
			return nil, fmt.Errorf("%w: %s is uid %d and uid %d", ErrDuplicateHotkey, n.Hotkey, s.neurons[j].UID, n.UID)
		}
		if n.ValidatorPermit {
			s.permits++
		}
		s.byHot[n.Hotkey] = int32(i)
		s.byPub[n.HotkeyPub] = int32(i)
	}
	return s, nil
}

// withTakenAt returns a shallow copy of s (sharing its immutable maps and
// slice) with another taken-at time.
func (s *Snapshot) withTakenAt(t time.Time) *Snapshot {
	c := *s
	c.takenAt = t
	return &c
}

// Block returns the block the snapshot was read at.
func (s *Snapshot) Block() uint64 {
	if s == nil {
		return 0
	}
	return s.block
}

// NetUID returns the subnet the snapshot describes.
func (s *Snapshot) NetUID() uint16 {
	if s == nil {
		return 0
	}
	return s.netuid
}

// TakenAt returns when the snapshot was read from the chain.
func (s *Snapshot) TakenAt() time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.takenAt
}

// Len returns the number of neurons.
func (s *Snapshot) Len() int {
	if s == nil {
		return 0
	}
	return len(s.neurons)
}

// Lookup returns the neuron whose hotkey has the SS58 address hotkey. It is
// O(1) and allocation-free, which is what the request path needs.
func (s *Snapshot) Lookup(hotkey string) (Neuron, bool) {
	if s == nil {
		return Neuron{}, false
	}
	i, ok := s.byHot[hotkey]
	if !ok {
		return Neuron{}, false
	}
	return s.neurons[i], true
}

// LookupKey returns the neuron whose hotkey is pub.
func (s *Snapshot) LookupKey(pub keys.PublicKey) (Neuron, bool) {
	if s == nil {
		return Neuron{}, false
	}
	i, ok := s.byPub[pub]
	if !ok {
		return Neuron{}, false
	}
	return s.neurons[i], true
}

// UID returns the neuron with the given uid.
func (s *Snapshot) UID(uid uint16) (Neuron, bool) {
	if s == nil {
		return Neuron{}, false
	}
	// UIDs are normally dense and in order; fall back to a scan otherwise.
	if int(uid) < len(s.neurons) && s.neurons[uid].UID == uid {
		return s.neurons[uid], true
	}
	for _, n := range s.neurons {
		if n.UID == uid {
			return n, true
		}
	}
	return Neuron{}, false
}

// All iterates over the neurons in the order the Source gave them (by UID).
func (s *Snapshot) All() iter.Seq[Neuron] {
	return func(yield func(Neuron) bool) {
		if s == nil {
			return
		}
		for _, n := range s.neurons {
			if !yield(n) {
				return
			}
		}
	}
}

// Validators returns the number of neurons holding a validator permit.
func (s *Snapshot) Validators() int {
	if s == nil {
		return 0
	}
	return s.permits
}
