package substrate

import "testing"

func TestRegistryShape(t *testing.T) {
	b := NewRegistryBuilder()
	u8, u16, u64 := b.Primitive(PrimU8), b.Primitive(PrimU16), b.Primitive(PrimU64)
	netuid := b.Composite([]string{"NetUid"}, Field{Type: u16})
	axon := b.Composite([]string{"AxonInfo"}, FT("block", u64, ""), FT("port", u16, ""))
	for _, tc := range []struct {
		id   TypeID
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
