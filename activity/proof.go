package activity

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// Markers around a proof block, and the first line of its signed message.
const (
	ProofBegin   = "-----BEGIN MINERKIT IDENTITY PROOF-----"
	ProofEnd     = "-----END MINERKIT IDENTITY PROOF-----"
	ProofVersion = "minerkit identity proof v1"
)

// MaxFutureSkew is how far in the future a proof's date may lie before
// Verify refuses it (clocks differ; a proof from tomorrow is not).
const MaxFutureSkew = 24 * time.Hour

// Errors VerifyProof wraps; the error text says which field and what was
// expected.
var (
	ErrNoProof       = errors.New("activity: no identity proof found")
	ErrMalformed     = errors.New("activity: malformed identity proof")
	ErrWrongHotkey   = errors.New("activity: proof is for another hotkey")
	ErrWrongGitHub   = errors.New("activity: proof names another GitHub user")
	ErrWrongNetUID   = errors.New("activity: proof is for another subnet")
	ErrBadSignature  = errors.New("activity: signature does not match the proof text")
	ErrFutureProof   = errors.New("activity: proof is dated in the future")
	ErrStatementEdit = errors.New("activity: statement line does not match the fields")
)

// Proof is a hotkey-signed statement that the hotkey's owner is a GitHub
// user. Its text form (Text) is what the user publishes in a profile README
// or a gist; anyone can check it offline with VerifyProof.
//
// The signed message is the block's lines from ProofVersion to the nonce
// line, joined with "\n" (no trailing newline), exactly as Message returns
// it, so polkadot-js's signatureVerify(message, signature, hotkey) accepts
// it too. A signature of "<Bytes>"+message+"</Bytes>" (what wallet
// extensions' signRaw produce) is accepted as well.
type Proof struct {
	Hotkey keys.PublicKey
	GitHub string
	NetUID uint16
	// Date is when the proof was made (UTC, whole seconds).
	Date time.Time
	// Nonce is 16 lowercase hex digits that make every proof unique.
	Nonce     string
	Signature keys.Signature
}

// ProofOptions tunes NewProof. The zero value uses the current time and a
// random nonce.
type ProofOptions struct {
	// Now, if non-zero, is the proof's date.
	Now time.Time
	// Nonce, if non-empty, is used instead of a random one (16 hex digits).
	Nonce string
}

// NewProof makes and signs a proof that signer's hotkey belongs to the
// GitHub user github, for subnet netuid.
func NewProof(signer keys.Signer, github string, netuid uint16, o ProofOptions) (*Proof, error) {
	if err := CheckGitHubUser(github); err != nil {
		return nil, err
	}
	p := &Proof{Hotkey: signer.Public(), GitHub: strings.ToLower(github), NetUID: netuid, Date: o.Now, Nonce: o.Nonce}
	if p.Date.IsZero() {
		p.Date = time.Now()
	}
	p.Date = p.Date.UTC().Truncate(time.Second)
	if p.Nonce == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("activity: nonce: %w", err)
		}
		p.Nonce = hex.EncodeToString(b[:])
	} else if !validNonce(p.Nonce) {
		return nil, fmt.Errorf("activity: nonce %q: want 16 lowercase hex digits", p.Nonce)
	}
	p.Signature = signer.Sign(p.Message())
	return p, nil
}

// Statement is the proof's human-readable sentence, derived from its fields.
func (p *Proof) Statement() string {
	return fmt.Sprintf("I control Bittensor hotkey %s and I am GitHub user %s (subnet %d).", p.Hotkey.Address(), p.GitHub, p.NetUID)
}

// Message returns the exact bytes the hotkey signs.
func (p *Proof) Message() []byte {
	var b bytes.Buffer
	b.WriteString(ProofVersion + "\n")
	b.WriteString(p.Statement() + "\n")
	fmt.Fprintf(&b, "hotkey: %s\n", p.Hotkey.Address())
	fmt.Fprintf(&b, "github: %s\n", p.GitHub)
	fmt.Fprintf(&b, "netuid: %d\n", p.NetUID)
	fmt.Fprintf(&b, "date: %s\n", p.Date.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "nonce: %s", p.Nonce)
	return b.Bytes()
}

// Text returns the block to publish: the markers, the signed message and
// the signature line, ending with a newline.
func (p *Proof) Text() string {
	return ProofBegin + "\n" + string(p.Message()) + "\nsignature: 0x" + hex.EncodeToString(p.Signature[:]) + "\n" + ProofEnd + "\n"
}

// ParseProofs finds every proof block in text (a whole README or gist may
// be given) and parses it. Lines are trimmed of surrounding white space, a
// leading "> " (a Markdown quote) and a trailing "\r"; blank lines inside a
// block are ignored, so the usual ways of pasting survive. A block that
// does not parse is an error naming its line.
func ParseProofs(text []byte) ([]*Proof, error) {
	lines := strings.Split(string(text), "\n")
	var (
		out   []*Proof
		block []string
		start = -1
	)
	for i, raw := range lines {
		l := cleanLine(raw)
		switch {
		case l == ProofBegin:
			if start >= 0 {
				return nil, fmt.Errorf("%w: line %d: a new BEGIN line before the END of the block opened on line %d", ErrMalformed, i+1, start+1)
			}
			start, block = i, block[:0]
		case l == ProofEnd:
			if start < 0 {
				return nil, fmt.Errorf("%w: line %d: END line without a BEGIN line", ErrMalformed, i+1)
			}
			p, err := parseBlock(block, start+2)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
			start = -1
		case start >= 0 && l != "":
			block = append(block, l)
		}
	}
	if start >= 0 {
		return nil, fmt.Errorf("%w: the block opened on line %d has no END line (%s)", ErrMalformed, start+1, ProofEnd)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no %s line in the text", ErrNoProof, ProofBegin)
	}
	return out, nil
}

func cleanLine(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, ">") {
		s = strings.TrimSpace(s[1:])
	}
	return s
}

var proofFields = []string{"hotkey", "github", "netuid", "date", "nonce", "signature"}

func parseBlock(lines []string, firstLine int) (*Proof, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: block starting on line %d: %s", ErrMalformed, firstLine-1, fmt.Sprintf(format, a...))
	}
	if len(lines) != 2+len(proofFields) {
		return nil, bad("%d lines, want %d (version, statement, %s)", len(lines), 2+len(proofFields), strings.Join(proofFields, ", "))
	}
	if lines[0] != ProofVersion {
		return nil, bad("first line %q, want %q (made by a newer minerkit?)", lines[0], ProofVersion)
	}
	vals := make(map[string]string, len(proofFields))
	for i, name := range proofFields {
		l := lines[2+i]
		k, v, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(k) != name {
			return nil, bad("line %q: want the %q field here", l, name)
		}
		vals[name] = strings.TrimSpace(v)
	}
	p := &Proof{GitHub: vals["github"], Nonce: vals["nonce"]}
	var err error
	if p.Hotkey, err = keys.DecodeAddress(vals["hotkey"]); err != nil {
		return nil, bad("hotkey %q is not an SS58 address: %v", vals["hotkey"], err)
	}
	if a := p.Hotkey.Address(); a != vals["hotkey"] {
		return nil, bad("hotkey %q must be written with SS58 prefix 42, as %s", vals["hotkey"], a)
	}
	if err := CheckGitHubUser(p.GitHub); err != nil {
		return nil, bad("%v", err)
	}
	n, err := strconv.ParseUint(vals["netuid"], 10, 16)
	if err != nil {
		return nil, bad("netuid %q is not a number from 0 to 65535", vals["netuid"])
	}
	p.NetUID = uint16(n)
	if p.Date, err = time.Parse(time.RFC3339, vals["date"]); err != nil {
		return nil, bad("date %q is not like 2026-01-31T12:00:00Z", vals["date"])
	}
	if !validNonce(p.Nonce) {
		return nil, bad("nonce %q: want 16 lowercase hex digits", p.Nonce)
	}
	sig, ok := strings.CutPrefix(vals["signature"], "0x")
	if !ok || len(sig) != 2*len(p.Signature) {
		return nil, bad("signature must be 0x and %d hex digits", 2*len(p.Signature))
	}
	if _, err := hex.Decode(p.Signature[:], []byte(sig)); err != nil {
		return nil, bad("signature is not hex: %v", err)
	}
	// The statement is derived from the fields; an edited one is refused
	// here with its own reason (it would also break the signature).
	if lines[1] != p.Statement() {
		return nil, fmt.Errorf("%w: %q, want %q", ErrStatementEdit, lines[1], p.Statement())
	}
	// A date written in another offset is not what was signed.
	if p.Date.UTC().Format(time.RFC3339) != vals["date"] {
		return nil, bad("date %q must be UTC, like %s", vals["date"], p.Date.UTC().Format(time.RFC3339))
	}
	p.Date = p.Date.UTC()
	return p, nil
}

func validNonce(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// VerifyOptions says what VerifyProof expects besides hotkey and user.
type VerifyOptions struct {
	// NetUID, if non-nil, must equal the proof's subnet.
	NetUID *uint16
	// Now is the time to judge the date against (default time.Now).
	Now time.Time
}

// VerifyProof finds the proof for hotkey in text and checks it: the GitHub
// user (case-insensitively), the subnet if asked, the date not in the
// future, and the hotkey's sr25519 signature over Message. Several proof
// blocks may be in text; the one for hotkey is used. The error names the
// first thing that does not hold.
func VerifyProof(text []byte, hotkey keys.PublicKey, github string, o VerifyOptions) (*Proof, error) {
	ps, err := ParseProofs(text)
	if err != nil {
		return nil, err
	}
	var p *Proof
	var others []string
	for _, q := range ps {
		if q.Hotkey == hotkey {
			p = q
			break
		}
		others = append(others, q.Hotkey.Address())
	}
	if p == nil {
		return nil, fmt.Errorf("%w: the text proves %s, not %s", ErrWrongHotkey, strings.Join(others, ", "), hotkey.Address())
	}
	if !strings.EqualFold(p.GitHub, github) {
		return p, fmt.Errorf("%w: it names %q, not %q", ErrWrongGitHub, p.GitHub, github)
	}
	if o.NetUID != nil && *o.NetUID != p.NetUID {
		return p, fmt.Errorf("%w: it is for netuid %d, not %d", ErrWrongNetUID, p.NetUID, *o.NetUID)
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if p.Date.After(now.Add(MaxFutureSkew)) {
		return p, fmt.Errorf("%w: dated %s, now is %s", ErrFutureProof, p.Date.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if !keys.Verify(p.Hotkey, p.Message(), p.Signature[:]) {
		return p, fmt.Errorf("%w: the text was changed after signing, or another key signed it; make a new proof with minerkit activity setup (or activity proof)", ErrBadSignature)
	}
	return p, nil
}
