package substrate

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
)

func TestEra(t *testing.T) {
	tests := []struct {
		current, period uint64
		want            Era
		hex             string
	}{
		{42, 64, Era{64, 42}, "a502"},
		{20000, 32768, Era{32768, 20000}, "4e9c"},
		{4898328, 64, Era{64, 4898328 % 64}, ""},
		{100, 1, Era{4, 0}, ""},
		{100, 100000, Era{65536, 96}, ""},
	}
	for _, tt := range tests {
		e := MortalEra(tt.current, tt.period)
		if e != tt.want {
			t.Errorf("MortalEra(%d, %d) = %v, want %v", tt.current, tt.period, e, tt.want)
		}
		enc := e.AppendSCALE(nil)
		if tt.hex != "" && hex.EncodeToString(enc) != tt.hex {
			t.Errorf("encode %v = %x, want %s", e, enc, tt.hex)
		}
		back, err := DecodeEra(scale.NewDecoder(enc))
		if err != nil || back != e {
			t.Errorf("decode %x = %v, %v", enc, back, err)
		}
		if b := e.Birth(tt.current); b > tt.current || tt.current-b >= e.Period {
			t.Errorf("%v.Birth(%d) = %d", e, tt.current, b)
		}
	}
	if _, err := DecodeEra(scale.NewDecoder([]byte{0x41, 0x00})); err == nil {
		t.Error("phase beyond period accepted")
	}
	if e, err := DecodeEra(scale.NewDecoder([]byte{0})); err != nil || !e.Immortal() {
		t.Errorf("immortal: %v %v", e, err)
	}
}

func signOpts() *SignOptions {
	o := &SignOptions{SpecVersion: 219, TxVersion: 1, Era: MortalEra(1000, 64), Nonce: 5, Tip: scale.U128From64(7)}
	o.GenesisHash[0], o.BirthHash[0] = 0x2f, 0xbb
	return o
}

func TestSignDecodeVerify(t *testing.T) {
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		m    *Metadata
	}{{"builder v14", testRuntime(t, 14)}, {"builder v15", testRuntime(t, 15)}, {"finney", loadMeta(t, "mainnet.js")}, {"testnet", loadMeta(t, "testnet.js")}} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			bob, _ := keys.DecodeAddress("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")
			call, err := m.NewCall("SubtensorModule", "burned_register", U64(1), Bytes(bob[:]))
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(call.Bytes()[:4]) != "07070100" {
				t.Fatalf("call = %x", call.Bytes())
			}
			o := signOpts()
			xt, err := m.SignExtrinsic(call.Bytes(), alice, o)
			if err != nil {
				t.Fatal(err)
			}
			x, err := m.DecodeExtrinsic(xt)
			if err != nil {
				t.Fatal(err)
			}
			if !x.Signed || x.Signer != alice.Public() || x.Nonce != 5 || x.Tip != scale.U128From64(7) || x.Era != o.Era ||
				x.Call.String() != "SubtensorModule.burned_register" || !bytes.Equal(x.CallBytes, call.Bytes()) {
				t.Fatalf("decoded %+v", x)
			}
			if hk, _ := x.Call.Arg("hotkey"); hk.String() == "" {
				t.Fatal("no hotkey arg")
			}
			if err := m.VerifyExtrinsic(x, o); err != nil {
				t.Fatal(err)
			}
			wrong := *o
			wrong.BirthHash[1] = 1
			if err := m.VerifyExtrinsic(x, &wrong); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("wrong birth hash verified: %v", err)
			}
			un, err := m.DecodeExtrinsic(UnsignedExtrinsic(call.Bytes()))
			if err != nil || un.Signed || un.Call.Name != "burned_register" {
				t.Fatalf("unsigned: %+v %v", un, err)
			}
		})
	}
}

func TestUnknownExtension(t *testing.T) {
	m := testRuntime(t, 14)
	// Give SubtensorTransactionExtension data.
	for i, e := range m.Extrinsic.SignedExtensions {
		if e.Identifier == "SubtensorTransactionExtension" {
			m.Extrinsic.SignedExtensions[i].Type = m.Types.Types[0].Elem // not zero-sized
			u32, ok := findPrimitive(m.Types, PrimU32)
			if !ok {
				t.Fatal("no u32")
			}
			m.Extrinsic.SignedExtensions[i].Type = u32
		}
	}
	_, _, err := m.EncodeExtensions(signOpts())
	if !errors.Is(err, ErrUnknownExtension) || !bytes.Contains([]byte(err.Error()), []byte("SubtensorTransactionExtension")) {
		t.Fatalf("err = %v", err)
	}
	o := signOpts()
	o.Extensions = map[string]ExtensionData{"SubtensorTransactionExtension": {Extra: []byte{1, 2, 3, 4}}}
	if _, _, err := m.EncodeExtensions(o); err != nil {
		t.Fatal(err)
	}
}

func findPrimitive(r *Registry, p Primitive) (TypeID, bool) {
	for i, t := range r.Types {
		if t.Kind == KindPrimitive && t.Primitive == p {
			return TypeID(i), true
		}
	}
	return 0, false
}
