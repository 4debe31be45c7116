package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/text/unicode/norm"
)

// The BIP39 English word list (2048 words; CRC-32 c1dbd296 as published).
//
//go:embed bip39_english.txt
var englishWords string

var (
	wordsOnce  sync.Once
	wordList   []string
	wordLookup map[string]int
)

func words() ([]string, map[string]int) {
	wordsOnce.Do(func() {
		wordList = strings.Fields(englishWords)
		wordLookup = make(map[string]int, len(wordList))
		for i, w := range wordList {
			wordLookup[w] = i
		}
	})
	return wordList, wordLookup
}

// ErrInvalidMnemonic is wrapped by every mnemonic parsing error.
var ErrInvalidMnemonic = errors.New("invalid mnemonic")

// GenerateMnemonic returns a new random BIP39 English mnemonic of 12, 15, 18,
// 21 or 24 words.
func GenerateMnemonic(nWords int) (string, error) {
	switch nWords {
	case 12, 15, 18, 21, 24:
	default:
		return "", fmt.Errorf("keys: a mnemonic has 12, 15, 18, 21 or 24 words, not %d", nWords)
	}
	entropy := make([]byte, nWords*4/3)
	if _, err := rand.Read(entropy); err != nil {
		return "", fmt.Errorf("keys: read randomness: %w", err)
	}
	return MnemonicFromEntropy(entropy)
}

// MnemonicFromEntropy returns the BIP39 English mnemonic of 16, 20, 24, 28 or
// 32 bytes of entropy.
func MnemonicFromEntropy(entropy []byte) (string, error) {
	n := len(entropy)
	if n < 16 || n > 32 || n%4 != 0 {
		return "", fmt.Errorf("keys: mnemonic entropy must be 16–32 bytes in steps of 4, got %d", n)
	}
	list, _ := words()
	sum := sha256.Sum256(entropy)
	csBits := n / 4
	bits := make([]byte, 0, n+1)
	bits = append(bits, entropy...)
	bits = append(bits, sum[0])
	total := n*8 + csBits
	out := make([]string, 0, total/11)
	for i := 0; i < total; i += 11 {
		idx := 0
		for j := 0; j < 11; j++ {
			bit := (bits[(i+j)/8] >> (7 - uint((i+j)%8))) & 1
			idx = idx<<1 | int(bit)
		}
		out = append(out, list[idx])
	}
	return strings.Join(out, " "), nil
}

// NormalizeMnemonic returns the mnemonic in NFKD form with its words
// separated by single spaces, whatever whitespace the user typed.
func NormalizeMnemonic(phrase string) string {
	return strings.Join(strings.Fields(norm.NFKD.String(phrase)), " ")
}

// MnemonicToEntropy checks a BIP39 English mnemonic (words, checksum) and
// returns its entropy.
func MnemonicToEntropy(phrase string) ([]byte, error) {
	ws := strings.Fields(norm.NFKD.String(phrase))
	switch len(ws) {
	case 12, 15, 18, 21, 24:
	default:
		return nil, fmt.Errorf("keys: %w: %d words; a mnemonic has 12, 15, 18, 21 or 24", ErrInvalidMnemonic, len(ws))
	}
	_, lookup := words()
	total := len(ws) * 11
	bits := make([]byte, (total+7)/8)
	for i, w := range ws {
		idx, ok := lookup[strings.ToLower(w)]
		if !ok {
			return nil, fmt.Errorf("keys: %w: word %d %q is not in the BIP39 English list", ErrInvalidMnemonic, i+1, w)
		}
		for j := 0; j < 11; j++ {
			if idx&(1<<(10-j)) != 0 {
				pos := i*11 + j
				bits[pos/8] |= 1 << (7 - uint(pos%8))
			}
		}
	}
	csBits := len(ws) / 3
	entLen := (total - csBits) / 8
	entropy := bits[:entLen]
	sum := sha256.Sum256(entropy)
	want := sum[0] >> (8 - uint(csBits))
	got := bits[entLen] >> (8 - uint(csBits))
	if want != got {
		return nil, fmt.Errorf("keys: %w: checksum does not match (a word is wrong or the order is off)", ErrInvalidMnemonic)
	}
	return append([]byte(nil), entropy...), nil
}

// MiniSecretFromMnemonic derives the 32-byte sr25519 mini secret from a
// mnemonic the way substrate-bip39 does: PBKDF2-HMAC-SHA512 over the
// mnemonic's entropy (not its words), salt "mnemonic"+passphrase, 2048
// rounds, first 32 bytes.
func MiniSecretFromMnemonic(phrase, passphrase string) ([]byte, error) {
	entropy, err := MnemonicToEntropy(phrase)
	if err != nil {
		return nil, err
	}
	// The passphrase is used as its raw UTF-8 bytes (substrate-bip39 and
	// polkadot-js do not normalize it); only the words are NFKD-normalized.
	salt := "mnemonic" + passphrase
	return pbkdf2.Key(entropy, []byte(salt), 2048, 64, sha512.New)[:32], nil
}

// FromMnemonic returns the keypair of a BIP39 mnemonic and optional passphrase.
func FromMnemonic(phrase, passphrase string) (*Keypair, error) {
	seed, err := MiniSecretFromMnemonic(phrase, passphrase)
	if err != nil {
		return nil, err
	}
	return FromSeed(seed)
}
