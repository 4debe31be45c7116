package scale

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"unicode/utf8"
)

// ErrShort is wrapped by every error caused by input that ends too early.
var ErrShort = errors.New("scale: unexpected end of input")

// ErrInvalid is wrapped by every error caused by bytes that no valid encoding
// produces (a bad bool or option tag, a non-canonical compact, a length
// longer than the input left).
var ErrInvalid = errors.New("scale: invalid encoding")

// Decoder reads SCALE values from a byte slice. Methods return an error
// wrapping ErrShort or ErrInvalid on bad input and never panic. A Decoder
// does not copy its input: byte slices it returns alias it.
type Decoder struct {
	data []byte
	off  int
}

// NewDecoder returns a Decoder reading data from the start.
func NewDecoder(data []byte) *Decoder { return &Decoder{data: data} }

// Offset returns the number of bytes read so far.
func (d *Decoder) Offset() int { return d.off }

// Remaining returns the number of bytes not yet read.
func (d *Decoder) Remaining() int { return len(d.data) - d.off }

// Rest returns the unread bytes without consuming them.
func (d *Decoder) Rest() []byte { return d.data[d.off:] }

// Since returns the bytes read from offset off (an earlier Offset) up to
// now, aliasing the input.
func (d *Decoder) Since(off int) []byte {
	if off < 0 || off > d.off {
		return nil
	}
	return d.data[off:d.off:d.off]
}

// Finish returns an error if any input is left unread.
func (d *Decoder) Finish() error {
	if n := d.Remaining(); n != 0 {
		return fmt.Errorf("%w: %d trailing bytes after the value at offset %d", ErrInvalid, n, d.off)
	}
	return nil
}

// Bytes reads exactly n bytes and returns them (aliasing the input).
func (d *Decoder) Bytes(n int) ([]byte, error) {
	if n < 0 || n > d.Remaining() {
		return nil, fmt.Errorf("%w: need %d bytes at offset %d, have %d", ErrShort, n, d.off, d.Remaining())
	}
	b := d.data[d.off : d.off+n : d.off+n]
	d.off += n
	return b, nil
}

// Skip advances over n bytes.
func (d *Decoder) Skip(n int) error {
	_, err := d.Bytes(n)
	return err
}

// U8 reads one byte.
func (d *Decoder) U8() (uint8, error) {
	if d.off >= len(d.data) {
		return 0, fmt.Errorf("%w: need 1 byte at offset %d", ErrShort, d.off)
	}
	v := d.data[d.off]
	d.off++
	return v, nil
}

// U16 reads a little-endian u16.
func (d *Decoder) U16() (uint16, error) {
	b, err := d.Bytes(2)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

// U32 reads a little-endian u32.
func (d *Decoder) U32() (uint32, error) {
	b, err := d.Bytes(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// U64 reads a little-endian u64.
func (d *Decoder) U64() (uint64, error) {
	b, err := d.Bytes(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// U128 reads a little-endian u128.
func (d *Decoder) U128() (Uint128, error) {
	b, err := d.Bytes(16)
	if err != nil {
		return Uint128{}, err
	}
	return Uint128{Lo: binary.LittleEndian.Uint64(b), Hi: binary.LittleEndian.Uint64(b[8:])}, nil
}

// I8 reads an i8.
func (d *Decoder) I8() (int8, error) { v, err := d.U8(); return int8(v), err }

// I16 reads a little-endian i16.
func (d *Decoder) I16() (int16, error) { v, err := d.U16(); return int16(v), err }

// I32 reads a little-endian i32.
func (d *Decoder) I32() (int32, error) { v, err := d.U32(); return int32(v), err }

// I64 reads a little-endian i64.
func (d *Decoder) I64() (int64, error) { v, err := d.U64(); return int64(v), err }

// I128 reads a little-endian i128.
func (d *Decoder) I128() (Int128, error) { v, err := d.U128(); return Int128(v), err }

// Bool reads a bool; any byte other than 0 or 1 is invalid.
func (d *Decoder) Bool() (bool, error) {
	at := d.off
	v, err := d.U8()
	if err != nil {
		return false, err
	}
	switch v {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("%w: bool byte 0x%02x at offset %d", ErrInvalid, v, at)
}

// OptionTag reads the tag of an Option: false for None, true for Some.
func (d *Decoder) OptionTag() (bool, error) {
	at := d.off
	v, err := d.U8()
	if err != nil {
		return false, err
	}
	switch v {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("%w: option tag 0x%02x at offset %d", ErrInvalid, v, at)
}

// OptionBool reads Option<bool> in its one-byte form.
func (d *Decoder) OptionBool() (*bool, error) {
	at := d.off
	v, err := d.U8()
	if err != nil {
		return nil, err
	}
	t, f := true, false
	switch v {
	case 0:
		return nil, nil
	case 1:
		return &t, nil
	case 2:
		return &f, nil
	}
	return nil, fmt.Errorf("%w: Option<bool> byte 0x%02x at offset %d", ErrInvalid, v, at)
}

// compactHeader reads the first byte(s) of a compact and returns the value
// for the single-, two- and four-byte modes, or the byte count of big mode.
func (d *Decoder) compactBig() (small uint64, bigLen int, err error) {
	at := d.off
	b0, err := d.U8()
	if err != nil {
		return 0, 0, err
	}
	switch b0 & 0b11 {
	case 0b00:
		return uint64(b0 >> 2), 0, nil
	case 0b01:
		b1, err := d.U8()
		if err != nil {
			return 0, 0, err
		}
		v := uint64(b0)>>2 | uint64(b1)<<6
		if v < 1<<6 {
			return 0, 0, fmt.Errorf("%w: non-canonical compact at offset %d", ErrInvalid, at)
		}
		return v, 0, nil
	case 0b10:
		b, err := d.Bytes(3)
		if err != nil {
			return 0, 0, err
		}
		v := uint64(b0)>>2 | uint64(b[0])<<6 | uint64(b[1])<<14 | uint64(b[2])<<22
		if v < 1<<14 {
			return 0, 0, fmt.Errorf("%w: non-canonical compact at offset %d", ErrInvalid, at)
		}
		return v, 0, nil
	}
	return 0, int(b0>>2) + 4, nil
}

// Compact reads a compact integer that must fit in a u64.
func (d *Decoder) Compact() (uint64, error) {
	at := d.off
	v, n, err := d.compactBig()
	if err != nil || n == 0 {
		return v, err
	}
	if n > 8 {
		return 0, fmt.Errorf("%w: compact of %d bytes at offset %d does not fit in u64", ErrInvalid, n, at)
	}
	b, err := d.Bytes(n)
	if err != nil {
		return 0, err
	}
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	if b[n-1] == 0 || v < 1<<30 {
		return 0, fmt.Errorf("%w: non-canonical compact at offset %d", ErrInvalid, at)
	}
	return v, nil
}

// CompactU128 reads a compact integer that must fit in a u128.
func (d *Decoder) CompactU128() (Uint128, error) {
	at := d.off
	v, n, err := d.compactBig()
	if err != nil || n == 0 {
		return Uint128{Lo: v}, err
	}
	if n <= 8 {
		d.off = at
		v, err := d.Compact()
		return Uint128{Lo: v}, err
	}
	if n > 16 {
		return Uint128{}, fmt.Errorf("%w: compact of %d bytes at offset %d does not fit in u128", ErrInvalid, n, at)
	}
	b, err := d.Bytes(n)
	if err != nil {
		return Uint128{}, err
	}
	if b[n-1] == 0 {
		return Uint128{}, fmt.Errorf("%w: non-canonical compact at offset %d", ErrInvalid, at)
	}
	var u Uint128
	u.Lo = binary.LittleEndian.Uint64(b)
	for i := n - 1; i >= 8; i-- {
		u.Hi = u.Hi<<8 | uint64(b[i])
	}
	return u, nil
}

// CompactBig reads a compact integer of any width (up to 536 bits).
func (d *Decoder) CompactBig() (*big.Int, error) {
	at := d.off
	v, n, err := d.compactBig()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return new(big.Int).SetUint64(v), nil
	}
	b, err := d.Bytes(n)
	if err != nil {
		return nil, err
	}
	if b[n-1] == 0 {
		return nil, fmt.Errorf("%w: non-canonical compact at offset %d", ErrInvalid, at)
	}
	be := make([]byte, n)
	for i := range b {
		be[n-1-i] = b[i]
	}
	r := new(big.Int).SetBytes(be)
	if r.IsUint64() && r.Uint64() < 1<<30 {
		return nil, fmt.Errorf("%w: non-canonical compact at offset %d", ErrInvalid, at)
	}
	return r, nil
}

// Len reads a compact length prefix and checks that at least minElem*n bytes
// are left, so that a hostile length cannot cause a large allocation.
// minElem is the smallest encoded size of one element; zero-sized elements
// are still bounded by the input left (as if each took one byte).
func (d *Decoder) Len(minElem int) (int, error) {
	at := d.off
	n, err := d.Compact()
	if err != nil {
		return 0, err
	}
	if minElem < 1 {
		minElem = 1
	}
	if n > uint64(d.Remaining()/minElem) {
		return 0, fmt.Errorf("%w: length %d at offset %d exceeds the %d bytes left", ErrInvalid, n, at, d.Remaining())
	}
	return int(n), nil
}

// ByteSlice reads a compact length and that many bytes (Vec<u8>); the result
// aliases the input.
func (d *Decoder) ByteSlice() ([]byte, error) {
	n, err := d.Len(1)
	if err != nil {
		return nil, err
	}
	return d.Bytes(n)
}

// String reads a compact length and that many bytes of UTF-8.
func (d *Decoder) String() (string, error) {
	at := d.off
	b, err := d.ByteSlice()
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%w: string at offset %d is not UTF-8", ErrInvalid, at)
	}
	return string(b), nil
}

// DecodeOption reads an Option<T> with dec; it returns nil for None.
func DecodeOption[T any](d *Decoder, dec func(*Decoder) (T, error)) (*T, error) {
	some, err := d.OptionTag()
	if err != nil || !some {
		return nil, err
	}
	v, err := dec(d)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// DecodeResult reads a Result<T, E>: it returns the Ok value, or the Err
// value as a non-nil pointer.
func DecodeResult[T, E any](d *Decoder, decOK func(*Decoder) (T, error), decErr func(*Decoder) (E, error)) (T, *E, error) {
	var zero T
	at := d.off
	tag, err := d.U8()
	if err != nil {
		return zero, nil, err
	}
	switch tag {
	case 0:
		v, err := decOK(d)
		return v, nil, err
	case 1:
		e, err := decErr(d)
		if err != nil {
			return zero, nil, err
		}
		return zero, &e, nil
	}
	return zero, nil, fmt.Errorf("%w: result tag 0x%02x at offset %d", ErrInvalid, tag, at)
}

// DecodeVec reads a compact length and that many elements with dec. The
// length is bounded by the input left before anything is allocated.
func DecodeVec[T any](d *Decoder, dec func(*Decoder) (T, error)) ([]T, error) {
	n, err := d.Len(1)
	if err != nil {
		return nil, err
	}
	return DecodeArray(d, n, dec)
}

// maxZeroSized is how many more elements than bytes left DecodeArray
// accepts, for arrays of zero-sized elements.
const maxZeroSized = 1 << 16

// DecodeArray reads exactly n elements with dec (a fixed array [T; N]).
func DecodeArray[T any](d *Decoder, n int, dec func(*Decoder) (T, error)) ([]T, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: negative array length %d", ErrInvalid, n)
	}
	// Elements of one byte or more cannot outnumber the bytes left; allow
	// some slack for zero-sized elements, but not billions of iterations.
	if n > d.Remaining()+maxZeroSized {
		return nil, fmt.Errorf("%w: array of %d elements with %d bytes left", ErrShort, n, d.Remaining())
	}
	c := n
	if c > d.Remaining() {
		c = d.Remaining()
	}
	out := make([]T, 0, c)
	for i := 0; i < n; i++ {
		v, err := dec(d)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// EnumIndex reads an enum's variant index and checks it is below n (the
// number of variants of a dense enum); pass n = 256 to accept any index.
func (d *Decoder) EnumIndex(n int) (uint8, error) {
	at := d.off
	v, err := d.U8()
	if err != nil {
		return 0, err
	}
	if int(v) >= n {
		return 0, fmt.Errorf("%w: enum variant %d at offset %d (have %d variants)", ErrInvalid, v, at, n)
	}
	return v, nil
}
