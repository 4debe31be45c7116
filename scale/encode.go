package scale

import (
	"encoding/binary"
	"errors"
	"math/big"
	"math/bits"
)

// AppendU8 appends v.
func AppendU8(b []byte, v uint8) []byte { return append(b, v) }

// AppendU16 appends v little-endian.
func AppendU16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }

// AppendU32 appends v little-endian.
func AppendU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// AppendU64 appends v little-endian.
func AppendU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// AppendU128 appends v little-endian (16 bytes).
func AppendU128(b []byte, v Uint128) []byte {
	b = binary.LittleEndian.AppendUint64(b, v.Lo)
	return binary.LittleEndian.AppendUint64(b, v.Hi)
}

// AppendI8 appends v.
func AppendI8(b []byte, v int8) []byte { return append(b, byte(v)) }

// AppendI16 appends v little-endian in two's complement.
func AppendI16(b []byte, v int16) []byte { return AppendU16(b, uint16(v)) }

// AppendI32 appends v little-endian in two's complement.
func AppendI32(b []byte, v int32) []byte { return AppendU32(b, uint32(v)) }

// AppendI64 appends v little-endian in two's complement.
func AppendI64(b []byte, v int64) []byte { return AppendU64(b, uint64(v)) }

// AppendI128 appends v little-endian in two's complement (16 bytes).
func AppendI128(b []byte, v Int128) []byte { return AppendU128(b, Uint128(v)) }

// AppendBool appends 0x01 for true and 0x00 for false.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// AppendCompact appends v in SCALE compact form.
func AppendCompact(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v)<<2)
	case v < 1<<14:
		return binary.LittleEndian.AppendUint16(b, uint16(v)<<2|0b01)
	case v < 1<<30:
		return binary.LittleEndian.AppendUint32(b, uint32(v)<<2|0b10)
	}
	n := (bits.Len64(v) + 7) / 8
	b = append(b, byte(n-4)<<2|0b11)
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// AppendCompactU128 appends v in SCALE compact form.
func AppendCompactU128(b []byte, v Uint128) []byte {
	if v.Hi == 0 {
		return AppendCompact(b, v.Lo)
	}
	n := (v.bitLen() + 7) / 8
	b = append(b, byte(n-4)<<2|0b11)
	b = binary.LittleEndian.AppendUint64(b, v.Lo)
	for i := 0; i < n-8; i++ {
		b = append(b, byte(v.Hi>>(8*i)))
	}
	return b
}

// ErrCompactRange is returned by AppendCompactBig for a negative number or
// one wider than 536 bits (the most a compact can carry).
var ErrCompactRange = errors.New("scale: compact value out of range (must be 0 <= v < 2^536)")

// AppendCompactBig appends v in SCALE compact form; v may be up to 536 bits
// wide (u256 compacts included).
func AppendCompactBig(b []byte, v *big.Int) ([]byte, error) {
	if v.Sign() < 0 || v.BitLen() > 536 {
		return b, ErrCompactRange
	}
	if v.IsUint64() {
		return AppendCompact(b, v.Uint64()), nil
	}
	n := (v.BitLen() + 7) / 8
	be := v.Bytes()
	b = append(b, byte(n-4)<<2|0b11)
	for i := len(be) - 1; i >= 0; i-- {
		b = append(b, be[i])
	}
	return b, nil
}

// AppendBytes appends v prefixed by its compact length (Vec<u8>).
func AppendBytes(b []byte, v []byte) []byte {
	b = AppendCompact(b, uint64(len(v)))
	return append(b, v...)
}

// AppendString appends s as compact length and UTF-8 bytes.
func AppendString(b []byte, s string) []byte {
	b = AppendCompact(b, uint64(len(s)))
	return append(b, s...)
}

// AppendOption appends None (0x00) when v is nil, else 0x01 and the encoding
// of *v by enc.
func AppendOption[T any](b []byte, v *T, enc func([]byte, T) []byte) []byte {
	if v == nil {
		return append(b, 0)
	}
	return enc(append(b, 1), *v)
}

// AppendOptionBool appends Option<bool> in its one-byte form: 0 None, 1 Some(true), 2 Some(false).
func AppendOptionBool(b []byte, v *bool) []byte {
	switch {
	case v == nil:
		return append(b, 0)
	case *v:
		return append(b, 1)
	default:
		return append(b, 2)
	}
}

// AppendResult appends Ok (0x00 then ok) when err is nil, else Err (0x01 then errv).
func AppendResult[T, E any](b []byte, ok T, errv *E, encOK func([]byte, T) []byte, encErr func([]byte, E) []byte) []byte {
	if errv != nil {
		return encErr(append(b, 1), *errv)
	}
	return encOK(append(b, 0), ok)
}

// AppendVec appends the compact length of vs and then each element by enc.
func AppendVec[T any](b []byte, vs []T, enc func([]byte, T) []byte) []byte {
	b = AppendCompact(b, uint64(len(vs)))
	for _, v := range vs {
		b = enc(b, v)
	}
	return b
}

// AppendArray appends each element by enc with no length prefix (a fixed
// array [T; N] or the elements of a tuple of one type).
func AppendArray[T any](b []byte, vs []T, enc func([]byte, T) []byte) []byte {
	for _, v := range vs {
		b = enc(b, v)
	}
	return b
}

// AppendEnum appends an enum variant: its index byte followed by the
// already-encoded fields.
func AppendEnum(b []byte, index uint8, fields []byte) []byte {
	return append(append(b, index), fields...)
}

// Encoder is implemented by types that know their own SCALE encoding.
type Encoder interface {
	// AppendSCALE appends the encoding of the receiver to b.
	AppendSCALE(b []byte) []byte
}

// Decodable is implemented by types that can read their SCALE encoding.
type Decodable interface {
	DecodeSCALE(d *Decoder) error
}

// Encode returns the encoding of v.
func Encode(v Encoder) []byte { return v.AppendSCALE(nil) }

// Decode decodes all of data into v and fails if bytes are left over.
func Decode(data []byte, v Decodable) error {
	d := NewDecoder(data)
	if err := v.DecodeSCALE(d); err != nil {
		return err
	}
	return d.Finish()
}
