package subtensor

import (
	"fmt"

	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// NeuronLiteLayout is NeuronInfoLite as the runtime's metadata (v15)
// declares get_neurons_lite's output: its fields by name and type, in the
// runtime's order. With it, a runtime that adds, drops or reorders a field
// is read by name (unknown fields skipped through the type registry, absent
// ones listed by Missing); a field whose type changed is not read and is
// listed too. The zero value reads the layout minerkit knows, positionally
// (the only way for runtimes whose API returns an opaque Vec<u8>, such as
// spec 218).
type NeuronLiteLayout struct {
	reg    *substrate.Registry
	fields []layoutField
}

// ByName reports whether the layout came from the runtime's metadata.
func (l NeuronLiteLayout) ByName() bool { return l.reg != nil && len(l.fields) > 0 }

// Missing lists the NeuronInfoLite fields minerkit reads that the runtime's
// layout lacks or has with another type (their values read as zero).
func (l NeuronLiteLayout) Missing() []string {
	if !l.ByName() {
		return nil
	}
	have := make(map[string]bool, len(l.fields))
	for _, f := range l.fields {
		have[f.name] = !f.skip
	}
	var out []string
	for _, name := range neuronLiteFields {
		if !have[name] {
			out = append(out, name)
		}
	}
	return out
}

// neuronLiteFields are the fields of NeuronInfoLite in the order minerkit
// knows them (HEAD and spec 218 alike).
var neuronLiteFields = []string{
	"hotkey", "coldkey", "uid", "netuid", "active", "axon_info", "prometheus_info", "stake", "rank", "emission",
	"incentive", "consensus", "trust", "validator_trust", "dividends", "last_update", "validator_permit", "pruning_score",
}

type neuronReader struct {
	shape string // the field's type, as substrate's Registry.Shape renders it
	read  func(d *scale.Decoder, n *NeuronInfoLite) (err error)
}

func c16Reader(p func(n *NeuronInfoLite) *uint16) neuronReader {
	return neuronReader{"Compact<u16>", func(d *scale.Decoder, n *NeuronInfoLite) (err error) {
		*p(n), err = compactU16(d)
		return err
	}}
}

var neuronLiteReaders = map[string]neuronReader{
	"hotkey":  {"[u8;32]", func(d *scale.Decoder, n *NeuronInfoLite) error { return decodeAccount(d, &n.Hotkey) }},
	"coldkey": {"[u8;32]", func(d *scale.Decoder, n *NeuronInfoLite) error { return decodeAccount(d, &n.Coldkey) }},
	"uid":     c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.UID }),
	"netuid":  c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.NetUID }),
	"active": {"bool", func(d *scale.Decoder, n *NeuronInfoLite) (err error) {
		n.Active, err = d.Bool()
		return err
	}},
	"axon_info": {"{block:u64,version:u32,ip:u128,port:u16,ip_type:u8,protocol:u8,placeholder1:u8,placeholder2:u8}", func(d *scale.Decoder, n *NeuronInfoLite) (err error) {
		n.Axon, err = DecodeAxonInfo(d)
		return err
	}},
	"prometheus_info": {"{block:u64,version:u32,ip:u128,port:u16,ip_type:u8}", func(d *scale.Decoder, n *NeuronInfoLite) (err error) {
		n.Prometheus, err = decodePrometheus(d)
		return err
	}},
	"stake": {"Vec<([u8;32],Compact<u64>)>", func(d *scale.Decoder, n *NeuronInfoLite) error {
		cnt, err := d.Len(33)
		if err != nil {
			return err
		}
		n.Stake = nil
		if cnt > 0 {
			n.Stake = make([]StakeEntry, cnt)
		}
		for i := range n.Stake {
			if err := decodeAccount(d, &n.Stake[i].Coldkey); err != nil {
				return err
			}
			v, err := d.Compact()
			if err != nil {
				return err
			}
			n.Stake[i].Amount = Rao(v)
		}
		return nil
	}},
	"rank": c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.Rank }),
	"emission": {"Compact<u64>", func(d *scale.Decoder, n *NeuronInfoLite) error {
		v, err := d.Compact()
		n.Emission = Rao(v)
		return err
	}},
	"incentive":       c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.Incentive }),
	"consensus":       c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.Consensus }),
	"trust":           c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.Trust }),
	"validator_trust": c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.ValidatorTrust }),
	"dividends":       c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.Dividends }),
	"last_update": {"Compact<u64>", func(d *scale.Decoder, n *NeuronInfoLite) (err error) {
		n.LastUpdate, err = d.Compact()
		return err
	}},
	"validator_permit": {"bool", func(d *scale.Decoder, n *NeuronInfoLite) (err error) {
		n.ValidatorPermit, err = d.Bool()
		return err
	}},
	"pruning_score": c16Reader(func(n *NeuronInfoLite) *uint16 { return &n.PruningScore }),
}

// neuronLiteLayoutFromV15 reads NeuronInfoLite's fields from the output type
// of get_neurons_lite (a Vec of a struct). It returns the zero layout when
// the output is opaque bytes or not a struct.
func neuronLiteLayoutFromV15(md *substrate.Metadata) NeuronLiteLayout {
	m, err := md.LookupRuntimeAPI("NeuronInfoRuntimeApi", "get_neurons_lite")
	if err != nil {
		return NeuronLiteLayout{}
	}
	r := md.Types
	t, ok := r.Type(m.Output)
	if !ok || t.Kind != substrate.KindSequence {
		return NeuronLiteLayout{}
	}
	st, ok := r.Type(t.Elem)
	if !ok || st.Kind != substrate.KindComposite || len(st.Fields) < 2 {
		return NeuronLiteLayout{} // Vec<u8> (spec 218) or something else
	}
	l := NeuronLiteLayout{reg: r}
	for _, fl := range st.Fields {
		f := layoutField{name: fl.Name, typ: fl.Type}
		if rd, ok := neuronLiteReaders[fl.Name]; ok && r.Shape(fl.Type) != rd.shape {
			f.skip = true // a type this client does not read: skipped, listed as missing
		}
		l.fields = append(l.fields, f)
	}
	return l
}

// DecodeNeuronsLiteLayout decodes get_neurons_lite's result with layout:
// by field name when the layout came from the runtime's metadata, else as
// DecodeNeuronsLite does.
func DecodeNeuronsLiteLayout(data []byte, layout NeuronLiteLayout) ([]NeuronInfoLite, error) {
	if !layout.ByName() {
		return DecodeNeuronsLite(data)
	}
	d := scale.NewDecoder(data)
	cnt, err := d.Len(len(layout.fields))
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode get_neurons_lite result (%d bytes): %w", len(data), err)
	}
	out := make([]NeuronInfoLite, cnt)
	for i := range out {
		for _, f := range layout.fields {
			rd, ok := neuronLiteReaders[f.name]
			if ok && !f.skip {
				err = rd.read(d, &out[i])
			} else {
				err = layout.reg.SkipValue(d, f.typ)
			}
			if err != nil {
				return nil, fmt.Errorf("subtensor: decode get_neurons_lite result (%d bytes): neuron %d field %s: %w", len(data), i, f.name, err)
			}
		}
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("subtensor: decode get_neurons_lite result (%d bytes): %w", len(data), err)
	}
	return out, nil
}
