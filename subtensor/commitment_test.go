package subtensor

import (
	"bytes"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/scale"
)

func TestDataEncoding(t *testing.T) {
	h := bytes.Repeat([]byte{0xab}, 32)
	for _, tc := range []struct {
		name string
		d    Data
		want []byte
	}{
		{"none", Data{Kind: DataNone}, []byte{0}},
		{"raw0", Data{Kind: DataRaw}, []byte{1}},
		{"raw3", Data{Kind: DataRaw, Bytes: []byte("abc")}, []byte{4, 'a', 'b', 'c'}},
		{"raw128", Data{Kind: DataRaw, Bytes: bytes.Repeat([]byte{'x'}, 128)}, append([]byte{129}, bytes.Repeat([]byte{'x'}, 128)...)},
		{"blake", Data{Kind: DataBlakeTwo256, Bytes: h}, append([]byte{130}, h...)},
		{"sha3", Data{Kind: DataShaThree256, Bytes: h}, append([]byte{133}, h...)},
		{"timelock", Data{Kind: DataTimelockEncrypted, Bytes: []byte{9}, RevealRound: 2}, []byte{134, 4, 9, 2, 0, 0, 0, 0, 0, 0, 0}},
		{"reset", Data{Kind: DataResetBondsFlag}, []byte{135}},
		{"bigraw", Data{Kind: DataBigRaw, Bytes: []byte{1, 2}}, []byte{136, 8, 1, 2}},
	} {
		got := tc.d.AppendSCALE(nil)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s: % x, want % x", tc.name, got, tc.want)
			continue
		}
		back, err := DecodeData(scale.NewDecoder(got))
		if err != nil || !back.Equal(tc.d) {
			t.Errorf("%s: decode %+v %v", tc.name, back, err)
		}
	}
}

func TestRawData(t *testing.T) {
	if d, _ := RawData(bytes.Repeat([]byte{1}, 128)); d.Kind != DataRaw {
		t.Error("128 bytes not Raw")
	}
	if d, _ := RawData(bytes.Repeat([]byte{1}, 129)); d.Kind != DataBigRaw {
		t.Error("129 bytes not BigRaw")
	}
	if _, err := RawData(bytes.Repeat([]byte{1}, 513)); err == nil || !strings.Contains(err.Error(), "at most 512") {
		t.Errorf("513 bytes: %v", err)
	}
}

func TestCommitmentRoundTrip(t *testing.T) {
	c := &Commitment{Deposit: 0, Block: 77, Fields: []Data{{Kind: DataRaw, Bytes: []byte("http://203.0.113.9:8091")}}}
	got, err := DecodeCommitment(c.AppendSCALE(nil), 3)
	if err != nil {
		t.Fatal(err)
	}
	if got.Block != 77 || got.Text() != "http://203.0.113.9:8091" || !got.IsText() || !got.SameFields(c.Fields) {
		t.Fatalf("%+v", got)
	}
	if got.SameFields([]Data{{Kind: DataRaw, Bytes: []byte("other")}}) {
		t.Fatal("SameFields true for other data")
	}
	four := &Commitment{Fields: make([]Data, 4)}
	if _, err := DecodeCommitment(four.AppendSCALE(nil), 3); err == nil {
		t.Fatal("4 fields accepted with MaxFields 3")
	}
}

func TestCommitmentPayload(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *Commitment
		want string
	}{
		{"nil", nil, ""},
		{"no fields", &Commitment{}, ""},
		{"one raw", &Commitment{Fields: []Data{{Kind: DataRaw, Bytes: []byte("http://a")}}}, "http://a"},
		{"raw and big raw joined", &Commitment{Fields: []Data{{Kind: DataRaw, Bytes: []byte("ab")}, {Kind: DataBigRaw, Bytes: []byte("cd")}}}, "abcd"},
		{"hash fields skipped", &Commitment{Fields: []Data{{Kind: DataSha256, Bytes: make([]byte, 32)}, {Kind: DataRaw, Bytes: []byte("x")}, {Kind: DataNone}}}, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(tc.c.Payload()); got != tc.want {
				t.Fatalf("Payload() = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzDecodeCommitment(f *testing.F) {
	f.Add((&Commitment{Block: 1, Fields: []Data{{Kind: DataRaw, Bytes: []byte("x")}, {Kind: DataBigRaw, Bytes: []byte("y")}}}).AppendSCALE(nil))
	f.Add((&Commitment{Fields: []Data{{Kind: DataTimelockEncrypted, Bytes: []byte("t"), RevealRound: 5}}}).AppendSCALE(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCommitment(b, 0)
		if err != nil {
			return
		}
		if !bytes.Equal(c.AppendSCALE(nil), b) {
			t.Fatalf("re-encode differs")
		}
	})
}
