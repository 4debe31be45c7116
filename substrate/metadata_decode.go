package substrate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/minerkit/minerkit/scale"
)

// metadataMagic is "meta" read as a little-endian u32.
const metadataMagic = 0x6174656d

// ErrMetadataVersion is wrapped when the metadata is of a version this
// package does not read (it reads 14 and 15).
var ErrMetadataVersion = errors.New("substrate: unsupported metadata version")

// DecodeMetadata decodes runtime metadata as returned by state_getMetadata
// or the Metadata_metadata_at_version runtime API: the magic "meta", a
// version byte (14 or 15) and the metadata itself. The result is indexed
// and ready for lookups. Malformed input yields an error, never a panic.
func DecodeMetadata(data []byte) (*Metadata, error) {
	d := scale.NewDecoder(data)
	magic, err := d.U32()
	if err != nil {
		return nil, fmt.Errorf("substrate: decode metadata: %w", err)
	}
	if magic != metadataMagic {
		return nil, fmt.Errorf("substrate: decode metadata: magic %08x is not \"meta\" (is this SCALE metadata, not hex or JSON?)", magic)
	}
	version, err := d.U8()
	if err != nil {
		return nil, fmt.Errorf("substrate: decode metadata: %w", err)
	}
	if version != 14 && version != 15 {
		return nil, fmt.Errorf("%w %d (minerkit reads 14 and 15: ask the node for v15 with Metadata_metadata_at_version)", ErrMetadataVersion, version)
	}
	md := &metaDecoder{d: d, version: version}
	m, err := md.metadata()
	if err != nil {
		return nil, fmt.Errorf("substrate: decode metadata v%d at offset %d: %w", version, d.Offset(), err)
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("substrate: decode metadata v%d: %w", version, err)
	}
	if err := m.Index(); err != nil {
		return nil, err
	}
	return m, nil
}

// DecodeOpaqueMetadata decodes metadata as the runtime APIs return it:
// Metadata_metadata_at_version gives Option<OpaqueMetadata> (0x01, compact
// length, metadata) and Metadata_metadata gives OpaqueMetadata (compact
// length, metadata). Plain "meta"-prefixed bytes are accepted too.
func DecodeOpaqueMetadata(raw []byte) (*Metadata, error) {
	if len(raw) >= 4 && binary.LittleEndian.Uint32(raw) == metadataMagic {
		return DecodeMetadata(raw)
	}
	d := scale.NewDecoder(raw)
	if len(raw) > 0 && raw[0] == 0 {
		return nil, errors.New("substrate: the runtime returned None for that metadata version (ask for 14, or see Metadata_metadata_versions)")
	}
	if len(raw) > 0 && raw[0] == 1 {
		// Option::Some, unless this is a Vec<u8> whose length happens to
		// start with 0x01 (a length of 0 or 64): try the Option first.
		d2 := scale.NewDecoder(raw[1:])
		if b, err := d2.ByteSlice(); err == nil && d2.Remaining() == 0 {
			return DecodeMetadata(b)
		}
	}
	b, err := d.ByteSlice()
	if err != nil {
		return nil, fmt.Errorf("substrate: decode opaque metadata: %w", err)
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("substrate: decode opaque metadata: %w", err)
	}
	return DecodeMetadata(b)
}

type metaDecoder struct {
	d       *scale.Decoder
	version uint8
}

func (md *metaDecoder) typeID() (TypeID, error) {
	v, err := md.d.Compact()
	if err != nil {
		return 0, err
	}
	if v > math.MaxUint32 {
		return 0, fmt.Errorf("%w: type id %d exceeds u32", scale.ErrInvalid, v)
	}
	return TypeID(v), nil
}

func (md *metaDecoder) optTypeID() (*TypeID, error) {
	some, err := md.d.OptionTag()
	if err != nil || !some {
		return nil, err
	}
	id, err := md.typeID()
	if err != nil {
		return nil, err
	}
	return &id, nil
}

func (md *metaDecoder) strings() ([]string, error) {
	return scale.DecodeVec(md.d, (*scale.Decoder).String)
}

func (md *metaDecoder) optString() (string, error) {
	some, err := md.d.OptionTag()
	if err != nil || !some {
		return "", err
	}
	return md.d.String()
}

func (md *metaDecoder) metadata() (*Metadata, error) {
	m := &Metadata{Version: md.version}
	reg, err := md.registry()
	if err != nil {
		return nil, fmt.Errorf("types: %w", err)
	}
	m.Types = reg
	if m.Pallets, err = scale.DecodeVec(md.d, func(*scale.Decoder) (*Pallet, error) { return md.pallet() }); err != nil {
		return nil, fmt.Errorf("pallets: %w", err)
	}
	if err := md.extrinsic(&m.Extrinsic); err != nil {
		return nil, fmt.Errorf("extrinsic: %w", err)
	}
	if m.RuntimeType, err = md.typeID(); err != nil {
		return nil, fmt.Errorf("runtime type: %w", err)
	}
	if md.version == 14 {
		return m, nil
	}
	if m.APIs, err = scale.DecodeVec(md.d, func(*scale.Decoder) (*RuntimeAPI, error) { return md.api() }); err != nil {
		return nil, fmt.Errorf("runtime APIs: %w", err)
	}
	for _, p := range []*TypeID{&m.OuterEnums.CallType, &m.OuterEnums.EventType, &m.OuterEnums.ErrorType} {
		if *p, err = md.typeID(); err != nil {
			return nil, fmt.Errorf("outer enums: %w", err)
		}
	}
	m.Custom, err = scale.DecodeVec(md.d, func(d *scale.Decoder) (CustomValue, error) {
		var c CustomValue
		var err error
		if c.Name, err = d.String(); err != nil {
			return c, err
		}
		if c.Type, err = md.typeID(); err != nil {
			return c, err
		}
		c.Value, err = d.ByteSlice()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("custom: %w", err)
	}
	return m, nil
}

func (md *metaDecoder) registry() (*Registry, error) {
	// Every type takes at least 4 bytes (id, path, params, kind, docs).
	n, err := md.d.Len(5)
	if err != nil {
		return nil, err
	}
	r := &Registry{Types: make([]Type, n)}
	for i := 0; i < n; i++ {
		id, err := md.typeID()
		if err != nil {
			return nil, fmt.Errorf("type %d: %w", i, err)
		}
		if int(id) != i {
			return nil, fmt.Errorf("%w: type at position %d has id %d (ids must be sequential)", scale.ErrInvalid, i, id)
		}
		if err := md.typ(&r.Types[i]); err != nil {
			return nil, fmt.Errorf("type %d: %w", i, err)
		}
	}
	return r, nil
}

func (md *metaDecoder) fields() ([]Field, error) {
	return scale.DecodeVec(md.d, func(d *scale.Decoder) (Field, error) {
		var f Field
		var err error
		if f.Name, err = md.optString(); err != nil {
			return f, err
		}
		if f.Type, err = md.typeID(); err != nil {
			return f, err
		}
		if f.TypeName, err = md.optString(); err != nil {
			return f, err
		}
		f.Docs, err = md.strings()
		return f, err
	})
}

func (md *metaDecoder) typ(t *Type) error {
	var err error
	d := md.d
	if t.Path, err = md.strings(); err != nil {
		return err
	}
	t.Params, err = scale.DecodeVec(d, func(d *scale.Decoder) (TypeParam, error) {
		var p TypeParam
		var err error
		if p.Name, err = d.String(); err != nil {
			return p, err
		}
		id, err := md.optTypeID()
		if id != nil {
			p.Type, p.HasType = *id, true
		}
		return p, err
	})
	if err != nil {
		return err
	}
	kind, err := d.EnumIndex(int(KindBitSequence) + 1)
	if err != nil {
		return err
	}
	t.Kind = TypeKind(kind)
	switch t.Kind {
	case KindComposite:
		t.Fields, err = md.fields()
	case KindVariant:
		t.Variants, err = scale.DecodeVec(d, func(d *scale.Decoder) (Variant, error) {
			var v Variant
			var err error
			if v.Name, err = d.String(); err != nil {
				return v, err
			}
			if v.Fields, err = md.fields(); err != nil {
				return v, err
			}
			if v.Index, err = d.U8(); err != nil {
				return v, err
			}
			v.Docs, err = md.strings()
			return v, err
		})
	case KindSequence, KindCompact:
		t.Elem, err = md.typeID()
	case KindArray:
		if t.Len, err = d.U32(); err == nil {
			t.Elem, err = md.typeID()
		}
	case KindTuple:
		t.Tuple, err = scale.DecodeVec(d, func(*scale.Decoder) (TypeID, error) { return md.typeID() })
	case KindPrimitive:
		var p uint8
		p, err = d.EnumIndex(int(PrimI256) + 1)
		t.Primitive = Primitive(p)
	case KindBitSequence:
		if t.BitStore, err = md.typeID(); err == nil {
			t.BitOrder, err = md.typeID()
		}
	}
	if err != nil {
		return err
	}
	t.Docs, err = md.strings()
	return err
}

func (md *metaDecoder) pallet() (*Pallet, error) {
	d := md.d
	p := &Pallet{}
	var err error
	if p.Name, err = d.String(); err != nil {
		return nil, err
	}
	some, err := d.OptionTag()
	if err != nil {
		return nil, fmt.Errorf("pallet %s storage: %w", p.Name, err)
	}
	if some {
		if p.Storage, err = md.storage(); err != nil {
			return nil, fmt.Errorf("pallet %s storage: %w", p.Name, err)
		}
	}
	if p.Calls, err = md.optTypeID(); err != nil {
		return nil, fmt.Errorf("pallet %s calls: %w", p.Name, err)
	}
	if p.Events, err = md.optTypeID(); err != nil {
		return nil, fmt.Errorf("pallet %s events: %w", p.Name, err)
	}
	p.Constants, err = scale.DecodeVec(d, func(d *scale.Decoder) (*Constant, error) {
		c := &Constant{}
		var err error
		if c.Name, err = d.String(); err != nil {
			return nil, err
		}
		if c.Type, err = md.typeID(); err != nil {
			return nil, err
		}
		if c.Value, err = d.ByteSlice(); err != nil {
			return nil, err
		}
		c.Docs, err = md.strings()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("pallet %s constants: %w", p.Name, err)
	}
	if p.Errors, err = md.optTypeID(); err != nil {
		return nil, fmt.Errorf("pallet %s errors: %w", p.Name, err)
	}
	if p.Index, err = d.U8(); err != nil {
		return nil, fmt.Errorf("pallet %s index: %w", p.Name, err)
	}
	if md.version >= 15 {
		if p.Docs, err = md.strings(); err != nil {
			return nil, fmt.Errorf("pallet %s docs: %w", p.Name, err)
		}
	}
	return p, nil
}

func (md *metaDecoder) storage() (*PalletStorage, error) {
	d := md.d
	s := &PalletStorage{}
	var err error
	if s.Prefix, err = d.String(); err != nil {
		return nil, err
	}
	s.Entries, err = scale.DecodeVec(d, func(d *scale.Decoder) (*StorageEntry, error) {
		e := &StorageEntry{}
		var err error
		if e.Name, err = d.String(); err != nil {
			return nil, err
		}
		mod, err := d.EnumIndex(2)
		if err != nil {
			return nil, fmt.Errorf("entry %s modifier: %w", e.Name, err)
		}
		e.Modifier = StorageModifier(mod)
		kind, err := d.EnumIndex(2)
		if err != nil {
			return nil, fmt.Errorf("entry %s type: %w", e.Name, err)
		}
		if kind == 0 {
			e.Plain = true
			if e.ValueType, err = md.typeID(); err != nil {
				return nil, fmt.Errorf("entry %s type: %w", e.Name, err)
			}
		} else {
			e.Hashers, err = scale.DecodeVec(d, func(d *scale.Decoder) (StorageHasher, error) {
				h, err := d.EnumIndex(int(Identity) + 1)
				return StorageHasher(h), err
			})
			if err != nil {
				return nil, fmt.Errorf("entry %s hashers: %w", e.Name, err)
			}
			if e.KeyType, err = md.typeID(); err != nil {
				return nil, fmt.Errorf("entry %s key: %w", e.Name, err)
			}
			if e.ValueType, err = md.typeID(); err != nil {
				return nil, fmt.Errorf("entry %s value: %w", e.Name, err)
			}
		}
		if e.Default, err = d.ByteSlice(); err != nil {
			return nil, fmt.Errorf("entry %s default: %w", e.Name, err)
		}
		if e.Docs, err = md.strings(); err != nil {
			return nil, fmt.Errorf("entry %s docs: %w", e.Name, err)
		}
		return e, nil
	})
	return s, err
}

func (md *metaDecoder) signedExtensions() ([]SignedExtension, error) {
	return scale.DecodeVec(md.d, func(d *scale.Decoder) (SignedExtension, error) {
		var s SignedExtension
		var err error
		if s.Identifier, err = d.String(); err != nil {
			return s, err
		}
		if s.Type, err = md.typeID(); err != nil {
			return s, err
		}
		s.AdditionalSigned, err = md.typeID()
		return s, err
	})
}

func (md *metaDecoder) extrinsic(x *ExtrinsicInfo) error {
	var err error
	if md.version == 14 {
		if x.Type, err = md.typeID(); err != nil {
			return err
		}
		if x.Version, err = md.d.U8(); err != nil {
			return err
		}
		x.SignedExtensions, err = md.signedExtensions()
		return err
	}
	if x.Version, err = md.d.U8(); err != nil {
		return err
	}
	for _, p := range []*TypeID{&x.AddressType, &x.CallType, &x.SignatureType, &x.ExtraType} {
		if *p, err = md.typeID(); err != nil {
			return err
		}
	}
	x.SignedExtensions, err = md.signedExtensions()
	return err
}

func (md *metaDecoder) api() (*RuntimeAPI, error) {
	d := md.d
	a := &RuntimeAPI{}
	var err error
	if a.Name, err = d.String(); err != nil {
		return nil, err
	}
	a.Methods, err = scale.DecodeVec(d, func(d *scale.Decoder) (*RuntimeAPIMethod, error) {
		f := &RuntimeAPIMethod{}
		var err error
		if f.Name, err = d.String(); err != nil {
			return nil, err
		}
		f.Inputs, err = scale.DecodeVec(d, func(d *scale.Decoder) (RuntimeAPIParam, error) {
			var p RuntimeAPIParam
			var err error
			if p.Name, err = d.String(); err != nil {
				return p, err
			}
			p.Type, err = md.typeID()
			return p, err
		})
		if err != nil {
			return nil, fmt.Errorf("method %s: %w", f.Name, err)
		}
		if f.Output, err = md.typeID(); err != nil {
			return nil, fmt.Errorf("method %s: %w", f.Name, err)
		}
		f.Docs, err = md.strings()
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("api %s: %w", a.Name, err)
	}
	a.Docs, err = md.strings()
	return a, err
}
