package wallet

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/nacl/secretbox"
)

// Prefixes that mark an encrypted keyfile.
const (
	naclPrefix    = "$NACL"
	ansiblePrefix = "$ANSIBLE_VAULT"
	fernetPrefix  = "gAAAAA"
)

// naclSalt is the fixed Argon2 salt of every btcli $NACL keyfile.
var naclSalt = []byte{0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1}

// Argon2i parameters of btcli keyfiles: libsodium's crypto_pwhash_argon2i
// OPSLIMIT_SENSITIVE and MEMLIMIT_SENSITIVE (not the Argon2id ones that the
// generic crypto_pwhash constants name).
const (
	argonPasses = 8
	argonMemKiB = 512 * 1024
	argonLanes  = 1
)

const (
	nonceSize = 24
	// minNACL is the shortest well-formed $NACL keyfile: prefix, nonce and
	// the 16-byte authenticator of an empty message.
	minNACL = len(naclPrefix) + nonceSize + secretbox.Overhead
)

// ErrWrongPassword is wrapped by every error that a password failed to open
// an encrypted keyfile.
var ErrWrongPassword = errors.New("wrong password")

// ErrLegacyEncryption is wrapped by the errors for keyfiles encrypted with
// the Ansible Vault or Fernet schemes of old bittensor releases.
var ErrLegacyEncryption = errors.New("legacy keyfile encryption is not supported")

// kdf turns a password into a secretbox key. Production code always uses
// argonKey; tests of the wallet logic substitute a cheap function.
type kdf func(password []byte) [32]byte

// argonKey derives the secretbox key of a $NACL keyfile: Argon2i v1.3,
// 8 passes, 512 MiB, 1 lane, 32 bytes. Each call costs about a second and
// 512 MiB of memory.
func argonKey(password []byte) [32]byte {
	var key [32]byte
	copy(key[:], argon2.Key(password, naclSalt, argonPasses, argonMemKiB, argonLanes, 32))
	return key
}

// Encryption names how keyfile bytes are stored.
type Encryption int

// Keyfile encodings, detected by prefix as btcli does.
const (
	Plaintext    Encryption = iota // JSON or a raw seed or mnemonic
	NaCl                           // "$NACL": Argon2i + secretbox
	AnsibleVault                   // "$ANSIBLE_VAULT": legacy, read-only detection
	Fernet                         // "gAAAAA": legacy, read-only detection
)

// String returns the name btcli uses for the encryption.
func (e Encryption) String() string {
	switch e {
	case Plaintext:
		return "plaintext"
	case NaCl:
		return "NaCl"
	case AnsibleVault:
		return "Ansible Vault"
	case Fernet:
		return "legacy"
	}
	return fmt.Sprintf("Encryption(%d)", int(e))
}

// DetectEncryption reports how keyfile data is stored.
func DetectEncryption(data []byte) Encryption {
	switch {
	case bytes.HasPrefix(data, []byte(naclPrefix)):
		return NaCl
	case bytes.HasPrefix(data, []byte(ansiblePrefix)):
		return AnsibleVault
	case bytes.HasPrefix(data, []byte(fernetPrefix)):
		return Fernet
	}
	return Plaintext
}

// Encrypt seals plaintext keyfile data the way btcli does, with a fresh
// random nonce. It costs one Argon2i derivation (about a second, 512 MiB).
func Encrypt(plaintext, password []byte) ([]byte, error) {
	return encrypt(plaintext, password, argonKey)
}

func encrypt(plaintext, password []byte, derive kdf) ([]byte, error) {
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("wallet: read randomness for nonce: %w", err)
	}
	key := derive(password)
	out := make([]byte, 0, minNACL+len(plaintext))
	out = append(out, naclPrefix...)
	out = append(out, nonce[:]...)
	return secretbox.Seal(out, plaintext, &nonce, &key), nil
}

// Decrypt opens an encrypted keyfile. Plaintext data is returned unchanged.
// A wrong password gives an error wrapping ErrWrongPassword; Ansible Vault
// and Fernet data give one wrapping ErrLegacyEncryption.
func Decrypt(data, password []byte) ([]byte, error) {
	return decrypt(data, password, argonKey)
}

func decrypt(data, password []byte, derive kdf) ([]byte, error) {
	switch DetectEncryption(data) {
	case Plaintext:
		return data, nil
	case AnsibleVault, Fernet:
		return nil, legacyError(DetectEncryption(data))
	}
	if len(data) < minNACL {
		return nil, fmt.Errorf("wallet: $NACL keyfile is truncated: %d bytes, at least %d expected", len(data), minNACL)
	}
	var nonce [nonceSize]byte
	copy(nonce[:], data[len(naclPrefix):])
	key := derive(password)
	out, ok := secretbox.Open(nil, data[len(naclPrefix)+nonceSize:], &nonce, &key)
	if !ok {
		// secretbox cannot tell a wrong key from damaged bytes.
		return nil, fmt.Errorf("wallet: %w (or the keyfile is damaged)", ErrWrongPassword)
	}
	return out, nil
}

func legacyError(e Encryption) error {
	return fmt.Errorf("wallet: %w: this keyfile uses the %s encryption of old bittensor releases; "+
		"re-encrypt it as $NACL with a bittensor release that still reads it, or regenerate the key "+
		"from its mnemonic (minerkit wallet regen-coldkey)", ErrLegacyEncryption, e)
}
