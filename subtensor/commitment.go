package subtensor

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/minerkit/minerkit/scale"
)

// DataKind is the variant of a Commitments Data field.
type DataKind uint8

// Data variants. Raw covers the chain's Raw0…Raw128 (variant = len+1).
const (
	DataNone DataKind = iota
	DataRaw
	DataBlakeTwo256
	DataSha256
	DataKeccak256
	DataShaThree256
	DataTimelockEncrypted
	DataResetBondsFlag
	DataBigRaw
)

// Size limits of the Data variants.
const (
	MaxRawLen       = 128
	MaxBigRawLen    = 512
	MaxTimelockLen  = 1024
	dataHashVariant = 130
)

var dataKindNames = [...]string{"None", "Raw", "BlakeTwo256", "Sha256", "Keccak256", "ShaThree256", "TimelockEncrypted", "ResetBondsFlag", "BigRaw"}

func (k DataKind) String() string {
	if int(k) < len(dataKindNames) {
		return dataKindNames[k]
	}
	return fmt.Sprintf("DataKind(%d)", uint8(k))
}

// Data is one field of a commitment.
type Data struct {
	Kind DataKind `json:"kind"`
	// Bytes is the payload of Raw, BigRaw, TimelockEncrypted (ciphertext) and
	// the four hash variants (32 bytes).
	Bytes []byte `json:"bytes,omitempty"`
	// RevealRound is TimelockEncrypted's drand round.
	RevealRound uint64 `json:"reveal_round,omitempty"`
}

// RawData returns b as the smallest Data variant that holds it: Raw up to
// 128 bytes, BigRaw up to 512.
func RawData(b []byte) (Data, error) {
	switch {
	case len(b) <= MaxRawLen:
		return Data{Kind: DataRaw, Bytes: b}, nil
	case len(b) <= MaxBigRawLen:
		return Data{Kind: DataBigRaw, Bytes: b}, nil
	}
	return Data{}, fmt.Errorf("subtensor: commitment of %d bytes is too long: the chain holds at most %d bytes in one field; shorten it or commit a URL or hash that points to it", len(b), MaxBigRawLen)
}

// Equal reports whether d and e encode identically.
func (d Data) Equal(e Data) bool {
	return d.Kind == e.Kind && bytes.Equal(d.Bytes, e.Bytes) && d.RevealRound == e.RevealRound
}

// AppendSCALE appends d's SCALE encoding (the chain's hand-written Data
// codec: variant byte, then the payload).
func (d Data) AppendSCALE(b []byte) []byte {
	switch d.Kind {
	case DataRaw:
		n := min(len(d.Bytes), MaxRawLen)
		return append(append(b, byte(n+1)), d.Bytes[:n]...)
	case DataBlakeTwo256, DataSha256, DataKeccak256, DataShaThree256:
		var h [32]byte
		copy(h[:], d.Bytes)
		return append(append(b, byte(dataHashVariant+int(d.Kind-DataBlakeTwo256))), h[:]...)
	case DataTimelockEncrypted:
		b = scale.AppendBytes(append(b, 134), d.Bytes)
		return scale.AppendU64(b, d.RevealRound)
	case DataResetBondsFlag:
		return append(b, 135)
	case DataBigRaw:
		return scale.AppendBytes(append(b, 136), d.Bytes)
	}
	return append(b, 0)
}

// DecodeData reads one Data field.
func DecodeData(d *scale.Decoder) (Data, error) {
	at := d.Offset()
	v, err := d.U8()
	if err != nil {
		return Data{}, err
	}
	switch {
	case v == 0:
		return Data{Kind: DataNone}, nil
	case v <= 129:
		b, err := d.Bytes(int(v) - 1)
		return Data{Kind: DataRaw, Bytes: b}, err
	case v <= 133:
		b, err := d.Bytes(32)
		return Data{Kind: DataBlakeTwo256 + DataKind(v-dataHashVariant), Bytes: b}, err
	case v == 134:
		b, err := d.ByteSlice()
		if err != nil {
			return Data{}, err
		}
		if len(b) > MaxTimelockLen {
			return Data{}, fmt.Errorf("%w: timelock commitment of %d bytes at offset %d (max %d)", scale.ErrInvalid, len(b), at, MaxTimelockLen)
		}
		r, err := d.U64()
		return Data{Kind: DataTimelockEncrypted, Bytes: b, RevealRound: r}, err
	case v == 135:
		return Data{Kind: DataResetBondsFlag}, nil
	case v == 136:
		b, err := d.ByteSlice()
		if err == nil && len(b) > MaxBigRawLen {
			err = fmt.Errorf("%w: BigRaw of %d bytes at offset %d (max %d)", scale.ErrInvalid, len(b), at, MaxBigRawLen)
		}
		return Data{Kind: DataBigRaw, Bytes: b}, err
	}
	return Data{}, fmt.Errorf("%w: commitment data variant %d at offset %d", scale.ErrInvalid, v, at)
}

// Commitment is a Commitments.CommitmentOf entry (Registration).
type Commitment struct {
	Deposit Rao    `json:"deposit"`
	Block   uint32 `json:"block"`
	Fields  []Data `json:"fields"`
}

// Payload returns the payloads of all the Raw and BigRaw fields joined, in
// field order: what a metagraph snapshot and `minerkit status` show as the
// commitment. It is nil for a nil Commitment or one without such fields.
func (c *Commitment) Payload() []byte {
	if c == nil {
		return nil
	}
	var out []byte
	for _, f := range c.Fields {
		if f.Kind == DataRaw || f.Kind == DataBigRaw {
			out = append(out, f.Bytes...)
		}
	}
	return out
}

// Bytes returns the payload of the first Raw or BigRaw field, which is where
// the Bittensor SDK puts a commitment (get_commitment reads fields[0]).
func (c *Commitment) Bytes() []byte {
	if c == nil {
		return nil
	}
	for _, f := range c.Fields {
		if f.Kind == DataRaw || f.Kind == DataBigRaw {
			return f.Bytes
		}
	}
	return nil
}

// Text returns Bytes as a string; invalid UTF-8 is shown as-is.
func (c *Commitment) Text() string { return string(c.Bytes()) }

// IsText reports whether the commitment's payload is printable UTF-8.
func (c *Commitment) IsText() bool {
	b := c.Bytes()
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 && r != '\n' && r != '\t' {
			return false
		}
	}
	return true
}

// SameFields reports whether c already holds exactly fields (so a new
// set_commitment would change nothing).
func (c *Commitment) SameFields(fields []Data) bool {
	if c == nil || len(c.Fields) != len(fields) {
		return false
	}
	for i := range fields {
		if !c.Fields[i].Equal(fields[i]) {
			return false
		}
	}
	return true
}

// DecodeCommitment decodes a CommitmentOf value: deposit u64, block u32,
// info { fields: Vec<Data> }. maxFields, if positive, bounds the field count
// (the runtime's MaxFields).
func DecodeCommitment(data []byte, maxFields int) (*Commitment, error) {
	d := scale.NewDecoder(data)
	var c Commitment
	dep, err := d.U64()
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode commitment: %w", err)
	}
	c.Deposit = Rao(dep)
	if c.Block, err = d.U32(); err != nil {
		return nil, fmt.Errorf("subtensor: decode commitment: %w", err)
	}
	n, err := d.Len(1)
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode commitment: %w", err)
	}
	if maxFields > 0 && n > maxFields {
		return nil, fmt.Errorf("subtensor: decode commitment: %d fields, the runtime allows %d", n, maxFields)
	}
	c.Fields = make([]Data, n)
	for i := range c.Fields {
		if c.Fields[i], err = DecodeData(d); err != nil {
			return nil, fmt.Errorf("subtensor: decode commitment field %d: %w", i, err)
		}
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("subtensor: decode commitment: %w", err)
	}
	return &c, nil
}

// AppendSCALE appends c's SCALE encoding.
func (c *Commitment) AppendSCALE(b []byte) []byte {
	b = scale.AppendU64(b, uint64(c.Deposit))
	b = scale.AppendU32(b, c.Block)
	return AppendCommitmentInfo(b, c.Fields)
}

// AppendCommitmentInfo appends CommitmentInfo { fields: Vec<Data> }, the
// argument of Commitments.set_commitment.
func AppendCommitmentInfo(b []byte, fields []Data) []byte {
	b = scale.AppendCompact(b, uint64(len(fields)))
	for _, f := range fields {
		b = f.AppendSCALE(b)
	}
	return b
}
