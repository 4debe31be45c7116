package axon

import (
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// Header names as the SDK writes them: lowercase, with underscores. Go's
// http.Header canonicalizes received names ("Bt_header_dendrite_nonce"), so
// lookups go through http.Header.Get or the Canonical form; responses are
// written with these exact names, which the Python dendrite matches
// case-sensitively.
const (
	HeaderName              = "name"
	HeaderTimeout           = "timeout"
	HeaderComputedBodyHash  = "computed_body_hash"
	HeaderHeaderSize        = "header_size"
	HeaderTotalSize         = "total_size"
	HeaderAxonPrefix        = "bt_header_axon_"
	HeaderDendritePrefix    = "bt_header_dendrite_"
	HeaderDendriteHotkey    = HeaderDendritePrefix + "hotkey"
	HeaderDendriteNonce     = HeaderDendritePrefix + "nonce"
	HeaderDendriteUUID      = HeaderDendritePrefix + "uuid"
	HeaderDendriteSignature = HeaderDendritePrefix + "signature"
	HeaderDendriteVersion   = HeaderDendritePrefix + "version"
	HeaderDendriteIP        = HeaderDendritePrefix + "ip"
	HeaderAxonHotkey        = HeaderAxonPrefix + "hotkey"
	HeaderAxonIP            = HeaderAxonPrefix + "ip"
	HeaderAxonPort          = HeaderAxonPrefix + "port"
	HeaderAxonStatusCode    = HeaderAxonPrefix + "status_code"
	HeaderAxonStatusMessage = HeaderAxonPrefix + "status_message"
)

// Canonical forms, for direct map lookups in received headers.
var (
	canonHotkey    = http.CanonicalHeaderKey(HeaderDendriteHotkey)
	canonNonce     = http.CanonicalHeaderKey(HeaderDendriteNonce)
	canonUUID      = http.CanonicalHeaderKey(HeaderDendriteUUID)
	canonSignature = http.CanonicalHeaderKey(HeaderDendriteSignature)
	canonVersion   = http.CanonicalHeaderKey(HeaderDendriteVersion)
	canonAxonKey   = http.CanonicalHeaderKey(HeaderAxonHotkey)
	canonBodyHash  = http.CanonicalHeaderKey(HeaderComputedBodyHash)
	canonTimeout   = http.CanonicalHeaderKey(HeaderTimeout)
)

// Limits on header values; the SDK's own values are far shorter.
const (
	maxHotkeyLen = 64
	maxUUIDLen   = 128
)

// Headers are the parts of an Axon request's headers that authenticate it.
type Headers struct {
	// Hotkey is the dendrite's SS58 hotkey, as sent.
	Hotkey string
	// UUID is the dendrite's uuid (one per Dendrite instance).
	UUID string
	// Nonce is the dendrite's nonce (Unix ns when signed) and NonceText its
	// digits as sent (they are signed).
	Nonce     int64
	NonceText string
	// Version is the dendrite's SDK version (major·10⁶ + minor·10³ + patch), 0
	// when absent.
	Version int64
	// Signature is the 64-byte sr25519 signature; Signed is false when the
	// request carries none.
	Signature [64]byte
	Signed    bool
	// AxonHotkey is the hotkey the dendrite meant to call, as sent (not
	// trusted: the signature is checked against the miner's own).
	AxonHotkey string
	// BodyHash is computed_body_hash as sent.
	BodyHash string
	// Timeout is the synapse's timeout in seconds (0 when absent).
	Timeout float64
}

// ParseHeaders reads the authentication headers of an Axon request. It checks
// syntax only; errors are *Error with status 400 (401 when the request is
// unsigned or has no nonce, as the SDK answers). It never reads the body.
func ParseHeaders(h http.Header) (Headers, error) {
	var p Headers
	get := func(k string) string {
		if v := h[k]; len(v) > 0 {
			return v[0]
		}
		// A header map not built by net/http's server (an in-process
		// call with Client.Request's headers) keeps the wire's names.
		if v := h[strings.ToLower(k)]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	p.Hotkey = get(canonHotkey)
	switch {
	case p.Hotkey == "":
		return p, malformed("header %s is missing: not an Axon request", HeaderDendriteHotkey)
	case len(p.Hotkey) > maxHotkeyLen || !isBase58(p.Hotkey):
		return p, malformed("header %s is not an SS58 address", HeaderDendriteHotkey)
	}
	p.NonceText = get(canonNonce)
	if p.NonceText == "" {
		return p, notVerified(ReasonUnsigned, "Missing Nonce")
	}
	n, ok := parseDigits(p.NonceText, 19)
	if !ok {
		return p, malformed("header %s must be the Unix time in nanoseconds (up to 19 digits), got %q", HeaderDendriteNonce, clip(p.NonceText))
	}
	p.Nonce = n
	p.UUID = get(canonUUID)
	if len(p.UUID) > maxUUIDLen || !printable(p.UUID) {
		return p, malformed("header %s must be at most %d printable characters", HeaderDendriteUUID, maxUUIDLen)
	}
	if v := get(canonVersion); v != "" {
		n, ok := parseDigits(v, 10)
		if !ok {
			return p, malformed("header %s must be an integer, got %q", HeaderDendriteVersion, clip(v))
		}
		p.Version = n
	}
	sig := get(canonSignature)
	if sig == "" {
		// The SDK skips verification of an empty signature; we do not.
		return p, notVerified(ReasonUnsigned, "Missing Signature: sign the request (header %s)", HeaderDendriteSignature)
	}
	s := strings.TrimPrefix(sig, "0x")
	if len(s) != 128 {
		return p, notVerified(ReasonBadSignature, "Signature %s is not 64 bytes of hex", clip(sig))
	}
	if _, err := hex.Decode(p.Signature[:], []byte(s)); err != nil {
		return p, notVerified(ReasonBadSignature, "Signature %s is not 64 bytes of hex", clip(sig))
	}
	p.Signed = true
	p.AxonHotkey = get(canonAxonKey)
	p.BodyHash = get(canonBodyHash)
	if len(p.BodyHash) > 128 {
		return p, malformed("header %s is longer than a SHA3-256 hex digest", HeaderComputedBodyHash)
	}
	if v := get(canonTimeout); v != "" {
		t, err := strconv.ParseFloat(v, 64)
		if err != nil || len(v) > 32 {
			return p, malformed("header %s must be a number of seconds, got %q", HeaderTimeout, clip(v))
		}
		if math.IsNaN(t) || t < 0 {
			t = 0
		}
		p.Timeout = t
	}
	return p, nil
}

// parseDigits parses 1..max ASCII digits into a non-negative int64.
func parseDigits(s string, max int) (int64, bool) {
	if len(s) == 0 || len(s) > max {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

func isBase58(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '1' && c <= '9', c >= 'A' && c <= 'H', c >= 'J' && c <= 'N', c >= 'P' && c <= 'Z',
			c >= 'a' && c <= 'k', c >= 'm' && c <= 'z':
		default:
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// clip shortens outside text quoted in an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// AppendMessage appends the signed message of a request:
// "{nonce}.{dendrite hotkey}.{axon hotkey}.{uuid}.{computed_body_hash}".
func AppendMessage(dst []byte, nonce, dendrite, axon, uuid, bodyHash string) []byte {
	dst = append(dst, nonce...)
	dst = append(dst, '.')
	dst = append(dst, dendrite...)
	dst = append(dst, '.')
	dst = append(dst, axon...)
	dst = append(dst, '.')
	dst = append(dst, uuid...)
	dst = append(dst, '.')
	return append(dst, bodyHash...)
}
