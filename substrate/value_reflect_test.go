package substrate

import (
	"math/big"
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
)

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"Nonce": "nonce", "IPType": "ip_type", "Placeholder1": "placeholder1",
		"NetUID": "net_uid", "ValidatorPermit": "validator_permit", "Free": "free", "IP": "ip"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestValueInto(t *testing.T) {
	type accountData struct {
		Free, Reserved, Frozen uint64
		Flags                  *big.Int
	}
	type accountInfo struct {
		Nonce       uint32
		Consumers   uint32
		Providers   uint32
		Sufficients uint32
		Data        accountData
	}
	v := Composite(Named("nonce", U64(3)), Named("consumers", U64(0)), Named("providers", U64(1)), Named("sufficients", U64(0)),
		Named("data", Composite(Named("free", U64(10)), Named("reserved", U64(0)), Named("frozen", U64(0)),
			Named("flags", BigInt(new(big.Int).Lsh(big.NewInt(1), 127))))))
	var ai accountInfo
	if err := v.Into(&ai); err != nil {
		t.Fatal(err)
	}
	if ai.Nonce != 3 || ai.Data.Free != 10 || ai.Data.Flags.BitLen() != 128 {
		t.Fatalf("%+v", ai)
	}

	type axon struct {
		Block        uint64
		Version      uint32
		IP           scale.Uint128
		Port         uint16
		IPType       uint8
		Protocol     uint8
		Placeholder1 uint8 `scale:"placeholder1"`
	}
	av := Composite(Named("block", U64(1)), Named("version", U64(2)), Named("ip", U64(0x0a000001)), Named("port", U64(8091)),
		Named("ip_type", U64(4)), Named("protocol", U64(0)), Named("placeholder1", U64(0)))
	var ax *axon
	if err := Some(av).Into(&ax); err != nil || ax == nil || ax.IPType != 4 || ax.IP.Lo != 0x0a000001 {
		t.Fatalf("axon = %+v, %v", ax, err)
	}
	if err := None().Into(&ax); err != nil || ax != nil {
		t.Fatalf("None into pointer = %+v, %v", ax, err)
	}

	var pk keys.PublicKey
	if err := Tuple(Bytes(make([]byte, 32))).Into(&pk); err != nil {
		t.Fatal(err)
	}
	var pairs []struct {
		Who   keys.PublicKey
		Stake uint64
	}
	if err := Tuple(Tuple(Bytes(make([]byte, 32)), U64(7))).Into(&pairs); err != nil || len(pairs) != 1 || pairs[0].Stake != 7 {
		t.Fatalf("pairs = %+v, %v", pairs, err)
	}
	var small uint8
	if err := U64(300).Into(&small); err == nil {
		t.Fatal("300 into uint8 accepted")
	}
	var s []uint16
	if err := Tuple(Tuple(U64(1), U64(2))).Into(&s); err != nil || len(s) != 2 {
		t.Fatalf("bounded vec = %v, %v", s, err)
	}
}

func TestValueOfRoundTrip(t *testing.T) {
	m := testRuntime(t, 14)
	type axonInfo struct {
		Block        uint64
		Version      uint32
		IP           scale.Uint128
		Port         uint16
		IPType       uint8
		Protocol     uint8
		Placeholder1 uint8
		Placeholder2 uint8
	}
	in := axonInfo{Block: 9, Version: 100, IP: scale.U128From64(0x0a000001), Port: 8091, IPType: 4}
	v, err := ValueOf(in)
	if err != nil {
		t.Fatal(err)
	}
	_, e, _ := m.LookupStorage("SubtensorModule", "Axons")
	raw, err := m.Types.EncodeValue(e.ValueType, v)
	if err != nil {
		t.Fatal(err)
	}
	back, err := m.Types.DecodeValue(e.ValueType, raw)
	if err != nil {
		t.Fatal(err)
	}
	var out axonInfo
	if err := back.Into(&out); err != nil || out != in {
		t.Fatalf("round trip = %+v, %v", out, err)
	}
	pk := keys.PublicKey{1, 2, 3}
	call, err := m.NewCall("SubtensorModule", "burned_register", must(ValueOf(uint16(1))), must(ValueOf(pk)))
	if err != nil || len(call.Args) != 34 {
		t.Fatalf("call = %+v, %v", call, err)
	}
	if v, _ := ValueOf((*uint16)(nil)); v.Str != "None" {
		t.Fatalf("nil pointer = %v", v)
	}
}

func must(v Value, err error) Value {
	if err != nil {
		panic(err)
	}
	return v
}
