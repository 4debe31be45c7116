package devnet

import (
	"fmt"

	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// argKind is the type of one call argument. The same kind produces the
// argument's metadata type and decodes it, so what the devnet advertises and
// what it accepts cannot drift apart.
type argKind uint8

const (
	argU8 argKind = iota
	argU16
	argU32
	argU64
	argU128
	argBool
	argAccount
	argMultiAddress
	argCompactU64
	argVecU16
	argBytes
	argCommitmentInfo
	argCall
	argWeight
	argOptVecU16 // Option<Vec<u16>>
)

// argSpec is one named argument of a call.
type argSpec struct {
	name     string
	kind     argKind
	typeName string
}

// commitmentData is one pallet_commitments Data value.
type commitmentData struct {
	variant uint8  // 0 None, 1..129 Raw0..Raw128, 130..133 hashes, 134 TimelockEncrypted, 135 ResetBondsFlag, 136 BigRaw
	bytes   []byte // raw bytes, hash, encrypted payload or big raw bytes
	round   uint64 // TimelockEncrypted reveal round
}

// size is the space the value takes in the commitments budget.
func (c commitmentData) size() uint64 {
	switch {
	case c.variant == 0 || c.variant == 135:
		return 0
	case c.variant == 134:
		return uint64(len(c.bytes)) + 8
	default:
		return uint64(len(c.bytes))
	}
}

func appendCommitmentData(b []byte, c commitmentData) []byte {
	b = append(b, c.variant)
	switch {
	case c.variant == 0 || c.variant == 135:
	case c.variant <= 133:
		b = append(b, c.bytes...)
	case c.variant == 134:
		b = scale.AppendBytes(b, c.bytes)
		b = scale.AppendU64(b, c.round)
	case c.variant == 136:
		b = scale.AppendBytes(b, c.bytes)
	}
	return b
}

// Bounds of pallet_commitments' BoundedVecs (TimelockEncrypted payload and
// BigRaw); longer input does not decode, as on the real chain.
const (
	maxTimelockBytes = 1024
	maxBigRawBytes   = 512
)

func decodeCommitmentData(d *scale.Decoder) (commitmentData, error) {
	v, err := d.EnumIndex(137)
	if err != nil {
		return commitmentData{}, err
	}
	c := commitmentData{variant: v}
	switch {
	case v == 0 || v == 135:
	case v <= 129:
		c.bytes, err = d.Bytes(int(v) - 1)
	case v <= 133:
		c.bytes, err = d.Bytes(32)
	case v == 134:
		if c.bytes, err = d.ByteSlice(); err == nil {
			if len(c.bytes) > maxTimelockBytes {
				return c, fmt.Errorf("devnet: timelock payload of %d bytes exceeds %d", len(c.bytes), maxTimelockBytes)
			}
			c.round, err = d.U64()
		}
	case v == 136:
		if c.bytes, err = d.ByteSlice(); err == nil && len(c.bytes) > maxBigRawBytes {
			return c, fmt.Errorf("devnet: BigRaw of %d bytes exceeds %d", len(c.bytes), maxBigRawBytes)
		}
	}
	if c.bytes != nil {
		c.bytes = append([]byte(nil), c.bytes...)
	}
	return c, err
}

// maxCommitmentFieldsDecode bounds CommitmentInfo.fields while decoding; the
// pallet's MaxFields (a smaller number) is checked at dispatch.
const maxCommitmentFieldsDecode = 16

// maxCallDepth bounds nested calls (Sudo.sudo(Sudo.sudo(…))).
const maxCallDepth = 4

// decodeArg reads one argument of kind k. Nested calls are decoded through
// rt so that Sudo can carry any call.
func (rt *runtime) decodeArg(d *scale.Decoder, k argKind, depth int) (any, error) {
	switch k {
	case argU8:
		return d.U8()
	case argU16:
		return d.U16()
	case argU32:
		return d.U32()
	case argU64:
		return d.U64()
	case argU128:
		return d.U128()
	case argBool:
		return d.Bool()
	case argAccount:
		return decodeAccount(d)
	case argMultiAddress:
		tag, err := d.U8()
		if err != nil {
			return nil, err
		}
		if tag != 0 && tag != 3 {
			return nil, fmt.Errorf("devnet: MultiAddress variant %d is not supported (use Id)", tag)
		}
		return decodeAccount(d)
	case argCompactU64:
		return d.Compact()
	case argVecU16:
		return scale.DecodeVec(d, (*scale.Decoder).U16)
	case argBytes:
		b, err := d.ByteSlice()
		return append([]byte(nil), b...), err
	case argCommitmentInfo:
		n, err := d.Len(1)
		if err != nil {
			return nil, err
		}
		if n > maxCommitmentFieldsDecode {
			return nil, fmt.Errorf("devnet: commitment with %d fields", n)
		}
		return scale.DecodeArray(d, n, decodeCommitmentData)
	case argCall:
		if depth >= maxCallDepth {
			return nil, fmt.Errorf("devnet: calls nested deeper than %d", maxCallDepth)
		}
		return rt.decodeCall(d, depth+1)
	case argOptVecU16:
		some, err := d.OptionTag()
		if err != nil || !some {
			return []uint16(nil), err
		}
		v, err := scale.DecodeVec(d, (*scale.Decoder).U16)
		if err == nil && v == nil {
			v = []uint16{}
		}
		return v, err
	case argWeight:
		rtime, err := d.Compact()
		if err != nil {
			return nil, err
		}
		_, err = d.Compact()
		return rtime, err
	}
	return nil, fmt.Errorf("devnet: unknown argument kind %d", k)
}

func decodeAccount(d *scale.Decoder) (accountID, error) {
	var a accountID
	b, err := d.Bytes(32)
	if err != nil {
		return a, err
	}
	copy(a[:], b)
	return a, nil
}

// argType registers the metadata type of kind k.
func (m *metaBuilder) argType(k argKind) substrate.TypeID {
	b := m.b
	switch k {
	case argU8:
		return b.Primitive(substrate.PrimU8)
	case argU16:
		return b.Primitive(substrate.PrimU16)
	case argU32:
		return b.Primitive(substrate.PrimU32)
	case argU64:
		return b.Primitive(substrate.PrimU64)
	case argU128:
		return b.Primitive(substrate.PrimU128)
	case argBool:
		return b.Primitive(substrate.PrimBool)
	case argAccount:
		return b.AccountID32()
	case argMultiAddress:
		return b.MultiAddress()
	case argCompactU64:
		return b.Compact(b.Primitive(substrate.PrimU64))
	case argVecU16:
		return b.Sequence(b.Primitive(substrate.PrimU16))
	case argBytes:
		return b.Bytes()
	case argCommitmentInfo:
		return m.commitmentInfo()
	case argCall:
		return m.mb.RuntimeCall()
	case argWeight:
		return m.weight()
	case argOptVecU16:
		return b.Option(b.Sequence(b.Primitive(substrate.PrimU16)))
	}
	return b.Tuple()
}
