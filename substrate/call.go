package substrate

import (
	"fmt"

	"github.com/minerkit/minerkit/scale"
)

// Call is an encoded runtime call with the names it was built from.
type Call struct {
	Pallet      string
	Name        string
	PalletIndex uint8
	CallIndex   uint8
	Args        []byte // the encoded arguments
}

// AppendSCALE appends the call's encoding: pallet index, call index, args.
func (c Call) AppendSCALE(b []byte) []byte {
	return append(append(b, c.PalletIndex, c.CallIndex), c.Args...)
}

// Bytes returns the call's encoding.
func (c Call) Bytes() []byte { return c.AppendSCALE(make([]byte, 0, 2+len(c.Args))) }

// String returns "Pallet.call_name".
func (c Call) String() string { return c.Pallet + "." + c.Name }

// NewCall builds pallet.call from its arguments, given in the call's field
// order, or as one composite Value with named fields.
func (m *Metadata) NewCall(pallet, call string, args ...Value) (Call, error) {
	p, v, err := m.LookupCall(pallet, call)
	if err != nil {
		return Call{}, err
	}
	if len(args) == 1 && len(v.Fields) != 1 && args[0].Kind == ValComposite {
		if len(args[0].Fields) > 0 && args[0].Fields[0].Name != "" {
			return m.NewCallNamed(pallet, call, args[0].Fields...)
		}
		args = fieldValues(args[0])
	}
	if len(args) != len(v.Fields) {
		return Call{}, fmt.Errorf("substrate: call %s.%s takes %d arguments (%s), got %d", pallet, call, len(v.Fields), fieldList(m.Types, v.Fields), len(args))
	}
	var enc []byte
	for i, f := range v.Fields {
		if enc, err = m.Types.AppendValue(enc, f.Type, args[i]); err != nil {
			return Call{}, fmt.Errorf("substrate: call %s.%s argument %s: %w", pallet, call, f.Name, err)
		}
	}
	return Call{Pallet: pallet, Name: call, PalletIndex: p.Index, CallIndex: v.Index, Args: enc}, nil
}

// fieldValues returns a composite's values in order.
func fieldValues(v Value) []Value {
	out := make([]Value, len(v.Fields))
	for i, f := range v.Fields {
		out[i] = f.Value
	}
	return out
}

func fieldList(r *Registry, fs []Field) string {
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += ", "
		}
		s += f.Name + " " + r.Name(f.Type)
	}
	return s
}

// NewCallNamed builds pallet.call from arguments given by name, in any order.
func (m *Metadata) NewCallNamed(pallet, call string, args ...NamedValue) (Call, error) {
	_, v, err := m.LookupCall(pallet, call)
	if err != nil {
		return Call{}, err
	}
	ordered := make([]Value, len(v.Fields))
	for i, f := range v.Fields {
		found := false
		for _, a := range args {
			if a.Name == f.Name {
				ordered[i], found = a.Value, true
				break
			}
		}
		if !found {
			return Call{}, fmt.Errorf("substrate: call %s.%s: missing argument %s (%s)", pallet, call, f.Name, m.Types.Name(f.Type))
		}
	}
	if len(args) != len(v.Fields) {
		return Call{}, fmt.Errorf("substrate: call %s.%s takes %d arguments (%s), got %d", pallet, call, len(v.Fields), fieldList(m.Types, v.Fields), len(args))
	}
	return m.NewCall(pallet, call, ordered...)
}

// NewCallEncoded builds pallet.call from arguments already SCALE-encoded
// (all of them, concatenated in field order).
func (m *Metadata) NewCallEncoded(pallet, call string, args []byte) (Call, error) {
	p, v, err := m.LookupCall(pallet, call)
	if err != nil {
		return Call{}, err
	}
	return Call{Pallet: pallet, Name: call, PalletIndex: p.Index, CallIndex: v.Index, Args: args}, nil
}

// DecodedCall is a call read back from bytes.
type DecodedCall struct {
	Call
	Fields []NamedValue // the arguments, named as in the metadata
}

// Arg returns the argument with the given name.
func (c *DecodedCall) Arg(name string) (Value, bool) {
	for _, f := range c.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return Value{}, false
}

// DecodeCall decodes data, which must hold exactly one call.
func (m *Metadata) DecodeCall(data []byte) (*DecodedCall, error) {
	d := scale.NewDecoder(data)
	c, err := m.DecodeCallFrom(d)
	if err != nil {
		return nil, err
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("substrate: decode call %s: %w", c, err)
	}
	return c, nil
}

// DecodeCallFrom decodes one call from d.
func (m *Metadata) DecodeCallFrom(d *scale.Decoder) (*DecodedCall, error) {
	pi, err := d.U8()
	if err != nil {
		return nil, fmt.Errorf("substrate: decode call: %w", err)
	}
	ci, err := d.U8()
	if err != nil {
		return nil, fmt.Errorf("substrate: decode call: %w", err)
	}
	p, ok := m.PalletByIndex(pi)
	if !ok {
		return nil, fmt.Errorf("substrate: decode call: %w: no pallet with index %d", scale.ErrInvalid, pi)
	}
	v, ok := p.CallByIndex(ci)
	if !ok {
		return nil, fmt.Errorf("substrate: decode call: %w: pallet %s has no call with index %d", scale.ErrInvalid, p.Name, ci)
	}
	argStart := d.Offset()
	fs, err := m.Types.decodeFields(d, v.Fields, 0)
	if err != nil {
		return nil, fmt.Errorf("substrate: decode call %s.%s: %w", p.Name, v.Name, err)
	}
	return &DecodedCall{
		Call:   Call{Pallet: p.Name, Name: v.Name, PalletIndex: pi, CallIndex: ci, Args: d.Since(argStart)},
		Fields: fs,
	}, nil
}
