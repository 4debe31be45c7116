package substrate

import (
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/crypto/blake2b"
)

// HashTwox64 returns xxHash64 of data with seed 0, little-endian.
func HashTwox64(data []byte) [8]byte {
	var out [8]byte
	binary.LittleEndian.PutUint64(out[:], xxhash.Sum64(data))
	return out
}

// HashTwox128 returns xxHash64 of data with seeds 0 and 1, concatenated.
func HashTwox128(data []byte) [16]byte {
	var out [16]byte
	twox(out[:], data)
	return out
}

// HashTwox256 returns xxHash64 of data with seeds 0 to 3, concatenated.
func HashTwox256(data []byte) [32]byte {
	var out [32]byte
	twox(out[:], data)
	return out
}

func twox(out, data []byte) {
	for i := 0; i < len(out)/8; i++ {
		h := xxhash.NewWithSeed(uint64(i))
		_, _ = h.Write(data)
		binary.LittleEndian.PutUint64(out[8*i:], h.Sum64())
	}
}

// HashBlake2_128 returns the 16-byte BLAKE2b hash of data.
func HashBlake2_128(data []byte) [16]byte {
	var out [16]byte
	h, _ := blake2b.New(16, nil) // cannot fail for size 16 and no key
	_, _ = h.Write(data)
	h.Sum(out[:0])
	return out
}

// HashBlake2_256 returns the 32-byte BLAKE2b hash of data.
func HashBlake2_256(data []byte) [32]byte { return blake2b.Sum256(data) }

// AppendHash appends data hashed by h (and, for the Concat forms and
// Identity, the data itself) to b: the storage key part of one map key.
func AppendHash(b []byte, h StorageHasher, data []byte) ([]byte, error) {
	switch h {
	case Blake2_128:
		s := HashBlake2_128(data)
		return append(b, s[:]...), nil
	case Blake2_256:
		s := HashBlake2_256(data)
		return append(b, s[:]...), nil
	case Blake2_128Concat:
		s := HashBlake2_128(data)
		return append(append(b, s[:]...), data...), nil
	case Twox128:
		s := HashTwox128(data)
		return append(b, s[:]...), nil
	case Twox256:
		s := HashTwox256(data)
		return append(b, s[:]...), nil
	case Twox64Concat:
		s := HashTwox64(data)
		return append(append(b, s[:]...), data...), nil
	case Identity:
		return append(b, data...), nil
	}
	return b, fmt.Errorf("substrate: unknown storage hasher %d", uint8(h))
}

// hashPrefixLen is the length of the hash before the key bytes of a
// reversible hasher; ok is false for hashers that do not keep the key.
func hashPrefixLen(h StorageHasher) (n int, ok bool) {
	switch h {
	case Blake2_128Concat:
		return 16, true
	case Twox64Concat:
		return 8, true
	case Identity:
		return 0, true
	}
	return 0, false
}

// hashLen is the length of the hash part of h.
func hashLen(h StorageHasher) int {
	switch h {
	case Blake2_128, Blake2_128Concat, Twox128:
		return 16
	case Blake2_256, Twox256:
		return 32
	case Twox64Concat:
		return 8
	}
	return 0
}
