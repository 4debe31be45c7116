package substrate

import (
	"bytes"
	"encoding/json"
	"math/big"
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
