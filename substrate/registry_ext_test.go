package substrate_test

// These tests build their registries with the metadata-authoring kit
// (internal/metabuild), which imports substrate: they live in the external
// test package.

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/internal/metabuild"
	"github.com/minerkit/minerkit/substrate"
)

func TestRegistryShape(t *testing.T) {
	b := metabuild.NewRegistryBuilder()
	u8, u16, u64 := b.Primitive(substrate.PrimU8), b.Primitive(substrate.PrimU16), b.Primitive(substrate.PrimU64)
	netuid := b.Composite([]string{"NetUid"}, substrate.Field{Type: u16})
	axon := b.Composite([]string{"AxonInfo"}, metabuild.FT("block", u64, ""), metabuild.FT("port", u16, ""))
	for _, tc := range []struct {
		id   substrate.TypeID
		want string
	}{
		{netuid, "u16"},
		{b.Compact(netuid), "Compact<u16>"},
		{axon, "{block:u64,port:u16}"},
		{b.Array(32, u8), "[u8;32]"},
		{b.Sequence(b.Tuple(b.Array(32, u8), b.Compact(u64))), "Vec<([u8;32],Compact<u64>)>"},
		{b.Option(u16), "enum{0:None()|1:Some(u16)}"},
	} {
		if got := b.Registry().Shape(tc.id); got != tc.want {
			t.Errorf("Shape = %s, want %s", got, tc.want)
		}
	}
}

func TestValueEncodeForms(t *testing.T) {
	b := metabuild.NewRegistryBuilder()
	u8, u16, u32, u64 := b.Primitive(substrate.PrimU8), b.Primitive(substrate.PrimU16), b.Primitive(substrate.PrimU32), b.Primitive(substrate.PrimU64)
	u128, i32, i128, u256, str, bl := b.Primitive(substrate.PrimU128), b.Primitive(substrate.PrimI32), b.Primitive(substrate.PrimI128), b.Primitive(substrate.PrimU256), b.Primitive(substrate.PrimStr), b.Primitive(substrate.PrimBool)
	acc := b.AccountID32()
	point := b.Composite([]string{"Point"}, metabuild.F("x", u16), metabuild.F("y", u32))
	perbill := b.Composite([]string{"Perbill"}, substrate.Field{Type: u32})
	opt := b.Option(u16)
	res := b.Result(u8, str)
	bitsU8 := b.Add(substrate.Type{Kind: substrate.KindBitSequence, BitStore: u8, BitOrder: b.Composite([]string{"bitvec", "order", "Lsb0"})})
	bitsMsb := b.Add(substrate.Type{Kind: substrate.KindBitSequence, BitStore: u16, BitOrder: b.Composite([]string{"bitvec", "order", "Msb0"})})
	r := b.Registry()
	pub := bytes.Repeat([]byte{7}, 32)
	tests := []struct {
		name string
		ty   substrate.TypeID
		v    substrate.Value
		hex  string
	}{
		{"u8", u8, substrate.U64(255), "ff"},
		{"u64", u64, substrate.U64(1), "0100000000000000"},
		{"u128 big", u128, substrate.BigInt(new(big.Int).Lsh(big.NewInt(1), 64)), "00000000000000000100000000000000"},
		{"i32 neg", i32, substrate.I64(-2), "feffffff"},
		{"i128 neg", i128, substrate.I64(-1), "ffffffffffffffffffffffffffffffff"},
		{"u256", u256, substrate.U64(1), "01" + strings.Repeat("00", 31)},
		{"str", str, substrate.Str("hi"), "086869"},
		{"bool", bl, substrate.Bool(true), "01"},
		{"account bytes", acc, substrate.Bytes(pub), strings.Repeat("07", 32)},
		{"account newtype", acc, substrate.Tuple(substrate.Bytes(pub)), strings.Repeat("07", 32)},
		{"named fields any order", point, substrate.Composite(substrate.Named("y", substrate.U64(2)), substrate.Named("x", substrate.U64(1))), "010002000000"},
		{"positional fields", point, substrate.Tuple(substrate.U64(1), substrate.U64(2)), "010002000000"},
		{"compact", b.Compact(u64), substrate.U64(1 << 30), "0300000040"},
		{"compact newtype", b.Compact(perbill), substrate.U64(1), "04"},
		{"bytes from string", b.Bytes(), substrate.Str("ab"), "086162"},
		{"vec u16", b.Sequence(u16), substrate.Tuple(substrate.U64(1), substrate.U64(2)), "0801000200"},
		{"array u16", b.Array(2, u16), substrate.Tuple(substrate.U64(1), substrate.U64(2)), "01000200"},
		{"tuple", b.Tuple(u8, u16), substrate.Tuple(substrate.U64(1), substrate.U64(2)), "010200"},
		{"option some", opt, substrate.Some(substrate.U64(5)), "010500"},
		{"option none", opt, substrate.None(), "00"},
		{"result err", res, substrate.Enum("Err", substrate.Str("x")), "010478"},
		{"bits lsb0", bitsU8, substrate.Value{Kind: substrate.ValBits, Bits: []bool{true, false, true, true, false, false, false, false, true}}, "240d01"},
		{"bits msb0 u16", bitsMsb, substrate.Value{Kind: substrate.ValBits, Bits: []bool{true}}, "040080"},
	}
	for _, tt := range tests {
		got, err := r.EncodeValue(tt.ty, tt.v)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if h := hex.EncodeToString(got); h != tt.hex {
			t.Errorf("%s: encode = %s, want %s", tt.name, h, tt.hex)
		}
		back, err := r.DecodeValue(tt.ty, got)
		if err != nil {
			t.Errorf("%s: decode: %v", tt.name, err)
			continue
		}
		again, err := r.EncodeValue(tt.ty, back)
		if err != nil || !bytes.Equal(again, got) {
			t.Errorf("%s: decode-encode %s = %x, %v", tt.name, back, again, err)
		}
	}

	bad := []struct {
		name string
		ty   substrate.TypeID
		v    substrate.Value
	}{
		{"u8 overflow", u8, substrate.U64(256)},
		{"u16 negative", u16, substrate.I64(-1)},
		{"i32 overflow", i32, substrate.I64(1 << 31)},
		{"missing field", point, substrate.Composite(substrate.Named("x", substrate.U64(1)), substrate.Named("z", substrate.U64(1)))},
		{"wrong arity", point, substrate.Tuple(substrate.U64(1))},
		{"short account", acc, substrate.Bytes([]byte{1})},
		{"unknown variant", opt, substrate.Enum("Maybe")},
		{"str for u8", u8, substrate.Str("x")},
	}
	for _, tt := range bad {
		if _, err := r.EncodeValue(tt.ty, tt.v); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestValueNewtypeAroundList(t *testing.T) {
	b := metabuild.NewRegistryBuilder()
	u16 := b.Primitive(substrate.PrimU16)
	bounded := b.Composite([]string{"BoundedVec"}, substrate.Field{Type: b.Sequence(u16)})
	r := b.Registry()
	for _, v := range []substrate.Value{substrate.Tuple(substrate.U64(5)), substrate.Tuple(substrate.Tuple(substrate.U64(5)))} {
		got, err := r.EncodeValue(bounded, v)
		if err != nil || hex.EncodeToString(got) != "040500" {
			t.Errorf("%s: %x %v", v, got, err)
		}
	}
}
