package metabuild

import (
	"fmt"

	"github.com/minerkit/minerkit/scale"

	"github.com/minerkit/minerkit/substrate"
)

// metadataMagic is "meta" read as a little-endian u32.
const metadataMagic = 0x6174656d

// Encode returns the metadata in its wire form ("meta", version byte,
// metadata) for m.Version, 14 or 15: what state_getMetadata returns for v14
// and Metadata_metadata_at_version (inside an Option<Vec<u8>>) for v15.
// For v14, Extrinsic.Type must name the UncheckedExtrinsic type.
// substrate.DecodeMetadata reads it back.
func Encode(m *substrate.Metadata) ([]byte, error) {
	switch m.Version {
	case 14, 15:
	default:
		return nil, fmt.Errorf("%w %d: Encode writes 14 or 15", substrate.ErrMetadataVersion, m.Version)
	}
	if m.Types == nil {
		return nil, fmt.Errorf("metabuild: encode metadata: no type registry")
	}
	b := scale.AppendU32(make([]byte, 0, 64<<10), metadataMagic)
	b = append(b, m.Version)
	b = appendRegistry(b, m.Types)
	b = scale.AppendCompact(b, uint64(len(m.Pallets)))
	for _, p := range m.Pallets {
		b = appendPallet(b, p, m.Version)
	}
	x := &m.Extrinsic
	if m.Version == 14 {
		b = appendTypeID(b, x.Type)
		b = append(b, x.Version)
	} else {
		b = append(b, x.Version)
		for _, id := range []substrate.TypeID{x.AddressType, x.CallType, x.SignatureType, x.ExtraType} {
			b = appendTypeID(b, id)
		}
	}
	b = scale.AppendCompact(b, uint64(len(x.SignedExtensions)))
	for _, s := range x.SignedExtensions {
		b = scale.AppendString(b, s.Identifier)
		b = appendTypeID(b, s.Type)
		b = appendTypeID(b, s.AdditionalSigned)
	}
	b = appendTypeID(b, m.RuntimeType)
	if m.Version == 14 {
		return b, nil
	}
	b = scale.AppendCompact(b, uint64(len(m.APIs)))
	for _, a := range m.APIs {
		b = scale.AppendString(b, a.Name)
		b = scale.AppendCompact(b, uint64(len(a.Methods)))
		for _, f := range a.Methods {
			b = scale.AppendString(b, f.Name)
			b = scale.AppendCompact(b, uint64(len(f.Inputs)))
			for _, in := range f.Inputs {
				b = scale.AppendString(b, in.Name)
				b = appendTypeID(b, in.Type)
			}
			b = appendTypeID(b, f.Output)
			b = appendStrings(b, f.Docs)
		}
		b = appendStrings(b, a.Docs)
	}
	b = appendTypeID(b, m.OuterEnums.CallType)
	b = appendTypeID(b, m.OuterEnums.EventType)
	b = appendTypeID(b, m.OuterEnums.ErrorType)
	b = scale.AppendCompact(b, uint64(len(m.Custom)))
	for _, c := range m.Custom {
		b = scale.AppendString(b, c.Name)
		b = appendTypeID(b, c.Type)
		b = scale.AppendBytes(b, c.Value)
	}
	return b, nil
}

func appendTypeID(b []byte, id substrate.TypeID) []byte { return scale.AppendCompact(b, uint64(id)) }

func appendOptTypeID(b []byte, id *substrate.TypeID) []byte {
	if id == nil {
		return append(b, 0)
	}
	return appendTypeID(append(b, 1), *id)
}

func appendStrings(b []byte, ss []string) []byte {
	b = scale.AppendCompact(b, uint64(len(ss)))
	for _, s := range ss {
		b = scale.AppendString(b, s)
	}
	return b
}

func appendOptString(b []byte, s string) []byte {
	if s == "" {
		return append(b, 0)
	}
	return scale.AppendString(append(b, 1), s)
}

func appendFields(b []byte, fs []substrate.Field) []byte {
	b = scale.AppendCompact(b, uint64(len(fs)))
	for _, f := range fs {
		b = appendOptString(b, f.Name)
		b = appendTypeID(b, f.Type)
		b = appendOptString(b, f.TypeName)
		b = appendStrings(b, f.Docs)
	}
	return b
}

func appendRegistry(b []byte, r *substrate.Registry) []byte {
	b = scale.AppendCompact(b, uint64(len(r.Types)))
	for i := range r.Types {
		t := &r.Types[i]
		b = appendTypeID(b, substrate.TypeID(i))
		b = appendStrings(b, t.Path)
		b = scale.AppendCompact(b, uint64(len(t.Params)))
		for _, p := range t.Params {
			b = scale.AppendString(b, p.Name)
			if p.HasType {
				b = appendTypeID(append(b, 1), p.Type)
			} else {
				b = append(b, 0)
			}
		}
		b = append(b, byte(t.Kind))
		switch t.Kind {
		case substrate.KindComposite:
			b = appendFields(b, t.Fields)
		case substrate.KindVariant:
			b = scale.AppendCompact(b, uint64(len(t.Variants)))
			for _, v := range t.Variants {
				b = scale.AppendString(b, v.Name)
				b = appendFields(b, v.Fields)
				b = append(b, v.Index)
				b = appendStrings(b, v.Docs)
			}
		case substrate.KindSequence, substrate.KindCompact:
			b = appendTypeID(b, t.Elem)
		case substrate.KindArray:
			b = scale.AppendU32(b, t.Len)
			b = appendTypeID(b, t.Elem)
		case substrate.KindTuple:
			b = scale.AppendCompact(b, uint64(len(t.Tuple)))
			for _, e := range t.Tuple {
				b = appendTypeID(b, e)
			}
		case substrate.KindPrimitive:
			b = append(b, byte(t.Primitive))
		case substrate.KindBitSequence:
			b = appendTypeID(b, t.BitStore)
			b = appendTypeID(b, t.BitOrder)
		}
		b = appendStrings(b, t.Docs)
	}
	return b
}

func appendPallet(b []byte, p *substrate.Pallet, version uint8) []byte {
	b = scale.AppendString(b, p.Name)
	if p.Storage == nil {
		b = append(b, 0)
	} else {
		b = scale.AppendString(append(b, 1), p.Storage.Prefix)
		b = scale.AppendCompact(b, uint64(len(p.Storage.Entries)))
		for _, e := range p.Storage.Entries {
			b = scale.AppendString(b, e.Name)
			b = append(b, byte(e.Modifier))
			if e.Plain {
				b = appendTypeID(append(b, 0), e.ValueType)
			} else {
				b = append(b, 1)
				b = scale.AppendCompact(b, uint64(len(e.Hashers)))
				for _, h := range e.Hashers {
					b = append(b, byte(h))
				}
				b = appendTypeID(b, e.KeyType)
				b = appendTypeID(b, e.ValueType)
			}
			b = scale.AppendBytes(b, e.Default)
			b = appendStrings(b, e.Docs)
		}
	}
	b = appendOptTypeID(b, p.Calls)
	b = appendOptTypeID(b, p.Events)
	b = scale.AppendCompact(b, uint64(len(p.Constants)))
	for _, c := range p.Constants {
		b = scale.AppendString(b, c.Name)
		b = appendTypeID(b, c.Type)
		b = scale.AppendBytes(b, c.Value)
		b = appendStrings(b, c.Docs)
	}
	b = appendOptTypeID(b, p.Errors)
	b = append(b, p.Index)
	if version >= 15 {
		b = appendStrings(b, p.Docs)
	}
	return b
}
