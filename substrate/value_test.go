package substrate

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/scale"
)

// TestValueRoundTripRealDefaults decodes every constant and storage default
// of real finney and testnet metadata into a Value and encodes it back.
func TestValueRoundTripRealDefaults(t *testing.T) {
	for _, file := range []string{"mainnet.js", "testnet.js"} {
		m := loadMeta(t, file)
		n := 0
		check := func(what string, id TypeID, raw []byte) {
			v, err := m.Types.DecodeValue(id, raw)
			if err != nil {
				t.Errorf("%s %s: decode %x: %v", file, what, raw, err)
				return
			}
			enc, err := m.Types.EncodeValue(id, v)
			if err != nil || !bytes.Equal(enc, raw) {
				t.Errorf("%s %s: re-encode %s = %x, %v; want %x", file, what, v, enc, err, raw)
			}
			n++
		}
		for _, p := range m.Pallets {
			for _, c := range p.Constants {
				check(p.Name+"."+c.Name, c.Type, c.Value)
			}
			if p.Storage == nil {
				continue
			}
			for _, e := range p.Storage.Entries {
				if e.Modifier == ModifierDefault {
					check(p.Name+"."+e.Name+" default", e.ValueType, e.Default)
				}
			}
		}
		t.Logf("%s: %d values round-tripped", file, n)
	}
}

func TestValueEncodeForms(t *testing.T) {
	b := NewRegistryBuilder()
	u8, u16, u32, u64 := b.Primitive(PrimU8), b.Primitive(PrimU16), b.Primitive(PrimU32), b.Primitive(PrimU64)
	u128, i32, i128, u256, str, bl := b.Primitive(PrimU128), b.Primitive(PrimI32), b.Primitive(PrimI128), b.Primitive(PrimU256), b.Primitive(PrimStr), b.Primitive(PrimBool)
	acc := b.AccountID32()
	point := b.Composite([]string{"Point"}, F("x", u16), F("y", u32))
	perbill := b.Composite([]string{"Perbill"}, Field{Type: u32})
	opt := b.Option(u16)
	res := b.Result(u8, str)
	bitsU8 := b.Add(Type{Kind: KindBitSequence, BitStore: u8, BitOrder: b.Composite([]string{"bitvec", "order", "Lsb0"})})
	bitsMsb := b.Add(Type{Kind: KindBitSequence, BitStore: u16, BitOrder: b.Composite([]string{"bitvec", "order", "Msb0"})})
	r := b.Registry()
	pub := bytes.Repeat([]byte{7}, 32)
	tests := []struct {
		name string
		ty   TypeID
		v    Value
		hex  string
	}{
		{"u8", u8, U64(255), "ff"},
		{"u64", u64, U64(1), "0100000000000000"},
		{"u128 big", u128, BigInt(new(big.Int).Lsh(big.NewInt(1), 64)), "00000000000000000100000000000000"},
		{"i32 neg", i32, I64(-2), "feffffff"},
		{"i128 neg", i128, I64(-1), "ffffffffffffffffffffffffffffffff"},
		{"u256", u256, U64(1), "01" + strings.Repeat("00", 31)},
		{"str", str, Str("hi"), "086869"},
		{"bool", bl, Bool(true), "01"},
		{"account bytes", acc, Bytes(pub), strings.Repeat("07", 32)},
		{"account newtype", acc, Tuple(Bytes(pub)), strings.Repeat("07", 32)},
		{"named fields any order", point, Composite(Named("y", U64(2)), Named("x", U64(1))), "010002000000"},
		{"positional fields", point, Tuple(U64(1), U64(2)), "010002000000"},
		{"compact", b.Compact(u64), U64(1 << 30), "0300000040"},
		{"compact newtype", b.Compact(perbill), U64(1), "04"},
		{"bytes from string", b.Bytes(), Str("ab"), "086162"},
		{"vec u16", b.Sequence(u16), Tuple(U64(1), U64(2)), "0801000200"},
		{"array u16", b.Array(2, u16), Tuple(U64(1), U64(2)), "01000200"},
		{"tuple", b.Tuple(u8, u16), Tuple(U64(1), U64(2)), "010200"},
		{"option some", opt, Some(U64(5)), "010500"},
		{"option none", opt, None(), "00"},
		{"result err", res, Enum("Err", Str("x")), "010478"},
		{"bits lsb0", bitsU8, Value{Kind: ValBits, Bits: []bool{true, false, true, true, false, false, false, false, true}}, "240d01"},
		{"bits msb0 u16", bitsMsb, Value{Kind: ValBits, Bits: []bool{true}}, "040080"},
	}
	for _, tt := range tests {
		got, err := r.EncodeValue(tt.ty, tt.v)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if h := bytesHex(got); h != tt.hex {
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
		ty   TypeID
		v    Value
	}{
		{"u8 overflow", u8, U64(256)},
		{"u16 negative", u16, I64(-1)},
		{"i32 overflow", i32, I64(1 << 31)},
		{"missing field", point, Composite(Named("x", U64(1)), Named("z", U64(1)))},
		{"wrong arity", point, Tuple(U64(1))},
		{"short account", acc, Bytes([]byte{1})},
		{"unknown variant", opt, Enum("Maybe")},
		{"str for u8", u8, Str("x")},
	}
	for _, tt := range bad {
		if _, err := r.EncodeValue(tt.ty, tt.v); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestValueAccessors(t *testing.T) {
	v := Composite(Named("free", U128(scale.Uint128{Lo: 5})), Named("who", Tuple(Bytes(bytes.Repeat([]byte{1}, 32)))))
	if f, ok := v.Field("free"); !ok {
		t.Fatal("no field free")
	} else if n, ok := f.Uint64(); !ok || n != 5 {
		t.Fatalf("free = %v", f)
	}
	w, _ := v.Field("who")
	if a, ok := w.AccountID(); !ok || a[0] != 1 {
		t.Fatalf("AccountID = %v %v", a, ok)
	}
	js, err := json.Marshal(Composite(Named("a", Some(U64(1))), Named("b", BigInt(new(big.Int).Lsh(big.NewInt(1), 70))), Named("c", None())))
	if err != nil || string(js) != `{"a":{"Some":1},"b":"1180591620717411303424","c":"None"}` {
		t.Fatalf("json = %s %v", js, err)
	}
	if s := Enum("Module", Composite(Named("index", U64(7)), Named("error", Bytes([]byte{6, 0, 0, 0})))).String(); s != "Module({index: 7, error: 0x06000000})" {
		t.Fatalf("String = %s", s)
	}
}

func bytesHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestValueNewtypeAroundList(t *testing.T) {
	b := NewRegistryBuilder()
	u16 := b.Primitive(PrimU16)
	bounded := b.Composite([]string{"BoundedVec"}, Field{Type: b.Sequence(u16)})
	r := b.Registry()
	for _, v := range []Value{Tuple(U64(5)), Tuple(Tuple(U64(5)))} {
		got, err := r.EncodeValue(bounded, v)
		if err != nil || bytesHex(got) != "040500" {
			t.Errorf("%s: %x %v", v, got, err)
		}
	}
}
