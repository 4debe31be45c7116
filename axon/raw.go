package axon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// Raw is a synapse whose fields are known only at run time (the command
// line, a generic validator): the subnet's fields as JSON values, the hash
// fields by name. A hash field's value is rendered from its JSON form, as
// Python holds json.loads of it: a number with a decimal point or an
// exponent is a float ("1.0"), one without an int ("1"). Write float fields
// with a decimal point.
type Raw struct {
	Synapse
	// SynapseName is the Python class name (the route).
	SynapseName string
	// Hash lists the class's required_hash_fields, in order.
	Hash []string
	// Fields are the subnet's fields (everything but the shared ones), as
	// sent and, after a call, as answered.
	Fields map[string]json.RawMessage
}

// NewRaw returns a Raw synapse name with the subnet's fields from the JSON
// object fields (nil or empty: none).
func NewRaw(name string, fields []byte, hash []string) (*Raw, error) {
	if !validName(name) {
		return nil, fmt.Errorf("axon: synapse name %q is not a Python class name (letters, digits, _; not starting with a digit)", name)
	}
	r := &Raw{SynapseName: name, Hash: slices.Clone(hash), Fields: map[string]json.RawMessage{}}
	if len(bytes.TrimSpace(fields)) > 0 {
		if err := json.Unmarshal(fields, &r.Fields); err != nil {
			return nil, fmt.Errorf("axon: the fields of synapse %s must be one JSON object: %w", name, err)
		}
	}
	for _, f := range hash {
		if shared[f] {
			continue
		}
		if _, ok := r.Fields[f]; !ok {
			return nil, fmt.Errorf("axon: hash field %q of synapse %s is not among its fields", f, name)
		}
	}
	return r, nil
}

// shared are the JSON names of Synapse's own fields.
var shared = map[string]bool{"name": true, "timeout": true, "total_size": true, "header_size": true,
	"dendrite": true, "axon": true, "computed_body_hash": true}

func (r *Raw) spec() (*Spec, error) {
	if !validName(r.SynapseName) {
		return nil, fmt.Errorf("axon: synapse name %q is not a Python class name", r.SynapseName)
	}
	s := &Spec{Name: r.SynapseName, HashFields: slices.Clone(r.Hash)}
	for range r.Hash {
		s.plans = append(s.plans, &plan{kind: kAny})
	}
	return s, nil
}

// MarshalJSON writes the shared fields, then the subnet's in name order.
func (r *Raw) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(&r.Synapse)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(r.Fields))
	for k := range r.Fields {
		if !shared[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	out := bytes.TrimSuffix(base, []byte{'}'})
	for _, k := range names {
		kb, _ := json.Marshal(k)
		out = append(out, ',')
		out = append(out, kb...)
		out = append(out, ':')
		v := r.Fields[k]
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

// UnmarshalJSON reads an answer: the shared fields into Synapse, the rest
// into Fields.
func (r *Raw) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &r.Synapse); err != nil {
		return err
	}
	if r.Fields == nil {
		r.Fields = map[string]json.RawMessage{}
	}
	for k, v := range all {
		if !shared[k] {
			r.Fields[k] = v
		}
	}
	return nil
}
