package rpc_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/minerkit/minerkit/substrate/rpc"
)

// TestTypesRoundTrip: a server (the devnet) can marshal these types and the
// client reads back the same values.
func TestTypesRoundTrip(t *testing.T) {
	f := uint16(42)
	sv := uint8(1)
	tests := []struct {
		name string
		in   any
		out  any
		want string // the node's JSON form, when fixed
	}{
		{"header", rpc.Header{ParentHash: hashA, Number: 26, StateRoot: hashB, ExtrinsicsRoot: hashA, Digest: rpc.Digest{Logs: []rpc.Bytes{{6, 1}}}},
			new(rpc.Header), ""},
		{"runtime version", rpc.RuntimeVersion{SpecName: "node-subtensor", SpecVersion: 331, TransactionVersion: 1, SystemVersion: &sv,
			APIs: []rpc.RuntimeAPI{{ID: rpc.Bytes{0xdf, 0x6a, 0xcb, 0x68, 0x99, 0x07, 0x60, 0x9b}, Version: 5}}}, new(rpc.RuntimeVersion), ""},
		{"change set", rpc.StorageChangeSet{Block: hashB, Changes: []rpc.StorageChange{{Key: rpc.Bytes{1}, Value: rpc.Bytes{0x2a}, Exists: true}, {Key: rpc.Bytes{2}}}},
			new(rpc.StorageChangeSet), `{"block":"` + hashB.Hex() + `","changes":[["0x01","0x2a"],["0x02",null]]}`},
		{"properties", rpc.Properties{SS58Format: &f, TokenDecimals: []uint32{9}, TokenSymbol: []string{"TAO"}},
			new(rpc.Properties), `{"ss58Format":42,"tokenDecimals":9,"tokenSymbol":"TAO"}`},
		{"status ready", rpc.ExtrinsicStatus{Kind: rpc.StatusReady}, new(rpc.ExtrinsicStatus), `"ready"`},
		{"status in block", rpc.ExtrinsicStatus{Kind: rpc.StatusInBlock, Block: hashA}, new(rpc.ExtrinsicStatus), `{"inBlock":"` + hashA.Hex() + `"}`},
		{"status broadcast", rpc.ExtrinsicStatus{Kind: rpc.StatusBroadcast, Peers: []string{"p"}}, new(rpc.ExtrinsicStatus), `{"broadcast":["p"]}`},
		{"error", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Custom error: 6"`)}, new(rpc.Error),
			`{"code":1010,"message":"Invalid Transaction","data":"Custom error: 6"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tt.want != "" && string(b) != tt.want {
			t.Errorf("%s: marshal = %s, want %s", tt.name, b, tt.want)
		}
		if err := json.Unmarshal(b, tt.out); err != nil {
			t.Fatalf("%s: unmarshal %s: %v", tt.name, b, err)
		}
		got := reflect.ValueOf(tt.out).Elem().Interface()
		if p, ok := got.(rpc.Properties); ok {
			p.Raw = nil
			got = p
		}
		if !reflect.DeepEqual(got, tt.in) {
			t.Errorf("%s: round trip = %+v, want %+v", tt.name, got, tt.in)
		}
	}
}
