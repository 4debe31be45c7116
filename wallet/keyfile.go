package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/minerkit/minerkit/keys"
)

// maxKeyfileSize bounds what is read as a keyfile; real ones are under 1 KiB.
const maxKeyfileSize = 64 << 10

// ErrEncrypted is wrapped by the error ParseKeyfile returns for encrypted
// data: decrypt it first.
var ErrEncrypted = errors.New("keyfile is encrypted")

// ErrNoSecret is wrapped by the error Keypair returns for a keyfile that
// holds only a public key (a *pub.txt file, or a keyfile with only ss58Address).
var ErrNoSecret = errors.New("keyfile holds no secret key")

// Keyfile is the decoded content of a plaintext keyfile. Absent fields are
// empty. Which secret wins follows bittensor-wallet: Phrase, then Seed, then
// PrivateKey; a file with none of them holds only a public key.
type Keyfile struct {
	Phrase     string // BIP39 mnemonic ("secretPhrase")
	Seed       []byte // 32-byte mini secret ("secretSeed")
	PrivateKey []byte // 64-byte schnorrkel secret, scalar || nonce ("privateKey")
	PublicKey  []byte // 32 bytes ("publicKey", or "accountId")
	Address    string // SS58 address ("ss58Address")
}

// keyfileJSON is the on-disk JSON shape, in the order btcli users expect.
type keyfileJSON struct {
	AccountID    string `json:"accountId,omitempty"`
	PublicKey    string `json:"publicKey,omitempty"`
	PrivateKey   string `json:"privateKey,omitempty"`
	SecretPhrase string `json:"secretPhrase,omitempty"`
	SecretSeed   string `json:"secretSeed,omitempty"`
	SS58Address  string `json:"ss58Address,omitempty"`
}

// NewKeyfile returns the keyfile of a keypair. phrase, if not empty, is the
// mnemonic the keypair came from and is stored beside it, as btcli does.
func NewKeyfile(kp *keys.Keypair, phrase string) *Keyfile {
	pub := kp.Public()
	return &Keyfile{
		Phrase:     keys.NormalizeMnemonic(phrase),
		Seed:       kp.Seed(),
		PrivateKey: kp.PrivateKey(),
		PublicKey:  pub[:],
		Address:    pub.Address(),
	}
}

// NewPublicKeyfile returns the keyfile of a public key alone, the content of
// coldkeypub.txt and the hotkey pub files.
func NewPublicKeyfile(pub keys.PublicKey) *Keyfile {
	return &Keyfile{PublicKey: pub[:], Address: pub.Address()}
}

// Bytes returns the keyfile as btcli writes it: compact JSON, hex fields
// with a 0x prefix.
func (kf *Keyfile) Bytes() []byte {
	j := keyfileJSON{SecretPhrase: kf.Phrase, SS58Address: kf.Address}
	if len(kf.PublicKey) > 0 {
		j.PublicKey = "0x" + hex.EncodeToString(kf.PublicKey)
		j.AccountID = j.PublicKey
	}
	if len(kf.PrivateKey) > 0 {
		j.PrivateKey = "0x" + hex.EncodeToString(kf.PrivateKey)
	}
	if len(kf.Seed) > 0 {
		j.SecretSeed = "0x" + hex.EncodeToString(kf.Seed)
	}
	b, err := json.Marshal(j)
	if err != nil {
		// A struct of strings always marshals.
		panic("wallet: marshal keyfile: " + err.Error())
	}
	return b
}

// HasSecret reports whether the keyfile holds a secret key in any form.
func (kf *Keyfile) HasSecret() bool {
	return kf.Phrase != "" || len(kf.Seed) > 0 || len(kf.PrivateKey) > 0
}

// Keypair returns the keyfile's keypair, from the phrase, the seed or the
// private key in that order. It fails with ErrNoSecret for a public-only
// file, and when the file also names a public key that the secret does not
// give (a damaged or hand-edited file).
func (kf *Keyfile) Keypair() (*keys.Keypair, error) {
	var (
		kp   *keys.Keypair
		err  error
		from string
	)
	switch {
	case kf.Phrase != "":
		from = "secretPhrase"
		kp, err = keys.FromMnemonic(kf.Phrase, "")
	case len(kf.Seed) > 0:
		from = "secretSeed"
		kp, err = keys.FromSeed(kf.Seed)
	case len(kf.PrivateKey) > 0:
		from = "privateKey"
		kp, err = keys.FromPrivateKey(kf.PrivateKey)
	default:
		return nil, ErrNoSecret
	}
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", from, err)
	}
	pub := kp.Public()
	if len(kf.PublicKey) == 32 && !bytes.Equal(kf.PublicKey, pub[:]) {
		return nil, fmt.Errorf("field %q gives public key %s but the file says publicKey 0x%x: the file is damaged or was edited",
			from, pub.Hex(), kf.PublicKey)
	}
	return kp, nil
}

// Public returns the keyfile's public key: publicKey (or accountId) if
// present, else the ss58Address, else the one its secret gives.
func (kf *Keyfile) Public() (keys.PublicKey, error) {
	var pub keys.PublicKey
	switch {
	case len(kf.PublicKey) == 32:
		copy(pub[:], kf.PublicKey)
		return pub, nil
	case kf.Address != "":
		p, err := keys.DecodeAddress(kf.Address)
		if err != nil {
			return pub, fmt.Errorf("field \"ss58Address\": %w", err)
		}
		return p, nil
	}
	kp, err := kf.Keypair()
	if err != nil {
		return pub, err
	}
	return kp.Public(), nil
}

// ParseKeyfile decodes plaintext keyfile data: btcli's JSON (fields in any
// order, 0x optional, null or absent fields, unknown fields ignored) or one
// of the oldest raw forms, a bare hex seed or a bare mnemonic. Encrypted data
// gives an error wrapping ErrEncrypted (or ErrLegacyEncryption).
func ParseKeyfile(data []byte) (*Keyfile, error) {
	kf, err := parseKeyfile(data, false)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	return kf, nil
}

// ParsePubfile decodes a public keyfile (coldkeypub.txt, <hotkey>pub.txt):
// JSON as ParseKeyfile reads it, or the old bare "0x<hex public key>", or a
// bare SS58 address. Full keyfiles are accepted too; only the public key is
// returned.
func ParsePubfile(data []byte) (keys.PublicKey, error) {
	kf, err := parseKeyfile(data, true)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("wallet: %w", err)
	}
	pub, err := kf.Public()
	if err != nil {
		return pub, fmt.Errorf("wallet: %w", err)
	}
	return pub, nil
}

func parseKeyfile(data []byte, public bool) (*Keyfile, error) {
	if len(data) > maxKeyfileSize {
		return nil, fmt.Errorf("keyfile is %d bytes, too large to be one (at most %d)", len(data), maxKeyfileSize)
	}
	switch e := DetectEncryption(data); e {
	case NaCl:
		return nil, fmt.Errorf("%w ($NACL): decrypt it first", ErrEncrypted)
	case AnsibleVault, Fernet:
		return nil, legacyError(e)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("keyfile is not text: it is damaged, or encrypted in an unknown way")
	}
	text := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	if text == "" {
		return nil, errors.New("keyfile is empty")
	}
	if text[0] == '{' {
		return parseKeyfileJSON([]byte(text))
	}
	return parseRaw(text, public)
}

// parseRaw reads the pre-JSON forms: a hex seed (or, in a pub file, a hex
// public key), an SS58 address in a pub file, or a mnemonic.
func parseRaw(text string, public bool) (*Keyfile, error) {
	if strings.ContainsAny(text, " \t\r\n") {
		if _, err := keys.MnemonicToEntropy(text); err != nil {
			return nil, fmt.Errorf("keyfile is neither JSON nor a valid mnemonic: %w", err)
		}
		return &Keyfile{Phrase: keys.NormalizeMnemonic(text)}, nil
	}
	if b, err := decodeHex(text); err == nil {
		switch {
		case len(b) == 32 && public:
			return &Keyfile{PublicKey: b}, nil
		case len(b) == 32:
			return &Keyfile{Seed: b}, nil
		case len(b) == 64 && !public:
			return &Keyfile{PrivateKey: b}, nil
		}
		return nil, fmt.Errorf("keyfile holds %d bytes of bare hex; want 32 (a seed or public key) or 64 (a private key)", len(b))
	}
	if public {
		if _, err := keys.DecodeAddress(text); err == nil {
			return &Keyfile{Address: text}, nil
		}
	}
	return nil, errors.New("keyfile is not JSON, a 0x-hex seed or a mnemonic: it is damaged or not a keyfile")
}

func parseKeyfileJSON(data []byte) (*Keyfile, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("keyfile is not valid JSON (damaged or truncated?): %w", err)
	}
	str := func(name string) (string, error) {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("keyfile field %q must be a string", name)
		}
		return strings.TrimSpace(s), nil
	}
	hexField := func(name string, size int) ([]byte, error) {
		s, err := str(name)
		if err != nil || s == "" {
			return nil, err
		}
		b, err := decodeHex(s)
		if err != nil {
			return nil, fmt.Errorf("keyfile field %q: %w", name, err)
		}
		if len(b) != size {
			return nil, fmt.Errorf("keyfile field %q holds %d bytes, want %d", name, len(b), size)
		}
		return b, nil
	}
	var (
		kf  Keyfile
		err error
	)
	if kf.Phrase, err = str("secretPhrase"); err != nil {
		return nil, err
	}
	if kf.Phrase != "" {
		if _, err := keys.MnemonicToEntropy(kf.Phrase); err != nil {
			return nil, fmt.Errorf("keyfile field \"secretPhrase\": %w", err)
		}
		kf.Phrase = keys.NormalizeMnemonic(kf.Phrase)
	}
	if kf.Seed, err = hexField("secretSeed", 32); err != nil {
		return nil, err
	}
	if kf.PrivateKey, err = hexField("privateKey", 64); err != nil {
		return nil, err
	}
	if kf.PublicKey, err = hexField("publicKey", 32); err != nil {
		return nil, err
	}
	account, err := hexField("accountId", 32)
	if err != nil {
		return nil, err
	}
	switch {
	case kf.PublicKey == nil:
		kf.PublicKey = account
	case account != nil && !bytes.Equal(account, kf.PublicKey):
		return nil, fmt.Errorf("keyfile fields \"accountId\" and \"publicKey\" differ: the file is damaged or was edited")
	}
	if kf.Address, err = str("ss58Address"); err != nil {
		return nil, err
	}
	if kf.Address != "" {
		pub, err := keys.DecodeAddress(kf.Address)
		if err != nil {
			return nil, fmt.Errorf("keyfile field \"ss58Address\": %w", err)
		}
		if kf.PublicKey != nil && !bytes.Equal(pub[:], kf.PublicKey) {
			return nil, fmt.Errorf("keyfile field \"ss58Address\" %s is not publicKey 0x%x: the file is damaged or was edited", kf.Address, kf.PublicKey)
		}
	}
	if !kf.HasSecret() && kf.PublicKey == nil && kf.Address == "" {
		return nil, errors.New("keyfile holds no key: none of secretPhrase, secretSeed, privateKey, publicKey, accountId, ss58Address")
	}
	return &kf, nil
}

// decodeHex decodes hex with an optional 0x prefix.
func decodeHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("bad hex: %w", err)
	}
	return b, nil
}
