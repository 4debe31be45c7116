package rpc

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Hash is a 32-byte block, extrinsic or storage hash. Its JSON form is a
// 0x-prefixed hex string. The zero Hash means "none" in optional positions.
type Hash [32]byte

// Hex returns the 0x-prefixed lowercase hex form of h.
func (h Hash) Hex() string { return "0x" + hex.EncodeToString(h[:]) }

// String returns h.Hex().
func (h Hash) String() string { return h.Hex() }

// IsZero reports whether h is all zeros.
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes h as 0x-prefixed hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.Hex()), nil }

// UnmarshalText decodes a 0x-prefixed hex hash of exactly 32 bytes.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := decodeHex(string(b))
	if err != nil {
		return err
	}
	if len(v) != len(h) {
		return fmt.Errorf("rpc: hash has %d bytes, want 32", len(v))
	}
	copy(h[:], v)
	return nil
}

// ParseHash decodes a 0x-prefixed 32-byte hex hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	err := h.UnmarshalText([]byte(s))
	return h, err
}

// Bytes is a byte string whose JSON form is 0x-prefixed hex (SCALE-encoded
// values, storage keys, extrinsics, metadata).
type Bytes []byte

// Hex returns the 0x-prefixed lowercase hex form of b.
func (b Bytes) Hex() string { return "0x" + hex.EncodeToString(b) }

// MarshalText encodes b as 0x-prefixed hex.
func (b Bytes) MarshalText() ([]byte, error) { return []byte(b.Hex()), nil }

// UnmarshalText decodes 0x-prefixed hex.
func (b *Bytes) UnmarshalText(t []byte) error {
	v, err := decodeHex(string(t))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// BlockNumber is a block height. Nodes send it as a hex string ("0x1a") in
// headers; it is also accepted as a JSON number.
type BlockNumber uint64

// UnmarshalJSON accepts "0x…" hex strings and plain numbers.
func (n *BlockNumber) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("rpc: block number: %w", err)
		}
		v, err := parseHexUint(s)
		if err != nil {
			return err
		}
		*n = BlockNumber(v)
		return nil
	}
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("rpc: block number %.40q: %w", b, err)
	}
	*n = BlockNumber(v)
	return nil
}

// MarshalJSON encodes n as a hex string, as nodes do.
func (n BlockNumber) MarshalJSON() ([]byte, error) {
	return []byte(`"0x` + strconv.FormatUint(uint64(n), 16) + `"`), nil
}

var errNoPrefix = errors.New("rpc: hex string must start with 0x")

func decodeHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return nil, errNoPrefix
	}
	v, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, fmt.Errorf("rpc: bad hex: %w", err)
	}
	return v, nil
}

func parseHexUint(s string) (uint64, error) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return 0, errNoPrefix
	}
	v, err := strconv.ParseUint(s[2:], 16, 64)
	if err != nil {
		return 0, fmt.Errorf("rpc: bad hex number %.40q: %w", s, err)
	}
	return v, nil
}
