package subtensor

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate/rpc"
)

// StakeWeight is one hotkey's stake on a subnet as the chain weighs it for
// validator permits and Yuma consensus. All three figures are integers in
// the chain's smallest unit (1e-9 of a token): Alpha in the subnet's alpha,
// Root in TAO, Weight in alpha.
type StakeWeight struct {
	// Alpha is the hotkey's alpha on the subnet after child/parent
	// inheritance (HEAD staking/stake_utils.rs
	// get_inherited_for_hotkey_on_subnet).
	Alpha Rao `json:"alpha"`
	// Root is its root (netuid 0) TAO stake after inheritance through the
	// subnet's child keys (get_tao_inherited_for_hotkey_on_subnet).
	Root Rao `json:"root"`
	// Weight is Alpha + Root × TaoWeight, the figure permits and the
	// validator gate compare (get_stake_weights_for_hotkey_on_subnet).
	Weight Rao `json:"weight"`
}

// ErrStakeUnreadable is returned (wrapped) when a runtime has none of the
// storage a stake figure is computed from. Callers must treat the stake as
// unknown, never as zero.
var ErrStakeUnreadable = errors.New("subtensor: stake weight cannot be read on this runtime")

// stakeKeysPerCall bounds the keys of one state_queryStorageAt call.
const stakeKeysPerCall = 512

// TaoWeight returns the subnet's TaoWeight as the stored u64 (the weight is
// that over u64::MAX): a plain value on current runtimes, a map by netuid on
// early dynamic-TAO runtimes such as spec 218. ok is false when the runtime
// has no TaoWeight (root stake then does not count).
func (c *Client) TaoWeight(ctx context.Context, netuid uint16) (w uint64, ok bool, err error) {
	p, ok := c.Metadata().Pallet("SubtensorModule")
	if !ok {
		return 0, false, nil
	}
	e, ok := p.StorageEntry("TaoWeight")
	if !ok {
		return 0, false, nil
	}
	var keys [][]byte
	if !e.Plain {
		keys = append(keys, u16Key(netuid))
	}
	raw, err := c.storageOrDefault(ctx, "SubtensorModule", "TaoWeight", keys...)
	if err != nil {
		return 0, false, err
	}
	w, err = decodeU64(raw, "SubtensorModule.TaoWeight")
	return w, err == nil, err
}

// StakeWeights computes the stake weight of each hotkey on netuid from
// storage, read at one block, exactly as subtensor HEAD does
// (get_stake_weights_for_hotkey_on_subnet): TotalHotkeyAlpha on the subnet
// and on root, ChildKeys/ParentKeys of the subnet, TaoWeight. It is what
// [Client.SubnetMetagraph] uses on runtimes whose get_neurons_lite carries
// no stake. Before dynamic TAO (no TotalHotkeyAlpha) Weight is
// TotalHotkeyStake. The error wraps ErrStakeUnreadable when the runtime has
// neither.
func (c *Client) StakeWeights(ctx context.Context, netuid uint16, hotkeys []keys.PublicKey) ([]StakeWeight, error) {
	at, err := c.rpc.ChainGetBestBlockHash(ctx)
	if err != nil {
		return nil, fmt.Errorf("subtensor: read best block: %w", err)
	}
	return c.stakeWeightsAt(ctx, netuid, hotkeys, at)
}

// stakeWeightsAt is StakeWeights at the block at.
func (c *Client) stakeWeightsAt(ctx context.Context, netuid uint16, hotkeys []keys.PublicKey, at rpc.Hash) ([]StakeWeight, error) {
	md := c.Metadata()
	p, ok := md.Pallet("SubtensorModule")
	if !ok {
		return nil, fmt.Errorf("%w: no SubtensorModule pallet", ErrStakeUnreadable)
	}
	out := make([]StakeWeight, len(hotkeys))
	if _, ok := p.StorageEntry("TotalHotkeyAlpha"); !ok {
		if _, ok := p.StorageEntry("TotalHotkeyStake"); !ok {
			return nil, fmt.Errorf("%w: neither TotalHotkeyAlpha nor TotalHotkeyStake exists", ErrStakeUnreadable)
		}
		r := storageBatch{c: c, at: at}
		for _, hk := range hotkeys {
			if err := r.want("TotalHotkeyStake", hk[:]); err != nil {
				return nil, err
			}
		}
		if err := r.fetch(ctx); err != nil {
			return nil, err
		}
		for i, hk := range hotkeys {
			v, err := r.u64("TotalHotkeyStake", hk[:])
			if err != nil {
				return nil, err
			}
			out[i] = StakeWeight{Alpha: Rao(v), Weight: Rao(v)}
		}
		return out, nil
	}
	_, children := p.StorageEntry("ChildKeys")
	_, parents := p.StorageEntry("ParentKeys")
	tw, _, err := c.TaoWeight(ctx, netuid)
	if err != nil {
		return nil, err
	}

	// First round: every hotkey's own stakes and relations.
	r := storageBatch{c: c, at: at}
	for _, hk := range hotkeys {
		if err := r.wantStakes(hk, netuid); err != nil {
			return nil, err
		}
		if children {
			if err := r.want("ChildKeys", hk[:], u16Key(netuid)); err != nil {
				return nil, err
			}
		}
		if parents {
			if err := r.want("ParentKeys", hk[:], u16Key(netuid)); err != nil {
				return nil, err
			}
		}
	}
	if err := r.fetch(ctx); err != nil {
		return nil, err
	}
	rel := make([]struct{ children, parents []proportion }, len(hotkeys))
	for i, hk := range hotkeys {
		if children {
			if rel[i].children, err = r.proportions("ChildKeys", hk[:], u16Key(netuid)); err != nil {
				return nil, err
			}
		}
		if parents {
			if rel[i].parents, err = r.proportions("ParentKeys", hk[:], u16Key(netuid)); err != nil {
				return nil, err
			}
			// Second round: parents that are not among hotkeys.
			for _, pa := range rel[i].parents {
				if err := r.wantStakes(pa.account, netuid); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := r.fetch(ctx); err != nil {
		return nil, err
	}

	for i, hk := range hotkeys {
		alpha, root, err := r.stakes(hk, netuid)
		if err != nil {
			return nil, err
		}
		var pAlpha, pRoot []uint64
		for _, pa := range rel[i].parents {
			a, t, err := r.stakes(pa.account, netuid)
			if err != nil {
				return nil, err
			}
			pAlpha, pRoot = append(pAlpha, a), append(pRoot, t)
		}
		w := StakeWeight{
			Alpha: Rao(inherited(alpha, rel[i].children, rel[i].parents, pAlpha)),
			Root:  Rao(inherited(root, rel[i].children, rel[i].parents, pRoot)),
		}
		if netuid == 0 {
			// get_inherited_for_hotkey_on_subnet returns root's own alpha
			// without inheritance.
			w.Alpha = Rao(alpha)
		}
		w.Weight = Rao(StakeWeightOf(uint64(w.Alpha), uint64(w.Root), tw))
		out[i] = w
	}
	return out, nil
}

// StakeWeightOf is alpha + root × taoWeight/u64::MAX with the chain's
// fixed-point rounding: the weight is a U96F32 (32 fractional bits,
// truncated), the product is truncated to an integer, and the sum saturates.
func StakeWeightOf(alpha, root, taoWeight uint64) uint64 {
	tw := fixedRatio(taoWeight)
	x := new(big.Int).Mul(new(big.Int).SetUint64(root), tw)
	x.Rsh(x, 32)
	x.Add(x, new(big.Int).SetUint64(alpha))
	return saturateU64(x)
}

// fixedRatio is v / u64::MAX as a U96F32's bits (value × 2^32, truncated).
func fixedRatio(v uint64) *big.Int {
	x := new(big.Int).Lsh(new(big.Int).SetUint64(v), 32)
	return x.Quo(x, new(big.Int).SetUint64(^uint64(0)))
}

func saturateU64(x *big.Int) uint64 {
	if x.Sign() < 0 {
		return 0
	}
	if !x.IsUint64() {
		return ^uint64(0)
	}
	return x.Uint64()
}

// proportion is one ChildKeys/ParentKeys entry.
type proportion struct {
	share   uint64 // over u64::MAX
	account keys.PublicKey
}

// inherited is HEAD's get_inherited_for_hotkey_on_subnet arithmetic in
// U96F32: own − Σ own×child share + Σ parent stake×parent share, floored.
func inherited(own uint64, children, parents []proportion, parentStake []uint64) uint64 {
	base := new(big.Int).Lsh(new(big.Int).SetUint64(own), 32)
	toChildren := new(big.Int)
	for _, ch := range children {
		toChildren.Add(toChildren, new(big.Int).Mul(new(big.Int).SetUint64(own), fixedRatio(ch.share)))
	}
	fromParents := new(big.Int)
	for i, pa := range parents {
		fromParents.Add(fromParents, new(big.Int).Mul(new(big.Int).SetUint64(parentStake[i]), fixedRatio(pa.share)))
	}
	if base.Cmp(toChildren) <= 0 {
		base.SetInt64(0)
	} else {
		base.Sub(base, toChildren)
	}
	base.Add(base, fromParents)
	return saturateU64(base.Rsh(base, 32))
}

// storageBatch reads SubtensorModule storage at one block, in batches of
// state_queryStorageAt calls.
type storageBatch struct {
	c       *Client
	at      rpc.Hash
	pending [][]byte
	values  map[string][]byte // by raw key
	fetched map[string]bool   // keys asked for
}

func (r *storageBatch) key(item string, parts ...[]byte) ([]byte, error) {
	k, err := r.c.Metadata().StorageKeyEncoded("SubtensorModule", item, parts...)
	if err != nil {
		return nil, fmt.Errorf("subtensor: %w", err)
	}
	return k, nil
}

func (r *storageBatch) want(item string, parts ...[]byte) error {
	k, err := r.key(item, parts...)
	if err != nil {
		return err
	}
	if r.fetched[string(k)] {
		return nil
	}
	if r.fetched == nil {
		r.fetched = map[string]bool{}
		r.values = map[string][]byte{}
	}
	r.fetched[string(k)] = true
	r.pending = append(r.pending, k)
	return nil
}

func (r *storageBatch) wantStakes(hk keys.PublicKey, netuid uint16) error {
	if err := r.want("TotalHotkeyAlpha", hk[:], u16Key(netuid)); err != nil {
		return err
	}
	return r.want("TotalHotkeyAlpha", hk[:], u16Key(0))
}

func (r *storageBatch) fetch(ctx context.Context) error {
	for len(r.pending) > 0 {
		n := min(len(r.pending), stakeKeysPerCall)
		batch := r.pending[:n]
		r.pending = r.pending[n:]
		sets, err := r.c.rpc.StateQueryStorageAt(ctx, batch, &r.at)
		if err != nil {
			return fmt.Errorf("subtensor: read stake storage: %w", err)
		}
		for _, set := range sets {
			for _, ch := range set.Changes {
				if ch.Exists {
					r.values[string(ch.Key)] = ch.Value
				}
			}
		}
	}
	return nil
}

// raw returns the stored bytes, or the entry's default when absent.
func (r *storageBatch) raw(item string, parts ...[]byte) ([]byte, error) {
	k, err := r.key(item, parts...)
	if err != nil {
		return nil, err
	}
	if !r.fetched[string(k)] {
		return nil, fmt.Errorf("subtensor: %s not read", item) // a bug in StakeWeights
	}
	if v, ok := r.values[string(k)]; ok {
		return v, nil
	}
	_, e, err := r.c.Metadata().LookupStorage("SubtensorModule", item)
	if err != nil {
		return nil, fmt.Errorf("subtensor: %w", err)
	}
	return e.Default, nil
}

func (r *storageBatch) u64(item string, parts ...[]byte) (uint64, error) {
	raw, err := r.raw(item, parts...)
	if err != nil {
		return 0, err
	}
	return decodeU64(raw, "SubtensorModule."+item)
}

func (r *storageBatch) stakes(hk keys.PublicKey, netuid uint16) (alpha, root uint64, err error) {
	if alpha, err = r.u64("TotalHotkeyAlpha", hk[:], u16Key(netuid)); err != nil {
		return 0, 0, err
	}
	root, err = r.u64("TotalHotkeyAlpha", hk[:], u16Key(0))
	return alpha, root, err
}

// proportions decodes a Vec<(u64, AccountId)> (ChildKeys, ParentKeys).
func (r *storageBatch) proportions(item string, parts ...[]byte) ([]proportion, error) {
	raw, err := r.raw(item, parts...)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, nil
	}
	d := scale.NewDecoder(raw)
	n, err := d.Len(40)
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode SubtensorModule.%s: %w", item, err)
	}
	out := make([]proportion, n)
	for i := range out {
		if out[i].share, err = d.U64(); err != nil {
			return nil, fmt.Errorf("subtensor: decode SubtensorModule.%s: %w", item, err)
		}
		if err := decodeAccount(d, &out[i].account); err != nil {
			return nil, fmt.Errorf("subtensor: decode SubtensorModule.%s: %w", item, err)
		}
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("subtensor: decode SubtensorModule.%s: %w", item, err)
	}
	return out, nil
}

// StakeMoved reads the amounts of a StakeAdded or StakeRemoved event in
// r: the TAO that moved (rao) and the alpha it bought or that was sold
// (1e-9 α). On dynamic-TAO runtimes the two differ: stake swaps through the
// subnet's pool. ok is false when r holds no such event or its fields are
// not the (coldkey, hotkey, tao, alpha, netuid, …) of current runtimes.
func StakeMoved(r *TxResult) (tao, alpha Rao, ok bool) {
	for _, name := range []string{"StakeAdded", "StakeRemoved"} {
		e, found := r.Event("SubtensorModule", name)
		if !found {
			continue
		}
		t, ok1 := e.Fields.At(2)
		a, ok2 := e.Fields.At(3)
		if !ok1 || !ok2 {
			return 0, 0, false
		}
		tv, ok1 := t.Uint64()
		av, ok2 := a.Uint64()
		if !ok1 || !ok2 {
			return 0, 0, false
		}
		return Rao(tv), Rao(av), true
	}
	return 0, 0, false
}
