package substrate

import "fmt"

// RuntimeAPICall encodes a call of the v15 runtime API method api.method
// for state_call: it returns the method name state_call wants
// ("<api>_<method>") and the encoded arguments, given in the method's
// input order.
func (m *Metadata) RuntimeAPICall(api, method string, args ...Value) (name string, params []byte, err error) {
	f, err := m.LookupRuntimeAPI(api, method)
	if err != nil {
		return "", nil, err
	}
	if len(args) != len(f.Inputs) {
		return "", nil, fmt.Errorf("substrate: runtime API %s.%s takes %d arguments, got %d", api, method, len(f.Inputs), len(args))
	}
	for i, in := range f.Inputs {
		if params, err = m.Types.AppendValue(params, in.Type, args[i]); err != nil {
			return "", nil, fmt.Errorf("substrate: runtime API %s.%s argument %s: %w", api, method, in.Name, err)
		}
	}
	return api + "_" + method, params, nil
}

// DecodeRuntimeAPIResult decodes the bytes state_call returned for
// api.method by the method's output type.
func (m *Metadata) DecodeRuntimeAPIResult(api, method string, raw []byte) (Value, error) {
	f, err := m.LookupRuntimeAPI(api, method)
	if err != nil {
		return Value{}, err
	}
	v, err := m.Types.DecodeValue(f.Output, raw)
	if err != nil {
		return Value{}, fmt.Errorf("substrate: runtime API %s.%s result: %w", api, method, err)
	}
	return v, nil
}
