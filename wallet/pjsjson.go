package wallet

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"

	"github.com/minerkit/minerkit/keys"
)

// A polkadot-js account backup (Keyring pair.toJson, the "export account"
// file of polkadot.js apps and the browser extension) is JSON:
//
//	{"encoded": base64, "encoding": {"content": ["pkcs8","sr25519"],
//	  "type": ["scrypt","xsalsa20-poly1305"] (or ["none"]), "version": "3"},
//	 "address": SS58, "meta": {...}}
//
// encoded = salt(32) || N || p || r (u32 little-endian each) || nonce(24) ||
// secretbox(key, PKCS8 body), with key = scrypt(password, salt, N, r, p)[:32].
// The body is a fixed 16-byte header, the 64-byte secret key in its
// ed25519-expanded form (scalar×8 || nonce), a 5-byte divider and the 32-byte
// public key. Generations 1 and 2 held the 32-byte seed instead of the
// secret key, and generation 2 used the password itself (zero-padded to 32
// bytes) as the secretbox key; both are read too.

// maxPolkadotJSONSize bounds a backup file; polkadot-js writes under 2 KiB.
const maxPolkadotJSONSize = 1 << 20

// maxEncodedLen bounds the "encoded" field before it is decoded; the
// largest real one (encrypted, generation 3) is 44+24+16+117 bytes.
const maxEncodedLen = 1024

var (
	pkcs8Header  = []byte{48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32}
	pkcs8Divider = []byte{161, 35, 3, 33, 0}
)

const scryptHeaderLen = 32 + 3*4

// scryptParams are the parameters of the scrypt key derivation.
type scryptParams struct{ N, p, r int }

// pjsScryptParams are the only parameters polkadot-js (util-crypto 14)
// opens: its ALLOWED_PARAMS presets that also pass its limits N <= 2^20,
// p <= 4, r <= 16 (the presets N=2^13, p=10 and N=2^14, p=5 do not). It
// writes N=2^17, p=1, r=8 (older releases N=2^15). The largest costs
// 128 MiB and a fraction of a second; any other value is refused before
// deriving anything.
var pjsScryptParams = []scryptParams{
	{1 << 15, 3, 8}, {1 << 15, 1, 8}, {1 << 16, 2, 8}, {1 << 17, 1, 8},
}

// scryptFunc derives the 32-byte secretbox key; tests substitute a cheap one.
type scryptFunc func(password, salt []byte, p scryptParams) ([]byte, error)

func scryptKey(password, salt []byte, p scryptParams) ([]byte, error) {
	return scrypt.Key(password, salt, p.N, p.r, p.p, 32)
}

// PolkadotJSON is a parsed polkadot-js account backup. Parse it with
// ParsePolkadotJSON, then get the key with Keypair.
type PolkadotJSON struct {
	Address   string         // the "address" field: SS58 with any prefix, or 0x hex
	PublicKey keys.PublicKey // the public key the address names
	Name      string         // meta.name, when the backup has one
	Encrypted bool           // whether Keypair needs a password

	encoded []byte
	scrypt  bool // the secretbox key comes from scrypt (else the raw password)
}

// ErrUnsupportedKeyType is wrapped by the error for a backup of an ed25519,
// ecdsa or ethereum account: Bittensor keys are sr25519.
var ErrUnsupportedKeyType = errors.New("unsupported key type")

// ParsePolkadotJSON decodes a polkadot-js account backup without decrypting
// it. Only sr25519 accounts are accepted; the others give an error wrapping
// ErrUnsupportedKeyType.
func ParsePolkadotJSON(data []byte) (*PolkadotJSON, error) {
	b, err := parsePolkadotJSON(data)
	if err != nil {
		return nil, fmt.Errorf("wallet: polkadot-js JSON backup: %w", err)
	}
	return b, nil
}

func parsePolkadotJSON(data []byte) (*PolkadotJSON, error) {
	if len(data) > maxPolkadotJSONSize {
		return nil, fmt.Errorf("%d bytes is too large for an account backup (at most %d)", len(data), maxPolkadotJSONSize)
	}
	var raw struct {
		Encoded  *string `json:"encoded"`
		Address  *string `json:"address"`
		Encoding *struct {
			Content json.RawMessage `json:"content"`
			Type    json.RawMessage `json:"type"`
			Version any             `json:"version"`
		} `json:"encoding"`
		Meta json.RawMessage `json:"meta"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\ufeff")), &raw); err != nil {
		return nil, fmt.Errorf("not valid JSON (is it the file polkadot-js exported?): %w", err)
	}
	if raw.Encoded == nil || raw.Encoding == nil {
		return nil, errors.New(`no "encoded" and "encoding" fields: this is not a polkadot-js account backup`)
	}
	content, err := stringOrList(raw.Encoding.Content, "encoding.content")
	if err != nil {
		return nil, err
	}
	version := fmt.Sprint(raw.Encoding.Version)
	if version == "3" && (len(content) == 0 || content[0] != "pkcs8") {
		return nil, fmt.Errorf("encoding.content %q is not pkcs8: not an account backup", content)
	}
	// Without a key type (version 0 files), polkadot-js uses its keyring's
	// type; the public key check after decryption catches a non-sr25519 key.
	if len(content) >= 2 {
		switch t := content[1]; t {
		case "sr25519":
		case "ed25519", "ecdsa", "ethereum":
			return nil, fmt.Errorf("%w: the backup holds an %s key, and Bittensor keys are sr25519; "+
				"create an sr25519 account in polkadot-js (or restore from the mnemonic, which gives a different, sr25519 address)",
				ErrUnsupportedKeyType, t)
		default:
			return nil, fmt.Errorf("%w %q in encoding.content", ErrUnsupportedKeyType, t)
		}
	}
	types, err := stringOrList(raw.Encoding.Type, "encoding.type")
	if err != nil {
		return nil, err
	}
	b := &PolkadotJSON{}
	switch {
	case slices.Contains(types, "xsalsa20-poly1305"):
		b.Encrypted = true
		b.scrypt = slices.Contains(types, "scrypt")
	case len(types) == 0 || slices.Equal(types, []string{"none"}):
	default:
		return nil, fmt.Errorf("unknown encryption %q in encoding.type (polkadot-js writes [\"scrypt\",\"xsalsa20-poly1305\"] or [\"none\"])", types)
	}

	enc := strings.TrimSpace(*raw.Encoded)
	if len(enc) > 2*maxEncodedLen+2 {
		return nil, fmt.Errorf(`"encoded" holds %d characters, too many for an account key`, len(enc))
	}
	if strings.HasPrefix(enc, "0x") {
		b.encoded, err = hex.DecodeString(enc[2:])
	} else {
		b.encoded, err = base64.StdEncoding.DecodeString(enc)
		if err != nil {
			b.encoded, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(enc, "="))
		}
	}
	if err != nil {
		return nil, fmt.Errorf(`"encoded" is neither base64 nor 0x-hex: %w`, err)
	}
	if len(b.encoded) > maxEncodedLen {
		return nil, fmt.Errorf(`"encoded" holds %d bytes, too many for an account key`, len(b.encoded))
	}

	if raw.Address == nil || strings.TrimSpace(*raw.Address) == "" {
		return nil, errors.New(`no "address" field: the backup is damaged`)
	}
	b.Address = strings.TrimSpace(*raw.Address)
	if strings.HasPrefix(b.Address, "0x") {
		pub, err := hex.DecodeString(b.Address[2:])
		if err != nil || len(pub) != 32 {
			return nil, fmt.Errorf("address %q is not a 32-byte public key", b.Address)
		}
		copy(b.PublicKey[:], pub)
	} else if b.PublicKey, _, err = keys.DecodeSS58(b.Address); err != nil {
		return nil, fmt.Errorf("address: %w", err)
	}

	var meta struct {
		Name any `json:"name"`
	}
	if json.Unmarshal(raw.Meta, &meta) == nil {
		if s, ok := meta.Name.(string); ok {
			b.Name = s
		}
	}
	return b, nil
}

// stringOrList reads a JSON string or list of strings (absent or null: nil).
func stringOrList(raw json.RawMessage, field string) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s must be a string or a list of strings", field)
	}
	return []string{s}, nil
}

// Keypair decrypts the backup with password (ignored when it is not
// encrypted) and returns its key, checked against the public key in the
// body and the address. A wrong password gives an error wrapping
// ErrWrongPassword. Decryption costs one scrypt derivation: 128 MiB and
// a few tenths of a second with the parameters polkadot-js writes.
func (b *PolkadotJSON) Keypair(password []byte) (*keys.Keypair, error) {
	kp, err := b.keypair(password, scryptKey)
	if err != nil {
		return nil, fmt.Errorf("wallet: polkadot-js JSON backup: %w", err)
	}
	return kp, nil
}

func (b *PolkadotJSON) keypair(password []byte, derive scryptFunc) (*keys.Keypair, error) {
	body := b.encoded
	if b.Encrypted {
		var err error
		if body, err = b.decrypt(password, derive); err != nil {
			return nil, err
		}
	}
	if !bytes.HasPrefix(body, pkcs8Header) {
		return nil, errors.New("the key body has no PKCS8 header: the backup is damaged or not polkadot-js's")
	}
	rest := body[len(pkcs8Header):]
	var (
		kp  *keys.Keypair
		err error
	)
	switch {
	case len(rest) >= 64+len(pkcs8Divider) && bytes.Equal(rest[64:64+len(pkcs8Divider)], pkcs8Divider):
		kp, err = keys.FromEd25519Bytes(rest[:64])
		rest = rest[64+len(pkcs8Divider):]
	case len(rest) >= 32+len(pkcs8Divider) && bytes.Equal(rest[32:32+len(pkcs8Divider)], pkcs8Divider):
		kp, err = keys.FromSeed(rest[:32]) // generations 1 and 2 hold the seed
		rest = rest[32+len(pkcs8Divider):]
	default:
		return nil, errors.New("the key body has no PKCS8 divider: the backup is damaged or not polkadot-js's")
	}
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	if len(rest) < 32 {
		return nil, errors.New("the key body is truncated: no public key after the secret")
	}
	pub := kp.Public()
	if !bytes.Equal(rest[:32], pub[:]) {
		return nil, fmt.Errorf("the secret key gives public key %s but the backup holds 0x%x: "+
			"the backup is damaged, or its key is not sr25519 (only sr25519 is supported)", pub.Hex(), rest[:32])
	}
	if pub != b.PublicKey {
		return nil, fmt.Errorf("the key is %s but the backup's address %s names %s: the file was edited or is damaged",
			pub.Address(), b.Address, b.PublicKey.Address())
	}
	return kp, nil
}

func (b *PolkadotJSON) decrypt(password []byte, derive scryptFunc) ([]byte, error) {
	if len(password) == 0 {
		return nil, fmt.Errorf("%w: the backup is encrypted and the password is empty", ErrWrongPassword)
	}
	data := b.encoded
	var key [32]byte
	if b.scrypt {
		if len(data) < scryptHeaderLen {
			return nil, fmt.Errorf("encoded key is truncated: %d bytes, the scrypt header alone is %d", len(data), scryptHeaderLen)
		}
		p := scryptParams{
			N: int(binary.LittleEndian.Uint32(data[32:])),
			p: int(binary.LittleEndian.Uint32(data[36:])),
			r: int(binary.LittleEndian.Uint32(data[40:])),
		}
		if !slices.Contains(pjsScryptParams, p) {
			return nil, fmt.Errorf("scrypt parameters N=%d p=%d r=%d are not ones polkadot-js writes or accepts: the backup is damaged", p.N, p.p, p.r)
		}
		k, err := derive(password, data[:32], p)
		if err != nil {
			return nil, fmt.Errorf("scrypt: %w", err)
		}
		copy(key[:], k)
		data = data[scryptHeaderLen:]
	} else {
		copy(key[:], password) // generation 2: the password, zero-padded or cut to 32 bytes
	}
	if len(data) < nonceSize+secretbox.Overhead {
		return nil, fmt.Errorf("encoded key is truncated: %d bytes after the scrypt header, at least %d expected", len(data), nonceSize+secretbox.Overhead)
	}
	var nonce [nonceSize]byte
	copy(nonce[:], data)
	out, ok := secretbox.Open(nil, data[nonceSize:], &nonce, &key)
	if !ok {
		return nil, fmt.Errorf("%w (or the backup is damaged)", ErrWrongPassword)
	}
	return out, nil
}

// RestorePolkadotJSON reads the polkadot-js account backup at path and
// returns its key, asking pw for the password when the backup is encrypted
// (what: `JSON backup "<path>"`). A wrong password gives
// `wallet: wrong password for JSON backup "<path>"`, wrapping
// ErrWrongPassword. The key has no mnemonic and no seed: write it with
// CreateColdkey or CreateHotkey and an empty phrase.
func RestorePolkadotJSON(path string, pw PasswordSource) (*keys.Keypair, *PolkadotJSON, error) {
	what := fmt.Sprintf("JSON backup %q", path)
	data, err := readLimited(path, maxPolkadotJSONSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("wallet: %s not found: check the path of the file polkadot-js exported", what)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("wallet: read %s: %w", what, err)
	}
	b, err := parsePolkadotJSON(data)
	if err != nil {
		return nil, nil, fmt.Errorf("wallet: %s: %w", what, err)
	}
	var password []byte
	if b.Encrypted {
		if pw == nil {
			pw = Sources{}
		}
		if password, err = pw.Password(path, what, false); errors.Is(err, ErrNoPassword) {
			return nil, nil, &NoPasswordError{What: what, Backup: true}
		} else if err != nil {
			return nil, nil, err
		}
	}
	kp, err := b.keypair(password, scryptKey)
	if errors.Is(err, ErrWrongPassword) {
		return nil, nil, fmt.Errorf("wallet: %w for %s", ErrWrongPassword, what)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("wallet: %s: %w", what, err)
	}
	return kp, b, nil
}

// readLimited reads at most limit+1 bytes of path, so that a too-large
// file is reported, not read whole.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}
