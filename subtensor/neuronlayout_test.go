package subtensor

import (
	"reflect"
	"slices"
	"testing"

	"github.com/minerkit/minerkit/internal/metabuild"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// A runtime whose NeuronInfoLite gained a field, lost one and changed the
// type of another is still read by name: the rest of the figures are right
// and the two it cannot read are listed as missing.
func TestNeuronsLiteByName(t *testing.T) {
	l := changedNeuronLayout()
	want := testNeurons(2)
	data := encodeChangedNeurons(want)
	got, err := DecodeNeuronsLiteLayout(data, l)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i].Rank, want[i].Trust = 0, 0 // not readable from this layout
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("neuron %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if m := l.Missing(); !slices.Equal(m, []string{"rank", "trust"}) {
		t.Fatalf("missing %v", m)
	}
	// The zero layout reads the known layout positionally.
	if _, err := DecodeNeuronsLiteLayout(data, NeuronLiteLayout{}); err == nil {
		t.Fatal("the positional decoder read a changed layout")
	}
}

func FuzzDecodeNeuronsLiteLayout(f *testing.F) {
	l := changedNeuronLayout()
	f.Add(encodeChangedNeurons(testNeurons(2)))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = DecodeNeuronsLiteLayout(b, l) })
}

// changedNeuronLayout is NeuronInfoLite as a runtime might change it: a
// field added after active, rank dropped, trust a plain u16.
func changedNeuronLayout() NeuronLiteLayout {
	b := metabuild.NewRegistryBuilder()
	u8, u16, u32, u64, u128, boolT := b.Primitive(substrate.PrimU8), b.Primitive(substrate.PrimU16), b.Primitive(substrate.PrimU32), b.Primitive(substrate.PrimU64), b.Primitive(substrate.PrimU128), b.Primitive(substrate.PrimBool)
	acc := b.AccountID32()
	c16, c64 := b.Compact(u16), b.Compact(u64)
	axon := b.Composite([]string{"AxonInfo"}, metabuild.FT("block", u64, ""), metabuild.FT("version", u32, ""), metabuild.FT("ip", u128, ""),
		metabuild.FT("port", u16, ""), metabuild.FT("ip_type", u8, ""), metabuild.FT("protocol", u8, ""), metabuild.FT("placeholder1", u8, ""), metabuild.FT("placeholder2", u8, ""))
	prom := b.Composite([]string{"PrometheusInfo"}, metabuild.FT("block", u64, ""), metabuild.FT("version", u32, ""), metabuild.FT("ip", u128, ""),
		metabuild.FT("port", u16, ""), metabuild.FT("ip_type", u8, ""))
	netuid := b.Composite([]string{"NetUid"}, substrate.Field{Type: u16})
	f := metabuild.FT
	fields := []substrate.Field{
		f("hotkey", acc, ""), f("coldkey", acc, ""), f("uid", c16, ""), f("netuid", b.Compact(netuid), ""), f("active", boolT, ""),
		f("shiny_new_field", b.Sequence(u32), ""), // added: skipped
		f("axon_info", axon, ""), f("prometheus_info", prom, ""), f("stake", b.Sequence(b.Tuple(acc, c64)), ""),
		// rank dropped
		f("emission", c64, ""), f("incentive", c16, ""), f("consensus", c16, ""),
		f("trust", u16, ""), // a plain u16 now: not read
		f("validator_trust", c16, ""), f("dividends", c16, ""), f("last_update", c64, ""), f("validator_permit", boolT, ""), f("pruning_score", c16, ""),
	}
	l := NeuronLiteLayout{reg: b.Registry()}
	for _, fl := range fields {
		lf := layoutField{name: fl.Name, typ: fl.Type}
		if rd, ok := neuronLiteReaders[fl.Name]; ok && l.reg.Shape(fl.Type) != rd.shape {
			lf.skip = true
		}
		l.fields = append(l.fields, lf)
	}
	return l
}

func encodeChangedNeurons(want []NeuronInfoLite) []byte {
	var data []byte
	data = scale.AppendCompact(data, uint64(len(want)))
	for _, n := range want {
		data = append(data, n.Hotkey[:]...)
		data = append(data, n.Coldkey[:]...)
		data = scale.AppendCompact(data, uint64(n.UID))
		data = scale.AppendCompact(data, uint64(n.NetUID))
		data = scale.AppendBool(data, n.Active)
		data = scale.AppendVec(data, []uint32{7, 8, 9}, scale.AppendU32)
		data = n.Axon.AppendSCALE(data)
		data = scale.AppendU64(data, n.Prometheus.Block)
		data = scale.AppendU32(data, n.Prometheus.Version)
		data = scale.AppendU128(data, n.Prometheus.IP)
		data = scale.AppendU16(data, n.Prometheus.Port)
		data = append(data, n.Prometheus.IPType)
		data = scale.AppendCompact(data, uint64(len(n.Stake)))
		for _, s := range n.Stake {
			data = append(data, s.Coldkey[:]...)
			data = scale.AppendCompact(data, uint64(s.Amount))
		}
		data = scale.AppendCompact(data, uint64(n.Emission))
		data = scale.AppendCompact(data, uint64(n.Incentive))
		data = scale.AppendCompact(data, uint64(n.Consensus))
		data = scale.AppendU16(data, n.Trust)
		data = scale.AppendCompact(data, uint64(n.ValidatorTrust))
		data = scale.AppendCompact(data, uint64(n.Dividends))
		data = scale.AppendCompact(data, n.LastUpdate)
		data = scale.AppendBool(data, n.ValidatorPermit)
		data = scale.AppendCompact(data, uint64(n.PruningScore))
	}
	return data
}
