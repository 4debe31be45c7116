package epistula

import (
	"net/http"
	"strconv"
)

// Header names, in the canonical form net/http uses as map keys.
const (
	HeaderVersion          = "Epistula-Version"
	HeaderTimestamp        = "Epistula-Timestamp"
	HeaderUUID             = "Epistula-Uuid"
	HeaderSignedBy         = "Epistula-Signed-By"
	HeaderSignedFor        = "Epistula-Signed-For"
	HeaderSignature        = "Epistula-Request-Signature"
	HeaderSecretSignature0 = "Epistula-Secret-Signature-0"
	HeaderSecretSignature1 = "Epistula-Secret-Signature-1"
	HeaderSecretSignature2 = "Epistula-Secret-Signature-2"

	// The X-Epistula variant of the seed document.
	HeaderXTimestamp = "X-Epistula-Timestamp"
	HeaderXSignature = "X-Epistula-Signature"
	HeaderXHotkey    = "X-Epistula-Hotkey"
)

// Variant is the wire form of a signed request.
type Variant uint8

const (
	// V2 is Epistula v2: Epistula-* headers, Unix-millisecond timestamp.
	V2 Variant = iota + 1
	// X is the X-Epistula-* variant: Unix-nanosecond timestamp, no uuid and
	// no receiver.
	X
)

func (v Variant) String() string {
	switch v {
	case V2:
		return "v2"
	case X:
		return "x-epistula"
	}
	return "unknown"
}

// maxAddressLen bounds the SS58 strings we accept before decoding them: an
// account address with a two-byte prefix is 49 characters.
const maxAddressLen = 64

// Headers are the Epistula fields of one request, syntactically checked but
// not yet verified.
type Headers struct {
	Variant Variant
	// Version is Epistula-Version as sent ("" when absent; always "" for X).
	Version string
	// Timestamp is the timestamp exactly as sent: the signed message uses
	// these bytes, not a re-formatted number.
	Timestamp string
	// Time is Timestamp parsed: Unix milliseconds (V2) or nanoseconds (X).
	Time int64
	// UUID is Epistula-Uuid ("" for X).
	UUID string
	// SignedBy is the signer's SS58 address.
	SignedBy string
	// SignedFor is the receiver's SS58 address, "" when the sender gave none.
	SignedFor string
	// Signature is the request signature.
	Signature [64]byte
}

// ParseHeaders extracts and syntactically checks the Epistula headers of h.
// The variant is chosen by the headers present: any Epistula-* header selects
// V2, otherwise X-Epistula-Signature or X-Epistula-Hotkey select X. It never
// verifies anything; errors are *Error with ReasonMalformed or
// ReasonUnsupportedVersion (missing version is reported as such; Verifier
// decides whether to accept it).
//
// h must use canonical header keys, as net/http and Header.Set produce.
func ParseHeaders(h http.Header) (Headers, error) {
	var p Headers
	if hasAny(h, HeaderSignedBy, HeaderSignature, HeaderVersion, HeaderTimestamp, HeaderUUID) {
		p.Variant = V2
		return p, p.parseV2(h)
	}
	if hasAny(h, HeaderXSignature, HeaderXHotkey, HeaderXTimestamp) {
		p.Variant = X
		return p, p.parseX(h)
	}
	return p, newError(ReasonMalformed, "no Epistula headers: sign the request (Epistula-Signed-By, Epistula-Request-Signature, …)")
}

func hasAny(h http.Header, keys ...string) bool {
	for _, k := range keys {
		if _, ok := h[k]; ok {
			return true
		}
	}
	return false
}

// single returns the only value of header k. Several values are refused: a
// verifier and a handler that pick different copies disagree on what was signed.
func single(h http.Header, k string, required bool) (string, error) {
	v := h[k]
	switch {
	case len(v) == 1:
		return v[0], nil
	case len(v) > 1:
		return "", newError(ReasonMalformed, "header %s is repeated %d times: send it once", k, len(v))
	case required:
		return "", newError(ReasonMalformed, "header %s is missing", k)
	}
	return "", nil
}

func (p *Headers) parseV2(h http.Header) error {
	var err error
	if p.Version, err = single(h, HeaderVersion, false); err != nil {
		return err
	}
	if p.Timestamp, err = single(h, HeaderTimestamp, true); err != nil {
		return err
	}
	if p.Time, err = parseTimestamp(HeaderTimestamp, p.Timestamp); err != nil {
		return err
	}
	if p.UUID, err = single(h, HeaderUUID, true); err != nil {
		return err
	}
	if !validUUID(p.UUID) {
		return newError(ReasonMalformed, "header %s %.64q is not a UUID (want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", HeaderUUID, p.UUID)
	}
	if p.SignedBy, err = single(h, HeaderSignedBy, true); err != nil {
		return err
	}
	if err := checkAddress(HeaderSignedBy, p.SignedBy); err != nil {
		return err
	}
	if p.SignedFor, err = single(h, HeaderSignedFor, false); err != nil {
		return err
	}
	if _, present := h[HeaderSignedFor]; present {
		if err := checkAddress(HeaderSignedFor, p.SignedFor); err != nil {
			return err
		}
	}
	sig, err := single(h, HeaderSignature, true)
	if err != nil {
		return err
	}
	if err := parseSignature(HeaderSignature, sig, &p.Signature); err != nil {
		return err
	}
	if p.Version != "2" {
		if p.Version == "" {
			return newError(ReasonUnsupportedVersion, "header %s is missing: send Epistula-Version: 2", HeaderVersion)
		}
		return newError(ReasonUnsupportedVersion, "%s %.16q: only version 2 is supported", HeaderVersion, p.Version)
	}
	return nil
}

func (p *Headers) parseX(h http.Header) error {
	var err error
	if p.Timestamp, err = single(h, HeaderXTimestamp, true); err != nil {
		return err
	}
	if p.Time, err = parseTimestamp(HeaderXTimestamp, p.Timestamp); err != nil {
		return err
	}
	if p.SignedBy, err = single(h, HeaderXHotkey, true); err != nil {
		return err
	}
	if err := checkAddress(HeaderXHotkey, p.SignedBy); err != nil {
		return err
	}
	sig, err := single(h, HeaderXSignature, true)
	if err != nil {
		return err
	}
	return parseSignature(HeaderXSignature, sig, &p.Signature)
}

// parseTimestamp accepts ^[0-9]{1,19}$ that fits an int64.
func parseTimestamp(name, s string) (int64, error) {
	if len(s) == 0 || len(s) > 19 {
		return 0, newError(ReasonMalformed, "header %s %.32q: want 1 to 19 decimal digits", name, s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, newError(ReasonMalformed, "header %s %.32q: want decimal digits only", name, s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, newError(ReasonMalformed, "header %s %q does not fit a 64-bit integer", name, s)
	}
	return n, nil
}

// validUUID accepts the 36-character textual form of any UUID version, in
// either case.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// checkAddress does the cheap syntax checks on an SS58 string; the checksum
// is checked when the key is decoded.
func checkAddress(name, s string) error {
	if s == "" || len(s) > maxAddressLen {
		return newError(ReasonMalformed, "header %s %.70q is not an SS58 address", name, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('1' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') || c == 'I' || c == 'O' || c == 'l' {
			return newError(ReasonMalformed, "header %s %.70q is not an SS58 address (character %q is not base58)", name, s, c)
		}
	}
	return nil
}

// parseSignature accepts 128 hex digits with or without 0x, in either case.
func parseSignature(name, s string, dst *[64]byte) error {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	if len(s) != 128 {
		return newError(ReasonMalformed, "header %s has %d hex digits, want 128 (a 64-byte sr25519 signature, 0x optional)", name, len(s))
	}
	for i := 0; i < 64; i++ {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return newError(ReasonMalformed, "header %s is not hex (bad digit at position %d)", name, 2*i)
		}
		dst[i] = hi<<4 | lo
	}
	return nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
