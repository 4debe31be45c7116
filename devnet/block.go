package devnet

import (
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/minerkit/minerkit/scale"
	"golang.org/x/crypto/blake2b"
)

// header is a Substrate block header.
type header struct {
	parent         [32]byte
	number         uint32
	stateRoot      [32]byte
	extrinsicsRoot [32]byte
}

// appendSCALE encodes the header as Substrate does: parentHash,
// Compact<number>, stateRoot, extrinsicsRoot, digest (no logs).
func (h header) appendSCALE(b []byte) []byte {
	b = append(b, h.parent[:]...)
	b = scale.AppendCompact(b, uint64(h.number))
	b = append(b, h.stateRoot[:]...)
	b = append(b, h.extrinsicsRoot[:]...)
	return append(b, 0)
}

// hash is blake2b-256 of the encoded header, the block hash.
func (h header) hash() [32]byte { return blake2b.Sum256(h.appendSCALE(nil)) }

func hexBytes(b []byte) string { return "0x" + hex.EncodeToString(b) }

func hexHash(h [32]byte) string { return hexBytes(h[:]) }

func hexNumber(n uint64) string { return fmt.Sprintf("0x%x", n) }

// json is the header as chain_getHeader returns it.
func (h header) json() map[string]any {
	return map[string]any{
		"parentHash":     hexHash(h.parent),
		"number":         hexNumber(uint64(h.number)),
		"stateRoot":      hexHash(h.stateRoot),
		"extrinsicsRoot": hexHash(h.extrinsicsRoot),
		"digest":         map[string]any{"logs": []string{}},
	}
}

// block is a produced block.
type block struct {
	header     header
	hash       [32]byte
	extrinsics [][]byte // each with its compact length prefix
}

// extrinsicsRoot commits to the block body. The devnet hashes the encoded
// body instead of building a trie (see the package documentation).
func extrinsicsRoot(exts [][]byte) [32]byte {
	b := scale.AppendCompact(nil, uint64(len(exts)))
	for _, e := range exts {
		b = append(b, e...)
	}
	return blake2b.Sum256(b)
}

// nextStateRoot chains the parent's root with the block's sorted changes;
// like the real trie root it changes whenever state changes, but it is not
// a Merkle root and no proofs are served.
func nextStateRoot(parent [32]byte, changes map[string][]byte) [32]byte {
	ks := make([]string, 0, len(changes))
	for k := range changes {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	h, _ := blake2b.New256(nil)
	h.Write(parent[:])
	var lenBuf []byte
	for _, k := range ks {
		v := changes[k]
		lenBuf = scale.AppendCompact(lenBuf[:0], uint64(len(k)))
		h.Write(lenBuf)
		h.Write([]byte(k))
		if v == nil {
			h.Write([]byte{0})
		} else {
			lenBuf = scale.AppendCompact(append(lenBuf[:0], 1), uint64(len(v)))
			h.Write(lenBuf)
			h.Write(v)
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}
