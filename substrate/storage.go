package substrate

import (
	"bytes"
	"fmt"

	"github.com/minerkit/minerkit/scale"
)

// StoragePrefix returns twox128(pallet) || twox128(item), the key of a plain
// storage value and the prefix of every key of a map.
func StoragePrefix(pallet, item string) []byte {
	p, i := HashTwox128([]byte(pallet)), HashTwox128([]byte(item))
	return append(p[:], i[:]...)
}

// KeyTypes returns the type of each key of a storage map, in order.
func (m *Metadata) KeyTypes(e *StorageEntry) ([]TypeID, error) {
	switch len(e.Hashers) {
	case 0:
		return nil, nil
	case 1:
		return []TypeID{e.KeyType}, nil
	}
	t, err := m.Types.typ(e.KeyType)
	if err != nil {
		return nil, err
	}
	if t.Kind != KindTuple || len(t.Tuple) != len(e.Hashers) {
		return nil, fmt.Errorf("substrate: storage %s has %d hashers but key type %s", e.Name, len(e.Hashers), m.Types.Name(e.KeyType))
	}
	return t.Tuple, nil
}

// StorageKey returns the storage key of pallet.item for the given map keys
// (none for a plain value). Fewer keys than the map has give the prefix
// under which the rest lives (for state_getKeysPaged).
func (m *Metadata) StorageKey(pallet, item string, keys ...Value) ([]byte, error) {
	_, e, err := m.LookupStorage(pallet, item)
	if err != nil {
		return nil, err
	}
	types, err := m.KeyTypes(e)
	if err != nil {
		return nil, err
	}
	if len(keys) > len(types) {
		return nil, fmt.Errorf("substrate: storage %s.%s takes %d keys, got %d", pallet, item, len(types), len(keys))
	}
	enc := make([][]byte, len(keys))
	for i, k := range keys {
		if enc[i], err = m.Types.EncodeValue(types[i], k); err != nil {
			return nil, fmt.Errorf("substrate: storage %s.%s key %d: %w", pallet, item, i, err)
		}
	}
	return m.storageKey(pallet, item, e, enc)
}

// StorageKeyEncoded is StorageKey with keys already SCALE-encoded.
func (m *Metadata) StorageKeyEncoded(pallet, item string, keys ...[]byte) ([]byte, error) {
	_, e, err := m.LookupStorage(pallet, item)
	if err != nil {
		return nil, err
	}
	if len(keys) > len(e.Hashers) {
		return nil, fmt.Errorf("substrate: storage %s.%s takes %d keys, got %d", pallet, item, len(e.Hashers), len(keys))
	}
	return m.storageKey(pallet, item, e, keys)
}

func (m *Metadata) storageKey(pallet, item string, e *StorageEntry, keys [][]byte) ([]byte, error) {
	k := StoragePrefix(pallet, item)
	var err error
	for i, enc := range keys {
		if k, err = AppendHash(k, e.Hashers[i], enc); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// DecodeStorageKey recovers the map keys of pallet.item from a full storage
// key (as state_getKeysPaged returns them). Keys behind a hasher that does
// not keep its input (Blake2_128, Twox128, …) come back as ValInvalid;
// every hasher but the last must keep its input.
func (m *Metadata) DecodeStorageKey(pallet, item string, key []byte) ([]Value, error) {
	_, e, err := m.LookupStorage(pallet, item)
	if err != nil {
		return nil, err
	}
	prefix := StoragePrefix(pallet, item)
	if !bytes.HasPrefix(key, prefix) {
		return nil, fmt.Errorf("substrate: key %x is not under storage %s.%s", key, pallet, item)
	}
	types, err := m.KeyTypes(e)
	if err != nil {
		return nil, err
	}
	d := scale.NewDecoder(key[len(prefix):])
	out := make([]Value, len(types))
	for i, h := range e.Hashers {
		skip, ok := hashPrefixLen(h)
		if !ok {
			if i != len(e.Hashers)-1 {
				return nil, fmt.Errorf("substrate: storage %s.%s key %d uses %s, which does not keep the key: later keys cannot be found", pallet, item, i, h)
			}
			if err := d.Skip(hashLen(h)); err != nil {
				return nil, fmt.Errorf("substrate: storage %s.%s key %d: %w", pallet, item, i, err)
			}
			continue
		}
		if err := d.Skip(skip); err != nil {
			return nil, fmt.Errorf("substrate: storage %s.%s key %d: %w", pallet, item, i, err)
		}
		if out[i], err = m.Types.DecodeValueFrom(d, types[i]); err != nil {
			return nil, fmt.Errorf("substrate: storage %s.%s key %d: %w", pallet, item, i, err)
		}
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("substrate: storage %s.%s key: %w", pallet, item, err)
	}
	return out, nil
}

// DecodeStorageValue decodes the value stored under a key of pallet.item.
// Pass raw == nil for an absent key (state_getStorage returned null): a
// Default entry then yields its default, an Optional entry ValInvalid.
func (m *Metadata) DecodeStorageValue(pallet, item string, raw []byte) (Value, error) {
	_, e, err := m.LookupStorage(pallet, item)
	if err != nil {
		return Value{}, err
	}
	if raw == nil {
		if e.Modifier == ModifierOptional {
			return Value{}, nil
		}
		raw = e.Default
	}
	v, err := m.Types.DecodeValue(e.ValueType, raw)
	if err != nil {
		return Value{}, fmt.Errorf("substrate: storage %s.%s value: %w", pallet, item, err)
	}
	return v, nil
}

// ConstantValue decodes the constant pallet.name.
func (m *Metadata) ConstantValue(pallet, name string) (Value, error) {
	c, err := m.LookupConstant(pallet, name)
	if err != nil {
		return Value{}, err
	}
	v, err := m.Types.DecodeValue(c.Type, c.Value)
	if err != nil {
		return Value{}, fmt.Errorf("substrate: constant %s.%s: %w", pallet, name, err)
	}
	return v, nil
}
