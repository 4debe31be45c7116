package scale

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"
)

func TestCompactVectors(t *testing.T) {
	tests := []struct {
		v   uint64
		hex string
	}{
		{0, "00"},
		{1, "04"},
		{42, "a8"},
		{63, "fc"},
		{64, "0101"},
		{69, "1501"},
		{16383, "fdff"},
		{16384, "02000100"},
		{1073741823, "feffffff"},
		{1073741824, "0300000040"},
		{1<<32 - 1, "03ffffffff"},
		{1 << 32, "070000000001"},
		{1 << 48, "0f00000000000001"},
		{1<<64 - 1, "13ffffffffffffffff"},
	}
	for _, tt := range tests {
		got := hex.EncodeToString(AppendCompact(nil, tt.v))
		if got != tt.hex {
			t.Errorf("AppendCompact(%d) = %s, want %s", tt.v, got, tt.hex)
		}
		raw, _ := hex.DecodeString(tt.hex)
		d := NewDecoder(raw)
		v, err := d.Compact()
		if err != nil || v != tt.v || d.Remaining() != 0 {
			t.Errorf("Compact(%s) = %d, %v; want %d", tt.hex, v, err, tt.v)
		}
		u, err := NewDecoder(raw).CompactU128()
		if err != nil || u != U128From64(tt.v) {
			t.Errorf("CompactU128(%s) = %v, %v", tt.hex, u, err)
		}
		bi, err := NewDecoder(raw).CompactBig()
		if err != nil || !bi.IsUint64() || bi.Uint64() != tt.v {
			t.Errorf("CompactBig(%s) = %v, %v", tt.hex, bi, err)
		}
		bb, err := AppendCompactBig(nil, new(big.Int).SetUint64(tt.v))
		if err != nil || hex.EncodeToString(bb) != tt.hex {
			t.Errorf("AppendCompactBig(%d) = %x, %v", tt.v, bb, err)
		}
	}
}

func TestCompactU128(t *testing.T) {
	max := Uint128{Hi: ^uint64(0), Lo: ^uint64(0)}
	tests := []struct {
		v   Uint128
		hex string
	}{
		{Uint128{Hi: 1}, "17000000000000000001"},
		{max, "33ffffffffffffffffffffffffffffffff"},
	}
	for _, tt := range tests {
		got := hex.EncodeToString(AppendCompactU128(nil, tt.v))
		if got != tt.hex {
			t.Errorf("AppendCompactU128(%v) = %s, want %s", tt.v, got, tt.hex)
		}
		raw, _ := hex.DecodeString(tt.hex)
		u, err := NewDecoder(raw).CompactU128()
		if err != nil || u != tt.v {
			t.Errorf("CompactU128(%s) = %v, %v", tt.hex, u, err)
		}
		bi, err := NewDecoder(raw).CompactBig()
		if err != nil || bi.Cmp(tt.v.Big()) != 0 {
			t.Errorf("CompactBig(%s) = %v, %v", tt.hex, bi, err)
		}
		if _, err := NewDecoder(raw).Compact(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Compact(%s) err = %v, want ErrInvalid", tt.hex, err)
		}
	}
}

func TestCompactRejects(t *testing.T) {
	tests := []struct {
		name, hex string
		want      error
	}{
		{"empty", "", ErrShort},
		{"two byte short", "01", ErrShort},
		{"non-canonical 2", "0100", ErrInvalid},
		{"non-canonical 4", "02000000", ErrInvalid},
		{"non-canonical big", "0300000000", ErrInvalid},
		{"non-canonical big 4 small", "03ffffff3f", ErrInvalid},
		{"big trailing zero", "070000000000", ErrInvalid},
		{"big short", "13ffff", ErrShort},
	}
	for _, tt := range tests {
		raw, _ := hex.DecodeString(tt.hex)
		if _, err := NewDecoder(raw).Compact(); !errors.Is(err, tt.want) {
			t.Errorf("%s: Compact(%s) err = %v, want %v", tt.name, tt.hex, err, tt.want)
		}
	}
}

func TestFixedWidth(t *testing.T) {
	var b []byte
	b = AppendU8(b, 0xab)
	b = AppendU16(b, 0x1234)
	b = AppendU32(b, 0xdeadbeef)
	b = AppendU64(b, 0x0102030405060708)
	b = AppendU128(b, Uint128{Hi: 1, Lo: 2})
	b = AppendI8(b, -1)
	b = AppendI16(b, -2)
	b = AppendI32(b, -3)
	b = AppendI64(b, -4)
	b = AppendI128(b, I128From64(-5))
	b = AppendBool(b, true)
	b = AppendBool(b, false)
	want := "ab" + "3412" + "efbeadde" + "0807060504030201" + "0200000000000000" + "0100000000000000" +
		"ff" + "feff" + "fdffffff" + "fcffffffffffffff" + "fbffffffffffffffffffffffffffffff" + "01" + "00"
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("encoding = %s\nwant       %s", got, want)
	}
	d := NewDecoder(b)
	u8, _ := d.U8()
	u16, _ := d.U16()
	u32, _ := d.U32()
	u64, _ := d.U64()
	u128, _ := d.U128()
	i8, _ := d.I8()
	i16, _ := d.I16()
	i32, _ := d.I32()
	i64, _ := d.I64()
	i128, _ := d.I128()
	t1, _ := d.Bool()
	f1, err := d.Bool()
	if err != nil || d.Finish() != nil {
		t.Fatalf("decode: %v / %v", err, d.Finish())
	}
	if u8 != 0xab || u16 != 0x1234 || u32 != 0xdeadbeef || u64 != 0x0102030405060708 || u128 != (Uint128{Hi: 1, Lo: 2}) ||
		i8 != -1 || i16 != -2 || i32 != -3 || i64 != -4 || i128.Big().Int64() != -5 || !t1 || f1 {
		t.Fatalf("decoded values differ")
	}
}

func TestBigConversions(t *testing.T) {
	for _, s := range []string{"0", "1", "18446744073709551616", "340282366920938463463374607431768211455"} {
		b, _ := new(big.Int).SetString(s, 10)
		u, ok := U128FromBig(b)
		if !ok || u.String() != s {
			t.Errorf("U128 %s -> %v %v", s, u, ok)
		}
	}
	if _, ok := U128FromBig(new(big.Int).Lsh(big.NewInt(1), 128)); ok {
		t.Error("2^128 accepted as u128")
	}
	for _, s := range []string{"0", "-1", "-170141183460469231731687303715884105728", "170141183460469231731687303715884105727"} {
		b, _ := new(big.Int).SetString(s, 10)
		i, ok := I128FromBig(b)
		if !ok || i.String() != s {
			t.Errorf("I128 %s -> %v %v", s, i, ok)
		}
	}
	if _, ok := I128FromBig(new(big.Int).Lsh(big.NewInt(1), 127)); ok {
		t.Error("2^127 accepted as i128")
	}
}

func TestComposite(t *testing.T) {
	type pair struct {
		A uint16
		B string
	}
	encPair := func(b []byte, p pair) []byte { return AppendString(AppendU16(b, p.A), p.B) }
	decPair := func(d *Decoder) (pair, error) {
		a, err := d.U16()
		if err != nil {
			return pair{}, err
		}
		s, err := d.String()
		return pair{a, s}, err
	}
	x := uint32(7)
	var b []byte
	b = AppendOption(b, &x, AppendU32)
	b = AppendOption[uint32](b, nil, AppendU32)
	b = AppendVec(b, []pair{{1, "a"}, {2, "bc"}}, encPair)
	b = AppendArray(b, []uint16{1, 2, 3}, AppendU16)
	b = AppendResult[uint8, string](b, 9, nil, AppendU8, AppendString)
	e := "bad"
	b = AppendResult(b, 0, &e, AppendU8, AppendString)
	b = AppendEnum(b, 3, AppendBytes(nil, []byte{0xff}))
	tr := true
	b = AppendOptionBool(b, &tr)

	d := NewDecoder(b)
	o1, err := DecodeOption(d, (*Decoder).U32)
	if err != nil || o1 == nil || *o1 != 7 {
		t.Fatalf("option some: %v %v", o1, err)
	}
	o2, err := DecodeOption(d, (*Decoder).U32)
	if err != nil || o2 != nil {
		t.Fatalf("option none: %v %v", o2, err)
	}
	ps, err := DecodeVec(d, decPair)
	if err != nil || len(ps) != 2 || ps[1] != (pair{2, "bc"}) {
		t.Fatalf("vec: %v %v", ps, err)
	}
	arr, err := DecodeArray(d, 3, (*Decoder).U16)
	if err != nil || arr[2] != 3 {
		t.Fatalf("array: %v %v", arr, err)
	}
	ok, ev, err := DecodeResult(d, (*Decoder).U8, (*Decoder).String)
	if err != nil || ev != nil || ok != 9 {
		t.Fatalf("result ok: %v %v %v", ok, ev, err)
	}
	_, ev, err = DecodeResult(d, (*Decoder).U8, (*Decoder).String)
	if err != nil || ev == nil || *ev != "bad" {
		t.Fatalf("result err: %v %v", ev, err)
	}
	idx, err := d.EnumIndex(4)
	if err != nil || idx != 3 {
		t.Fatalf("enum: %d %v", idx, err)
	}
	bs, err := d.ByteSlice()
	if err != nil || !bytes.Equal(bs, []byte{0xff}) {
		t.Fatalf("bytes: %x %v", bs, err)
	}
	ob, err := d.OptionBool()
	if err != nil || ob == nil || !*ob {
		t.Fatalf("option bool: %v %v", ob, err)
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestHostileLengths(t *testing.T) {
	// A compact claiming 2^32-1 elements with 3 bytes behind it.
	raw := []byte{0x03, 0xff, 0xff, 0xff, 0xff, 1, 2, 3}
	if _, err := NewDecoder(raw).ByteSlice(); !errors.Is(err, ErrInvalid) {
		t.Errorf("ByteSlice err = %v", err)
	}
	if _, err := DecodeVec(NewDecoder(raw), (*Decoder).U8); !errors.Is(err, ErrInvalid) {
		t.Errorf("DecodeVec err = %v", err)
	}
	if _, err := NewDecoder([]byte{0x08, 0xff, 0xfe}).String(); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid UTF-8 accepted: %v", err)
	}
	if _, err := NewDecoder([]byte{2}).Bool(); !errors.Is(err, ErrInvalid) {
		t.Errorf("bool 2 accepted: %v", err)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0x03, 0xff, 0xff, 0xff, 0xff, 1})
	f.Add([]byte{0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x33, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x08, 'h', 'i', 1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Round trip every compact that decodes.
		if v, err := NewDecoder(data).Compact(); err == nil {
			if got, _ := NewDecoder(AppendCompact(nil, v)).Compact(); got != v {
				t.Fatalf("compact round trip %d -> %d", v, got)
			}
			if !bytes.HasPrefix(data, AppendCompact(nil, v)) {
				t.Fatalf("compact %d decoded from non-canonical %x", v, data)
			}
		}
		if v, err := NewDecoder(data).CompactU128(); err == nil {
			if !bytes.HasPrefix(data, AppendCompactU128(nil, v)) {
				t.Fatalf("compact u128 %v decoded from non-canonical %x", v, data)
			}
		}
		if v, err := NewDecoder(data).CompactBig(); err == nil {
			enc, err := AppendCompactBig(nil, v)
			if err != nil || !bytes.HasPrefix(data, enc) {
				t.Fatalf("compact big %v decoded from non-canonical %x", v, data)
			}
		}
		d := NewDecoder(data)
		for d.Remaining() > 0 {
			if _, err := DecodeVec(d, func(d *Decoder) ([]byte, error) { return d.ByteSlice() }); err != nil {
				break
			}
		}
		d = NewDecoder(data)
		_, _ = DecodeOption(d, (*Decoder).String)
		_, _, _ = DecodeResult(d, (*Decoder).U128, (*Decoder).I64)
		_, _ = d.OptionBool()
		_, _ = d.EnumIndex(3)
	})
}

func BenchmarkCompactRoundTrip(b *testing.B) {
	buf := make([]byte, 0, 16)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendCompact(buf[:0], uint64(i)*7919)
		if _, err := NewDecoder(buf).Compact(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeArrayBounded(t *testing.T) {
	unit := func(*Decoder) (struct{}, error) { return struct{}{}, nil }
	if _, err := DecodeArray(NewDecoder(nil), 1<<40, unit); !errors.Is(err, ErrShort) {
		t.Errorf("2^40 zero-sized elements: %v", err)
	}
	if got, err := DecodeArray(NewDecoder(nil), 3, unit); err != nil || len(got) != 3 {
		t.Errorf("3 zero-sized elements: %v %v", got, err)
	}
}
