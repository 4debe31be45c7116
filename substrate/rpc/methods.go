package rpc

import (
	"context"
	"encoding/json"
	"fmt"
)

// ChainGetBlockHash calls chain_getBlockHash(number). An unknown height is
// an error wrapping ErrNotFound.
func (c *Client) ChainGetBlockHash(ctx context.Context, number uint64) (Hash, error) {
	var h Hash
	err := c.call(ctx, &h, "chain_getBlockHash", number)
	return h, err
}

// ChainGetBestBlockHash calls chain_getBlockHash() for the best block.
func (c *Client) ChainGetBestBlockHash(ctx context.Context) (Hash, error) {
	var h Hash
	err := c.call(ctx, &h, "chain_getBlockHash")
	return h, err
}

// ChainGetHeader calls chain_getHeader(at); at nil means the best block.
func (c *Client) ChainGetHeader(ctx context.Context, at *Hash) (*Header, error) {
	var h Header
	if err := c.call(ctx, &h, "chain_getHeader", optHash(at)...); err != nil {
		return nil, err
	}
	return &h, nil
}

// ChainGetBlock calls chain_getBlock(at); at nil means the best block.
func (c *Client) ChainGetBlock(ctx context.Context, at *Hash) (*SignedBlock, error) {
	var b SignedBlock
	if err := c.call(ctx, &b, "chain_getBlock", optHash(at)...); err != nil {
		return nil, err
	}
	return &b, nil
}

// ChainGetFinalizedHead calls chain_getFinalizedHead.
func (c *Client) ChainGetFinalizedHead(ctx context.Context) (Hash, error) {
	var h Hash
	err := c.call(ctx, &h, "chain_getFinalizedHead")
	return h, err
}

// StateGetMetadata calls state_getMetadata(at) and returns the SCALE
// metadata bytes ("meta" magic first).
func (c *Client) StateGetMetadata(ctx context.Context, at *Hash) ([]byte, error) {
	var b Bytes
	err := c.call(ctx, &b, "state_getMetadata", optHash(at)...)
	return b, err
}

// StateGetRuntimeVersion calls state_getRuntimeVersion(at).
func (c *Client) StateGetRuntimeVersion(ctx context.Context, at *Hash) (*RuntimeVersion, error) {
	var v RuntimeVersion
	if err := c.call(ctx, &v, "state_getRuntimeVersion", optHash(at)...); err != nil {
		return nil, err
	}
	return &v, nil
}

// StateGetStorage calls state_getStorage(key, at) and returns the SCALE
// value; ok is false when nothing is stored under key.
func (c *Client) StateGetStorage(ctx context.Context, key []byte, at *Hash) (value []byte, ok bool, err error) {
	raw, err := c.t.Request(ctx, "state_getStorage", append([]any{Bytes(key)}, optHash(at)...)...)
	if err != nil {
		return nil, false, err
	}
	if isNull(raw) {
		return nil, false, nil
	}
	var b Bytes
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, false, fmt.Errorf("rpc: state_getStorage: %w: %w", ErrBadResponse, err)
	}
	return b, true, nil
}

// StateQueryStorageAt calls state_queryStorageAt(keys, at): the values of
// many keys at one block in a single round trip.
func (c *Client) StateQueryStorageAt(ctx context.Context, keys [][]byte, at *Hash) ([]StorageChangeSet, error) {
	ks := make([]Bytes, len(keys))
	for i, k := range keys {
		ks[i] = k
	}
	var out []StorageChangeSet
	err := c.call(ctx, &out, "state_queryStorageAt", append([]any{ks}, optHash(at)...)...)
	return out, err
}

// StateGetKeysPaged calls state_getKeysPaged(prefix, count, startKey, at):
// up to count keys under prefix that sort after startKey (nil: from the
// start). Page by passing the last key returned as the next startKey.
func (c *Client) StateGetKeysPaged(ctx context.Context, prefix []byte, count uint32, startKey []byte, at *Hash) ([][]byte, error) {
	params := []any{Bytes(prefix), count}
	if startKey != nil || at != nil {
		if startKey == nil {
			params = append(params, nil)
		} else {
			params = append(params, Bytes(startKey))
		}
	}
	params = append(params, optHash(at)...)
	var keys []Bytes
	raw, err := c.t.Request(ctx, "state_getKeysPaged", params...)
	if err != nil {
		return nil, err
	}
	if !isNull(raw) {
		if err := json.Unmarshal(raw, &keys); err != nil {
			return nil, fmt.Errorf("rpc: state_getKeysPaged: %w: %w", ErrBadResponse, err)
		}
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out, nil
}

// StateCall calls state_call(method, data, at): a runtime API call such as
// "NeuronInfoRuntimeApi_get_neurons_lite" with SCALE-encoded arguments. It
// returns the SCALE-encoded result.
func (c *Client) StateCall(ctx context.Context, method string, data []byte, at *Hash) ([]byte, error) {
	var b Bytes
	err := c.call(ctx, &b, "state_call", append([]any{method, Bytes(data)}, optHash(at)...)...)
	return b, err
}

// SystemAccountNextIndex calls system_accountNextIndex(address): the next
// nonce for an SS58 address, counting transactions in the pool.
func (c *Client) SystemAccountNextIndex(ctx context.Context, address string) (uint64, error) {
	var n uint64
	err := c.call(ctx, &n, "system_accountNextIndex", address)
	return n, err
}

// SystemChain calls system_chain: the chain's name ("Bittensor", …).
func (c *Client) SystemChain(ctx context.Context) (string, error) {
	var s string
	err := c.call(ctx, &s, "system_chain")
	return s, err
}

// SystemProperties calls system_properties.
func (c *Client) SystemProperties(ctx context.Context) (*Properties, error) {
	var p Properties
	if err := c.call(ctx, &p, "system_properties"); err != nil {
		return nil, err
	}
	return &p, nil
}

// SystemHealth calls system_health.
func (c *Client) SystemHealth(ctx context.Context) (*Health, error) {
	var h Health
	if err := c.call(ctx, &h, "system_health"); err != nil {
		return nil, err
	}
	return &h, nil
}

// AuthorSubmitExtrinsic calls author_submitExtrinsic(ext) with a signed,
// SCALE-encoded extrinsic and returns its hash. Pool rejections come back
// as *Error with code 1010 (see Error.CustomCode).
func (c *Client) AuthorSubmitExtrinsic(ctx context.Context, ext []byte) (Hash, error) {
	var h Hash
	err := c.call(ctx, &h, "author_submitExtrinsic", Bytes(ext))
	return h, err
}

// RPCMethods calls rpc_methods: the method names the node serves.
func (c *Client) RPCMethods(ctx context.Context) ([]string, error) {
	var out struct {
		Methods []string `json:"methods"`
	}
	err := c.call(ctx, &out, "rpc_methods")
	return out.Methods, err
}

// ChainSubscribeNewHeads calls chain_subscribeNewHeads: every new best
// block's header. The stream survives reconnects (see Stream.Reconnected).
func (c *Client) ChainSubscribeNewHeads(ctx context.Context) (*Stream[Header], error) {
	return subscribe(ctx, c, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", nil, nil, decodeJSON[Header])
}

// ChainSubscribeFinalizedHeads calls chain_subscribeFinalizedHeads: every
// newly finalized block's header.
func (c *Client) ChainSubscribeFinalizedHeads(ctx context.Context) (*Stream[Header], error) {
	return subscribe(ctx, c, "chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads", nil, nil, decodeJSON[Header])
}

// StateSubscribeRuntimeVersion calls state_subscribeRuntimeVersion: the
// runtime version now and after every runtime upgrade (reload metadata
// when SpecVersion changes).
func (c *Client) StateSubscribeRuntimeVersion(ctx context.Context) (*Stream[RuntimeVersion], error) {
	return subscribe(ctx, c, "state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", nil, nil, decodeJSON[RuntimeVersion])
}

// AuthorSubmitAndWatchExtrinsic calls author_submitAndWatchExtrinsic(ext)
// and streams the extrinsic's status (future, ready, broadcast, inBlock,
// retracted, finalityTimeout, finalized, usurped, dropped, invalid). The
// stream ends after a terminal status (Err nil). It is not re-subscribed
// after a reconnect, which would submit again: it ends with an error
// wrapping ErrConnectionLost; look for the extrinsic on chain then.
func (c *Client) AuthorSubmitAndWatchExtrinsic(ctx context.Context, ext []byte) (*Stream[ExtrinsicStatus], error) {
	return subscribe(ctx, c, "author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", []any{Bytes(ext)},
		ExtrinsicStatus.Terminal, decodeJSON[ExtrinsicStatus])
}

func decodeJSON[T any](raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}
