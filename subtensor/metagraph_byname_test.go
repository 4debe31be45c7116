package subtensor

import (
	"slices"
	"testing"

	"github.com/minerkit/minerkit/internal/metabuild"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// A runtime whose Metagraph struct gained a field this client does not know
// and lost most of the ones it does: the known fields decode by name, the
// new one is skipped through the type registry, the absent ones are named
// in Missing, and nothing fails.
func TestDecodeMetagraphByName(t *testing.T) {
	b := metabuild.NewRegistryBuilder()
	u16, u32, u64 := b.Primitive(substrate.PrimU16), b.Primitive(substrate.PrimU32), b.Primitive(substrate.PrimU64)
	acc := b.AccountID32()
	fields := []substrate.Field{
		metabuild.F("netuid", b.Compact(u16)),
		metabuild.F("a_field_from_the_future", b.Sequence(b.Tuple(u32, b.Bytes()))),
		metabuild.F("tempo", b.Compact(u16)),
		metabuild.F("hotkeys", b.Sequence(acc)),
		metabuild.F("total_stake", b.Sequence(b.Compact(u64))),
	}
	b.Composite([]string{"Metagraph"}, fields...)
	reg := b.Registry()
	l := MetagraphLayout{reg: reg}
	for _, f := range fields {
		l.fields = append(l.fields, layoutField{name: f.Name, typ: f.Type})
	}

	var hk keys.PublicKey
	hk[0] = 7
	data := []byte{1} // Some
	data = scale.AppendCompact(data, 3)
	data = scale.AppendCompact(data, 2) // two future entries
	for range 2 {
		data = scale.AppendU32(data, 9)
		data = scale.AppendBytes(data, []byte("xyz"))
	}
	data = scale.AppendCompact(data, 100)
	data = scale.AppendCompact(data, 1)
	data = append(data, hk[:]...)
	data = scale.AppendCompact(data, 1)
	data = scale.AppendCompact(data, 5_000_000_000)

	m, err := DecodeMetagraph(data, l)
	if err != nil {
		t.Fatal(err)
	}
	if m.NetUID != 3 || m.Tempo != 100 || len(m.Hotkeys) != 1 || m.Hotkeys[0] != hk || GetRao(m.TotalStake, 0) != 5_000_000_000 {
		t.Fatalf("decoded %+v", m)
	}
	for _, want := range []string{"burn", "validator_permit", "alpha_stake", "identity"} {
		if !slices.Contains(m.Missing, want) {
			t.Errorf("Missing %v lacks %q", m.Missing, want)
		}
	}
	if slices.Contains(m.Missing, "tempo") || slices.Contains(m.Missing, "a_field_from_the_future") {
		t.Errorf("Missing %v names a field the runtime sent or one this client does not know", m.Missing)
	}
	// Truncated input is an error, never a panic.
	for n := range len(data) {
		if _, err := DecodeMetagraph(data[:n], l); err == nil && n > 1 {
			t.Fatalf("%d of %d bytes decoded without error", n, len(data))
		}
	}
}
