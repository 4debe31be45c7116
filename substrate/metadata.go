package substrate

import (
	"errors"
	"fmt"
)

// StorageHasher is a storage map key hasher, numbered as on the wire.
type StorageHasher uint8

// The storage hashers.
const (
	Blake2_128 StorageHasher = iota
	Blake2_256
	Blake2_128Concat
	Twox128
	Twox256
	Twox64Concat
	Identity
)

var hasherNames = [...]string{"Blake2_128", "Blake2_256", "Blake2_128Concat", "Twox128", "Twox256", "Twox64Concat", "Identity"}

func (h StorageHasher) String() string {
	if int(h) < len(hasherNames) {
		return hasherNames[h]
	}
	return fmt.Sprintf("hasher(%d)", uint8(h))
}

// StorageModifier says what reading an absent storage value returns.
type StorageModifier uint8

// The storage modifiers.
const (
	// ModifierOptional: an absent value reads as None.
	ModifierOptional StorageModifier = iota
	// ModifierDefault: an absent value reads as the entry's Default bytes.
	ModifierDefault
)

// StorageEntry is one storage item of a pallet. A plain value has no
// Hashers; a map has one hasher per key, and KeyType is the key type (a
// tuple of the key types when there are several hashers).
type StorageEntry struct {
	Name      string
	Modifier  StorageModifier
	Plain     bool
	Hashers   []StorageHasher
	KeyType   TypeID
	ValueType TypeID
	Default   []byte
	Docs      []string
}

// PalletStorage is the storage section of a pallet.
type PalletStorage struct {
	Prefix  string
	Entries []*StorageEntry
}

// Constant is a pallet constant with its SCALE-encoded value.
type Constant struct {
	Name  string
	Type  TypeID
	Value []byte
	Docs  []string
}

// Pallet is one pallet of the runtime. Calls, Events and Errors are the
// enum types of the pallet's calls, events and errors, nil when it has none.
type Pallet struct {
	Name      string
	Index     uint8
	Storage   *PalletStorage
	Calls     *TypeID
	Events    *TypeID
	Errors    *TypeID
	Constants []*Constant
	Docs      []string // v15 only

	storage   map[string]*StorageEntry
	constants map[string]*Constant
	calls     map[string]*Variant
	events    map[string]*Variant
	errs      map[string]*Variant
	callType  *Type
	eventType *Type
	errorType *Type
}

// StorageEntry returns the storage item with the given name.
func (p *Pallet) StorageEntry(name string) (*StorageEntry, bool) {
	e, ok := p.storage[name]
	return e, ok
}

// Constant returns the constant with the given name.
func (p *Pallet) Constant(name string) (*Constant, bool) {
	c, ok := p.constants[name]
	return c, ok
}

// Call returns the call variant with the given name.
func (p *Pallet) Call(name string) (*Variant, bool) {
	v, ok := p.calls[name]
	return v, ok
}

// CallByIndex returns the call variant with the given index.
func (p *Pallet) CallByIndex(i uint8) (*Variant, bool) {
	if p.callType == nil {
		return nil, false
	}
	return p.callType.VariantByIndex(i)
}

// Event returns the event variant with the given name.
func (p *Pallet) Event(name string) (*Variant, bool) {
	v, ok := p.events[name]
	return v, ok
}

// EventByIndex returns the event variant with the given index.
func (p *Pallet) EventByIndex(i uint8) (*Variant, bool) {
	if p.eventType == nil {
		return nil, false
	}
	return p.eventType.VariantByIndex(i)
}

// Error returns the error variant with the given name.
func (p *Pallet) Error(name string) (*Variant, bool) {
	v, ok := p.errs[name]
	return v, ok
}

// ErrorByIndex returns the error variant with the given index.
func (p *Pallet) ErrorByIndex(i uint8) (*Variant, bool) {
	if p.errorType == nil {
		return nil, false
	}
	return p.errorType.VariantByIndex(i)
}

// SignedExtension is one entry of the extrinsic's signed-extension
// (transaction extension) list: Type is what the extension adds to the
// extrinsic ("extra"), AdditionalSigned what it adds only to the signing
// payload.
type SignedExtension struct {
	Identifier       string
	Type             TypeID
	AdditionalSigned TypeID
}

// ExtrinsicInfo describes the runtime's extrinsic format. Type is v14's
// UncheckedExtrinsic type; the Address, Call, Signature and Extra types are
// read from v15 directly or from Type's parameters in v14.
type ExtrinsicInfo struct {
	Version          uint8
	Type             TypeID
	AddressType      TypeID
	CallType         TypeID
	SignatureType    TypeID
	ExtraType        TypeID
	SignedExtensions []SignedExtension
}

// RuntimeAPIParam is one input of a runtime API method.
type RuntimeAPIParam struct {
	Name string
	Type TypeID
}

// RuntimeAPIMethod is one method of a runtime API (v15).
type RuntimeAPIMethod struct {
	Name   string
	Inputs []RuntimeAPIParam
	Output TypeID
	Docs   []string
}

// RuntimeAPI is one runtime API trait (v15), called through state_call as
// "<API name>_<method name>".
type RuntimeAPI struct {
	Name    string
	Methods []*RuntimeAPIMethod
	Docs    []string
}

// Method returns the method with the given name.
func (a *RuntimeAPI) Method(name string) (*RuntimeAPIMethod, bool) {
	for _, m := range a.Methods {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// OuterEnums names the runtime's aggregate call, event and error enums (v15).
type OuterEnums struct {
	CallType, EventType, ErrorType TypeID
}

// CustomValue is one entry of v15's custom metadata map.
type CustomValue struct {
	Name  string
	Type  TypeID
	Value []byte
}

// Metadata is a runtime's metadata decoded once, with by-name maps. Build one
// with DecodeMetadata, or fill the exported fields and call Index (the devnet
// builds its own this way). Treat a Metadata as read-only once indexed; it is
// then safe for concurrent use.
type Metadata struct {
	Version     uint8 // 14 or 15
	Types       *Registry
	Pallets     []*Pallet
	Extrinsic   ExtrinsicInfo
	RuntimeType TypeID
	APIs        []*RuntimeAPI // v15
	OuterEnums  OuterEnums    // v15
	Custom      []CustomValue // v15

	byName  map[string]*Pallet
	byIndex map[uint8]*Pallet
	apis    map[string]*RuntimeAPI
}

// ErrNotFound is wrapped by every lookup error of this package; the error's
// text names what was looked for.
var ErrNotFound = errors.New("not found in runtime metadata")

// NotFoundError says which pallet item a lookup missed.
type NotFoundError struct {
	What   string // "pallet", "call", "storage", "constant", "event", "error", "runtime API", "signed extension"
	Pallet string
	Name   string
}

func (e *NotFoundError) Error() string {
	n := e.Name
	if e.Pallet != "" && e.What != "pallet" {
		n = e.Pallet + "." + e.Name
	}
	return fmt.Sprintf("substrate: %s %s not found in runtime metadata (is the node running the runtime you expect?)", e.What, n)
}

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Pallet returns the pallet with the given name.
func (m *Metadata) Pallet(name string) (*Pallet, bool) {
	p, ok := m.byName[name]
	return p, ok
}

// PalletByIndex returns the pallet with the given index.
func (m *Metadata) PalletByIndex(i uint8) (*Pallet, bool) {
	p, ok := m.byIndex[i]
	return p, ok
}

// RuntimeAPI returns the runtime API with the given name (v15 only).
func (m *Metadata) RuntimeAPI(name string) (*RuntimeAPI, bool) {
	a, ok := m.apis[name]
	return a, ok
}

// LookupCall returns the pallet and call variant of pallet.call, or a
// *NotFoundError naming them.
func (m *Metadata) LookupCall(pallet, call string) (*Pallet, *Variant, error) {
	p, ok := m.Pallet(pallet)
	if !ok {
		return nil, nil, &NotFoundError{What: "pallet", Name: pallet}
	}
	v, ok := p.Call(call)
	if !ok {
		return nil, nil, &NotFoundError{What: "call", Pallet: pallet, Name: call}
	}
	return p, v, nil
}

// LookupStorage returns the storage entry pallet.item, or a *NotFoundError.
func (m *Metadata) LookupStorage(pallet, item string) (*Pallet, *StorageEntry, error) {
	p, ok := m.Pallet(pallet)
	if !ok {
		return nil, nil, &NotFoundError{What: "pallet", Name: pallet}
	}
	e, ok := p.StorageEntry(item)
	if !ok {
		return nil, nil, &NotFoundError{What: "storage", Pallet: pallet, Name: item}
	}
	return p, e, nil
}

// LookupConstant returns the constant pallet.name, or a *NotFoundError.
func (m *Metadata) LookupConstant(pallet, name string) (*Constant, error) {
	p, ok := m.Pallet(pallet)
	if !ok {
		return nil, &NotFoundError{What: "pallet", Name: pallet}
	}
	c, ok := p.Constant(name)
	if !ok {
		return nil, &NotFoundError{What: "constant", Pallet: pallet, Name: name}
	}
	return c, nil
}

// LookupRuntimeAPI returns the method api_method of a v15 runtime API.
func (m *Metadata) LookupRuntimeAPI(api, method string) (*RuntimeAPIMethod, error) {
	a, ok := m.RuntimeAPI(api)
	if !ok {
		return nil, &NotFoundError{What: "runtime API", Name: api}
	}
	f, ok := a.Method(method)
	if !ok {
		return nil, &NotFoundError{What: "runtime API method", Pallet: api, Name: method}
	}
	return f, nil
}

// HasSignedExtension reports whether the extension list contains identifier.
func (m *Metadata) HasSignedExtension(identifier string) bool {
	for _, e := range m.Extrinsic.SignedExtensions {
		if e.Identifier == identifier {
			return true
		}
	}
	return false
}

// Index validates the metadata and builds its by-name maps. DecodeMetadata
// calls it; call it yourself after building a Metadata by hand.
func (m *Metadata) Index() error {
	if m.Types == nil {
		return errors.New("substrate: metadata has no type registry")
	}
	m.byName = make(map[string]*Pallet, len(m.Pallets))
	m.byIndex = make(map[uint8]*Pallet, len(m.Pallets))
	for _, p := range m.Pallets {
		if p == nil {
			return errors.New("substrate: metadata has a nil pallet")
		}
		if _, dup := m.byName[p.Name]; dup {
			return fmt.Errorf("substrate: metadata names pallet %s twice", p.Name)
		}
		if q, dup := m.byIndex[p.Index]; dup {
			return fmt.Errorf("substrate: pallets %s and %s share index %d", q.Name, p.Name, p.Index)
		}
		m.byName[p.Name] = p
		m.byIndex[p.Index] = p
		if err := p.index(m.Types); err != nil {
			return err
		}
	}
	m.apis = make(map[string]*RuntimeAPI, len(m.APIs))
	for _, a := range m.APIs {
		m.apis[a.Name] = a
	}
	if m.Version == 14 {
		m.deriveV14()
	}
	return nil
}

// deriveV14 fills what v15 states and v14 implies: the extrinsic part
// types from the UncheckedExtrinsic type's parameters, and the outer call
// and event enums.
func (m *Metadata) deriveV14() {
	t, ok := m.Types.Type(m.Extrinsic.Type)
	if !ok {
		return
	}
	if id, ok := t.Param("Address"); ok {
		m.Extrinsic.AddressType = id
	}
	if id, ok := t.Param("Call"); ok {
		m.Extrinsic.CallType = id
		if m.OuterEnums.CallType == 0 {
			m.OuterEnums.CallType = id
		}
	}
	if id, ok := t.Param("Signature"); ok {
		m.Extrinsic.SignatureType = id
	}
	if id, ok := t.Param("Extra"); ok {
		m.Extrinsic.ExtraType = id
	}
	// The event enum is the "event" field of System.Events' records.
	if m.OuterEnums.EventType != 0 {
		return
	}
	if sys, ok := m.byName["System"]; ok {
		if e, ok := sys.StorageEntry("Events"); ok {
			if seq, ok := m.Types.Type(e.ValueType); ok && seq.Kind == KindSequence {
				if rec, ok := m.Types.Type(seq.Elem); ok && rec.Kind == KindComposite {
					for _, f := range rec.Fields {
						if f.Name == "event" {
							m.OuterEnums.EventType = f.Type
						}
					}
				}
			}
		}
	}
}

func variantMap(r *Registry, id *TypeID, pallet, what string) (*Type, map[string]*Variant, error) {
	if id == nil {
		return nil, nil, nil
	}
	t, ok := r.Type(*id)
	if !ok {
		return nil, nil, fmt.Errorf("substrate: pallet %s %s type %d is not in the registry", pallet, what, *id)
	}
	if t.Kind != KindVariant {
		return nil, nil, fmt.Errorf("substrate: pallet %s %s type %d is a %s, not an enum", pallet, what, *id, t.Kind)
	}
	mp := make(map[string]*Variant, len(t.Variants))
	for i := range t.Variants {
		mp[t.Variants[i].Name] = &t.Variants[i]
	}
	return t, mp, nil
}

func (p *Pallet) index(r *Registry) error {
	var err error
	if p.callType, p.calls, err = variantMap(r, p.Calls, p.Name, "call"); err != nil {
		return err
	}
	if p.eventType, p.events, err = variantMap(r, p.Events, p.Name, "event"); err != nil {
		return err
	}
	if p.errorType, p.errs, err = variantMap(r, p.Errors, p.Name, "error"); err != nil {
		return err
	}
	p.storage = nil
	if p.Storage != nil {
		p.storage = make(map[string]*StorageEntry, len(p.Storage.Entries))
		for _, e := range p.Storage.Entries {
			p.storage[e.Name] = e
		}
	}
	p.constants = make(map[string]*Constant, len(p.Constants))
	for _, c := range p.Constants {
		p.constants[c.Name] = c
	}
	return nil
}
