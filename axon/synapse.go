package axon

import (
	"bytes"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/minerkit/minerkit/internal/jsonscan"
)

// TerminalInfo is one end of a call as the SDK records it: the dendrite
// (caller) or the axon (miner). Every field may be null on the wire.
type TerminalInfo struct {
	StatusCode    *int     `json:"status_code"`
	StatusMessage *string  `json:"status_message"`
	ProcessTime   *float64 `json:"process_time"`
	IP            *string  `json:"ip"`
	Port          *int     `json:"port"`
	Version       *int64   `json:"version"`
	Nonce         *int64   `json:"nonce"`
	UUID          *string  `json:"uuid"`
	Hotkey        *string  `json:"hotkey"`
	Signature     *string  `json:"signature"`
}

// Synapse is the part every synapse shares, in the SDK's field order. Embed
// it first in a synapse type; the subnet's fields follow:
//
//	type Dummy struct {
//		axon.Synapse
//		DummyInput  int  `json:"dummy_input"`
//		DummyOutput *int `json:"dummy_output"`
//	}
//
//	func (Dummy) RequiredHashFields() []string { return []string{"dummy_input"} }
type Synapse struct {
	Name             string       `json:"name"`
	Timeout          float64      `json:"timeout"`
	TotalSize        int64        `json:"total_size"`
	HeaderSize       int64        `json:"header_size"`
	Dendrite         TerminalInfo `json:"dendrite"`
	Axon             TerminalInfo `json:"axon"`
	ComputedBodyHash string       `json:"computed_body_hash"`
}

// Base returns s; through embedding it gives the shared part of any synapse.
func (s *Synapse) Base() *Synapse { return s }

// Carrier is a pointer to a synapse type: a struct that embeds Synapse.
type Carrier interface{ Base() *Synapse }

// HashFielder is implemented by synapse types whose body hash covers fields:
// the Python class's required_hash_fields, JSON names in the same order.
type HashFielder interface{ RequiredHashFields() []string }

// Namer is implemented by synapse types whose Python class name (the route
// and the name field) differs from the Go type's name.
type Namer interface{ SynapseName() string }

// Spec is a synapse type's declaration, checked once: its name (the Python
// class name and the route, POST /{Name}), the hash fields in order, and how
// to render each. Build one with SpecFor.
type Spec struct {
	Name       string
	HashFields []string
	Type       reflect.Type
	plans      []*plan
}

// SpecFor checks T, a struct embedding Synapse, and returns its Spec. It
// fails, naming the field, when a hash field is not a JSON field of T or has
// a type without a Python str() form (*UnsupportedTypeError).
func SpecFor[T any]() (*Spec, error) {
	t := reflect.TypeFor[T]()
	return specOf(t)
}

func specOf(t reflect.Type) (*Spec, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("axon: synapse type %s is not a struct", t)
	}
	if !reflect.PointerTo(t).Implements(reflect.TypeFor[Carrier]()) {
		return nil, fmt.Errorf("axon: synapse type %s does not embed axon.Synapse", t)
	}
	zero := reflect.New(t)
	s := &Spec{Name: t.Name(), Type: t}
	if n, ok := zero.Interface().(Namer); ok {
		s.Name = n.SynapseName()
	}
	if !validName(s.Name) {
		return nil, fmt.Errorf("axon: synapse name %q is not a Python class name (letters, digits, _; not starting with a digit)", s.Name)
	}
	if h, ok := zero.Interface().(HashFielder); ok {
		s.HashFields = slices.Clone(h.RequiredHashFields())
	}
	fields := jsonFields(t)
	for _, name := range s.HashFields {
		i := slices.IndexFunc(fields, func(f jsonField) bool { return f.name == name })
		if i < 0 {
			return nil, fmt.Errorf("axon: synapse %s: hash field %q is not a JSON field of %s", s.Name, name, t)
		}
		p, why := planFor(fields[i].typ, map[reflect.Type]bool{})
		if p == nil {
			return nil, &UnsupportedTypeError{Synapse: s.Name, Field: name, Type: fields[i].typ, Why: why}
		}
		s.plans = append(s.plans, p)
	}
	return s, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// EmptyBodyHash is the body hash of a synapse without hash fields: SHA3-256
// of the empty string, in hex.
const EmptyBodyHash = "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"

// BodyHashError is a body whose hash fields cannot be read as the synapse
// declares them.
type BodyHashError struct {
	Field string
	Err   error
}

func (e *BodyHashError) Error() string {
	if e.Field == "" {
		return "axon: body is not a JSON object: " + e.Err.Error()
	}
	return fmt.Sprintf("axon: body field %q: %v", e.Field, e.Err)
}

func (e *BodyHashError) Unwrap() error { return e.Err }

// hashState is what BodyHash reuses between calls: the outer SHA3-256
// state and the buffer fields are rendered into.
type hashState struct {
	outer *sha3.SHA3
	buf   []byte
}

var hashStates = sync.Pool{New: func() any { return &hashState{outer: sha3.New256(), buf: make([]byte, 0, 512)} }}

// put returns hs to the pool, unless its buffer grew past 64 KiB (a rare
// large field is not kept alive).
func (hs *hashState) put() {
	if cap(hs.buf) <= 64<<10 {
		hashStates.Put(hs)
	}
}

// BodyHash computes computed_body_hash from a request body as the SDK does:
// for each hash field in order, SHA3-256 hex of Python's str() of its value;
// then SHA3-256 hex of those hex strings joined. A field missing from the
// body hashes as None.
func (s *Spec) BodyHash(body []byte) (string, error) {
	if len(s.HashFields) == 0 {
		return EmptyBodyHash, nil
	}
	var small [8][2]int
	spans := small[:0]
	if len(s.HashFields) > len(small) {
		spans = make([][2]int, 0, len(s.HashFields))
	}
	for range s.HashFields {
		spans = append(spans, [2]int{-1, -1})
	}
	// One pass checks the syntax (as json.Valid) and finds the hash fields'
	// values in the top-level object (the last of repeated keys, as
	// json.loads keeps); nothing else is decoded.
	valid, isObject := validObject(body, func(raw []byte, start, end int) {
		key := raw[1 : len(raw)-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			_ = json.Unmarshal(raw, &k) // checked already: cannot fail
			key = []byte(k)
		}
		for j, f := range s.HashFields {
			if string(key) == f {
				spans[j] = [2]int{start, end}
			}
		}
	})
	if !valid {
		var v any
		err := json.Unmarshal(body, &v)
		if err == nil {
			err = errors.New("not one JSON value")
		}
		return "", &BodyHashError{Err: err}
	}
	if !isObject {
		sc := jscan{jsonscan.Scanner{B: body}}
		sc.WS()
		return "", &BodyHashError{Err: fmt.Errorf("want an object, got %s", sc.kindAt())}
	}
	hs := hashStates.Get().(*hashState)
	defer hs.put()
	outer := hs.outer
	outer.Reset()
	buf := hs.buf[:0]
	defer func() { hs.buf = buf }()
	var hexSum [64]byte
	for j, name := range s.HashFields {
		var err error
		if spans[j][0] < 0 {
			buf = append(buf[:0], "None"...) // absent: pydantic's default is unknown here; None
		} else {
			v := jscan{jsonscan.Scanner{B: body[:spans[j][1]], I: spans[j][0]}}
			if buf, err = v.top(buf[:0], s.plans[j]); err != nil {
				return "", &BodyHashError{Field: name, Err: err}
			}
		}
		sum := sha3.Sum256(buf)
		hex.Encode(hexSum[:], sum[:])
		outer.Write(hexSum[:])
	}
	var sum [32]byte
	hex.Encode(hexSum[:], outer.Sum(sum[:0]))
	return string(hexSum[:]), nil
}

// PyStr returns Python's str() of the JSON value raw as a field of Go type t
// holds it: the rendering the body hash uses, for checking a field by hand.
func PyStr(raw []byte, t reflect.Type) (string, error) {
	p, why := planFor(t, map[reflect.Type]bool{})
	if p == nil {
		return "", &UnsupportedTypeError{Synapse: "?", Field: "?", Type: t, Why: why}
	}
	b, err := renderTop(nil, raw, p)
	return string(b), err
}
