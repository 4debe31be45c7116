package substrate

import (
	"errors"
	"fmt"

	"github.com/minerkit/minerkit/scale"
)

// SignOptions are the values the signed extensions put into a transaction
// and its signing payload.
type SignOptions struct {
	SpecVersion uint32   // CheckSpecVersion: the runtime's spec_version
	TxVersion   uint32   // CheckTxVersion: the runtime's transaction_version
	GenesisHash [32]byte // CheckGenesis
	// Era is the validity window (CheckMortality / CheckEra); the zero Era
	// is immortal. Build a mortal one with MortalEra.
	Era Era
	// BirthHash is the hash of block Era.Birth(n) for a mortal era. For an
	// immortal era it is ignored and the genesis hash is signed instead.
	BirthHash [32]byte
	Nonce     uint64        // CheckNonce: the account's next index
	Tip       scale.Uint128 // ChargeTransactionPayment / ChargeAssetTxPayment
	// MetadataHash, if non-nil, enables CheckMetadataHash (mode 1) with
	// this hash; nil signs mode 0 with None, as wallets without a
	// metadata-hash ledger do.
	MetadataHash *[32]byte
	// Extensions supplies the encoded extra and additional-signed bytes of
	// extensions this package does not know, by identifier. Unknown
	// extensions whose types are zero-sized need no entry.
	Extensions map[string]ExtensionData
}

// ExtensionData is the encoded data of one signed extension.
type ExtensionData struct {
	Extra      []byte // in the extrinsic
	Additional []byte // only in the signing payload
}

// ErrUnknownExtension is wrapped when a signed extension carries data this
// package cannot fill; the error names the extension.
var ErrUnknownExtension = errors.New("unknown signed extension with data")

// EncodeExtensions encodes the extra (in the extrinsic) and additional
// (signing payload only) bytes of every signed extension of the runtime, in
// the metadata's order.
func (m *Metadata) EncodeExtensions(o *SignOptions) (extra, additional []byte, err error) {
	for _, ext := range m.Extrinsic.SignedExtensions {
		extra, additional, err = m.appendExtension(extra, additional, ext, o)
		if err != nil {
			return nil, nil, err
		}
	}
	return extra, additional, nil
}

func (m *Metadata) appendExtension(extra, add []byte, ext SignedExtension, o *SignOptions) ([]byte, []byte, error) {
	r := m.Types
	wrap := func(part string, err error) error {
		return fmt.Errorf("substrate: signed extension %s %s: %w", ext.Identifier, part, err)
	}
	var err error
	encExtra := func(v Value) error {
		extra, err = r.AppendValue(extra, ext.Type, v)
		if err != nil {
			return wrap("extra", err)
		}
		return nil
	}
	encAdd := func(v Value) error {
		add, err = r.AppendValue(add, ext.AdditionalSigned, v)
		if err != nil {
			return wrap("additional", err)
		}
		return nil
	}
	unit := Value{Kind: ValComposite}
	if d, ok := o.Extensions[ext.Identifier]; ok {
		return append(extra, d.Extra...), append(add, d.Additional...), nil
	}
	switch ext.Identifier {
	case "CheckSpecVersion":
		err = errors.Join(encExtra(unit), encAdd(U64(uint64(o.SpecVersion))))
	case "CheckTxVersion":
		err = errors.Join(encExtra(unit), encAdd(U64(uint64(o.TxVersion))))
	case "CheckGenesis":
		err = errors.Join(encExtra(unit), encAdd(Bytes(o.GenesisHash[:])))
	case "CheckMortality", "CheckEra":
		// The Era type is an enum of 256 variants; its encoding is the era's.
		extra = o.Era.AppendSCALE(extra)
		birth := o.BirthHash
		if o.Era.Immortal() {
			birth = o.GenesisHash
		}
		err = encAdd(Bytes(birth[:]))
	case "CheckNonce":
		err = errors.Join(encExtra(U64(o.Nonce)), encAdd(unit))
	case "ChargeTransactionPayment":
		err = errors.Join(encExtra(U128(o.Tip)), encAdd(unit))
	case "ChargeTransactionPaymentWrapper":
		// subtensor's wrapper (runtime/src/transaction_payment_wrapper.rs,
		// current runtimes) holds ChargeTransactionPayment as its one field:
		// the same compact tip on the wire.
		err = errors.Join(encExtra(Composite(Named("inner", U128(o.Tip)))), encAdd(unit))
	case "ChargeAssetTxPayment":
		err = errors.Join(encExtra(Composite(Named("tip", U128(o.Tip)), Named("asset_id", None()))), encAdd(unit))
	case "CheckMetadataHash":
		if o.MetadataHash == nil {
			err = errors.Join(encExtra(Enum("Disabled")), encAdd(None()))
		} else {
			err = errors.Join(encExtra(Enum("Enabled")), encAdd(Some(Bytes(o.MetadataHash[:]))))
		}
	default:
		if !r.IsZeroSized(ext.Type) || !r.IsZeroSized(ext.AdditionalSigned) {
			return nil, nil, fmt.Errorf("substrate: signed extension %s: %w (extra %s, additional %s): supply its bytes in SignOptions.Extensions[%q]",
				ext.Identifier, ErrUnknownExtension, r.Name(ext.Type), r.Name(ext.AdditionalSigned), ext.Identifier)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return extra, add, nil
}

// SigningPayload returns the bytes a signer signs: call || extra ||
// additional, replaced by its blake2b-256 hash when longer than 256 bytes.
func SigningPayload(call, extra, additional []byte) []byte {
	p := make([]byte, 0, len(call)+len(extra)+len(additional))
	p = append(append(append(p, call...), extra...), additional...)
	if len(p) > 256 {
		h := HashBlake2_256(p)
		return h[:]
	}
	return p
}

// SigningPayload returns the payload to sign for call under o.
func (m *Metadata) SigningPayload(call []byte, o *SignOptions) ([]byte, error) {
	extra, add, err := m.EncodeExtensions(o)
	if err != nil {
		return nil, err
	}
	return SigningPayload(call, extra, add), nil
}
