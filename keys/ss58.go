package keys

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/mr-tron/base58"
	"golang.org/x/crypto/blake2b"
)

// DefaultSS58Prefix is the SS58 address format of Bittensor (and of generic
// Substrate chains).
const DefaultSS58Prefix uint16 = 42

// ErrInvalidAddress is wrapped by every SS58 decoding error.
var ErrInvalidAddress = errors.New("invalid SS58 address")

// EncodeSS58 returns the SS58 address of pub with the given network prefix
// (0–16383).
func EncodeSS58(pub PublicKey, prefix uint16) string {
	var buf [2 + 32 + 2]byte
	n := encodePrefix(buf[:0], prefix)
	n = append(n, pub[:]...)
	sum := ss58Checksum(n)
	n = append(n, sum[0], sum[1])
	return base58.Encode(n)
}

func encodePrefix(dst []byte, prefix uint16) []byte {
	prefix &= 0x3fff
	if prefix < 64 {
		return append(dst, byte(prefix))
	}
	first := byte((prefix&0x00fc)>>2) | 0x40
	second := byte(prefix>>8) | byte((prefix&0x0003)<<6)
	return append(dst, first, second)
}

func ss58Checksum(data []byte) [64]byte {
	// An account address's payload is at most 34 bytes: one call, no
	// allocation.
	var buf [7 + 57]byte
	if len(data) <= 57 {
		n := copy(buf[:], "SS58PRE")
		n += copy(buf[n:], data)
		return blake2b.Sum512(buf[:n])
	}
	h, _ := blake2b.New512(nil)
	h.Write([]byte("SS58PRE"))
	h.Write(data)
	var out [64]byte
	copy(out[:], h.Sum(nil))
	return out
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Digits maps a character to its base58 digit, or −1.
var base58Digits = func() (d [256]int8) {
	for i := range d {
		d[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		d[base58Alphabet[i]] = int8(i)
	}
	return d
}()

// decodeBase58 decodes s (at most 64 characters) into buf, as base58.Decode
// does (each leading '1' is a zero byte), without allocating. It reports
// false for a character outside the alphabet.
func decodeBase58(buf *[64]byte, s string) ([]byte, bool) {
	if len(s) > 64 {
		return nil, false
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// The number after the leading '1's in little-endian 32-bit limbs (64
	// base58 digits are under 376 bits), five digits (58⁵ < 2³⁰) at a time.
	var limbs [12]uint32
	n := 0
	for i := zeros; i < len(s); {
		acc, mul := uint64(0), uint64(1)
		for k := 0; k < 5 && i < len(s); k, i = k+1, i+1 {
			d := base58Digits[s[i]]
			if d < 0 {
				return nil, false
			}
			acc, mul = acc*58+uint64(d), mul*58
		}
		carry := acc
		for j := 0; j < n; j++ {
			carry += uint64(limbs[j]) * mul
			limbs[j] = uint32(carry)
			carry >>= 32
		}
		for ; carry > 0; carry >>= 32 {
			limbs[n] = uint32(carry)
			n++
		}
	}
	// The number's bytes, big-endian, without leading zeros: zeros + its
	// length ≤ len(s) ≤ 64 (every digit after the '1's adds under a byte).
	nb := 4 * n
	for nb > 0 && byte(limbs[(nb-1)/4]>>(8*((nb-1)%4))) == 0 {
		nb--
	}
	out := buf[:zeros+nb]
	clear(out[:zeros])
	for i := 0; i < nb; i++ {
		out[zeros+nb-1-i] = byte(limbs[i/4] >> (8 * (i % 4)))
	}
	return out, true
}

// DecodeSS58 decodes an SS58 address of a 32-byte account and returns the
// public key and the network prefix it was encoded with.
func DecodeSS58(addr string) (PublicKey, uint16, error) {
	var pub PublicKey
	if addr == "" {
		return pub, 0, fmt.Errorf("keys: %w: empty string", ErrInvalidAddress)
	}
	if len(addr) > 64 {
		return pub, 0, fmt.Errorf("keys: %w: %d characters is too long for an account address", ErrInvalidAddress, len(addr))
	}
	var rawBuf [64]byte
	raw, ok := decodeBase58(&rawBuf, addr)
	if !ok {
		return pub, 0, fmt.Errorf("keys: %w %q: not base58", ErrInvalidAddress, addr)
	}
	if len(raw) < 1 {
		return pub, 0, fmt.Errorf("keys: %w %q: empty", ErrInvalidAddress, addr)
	}
	var prefix uint16
	var plen int
	switch b := raw[0]; {
	case b < 64:
		prefix, plen = uint16(b), 1
	case b < 128:
		if len(raw) < 2 {
			return pub, 0, fmt.Errorf("keys: %w %q: truncated prefix", ErrInvalidAddress, addr)
		}
		lower := (raw[0] << 2) | (raw[1] >> 6)
		upper := raw[1] & 0x3f
		prefix, plen = uint16(lower)|uint16(upper)<<8, 2
	default:
		return pub, 0, fmt.Errorf("keys: %w %q: reserved prefix byte 0x%02x", ErrInvalidAddress, addr, b)
	}
	if len(raw) != plen+32+2 {
		return pub, 0, fmt.Errorf("keys: %w %q: decodes to %d bytes, want %d for a 32-byte account", ErrInvalidAddress, addr, len(raw), plen+34)
	}
	body := raw[:plen+32]
	sum := ss58Checksum(body)
	if !bytes.Equal(sum[:2], raw[plen+32:]) {
		return pub, 0, fmt.Errorf("keys: %w %q: bad checksum (a character is wrong or missing)", ErrInvalidAddress, addr)
	}
	copy(pub[:], raw[plen:plen+32])
	return pub, prefix, nil
}

// DecodeAddress decodes an SS58 address with any prefix and returns its
// public key. Use DecodeSS58 to learn the prefix.
func DecodeAddress(addr string) (PublicKey, error) {
	pub, _, err := DecodeSS58(addr)
	return pub, err
}

// ParsePublicKey accepts an SS58 address (any prefix) or a 0x-prefixed
// 32-byte hex public key.
func ParsePublicKey(s string) (PublicKey, error) {
	if len(s) == 66 && (s[:2] == "0x" || s[:2] == "0X") {
		var pub PublicKey
		b, err := decodeHex(s)
		if err != nil || len(b) != 32 {
			return pub, fmt.Errorf("keys: invalid hex public key %q: want 0x + 64 hex digits", s)
		}
		copy(pub[:], b)
		return pub, nil
	}
	return DecodeAddress(s)
}
