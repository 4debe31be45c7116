package keys

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"golang.org/x/crypto/blake2b"
)

// DevPhrase is the well-known development mnemonic; a SURI that starts with
// "/" (such as "//Alice") derives from it.
const DevPhrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"

// ErrInvalidSURI is wrapped by every SURI parsing error.
var ErrInvalidSURI = errors.New("invalid secret URI")

// Junction is one step of a derivation path.
type Junction struct {
	Hard      bool
	ChainCode [32]byte
	Name      string // as written in the SURI
}

// SURI is a parsed secret URI: phrase//hard/soft///password.
type SURI struct {
	// Phrase is the mnemonic (normalized) or the 0x-prefixed hex seed.
	Phrase   string
	Path     []Junction
	Password string
}

// ParseSURI parses a secret URI without deriving any key. The phrase is a
// BIP39 mnemonic or a 0x-prefixed 32-byte hex seed; an empty phrase means
// DevPhrase. Extra whitespace between the words of the phrase is ignored.
func ParseSURI(s string) (SURI, error) {
	var out SURI
	if strings.TrimSpace(s) == "" {
		return out, fmt.Errorf("keys: %w: empty", ErrInvalidSURI)
	}
	rest := s
	if i := strings.Index(rest, "///"); i >= 0 {
		out.Password = rest[i+3:]
		rest = rest[:i]
	}
	phrase, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		phrase, path = rest[:i], rest[i:]
	}
	phrase = strings.TrimSpace(phrase)
	if phrase == "" {
		phrase = DevPhrase
	}
	if strings.HasPrefix(phrase, "0x") || strings.HasPrefix(phrase, "0X") {
		b, err := decodeHex(phrase)
		if err != nil || len(b) != 32 {
			return out, fmt.Errorf("keys: %w: hex seed must be 0x + 64 hex digits", ErrInvalidSURI)
		}
		out.Phrase = strings.ToLower(phrase)
	} else {
		out.Phrase = NormalizeMnemonic(phrase)
	}
	for path != "" {
		hard := strings.HasPrefix(path, "//")
		if hard {
			path = path[2:]
		} else {
			path = path[1:]
		}
		end := strings.IndexByte(path, '/')
		if end < 0 {
			end = len(path)
		}
		name := path[:end]
		path = path[end:]
		if name == "" {
			return out, fmt.Errorf("keys: %w: empty junction in derivation path", ErrInvalidSURI)
		}
		out.Path = append(out.Path, Junction{Hard: hard, Name: name, ChainCode: junctionChainCode(name)})
	}
	return out, nil
}

// junctionChainCode turns a junction name into its chain code: a decimal u64
// is its 8-byte little-endian form; anything else is its SCALE encoding
// (compact length || UTF-8), blake2b-256 hashed if longer than 32 bytes.
func junctionChainCode(name string) [32]byte {
	var cc [32]byte
	if n, err := strconv.ParseUint(name, 10, 64); err == nil {
		binary.LittleEndian.PutUint64(cc[:8], n)
		return cc
	}
	enc := appendCompactLen(nil, len(name))
	enc = append(enc, name...)
	if len(enc) > 32 {
		return blake2b.Sum256(enc)
	}
	copy(cc[:], enc)
	return cc
}

func appendCompactLen(dst []byte, n int) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n<<2))
	case n < 1<<14:
		return binary.LittleEndian.AppendUint16(dst, uint16(n<<2|1))
	case n < 1<<30:
		return binary.LittleEndian.AppendUint32(dst, uint32(n<<2|2))
	default:
		v := uint64(n)
		dst = append(dst, byte(4<<2|3))
		return binary.LittleEndian.AppendUint32(dst, uint32(v))
	}
}

// FromSURI returns the keypair of a secret URI: a mnemonic, a 0x hex seed, or
// either followed by a derivation path and password ("//Alice",
// "phrase//hard/soft///password"). The password is the mnemonic's BIP39
// passphrase, as in Substrate.
func FromSURI(s string) (*Keypair, error) {
	u, err := ParseSURI(s)
	if err != nil {
		return nil, err
	}
	return u.Keypair()
}

// Keypair derives the keypair the SURI names.
func (u SURI) Keypair() (*Keypair, error) {
	var kp *Keypair
	var err error
	if strings.HasPrefix(u.Phrase, "0x") {
		b, _ := decodeHex(u.Phrase)
		kp, err = FromSeed(b)
	} else {
		kp, err = FromMnemonic(u.Phrase, u.Password)
	}
	if err != nil {
		return nil, err
	}
	for _, j := range u.Path {
		if kp, err = kp.Derive(j); err != nil {
			return nil, err
		}
	}
	return kp, nil
}

// Derive applies one junction: hard derivation yields a new mini secret;
// soft derivation adds to the secret scalar, so its public key is derivable
// from the parent public key alone.
func (k *Keypair) Derive(j Junction) (*Keypair, error) {
	if j.Hard {
		mini, _, err := k.secret.HardDeriveMiniSecretKey([]byte{}, j.ChainCode)
		if err != nil {
			return nil, fmt.Errorf("keys: hard derivation //%s: %w", j.Name, err)
		}
		seed := mini.Encode()
		return FromSeed(seed[:])
	}
	ext, err := schnorrkel.DeriveKeySimple(k.secret, []byte{}, j.ChainCode)
	if err != nil {
		return nil, fmt.Errorf("keys: soft derivation /%s: %w", j.Name, err)
	}
	sk, err := ext.Secret()
	if err != nil {
		return nil, fmt.Errorf("keys: soft derivation /%s: %w", j.Name, err)
	}
	// The nonce only seeds signature randomness. Schnorrkel draws it at
	// random; we derive it so that one SURI always yields one private key file.
	h, _ := blake2b.New256([]byte("minerkit-soft-nonce"))
	h.Write(k.nonce[:])
	h.Write(j.ChainCode[:])
	var nonce [32]byte
	copy(nonce[:], h.Sum(nil))
	return fromSecret(sk.Encode(), nonce)
}

func decodeHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	return hex.DecodeString(s)
}
