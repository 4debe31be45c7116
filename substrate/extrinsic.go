package substrate

import (
	"errors"
	"fmt"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
)

// Extrinsic format version 4 and its signed bit.
const (
	extrinsicV4     = 4
	extrinsicSigned = 0x80
)

// UnsignedExtrinsic returns the encoded unsigned (inherent or bare)
// extrinsic of call: compact length || 0x04 || call.
func UnsignedExtrinsic(call []byte) []byte {
	b := scale.AppendCompact(make([]byte, 0, len(call)+5), uint64(len(call)+1))
	return append(append(b, extrinsicV4), call...)
}

// addressPrefix returns the bytes before an AccountId32 in the runtime's
// address type: MultiAddress::Id's index, or none for a bare account id.
func (m *Metadata) addressPrefix() ([]byte, error) {
	t, err := m.Types.typ(m.Extrinsic.AddressType)
	if err != nil {
		return nil, fmt.Errorf("substrate: extrinsic address type: %w", err)
	}
	if t.Kind == KindVariant {
		v, ok := t.VariantByName("Id")
		if !ok {
			return nil, fmt.Errorf("substrate: extrinsic address type %s has no Id variant", m.Types.Name(m.Extrinsic.AddressType))
		}
		return []byte{v.Index}, nil
	}
	return nil, nil
}

// signaturePrefix returns the bytes before an sr25519 signature in the
// runtime's signature type: MultiSignature::Sr25519's index, or none.
func (m *Metadata) signaturePrefix() ([]byte, error) {
	t, err := m.Types.typ(m.Extrinsic.SignatureType)
	if err != nil {
		return nil, fmt.Errorf("substrate: extrinsic signature type: %w", err)
	}
	if t.Kind == KindVariant {
		v, ok := t.VariantByName("Sr25519")
		if !ok {
			return nil, fmt.Errorf("substrate: extrinsic signature type %s has no Sr25519 variant", m.Types.Name(m.Extrinsic.SignatureType))
		}
		return []byte{v.Index}, nil
	}
	return nil, nil
}

// SignExtrinsic signs call with signer under o and returns the encoded
// signed v4 extrinsic, ready for author_submitExtrinsic: compact length ||
// 0x84 || address || signature || extra || call.
func (m *Metadata) SignExtrinsic(call []byte, signer keys.Signer, o *SignOptions) ([]byte, error) {
	extra, add, err := m.EncodeExtensions(o)
	if err != nil {
		return nil, err
	}
	sig := signer.Sign(SigningPayload(call, extra, add))
	pub := signer.Public()
	return m.AssembleSigned(pub, sig, extra, call)
}

// AssembleSigned builds a signed v4 extrinsic from its parts, for signers
// that sign SigningPayload elsewhere (a hardware wallet, a remote signer).
func (m *Metadata) AssembleSigned(pub keys.PublicKey, sig keys.Signature, extra, call []byte) ([]byte, error) {
	ap, err := m.addressPrefix()
	if err != nil {
		return nil, err
	}
	sp, err := m.signaturePrefix()
	if err != nil {
		return nil, err
	}
	body := make([]byte, 0, 1+len(ap)+32+len(sp)+64+len(extra)+len(call))
	body = append(body, extrinsicV4|extrinsicSigned)
	body = append(append(body, ap...), pub[:]...)
	body = append(append(body, sp...), sig[:]...)
	body = append(append(body, extra...), call...)
	out := scale.AppendCompact(make([]byte, 0, len(body)+5), uint64(len(body)))
	return append(out, body...), nil
}

// Extrinsic is a decoded extrinsic.
type Extrinsic struct {
	Version uint8 // 4
	Signed  bool

	// For signed extrinsics:
	Address   Value          // as the address type decodes it
	Signer    keys.PublicKey // the account, when Address is an AccountId32 (HasSigner)
	HasSigner bool
	Signature Value // as the signature type decodes it
	// SigScheme names the signature's variant ("Sr25519", "Ed25519",
	// "Ecdsa") and SigBytes holds its bytes.
	SigScheme  string
	SigBytes   []byte
	Extra      []byte       // the encoded extra of all extensions
	Extensions []NamedValue // each extension's extra, by identifier
	Era        Era
	Nonce      uint64
	Tip        scale.Uint128
	// MetadataHashMode is CheckMetadataHash's mode (0 disabled, 1 enabled).
	MetadataHashMode uint8

	Call      *DecodedCall
	CallBytes []byte
}

// DecodeExtrinsic decodes one extrinsic with its compact length prefix, as
// block bodies and author_submitExtrinsic carry it.
func (m *Metadata) DecodeExtrinsic(data []byte) (*Extrinsic, error) {
	d := scale.NewDecoder(data)
	n, err := d.Len(1)
	if err != nil {
		return nil, fmt.Errorf("substrate: decode extrinsic length: %w", err)
	}
	if n != d.Remaining() {
		return nil, fmt.Errorf("substrate: decode extrinsic: %w: length prefix %d but %d bytes follow", scale.ErrInvalid, n, d.Remaining())
	}
	return m.decodeExtrinsicBody(d)
}

func (m *Metadata) decodeExtrinsicBody(d *scale.Decoder) (*Extrinsic, error) {
	vb, err := d.U8()
	if err != nil {
		return nil, fmt.Errorf("substrate: decode extrinsic: %w", err)
	}
	x := &Extrinsic{Version: vb &^ extrinsicSigned, Signed: vb&extrinsicSigned != 0}
	if x.Version != extrinsicV4 {
		return nil, fmt.Errorf("substrate: decode extrinsic: %w: version %d (minerkit reads v4)", scale.ErrInvalid, x.Version)
	}
	if x.Signed {
		if err := m.decodeSignature(d, x); err != nil {
			return nil, err
		}
	}
	start := d.Offset()
	if x.Call, err = m.DecodeCallFrom(d); err != nil {
		return nil, err
	}
	x.CallBytes = d.Since(start)
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("substrate: decode extrinsic %s: %w", x.Call.Call, err)
	}
	return x, nil
}

func (m *Metadata) decodeSignature(d *scale.Decoder, x *Extrinsic) error {
	r := m.Types
	var err error
	if x.Address, err = r.DecodeValueFrom(d, m.Extrinsic.AddressType); err != nil {
		return fmt.Errorf("substrate: decode extrinsic address: %w", err)
	}
	acc := x.Address
	if acc.Kind == ValVariant {
		if acc.Str == "Id" && len(acc.Fields) == 1 {
			acc = acc.Fields[0].Value
		} else {
			acc = Value{}
		}
	}
	if a, ok := acc.AccountID(); ok {
		x.Signer, x.HasSigner = a, true
	}
	if x.Signature, err = r.DecodeValueFrom(d, m.Extrinsic.SignatureType); err != nil {
		return fmt.Errorf("substrate: decode extrinsic signature: %w", err)
	}
	sig := x.Signature
	if sig.Kind == ValVariant {
		x.SigScheme = sig.Str
		if len(sig.Fields) == 1 {
			sig = sig.Fields[0].Value
		}
	} else {
		x.SigScheme = "Sr25519"
	}
	x.SigBytes, _ = sig.AsBytes()
	extraStart := d.Offset()
	x.Extensions = make([]NamedValue, 0, len(m.Extrinsic.SignedExtensions))
	for _, ext := range m.Extrinsic.SignedExtensions {
		at := d.Offset()
		v, err := r.DecodeValueFrom(d, ext.Type)
		if err != nil {
			return fmt.Errorf("substrate: decode extrinsic extension %s: %w", ext.Identifier, err)
		}
		x.Extensions = append(x.Extensions, NamedValue{Name: ext.Identifier, Value: v})
		switch ext.Identifier {
		case "CheckMortality", "CheckEra":
			if x.Era, err = DecodeEra(scale.NewDecoder(d.Since(at))); err != nil {
				return fmt.Errorf("substrate: decode extrinsic extension %s: %w", ext.Identifier, err)
			}
		case "CheckNonce":
			x.Nonce, _ = v.Uint64()
		case "ChargeTransactionPayment", "ChargeTransactionPaymentWrapper", "ChargeAssetTxPayment":
			tip := v
			if t, ok := v.Field("tip"); ok {
				tip = t
			} else if t, ok := v.Field("inner"); ok {
				tip = t
			}
			if n, ok := tip.BigInt(); ok {
				x.Tip, _ = scale.U128FromBig(n)
			}
		case "CheckMetadataHash":
			if mode, ok := v.Unwrap().Field("mode"); ok && mode.Str == "Enabled" {
				x.MetadataHashMode = 1
			} else if v.Unwrap().Str == "Enabled" {
				x.MetadataHashMode = 1
			}
		}
	}
	x.Extra = d.Since(extraStart)
	return nil
}

// ErrBadSignature is returned by VerifyExtrinsic for a signature that does
// not sign the transaction under the given options.
var ErrBadSignature = errors.New("substrate: bad signature")

// AdditionalSigned returns the additional-signed bytes of every extension
// under o: what a verifier appends to call || extra to rebuild the payload.
func (m *Metadata) AdditionalSigned(o *SignOptions) ([]byte, error) {
	_, add, err := m.EncodeExtensions(o)
	return add, err
}

// VerifyExtrinsic checks the sr25519 signature of a decoded signed
// extrinsic. o supplies what the extrinsic does not carry (spec and
// transaction versions, genesis hash, the birth block's hash of x.Era);
// its Nonce, Tip and Era are not used: the extrinsic's own extra is signed.
func (m *Metadata) VerifyExtrinsic(x *Extrinsic, o *SignOptions) error {
	if !x.Signed || !x.HasSigner {
		return fmt.Errorf("substrate: extrinsic %s is unsigned or not signed by an account id", x.Call.Call)
	}
	if x.SigScheme != "Sr25519" || len(x.SigBytes) != 64 {
		return fmt.Errorf("substrate: extrinsic %s: signature scheme %s is not supported (sr25519 only)", x.Call.Call, x.SigScheme)
	}
	oo := *o
	oo.Era = x.Era
	add, err := m.AdditionalSigned(&oo)
	if err != nil {
		return err
	}
	vk, err := keys.NewVerifyKey(x.Signer)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if !vk.VerifyRaw(SigningPayload(x.CallBytes, x.Extra, add), x.SigBytes) {
		return fmt.Errorf("%w: extrinsic %s from %s does not verify (wrong genesis, spec/tx version or birth block hash?)", ErrBadSignature, x.Call.Call, x.Signer.Address())
	}
	return nil
}
