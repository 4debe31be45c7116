package axon

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

func FuzzParseHeaders(f *testing.F) {
	f.Add("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "1780000000000000000", "u", "0x00", "12.0", "10002000")
	f.Add("", "", "", "", "", "")
	f.Add("5G", "99999999999999999999", "\x00", "0x"+string(make([]byte, 128)), "nan", "-1")
	f.Fuzz(func(t *testing.T, hotkey, nonce, uuid, sig, timeout, version string) {
		h := http.Header{}
		h.Set(HeaderDendriteHotkey, hotkey)
		h.Set(HeaderDendriteNonce, nonce)
		h.Set(HeaderDendriteUUID, uuid)
		h.Set(HeaderDendriteSignature, sig)
		h.Set(HeaderTimeout, timeout)
		h.Set(HeaderDendriteVersion, version)
		p, err := ParseHeaders(h)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not *Error", err)
			}
			return
		}
		v := &Verifier{Self: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"}
		v.Verify(&p, EmptyBodyHash, time.Unix(1_780_000_000, 0))
	})
}

type fuzzSynapse struct {
	Synapse
	S  string             `json:"s"`
	F  []float64          `json:"f"`
	M  map[string][]int   `json:"m"`
	A  any                `json:"a"`
	P  *bool              `json:"p"`
	MI map[int8]*string   `json:"mi"`
	N  struct{ X uint8 }  `json:"n"`
	L  [][]map[string]any `json:"l"`
}

func (fuzzSynapse) RequiredHashFields() []string {
	return []string{"s", "f", "m", "a", "p", "mi", "n", "l"}
}

func FuzzBodyHash(f *testing.F) {
	f.Add([]byte(`{"s":"x","f":[1,2.5],"m":{"b":[1],"a":[]},"a":[null,{"k":1e5}],"p":true,"mi":{"3":null},"n":{"X":3},"l":[[{}]]}`))
	f.Add([]byte(`{"s":"\ud800","f":[1e999]}`))
	f.Add([]byte(`[]`))
	spec, err := SpecFor[fuzzSynapse]()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		spec.BodyHash(body)
	})
}

func FuzzPyStr(f *testing.F) {
	f.Add([]byte(`["a", 1, 1.5, {"x": [true, null]}]`), uint8(0))
	f.Add([]byte(`1e308`), uint8(1))
	f.Add([]byte(`"\u0000"`), uint8(2))
	types := []reflect.Type{reflect.TypeFor[any](), reflect.TypeFor[float64](), reflect.TypeFor[[]string](),
		reflect.TypeFor[map[uint16]any](), reflect.TypeFor[int](), reflect.TypeFor[*[]*float32]()}
	f.Fuzz(func(t *testing.T, raw []byte, which uint8) {
		PyStr(raw, types[int(which)%len(types)])
	})
}
