package scale_test

import (
	"fmt"

	"github.com/minerkit/minerkit/scale"
)

func Example() {
	// Encode (u16 netuid, Vec<u16> uids, Compact<u64> amount).
	b := scale.AppendU16(nil, 1)
	b = scale.AppendVec(b, []uint16{4, 2}, scale.AppendU16)
	b = scale.AppendCompact(b, 1_000_000_000)
	fmt.Printf("%x\n", b)

	d := scale.NewDecoder(b)
	netuid, _ := d.U16()
	uids, _ := scale.DecodeVec(d, (*scale.Decoder).U16)
	amount, _ := d.Compact()
	fmt.Println(netuid, uids, amount, d.Finish())
	// Output:
	// 0100080400020002286bee
	// 1 [4 2] 1000000000 <nil>
}
