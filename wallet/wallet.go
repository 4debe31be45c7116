package wallet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/minerkit/minerkit/keys"
)

// Defaults btcli uses when no flag or environment variable says otherwise.
const (
	DefaultPath   = "~/.bittensor/wallets"
	DefaultName   = "default"
	DefaultHotkey = "default"
)

// Wallet names one coldkey and one of its hotkeys under a wallets directory.
// Build it with New; the methods read and write the files btcli uses.
type Wallet struct {
	Path   string // wallets directory, ~ already expanded
	Name   string // wallet (coldkey) name
	Hotkey string // hotkey name

	kdf kdf // nil: Argon2i as btcli; tests substitute a cheap one
}

// Environment variables btcli reads for the wallet's location.
const (
	EnvPath   = "BT_WALLET_PATH"
	EnvName   = "BT_WALLET_NAME"
	EnvHotkey = "BT_WALLET_HOTKEY"
)

// NewFromEnv is New with btcli's environment fallbacks: an empty path, name
// or hotkey takes BT_WALLET_PATH, BT_WALLET_NAME or BT_WALLET_HOTKEY from
// getenv (os.Getenv in a program), then btcli's defaults — exactly what the
// minerkit command line does, so a custom miner finds the same wallet.
func NewFromEnv(path, name, hotkey string, getenv func(string) string) (*Wallet, error) {
	or := func(v, env string) string {
		if v == "" && getenv != nil {
			return getenv(env)
		}
		return v
	}
	return New(or(path, EnvPath), or(name, EnvName), or(hotkey, EnvHotkey))
}

// New returns the wallet name with hotkey under the wallets directory path.
// Empty arguments take btcli's defaults; a leading ~ in path is expanded.
func New(path, name, hotkey string) (*Wallet, error) {
	if path == "" {
		path = DefaultPath
	}
	if name == "" {
		name = DefaultName
	}
	if hotkey == "" {
		hotkey = DefaultHotkey
	}
	p, err := ExpandPath(path)
	if err != nil {
		return nil, err
	}
	if err := checkName("wallet", name); err != nil {
		return nil, err
	}
	if err := checkName("hotkey", hotkey); err != nil {
		return nil, err
	}
	return &Wallet{Path: p, Name: name, Hotkey: hotkey}, nil
}

// ExpandPath replaces a leading ~ with the home directory.
func ExpandPath(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("wallet: expand %s: %w", path, err)
	}
	return filepath.Join(home, path[1:]), nil
}

func checkName(kind, name string) error {
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0) {
		return fmt.Errorf("wallet: invalid %s name %q: it must be a plain file name", kind, name)
	}
	return nil
}

// Dir returns the wallet's directory.
func (w *Wallet) Dir() string { return filepath.Join(w.Path, w.Name) }

// ColdkeyFile returns the path of the coldkey keyfile.
func (w *Wallet) ColdkeyFile() string { return filepath.Join(w.Dir(), "coldkey") }

// ColdkeypubFile returns the path of coldkeypub.txt.
func (w *Wallet) ColdkeypubFile() string { return filepath.Join(w.Dir(), "coldkeypub.txt") }

// HotkeyFile returns the path of the hotkey keyfile.
func (w *Wallet) HotkeyFile() string { return filepath.Join(w.Dir(), "hotkeys", w.Hotkey) }

// HotkeypubFile returns the path of the hotkey's public keyfile.
func (w *Wallet) HotkeypubFile() string { return filepath.Join(w.Dir(), "hotkeys", w.Hotkey+"pub.txt") }

// LegacyHotkeypubFile returns where bittensor-wallet 3.1 wrote the public
// file of the last hotkey created: <wallet>/hotkeypub.txt. It is read as a
// last resort and never written.
func (w *Wallet) LegacyHotkeypubFile() string { return filepath.Join(w.Dir(), "hotkeypub.txt") }

func (w *Wallet) coldkeyWhat() string { return fmt.Sprintf("coldkey %q", w.Name) }

func (w *Wallet) hotkeyWhat() string {
	return fmt.Sprintf("hotkey %q of wallet %q", w.Hotkey, w.Name)
}

func (w *Wallet) derive() kdf {
	if w.kdf != nil {
		return w.kdf
	}
	return argonKey
}

// CreateColdkey writes kp as the wallet's coldkey, encrypted with password
// (nil writes it in plaintext), and its coldkeypub.txt. phrase, if not
// empty, is the mnemonic kp came from and is stored in the keyfile as btcli
// does. Without overwrite it refuses to replace either file.
func (w *Wallet) CreateColdkey(kp *keys.Keypair, phrase string, password []byte, overwrite bool) error {
	return w.create(kp, phrase, password, overwrite, w.ColdkeyFile(), w.ColdkeypubFile())
}

// CreateHotkey writes kp as the wallet's hotkey, encrypted with password or
// (nil, btcli's default for hotkeys) in plaintext, and its public file
// hotkeys/<hotkey>pub.txt. Without overwrite it refuses to replace either.
func (w *Wallet) CreateHotkey(kp *keys.Keypair, phrase string, password []byte, overwrite bool) error {
	return w.create(kp, phrase, password, overwrite, w.HotkeyFile(), w.HotkeypubFile())
}

func (w *Wallet) create(kp *keys.Keypair, phrase string, password []byte, overwrite bool, keyPath, pubPath string) error {
	if !overwrite {
		for _, p := range []string{keyPath, pubPath} {
			if _, err := os.Lstat(p); err == nil {
				return existsError(p)
			}
		}
	}
	data := NewKeyfile(kp, phrase).Bytes()
	if password != nil {
		var err error
		if data, err = encrypt(data, password, w.derive()); err != nil {
			return err
		}
	}
	if err := writeKeyfile(keyPath, data, overwrite); err != nil {
		return err
	}
	return writeKeyfile(pubPath, NewPublicKeyfile(kp.Public()).Bytes(), overwrite)
}

// Coldkey loads the coldkey, asking pw for the password if it is encrypted.
// A wrong password gives `wallet: wrong password for coldkey "<name>"`
// (errors.Is ErrWrongPassword).
func (w *Wallet) Coldkey(pw PasswordSource) (*keys.Keypair, error) {
	return w.load(w.ColdkeyFile(), w.coldkeyWhat(), pw)
}

// HotkeyPair loads the hotkey, asking pw for the password if it is encrypted
// (pw may be nil for the usual plaintext hotkey).
func (w *Wallet) HotkeyPair(pw PasswordSource) (*keys.Keypair, error) {
	return w.load(w.HotkeyFile(), w.hotkeyWhat(), pw)
}

func (w *Wallet) load(path, what string, pw PasswordSource) (*keys.Keypair, error) {
	data, err := readKeyfileBytes(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("wallet: %s not found at %s: create it with `minerkit wallet create` "+
			"or restore it with `minerkit wallet regen-...`, or check the wallet's path, name and hotkey", what, path)
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: read %s: %w", what, err)
	}
	if DetectEncryption(data) == NaCl {
		if pw == nil {
			pw = Sources{}
		}
		password, err := pw.Password(path, what, false)
		if err != nil {
			return nil, err
		}
		data, err = decrypt(data, password, w.derive())
		if errors.Is(err, ErrWrongPassword) {
			return nil, fmt.Errorf("wallet: %w for %s", ErrWrongPassword, what)
		}
		if err != nil {
			return nil, fmt.Errorf("wallet: %s (%s): %w", what, path, err)
		}
	}
	kf, err := parseKeyfile(data, false)
	if err != nil {
		return nil, fmt.Errorf("wallet: %s (%s): %w", what, path, err)
	}
	kp, err := kf.Keypair()
	if errors.Is(err, ErrNoSecret) {
		return nil, fmt.Errorf("wallet: %s (%s) holds only a public key: restore the secret with `minerkit wallet regen-...`", what, path)
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: %s (%s): %w", what, path, err)
	}
	return kp, nil
}

// ColdkeyPub returns the coldkey's public key from coldkeypub.txt, or from a
// plaintext coldkey file when coldkeypub.txt is missing. It never needs a
// password.
func (w *Wallet) ColdkeyPub() (keys.PublicKey, error) {
	return w.loadPub(w.coldkeyWhat(), w.ColdkeypubFile(), w.ColdkeyFile())
}

// HotkeyPub returns the hotkey's public key from hotkeys/<hotkey>pub.txt,
// the plaintext hotkey file, or the legacy <wallet>/hotkeypub.txt, in that
// order. It never needs a password.
func (w *Wallet) HotkeyPub() (keys.PublicKey, error) {
	return w.loadPub(w.hotkeyWhat(), w.HotkeypubFile(), w.HotkeyFile(), w.LegacyHotkeypubFile())
}

func (w *Wallet) loadPub(what string, paths ...string) (keys.PublicKey, error) {
	var firstErr error
	for _, p := range paths {
		data, err := readKeyfileBytes(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil {
			if DetectEncryption(data) != Plaintext {
				continue // an encrypted keyfile: look for a pub file instead
			}
			var pub keys.PublicKey
			if pub, err = ParsePubfile(data); err == nil {
				return pub, nil
			}
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("wallet: public key of %s (%s): %w", what, p, err)
		}
	}
	if firstErr != nil {
		return keys.PublicKey{}, firstErr
	}
	return keys.PublicKey{}, fmt.Errorf("wallet: %s not found: none of %s exists or is readable without a password",
		what, strings.Join(paths, ", "))
}

// ColdkeyEncryption reports how the coldkey file is stored.
func (w *Wallet) ColdkeyEncryption() (Encryption, error) {
	return fileEncryption(w.ColdkeyFile())
}

// HotkeyEncryption reports how the hotkey file is stored.
func (w *Wallet) HotkeyEncryption() (Encryption, error) {
	return fileEncryption(w.HotkeyFile())
}

func fileEncryption(path string) (Encryption, error) {
	data, err := readKeyfileBytes(path)
	if err != nil {
		return Plaintext, fmt.Errorf("wallet: %w", err)
	}
	return DetectEncryption(data), nil
}

// Wallets returns the names of the wallets under the wallets directory
// path (directories holding a coldkey, a coldkeypub.txt or a hotkeys
// directory), sorted. A missing directory holds no wallets.
func Wallets(path string) ([]string, error) {
	p, err := ExpandPath(path)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: list wallets: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		for _, f := range []string{"coldkey", "coldkeypub.txt", "hotkeys"} {
			if _, err := os.Stat(filepath.Join(p, e.Name(), f)); err == nil {
				names = append(names, e.Name())
				break
			}
		}
	}
	return names, nil
}

// Hotkeys returns the names of the wallet's hotkeys, sorted: the files of
// its hotkeys directory except the <hotkey>pub.txt companions.
func (w *Wallet) Hotkeys() ([]string, error) {
	dir := filepath.Join(w.Dir(), "hotkeys")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: list hotkeys: %w", err)
	}
	files := make(map[string]bool, len(entries))
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			files[e.Name()] = true
		}
	}
	var names []string
	for f := range files {
		if stem, ok := strings.CutSuffix(f, "pub.txt"); ok && stem != "" {
			if files[stem] {
				continue // the companion of a hotkey listed under its own name
			}
			names = append(names, stem) // a public file whose secret lives elsewhere
			continue
		}
		names = append(names, f)
	}
	sort.Strings(names)
	return names, nil
}

// WithHotkey returns a copy of w naming another hotkey of the same wallet.
func (w *Wallet) WithHotkey(hotkey string) (*Wallet, error) {
	if err := checkName("hotkey", hotkey); err != nil {
		return nil, err
	}
	c := *w
	c.Hotkey = hotkey
	return &c, nil
}
