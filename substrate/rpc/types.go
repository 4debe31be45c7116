package rpc

import (
	"encoding/json"
	"fmt"
)

// Header is a block header as chain_getHeader and the head subscriptions
// return it. Digest logs stay SCALE-encoded.
type Header struct {
	ParentHash     Hash        `json:"parentHash"`
	Number         BlockNumber `json:"number"`
	StateRoot      Hash        `json:"stateRoot"`
	ExtrinsicsRoot Hash        `json:"extrinsicsRoot"`
	Digest         Digest      `json:"digest"`
}

// Digest holds a header's SCALE-encoded digest items.
type Digest struct {
	Logs []Bytes `json:"logs"`
}

// SignedBlock is chain_getBlock's result.
type SignedBlock struct {
	Block Block `json:"block"`
	// Justifications is passed through undecoded; null for most blocks.
	Justifications json.RawMessage `json:"justifications"`
}

// Block is a header and its SCALE-encoded extrinsics.
type Block struct {
	Header     Header  `json:"header"`
	Extrinsics []Bytes `json:"extrinsics"`
}

// RuntimeVersion is state_getRuntimeVersion's result.
type RuntimeVersion struct {
	SpecName           string       `json:"specName"`
	ImplName           string       `json:"implName"`
	AuthoringVersion   uint32       `json:"authoringVersion"`
	SpecVersion        uint32       `json:"specVersion"`
	ImplVersion        uint32       `json:"implVersion"`
	APIs               []RuntimeAPI `json:"apis"`
	TransactionVersion uint32       `json:"transactionVersion"`
	// StateVersion is called systemVersion by newer nodes; both are read.
	StateVersion  uint8  `json:"stateVersion"`
	SystemVersion *uint8 `json:"systemVersion,omitempty"`
}

// RuntimeAPI is one entry of RuntimeVersion.APIs: the blake2_64 hash of the
// API's name and its version. On the wire it is a two-element array.
type RuntimeAPI struct {
	ID      Bytes
	Version uint32
}

// UnmarshalJSON reads the ["0x…", n] form.
func (a *RuntimeAPI) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return fmt.Errorf("rpc: runtime api entry: %w", err)
	}
	if len(pair) != 2 {
		return fmt.Errorf("rpc: runtime api entry has %d elements, want 2", len(pair))
	}
	if err := json.Unmarshal(pair[0], &a.ID); err != nil {
		return fmt.Errorf("rpc: runtime api id: %w", err)
	}
	if err := json.Unmarshal(pair[1], &a.Version); err != nil {
		return fmt.Errorf("rpc: runtime api version: %w", err)
	}
	return nil
}

// MarshalJSON writes the ["0x…", n] form.
func (a RuntimeAPI) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{a.ID, a.Version})
}

// StorageChangeSet is one element of state_queryStorageAt's result and the
// payload of state_subscribeStorage notifications.
type StorageChangeSet struct {
	Block   Hash            `json:"block"`
	Changes []StorageChange `json:"changes"`
}

// StorageChange is one key and its value at the change set's block. Exists
// is false when the node returned null (no value stored).
type StorageChange struct {
	Key    Bytes
	Value  Bytes
	Exists bool
}

// UnmarshalJSON reads the ["0xkey", "0xvalue" | null] form.
func (c *StorageChange) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return fmt.Errorf("rpc: storage change: %w", err)
	}
	if len(pair) != 2 {
		return fmt.Errorf("rpc: storage change has %d elements, want 2", len(pair))
	}
	if err := json.Unmarshal(pair[0], &c.Key); err != nil {
		return fmt.Errorf("rpc: storage change key: %w", err)
	}
	if string(pair[1]) == "null" {
		c.Value, c.Exists = nil, false
		return nil
	}
	if err := json.Unmarshal(pair[1], &c.Value); err != nil {
		return fmt.Errorf("rpc: storage change value: %w", err)
	}
	c.Exists = true
	return nil
}

// MarshalJSON writes the ["0xkey", "0xvalue" | null] form.
func (c StorageChange) MarshalJSON() ([]byte, error) {
	if !c.Exists {
		return json.Marshal([]any{c.Key, nil})
	}
	return json.Marshal([]any{c.Key, c.Value})
}

// Health is system_health's result.
type Health struct {
	Peers           uint64 `json:"peers"`
	IsSyncing       bool   `json:"isSyncing"`
	ShouldHavePeers bool   `json:"shouldHavePeers"`
}

// Properties is system_properties' result. Nodes send token fields either
// as one value or as an array (multi-token chains); both are read into
// slices. Raw keeps the whole object for chain-specific keys.
type Properties struct {
	SS58Format    *uint16
	TokenDecimals []uint32
	TokenSymbol   []string
	Raw           json.RawMessage
}

// UnmarshalJSON reads the node's free-form properties object.
func (p *Properties) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("rpc: system properties: %w", err)
	}
	*p = Properties{Raw: append(json.RawMessage(nil), b...)}
	if v, ok := m["ss58Format"]; ok && string(v) != "null" {
		var f uint16
		if err := json.Unmarshal(v, &f); err != nil {
			return fmt.Errorf("rpc: system properties ss58Format: %w", err)
		}
		p.SS58Format = &f
	}
	if err := oneOrMany(m["tokenDecimals"], &p.TokenDecimals); err != nil {
		return fmt.Errorf("rpc: system properties tokenDecimals: %w", err)
	}
	if err := oneOrMany(m["tokenSymbol"], &p.TokenSymbol); err != nil {
		return fmt.Errorf("rpc: system properties tokenSymbol: %w", err)
	}
	return nil
}

func oneOrMany[T any](raw json.RawMessage, out *[]T) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '[' {
		return json.Unmarshal(raw, out)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	*out = []T{v}
	return nil
}

// MarshalJSON writes Raw when set (what the node sent), otherwise the
// three standard keys, single values unwrapped as nodes send them.
func (p Properties) MarshalJSON() ([]byte, error) {
	if len(p.Raw) > 0 {
		return p.Raw, nil
	}
	m := map[string]any{}
	if p.SS58Format != nil {
		m["ss58Format"] = *p.SS58Format
	}
	if len(p.TokenDecimals) == 1 {
		m["tokenDecimals"] = p.TokenDecimals[0]
	} else if len(p.TokenDecimals) > 1 {
		m["tokenDecimals"] = p.TokenDecimals
	}
	if len(p.TokenSymbol) == 1 {
		m["tokenSymbol"] = p.TokenSymbol[0]
	} else if len(p.TokenSymbol) > 1 {
		m["tokenSymbol"] = p.TokenSymbol
	}
	return json.Marshal(m)
}
