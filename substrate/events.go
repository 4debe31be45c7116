package substrate

import (
	"errors"
	"fmt"
	"strings"
)

// Phase says when in a block an event was emitted.
type Phase struct {
	// Kind is "ApplyExtrinsic", "Finalization" or "Initialization".
	Kind string
	// ExtrinsicIndex is the extrinsic's index in the block for ApplyExtrinsic.
	ExtrinsicIndex uint32
}

// EventRecord is one decoded event of System.Events.
type EventRecord struct {
	Phase  Phase
	Pallet string
	Name   string
	Fields []NamedValue // the event's fields, named as in the metadata
	Topics [][32]byte
}

// String returns "Pallet.Name".
func (e *EventRecord) String() string { return e.Pallet + "." + e.Name }

// Field returns the event field with the given name.
func (e *EventRecord) Field(name string) (Value, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return Value{}, false
}

// DecodeEvents decodes the value of System.Events (from state_getStorage at
// a block) into event records.
func (m *Metadata) DecodeEvents(raw []byte) ([]EventRecord, error) {
	v, err := m.DecodeStorageValue("System", "Events", raw)
	if err != nil {
		return nil, err
	}
	if v.Kind != ValComposite {
		return nil, fmt.Errorf("substrate: System.Events is a %s, not a list of event records", v.Kind)
	}
	out := make([]EventRecord, 0, len(v.Fields))
	for i, f := range v.Fields {
		rec, err := m.eventRecord(f.Value)
		if err != nil {
			return nil, fmt.Errorf("substrate: event %d: %w", i, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

func (m *Metadata) eventRecord(v Value) (EventRecord, error) {
	var rec EventRecord
	phase, ok1 := v.Field("phase")
	ev, ok2 := v.Field("event")
	if !ok1 || !ok2 {
		return rec, errors.New("event record lacks phase or event")
	}
	rec.Phase.Kind = phase.Str
	if n, ok := phase.Unwrap().At(0); ok && phase.Str == "ApplyExtrinsic" {
		i, _ := n.Uint64()
		rec.Phase.ExtrinsicIndex = uint32(i)
	}
	if ev.Kind != ValVariant || len(ev.Fields) != 1 || ev.Fields[0].Value.Kind != ValVariant {
		return rec, fmt.Errorf("event %s is not a pallet event", ev)
	}
	inner := ev.Fields[0].Value
	rec.Pallet, rec.Name, rec.Fields = ev.Str, inner.Str, inner.Fields
	if topics, ok := v.Field("topics"); ok {
		for _, t := range topics.Fields {
			if h, ok := t.Value.AccountID(); ok {
				rec.Topics = append(rec.Topics, h)
			}
		}
	}
	return rec, nil
}

// DispatchError is a decoded sp_runtime::DispatchError. For Module errors,
// Pallet, Name and Docs come from the metadata.
type DispatchError struct {
	Kind   string // the DispatchError variant: "Module", "BadOrigin", "Token", …
	Pallet string
	Name   string
	Docs   string
	Value  Value // the whole error as decoded
}

// Error returns "Pallet.Name: docs" for module errors, else the variant
// and its detail (e.g. "Token(FundsUnavailable)").
func (e *DispatchError) Error() string {
	if e.Pallet != "" {
		s := e.Pallet + "." + e.Name
		if e.Docs != "" {
			s += ": " + e.Docs
		}
		return s
	}
	return e.Value.String()
}

// DecodeDispatchError names a DispatchError value (the dispatch_error field
// of System.ExtrinsicFailed, or a runtime API's error).
func (m *Metadata) DecodeDispatchError(v Value) *DispatchError {
	e := &DispatchError{Kind: v.Str, Value: v}
	if v.Kind != ValVariant || v.Str != "Module" {
		return e
	}
	me := v.Unwrap()
	if len(v.Fields) == 1 {
		me = v.Fields[0].Value
	}
	idx, ok := me.Field("index")
	if !ok {
		idx, _ = me.At(0)
	}
	errv, ok := me.Field("error")
	if !ok {
		errv, _ = me.At(1)
	}
	pi, ok := idx.Uint64()
	if !ok || pi > 255 {
		return e
	}
	var ei uint64
	if b, ok := errv.AsBytes(); ok && len(b) > 0 {
		ei = uint64(b[0])
	} else if n, ok := errv.Uint64(); ok {
		ei = n
	}
	p, ok := m.PalletByIndex(uint8(pi))
	if !ok {
		e.Pallet, e.Name = fmt.Sprintf("pallet#%d", pi), fmt.Sprintf("error#%d", ei)
		return e
	}
	e.Pallet = p.Name
	ev, ok := p.ErrorByIndex(uint8(ei))
	if !ok || ei > 255 {
		e.Name = fmt.Sprintf("error#%d", ei)
		return e
	}
	e.Name = ev.Name
	e.Docs = joinDocs(ev.Docs)
	return e
}

// ModuleError returns the DispatchError of pallet error pallet.name (for
// tests and for servers that raise errors by name).
func (m *Metadata) ModuleError(pallet, name string) (Value, error) {
	p, ok := m.Pallet(pallet)
	if !ok {
		return Value{}, &NotFoundError{What: "pallet", Name: pallet}
	}
	v, ok := p.Error(name)
	if !ok {
		return Value{}, &NotFoundError{What: "error", Pallet: pallet, Name: name}
	}
	return Enum("Module", Composite(Named("index", U64(uint64(p.Index))), Named("error", Bytes([]byte{v.Index, 0, 0, 0})))), nil
}

func joinDocs(docs []string) string {
	parts := make([]string, 0, len(docs))
	for _, d := range docs {
		if d = strings.TrimSpace(d); d != "" {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, " ")
}

// ExtrinsicResult is the outcome of one extrinsic in a block.
type ExtrinsicResult struct {
	Success bool
	// Err is the named dispatch error when Success is false.
	Err *DispatchError
	// Events are all events emitted while applying the extrinsic, in order.
	Events []EventRecord
}

// ErrNoOutcome is returned by FindExtrinsicResult when the events hold
// neither System.ExtrinsicSuccess nor System.ExtrinsicFailed for the index.
var ErrNoOutcome = errors.New("substrate: no ExtrinsicSuccess or ExtrinsicFailed event for the extrinsic")

// FindExtrinsicResult finds the outcome of the extrinsic at index in its
// block's events.
func (m *Metadata) FindExtrinsicResult(events []EventRecord, index uint32) (*ExtrinsicResult, error) {
	res := &ExtrinsicResult{}
	found := false
	for _, ev := range events {
		if ev.Phase.Kind != "ApplyExtrinsic" || ev.Phase.ExtrinsicIndex != index {
			continue
		}
		res.Events = append(res.Events, ev)
		if ev.Pallet != "System" {
			continue
		}
		switch ev.Name {
		case "ExtrinsicSuccess":
			res.Success, found = true, true
		case "ExtrinsicFailed":
			found = true
			de, ok := ev.Field("dispatch_error")
			if !ok && len(ev.Fields) > 0 {
				de = ev.Fields[0].Value
			}
			res.Err = m.DecodeDispatchError(de)
		}
	}
	if !found {
		return nil, fmt.Errorf("%w %d (was it included in this block?)", ErrNoOutcome, index)
	}
	return res, nil
}

// EncodeEvents encodes event records as the value of System.Events (what a
// node, such as the devnet, stores and serves). Fields are encoded by the
// event's field types; Topics may be empty.
func (m *Metadata) EncodeEvents(records []EventRecord) ([]byte, error) {
	_, e, err := m.LookupStorage("System", "Events")
	if err != nil {
		return nil, err
	}
	items := make([]Value, len(records))
	for i, r := range records {
		phase := Enum(r.Phase.Kind)
		if r.Phase.Kind == "ApplyExtrinsic" {
			phase = Enum("ApplyExtrinsic", U64(uint64(r.Phase.ExtrinsicIndex)))
		}
		topics := make([]Value, len(r.Topics))
		for j := range r.Topics {
			topics[j] = Bytes(r.Topics[j][:])
		}
		items[i] = Composite(
			Named("phase", phase),
			Named("event", Enum(r.Pallet, EnumNamed(r.Name, r.Fields...))),
			Named("topics", Tuple(topics...)),
		)
	}
	b, err := m.Types.EncodeValue(e.ValueType, Tuple(items...))
	if err != nil {
		return nil, fmt.Errorf("substrate: encode events: %w", err)
	}
	return b, nil
}
