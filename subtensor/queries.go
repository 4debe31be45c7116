package subtensor

import (
	"bytes"
	"context"
	"fmt"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate/rpc"
)

// Balance is an account's balances (System.Account data).
type Balance struct {
	Free     Rao    `json:"free"`
	Reserved Rao    `json:"reserved"`
	Frozen   Rao    `json:"frozen"`
	Nonce    uint32 `json:"nonce"`
}

func u16Key(v uint16) []byte { return scale.AppendU16(nil, v) }

// storage reads pallet.item(keys…) at the best block; ok is false when the
// key is absent.
func (c *Client) storage(ctx context.Context, pallet, item string, keys ...[]byte) ([]byte, bool, error) {
	md := c.Metadata()
	k, err := md.StorageKeyEncoded(pallet, item, keys...)
	if err != nil {
		return nil, false, fmt.Errorf("subtensor: %w", err)
	}
	v, ok, err := c.rpc.StateGetStorage(ctx, k, nil)
	if err != nil {
		return nil, false, fmt.Errorf("subtensor: read %s.%s: %w", pallet, item, err)
	}
	return v, ok, nil
}

// storageOrDefault is storage with the entry's default for absent keys.
func (c *Client) storageOrDefault(ctx context.Context, pallet, item string, keys ...[]byte) ([]byte, error) {
	v, ok, err := c.storage(ctx, pallet, item, keys...)
	if err != nil || ok {
		return v, err
	}
	_, e, err := c.Metadata().LookupStorage(pallet, item)
	if err != nil {
		return nil, fmt.Errorf("subtensor: %w", err)
	}
	return e.Default, nil
}

func decodeU64(b []byte, what string) (uint64, error) {
	d := scale.NewDecoder(b)
	v, err := d.U64()
	if err == nil {
		err = d.Finish()
	}
	if err != nil {
		return 0, fmt.Errorf("subtensor: decode %s: %w", what, err)
	}
	return v, nil
}

func decodeU16(b []byte, what string) (uint16, error) {
	d := scale.NewDecoder(b)
	v, err := d.U16()
	if err == nil {
		err = d.Finish()
	}
	if err != nil {
		return 0, fmt.Errorf("subtensor: decode %s: %w", what, err)
	}
	return v, nil
}

// Balance returns the balances of an account.
func (c *Client) Balance(ctx context.Context, account keys.PublicKey) (Balance, error) {
	raw, ok, err := c.storage(ctx, "System", "Account", account[:])
	if err != nil || !ok {
		return Balance{}, err
	}
	v, err := c.Metadata().DecodeStorageValue("System", "Account", raw)
	if err != nil {
		return Balance{}, fmt.Errorf("subtensor: decode System.Account: %w", err)
	}
	var b Balance
	if n, ok := v.Field("nonce"); ok {
		x, _ := n.Uint64()
		b.Nonce = uint32(x)
	}
	data, _ := v.Field("data")
	get := func(names ...string) Rao {
		for _, name := range names {
			if f, ok := data.Field(name); ok {
				x, _ := f.Uint64()
				return Rao(x)
			}
		}
		return 0
	}
	b.Free = get("free")
	b.Reserved = get("reserved")
	b.Frozen = get("frozen", "misc_frozen")
	return b, nil
}

// SubnetExists reports whether netuid is a subnet.
func (c *Client) SubnetExists(ctx context.Context, netuid uint16) (bool, error) {
	raw, err := c.storageOrDefault(ctx, "SubtensorModule", "NetworksAdded", u16Key(netuid))
	if err != nil {
		return false, err
	}
	return len(raw) == 1 && raw[0] == 1, nil
}

// UID returns the UID of hotkey on netuid; ok is false when it has none.
func (c *Client) UID(ctx context.Context, netuid uint16, hotkey keys.PublicKey) (uid uint16, ok bool, err error) {
	raw, ok, err := c.storage(ctx, "SubtensorModule", "Uids", u16Key(netuid), hotkey[:])
	if err != nil || !ok {
		return 0, false, err
	}
	uid, err = decodeU16(raw, "SubtensorModule.Uids")
	return uid, err == nil, err
}

// IsHotkeyRegistered reports whether hotkey has a UID on netuid.
func (c *Client) IsHotkeyRegistered(ctx context.Context, netuid uint16, hotkey keys.PublicKey) (bool, error) {
	_, ok, err := c.UID(ctx, netuid, hotkey)
	return ok, err
}

// BurnPrice returns the current burned_register price of netuid.
func (c *Client) BurnPrice(ctx context.Context, netuid uint16) (Rao, error) {
	raw, err := c.storageOrDefault(ctx, "SubtensorModule", "Burn", u16Key(netuid))
	if err != nil {
		return 0, err
	}
	v, err := decodeU64(raw, "SubtensorModule.Burn")
	return Rao(v), err
}

// Axon returns hotkey's axon on netuid, or nil if it never served one.
func (c *Client) Axon(ctx context.Context, netuid uint16, hotkey keys.PublicKey) (*AxonInfo, error) {
	raw, ok, err := c.storage(ctx, "SubtensorModule", "Axons", u16Key(netuid), hotkey[:])
	if err != nil || !ok {
		return nil, err
	}
	d := scale.NewDecoder(raw)
	a, err := DecodeAxonInfo(d)
	if err == nil {
		err = d.Finish()
	}
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode SubtensorModule.Axons: %w", err)
	}
	return &a, nil
}

// Stake returns hotkey's stake on netuid: TotalHotkeyAlpha(hotkey, netuid)
// on dynamic-TAO runtimes, TotalHotkeyStake(hotkey) before.
func (c *Client) Stake(ctx context.Context, netuid uint16, hotkey keys.PublicKey) (Rao, error) {
	var raw []byte
	var err error
	if c.Features().DynamicTAO {
		raw, err = c.storageOrDefault(ctx, "SubtensorModule", "TotalHotkeyAlpha", hotkey[:], u16Key(netuid))
	} else {
		raw, err = c.storageOrDefault(ctx, "SubtensorModule", "TotalHotkeyStake", hotkey[:])
	}
	if err != nil {
		return 0, err
	}
	v, err := decodeU64(raw, "hotkey stake")
	return Rao(v), err
}

// Commitment returns what account committed on netuid, or nil.
func (c *Client) Commitment(ctx context.Context, netuid uint16, account keys.PublicKey) (*Commitment, error) {
	raw, ok, err := c.storage(ctx, "Commitments", "CommitmentOf", u16Key(netuid), account[:])
	if err != nil || !ok {
		return nil, err
	}
	return DecodeCommitment(raw, c.Features().CommitmentMaxFields)
}

// Commitments returns every commitment on netuid by account, read at one
// block with state_getKeysPaged and state_queryStorageAt.
func (c *Client) Commitments(ctx context.Context, netuid uint16) (map[keys.PublicKey]*Commitment, error) {
	md := c.Metadata()
	prefix, err := md.StorageKeyEncoded("Commitments", "CommitmentOf", u16Key(netuid))
	if err != nil {
		return nil, fmt.Errorf("subtensor: %w", err)
	}
	at, err := c.rpc.ChainGetBestBlockHash(ctx)
	if err != nil {
		return nil, fmt.Errorf("subtensor: read best block: %w", err)
	}
	return c.commitmentsAt(ctx, prefix, at)
}

func (c *Client) commitmentsAt(ctx context.Context, prefix []byte, at rpc.Hash) (map[keys.PublicKey]*Commitment, error) {
	out := map[keys.PublicKey]*Commitment{}
	maxFields := c.Features().CommitmentMaxFields
	var start []byte
	const page = 1000
	for {
		ks, err := c.rpc.StateGetKeysPaged(ctx, prefix, page, start, &at)
		if err != nil {
			return nil, fmt.Errorf("subtensor: list commitments: %w", err)
		}
		if len(ks) == 0 {
			break
		}
		sets, err := c.rpc.StateQueryStorageAt(ctx, ks, &at)
		if err != nil {
			return nil, fmt.Errorf("subtensor: read commitments: %w", err)
		}
		for _, set := range sets {
			for _, ch := range set.Changes {
				k := []byte(ch.Key)
				// key = prefix(32) || netuid(2, Identity) || twox64(8) || account(32)
				if len(k) != len(prefix)+8+32 || !bytes.HasPrefix(k, prefix) || !ch.Exists {
					continue
				}
				var acct keys.PublicKey
				copy(acct[:], k[len(prefix)+8:])
				cm, err := DecodeCommitment(ch.Value, maxFields)
				if err != nil {
					return nil, fmt.Errorf("subtensor: commitment of %s: %w", acct.Address(), err)
				}
				out[acct] = cm
			}
		}
		if len(ks) < page {
			break
		}
		start = ks[len(ks)-1]
	}
	return out, nil
}

// NeuronsLite returns every neuron of netuid (one runtime-API call).
func (c *Client) NeuronsLite(ctx context.Context, netuid uint16) ([]NeuronInfoLite, error) {
	raw, err := c.rpc.StateCall(ctx, "NeuronInfoRuntimeApi_get_neurons_lite", u16Key(netuid), nil)
	if err != nil {
		return nil, fmt.Errorf("subtensor: get_neurons_lite(%d): %w", netuid, err)
	}
	return DecodeNeuronsLiteLayout(raw, c.Features().NeuronLiteLayout)
}

// NeuronLite returns one neuron, or nil if uid is not in use.
func (c *Client) NeuronLite(ctx context.Context, netuid, uid uint16) (*NeuronInfoLite, error) {
	raw, err := c.rpc.StateCall(ctx, "NeuronInfoRuntimeApi_get_neuron_lite", scale.AppendU16(u16Key(netuid), uid), nil)
	if err != nil {
		return nil, fmt.Errorf("subtensor: get_neuron_lite(%d, %d): %w", netuid, uid, err)
	}
	return DecodeNeuronLite(raw)
}

// Metagraph returns the subnet's metagraph from one
// SubnetInfoRuntimeApi_get_metagraph call. It returns an error wrapping
// ErrNoSubnet when the subnet does not exist.
func (c *Client) Metagraph(ctx context.Context, netuid uint16) (*Metagraph, error) {
	f := c.Features()
	if !f.MetagraphAPI {
		return nil, fmt.Errorf("%w: SubnetInfoRuntimeApi.get_metagraph is missing or has an unknown layout (spec %d); use NeuronsLite", ErrUnsupported, f.SpecVersion)
	}
	raw, err := c.rpc.StateCall(ctx, "SubnetInfoRuntimeApi_get_metagraph", u16Key(netuid), nil)
	if err != nil {
		return nil, fmt.Errorf("subtensor: get_metagraph(%d): %w", netuid, err)
	}
	m, err := DecodeMetagraph(raw, f.MetagraphLayout)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%w: netuid %d", ErrNoSubnet, netuid)
	}
	return m, nil
}

// BlockNumber returns the best block's number.
func (c *Client) BlockNumber(ctx context.Context) (uint64, error) {
	h, err := c.rpc.ChainGetHeader(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("subtensor: read best block: %w", err)
	}
	return uint64(h.Number), nil
}
