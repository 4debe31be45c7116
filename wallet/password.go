package wallet

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ErrNoPassword is returned by a PasswordSource that has no password to give;
// Sources moves on to the next source when it sees it.
var ErrNoPassword = errors.New("no password available")

// NoPasswordError is Sources' ErrNoPassword: no source had the password of
// the keyfile (EnvVar set) or of a polkadot-js backup (Backup).
type NoPasswordError struct {
	// What names the key ("coldkey of wallet miner").
	What string
	// EnvVar is the environment variable that would hold a keyfile's
	// password; empty for a backup.
	EnvVar string
	// Backup: the password of a polkadot-js JSON backup was missing.
	Backup bool
}

func (e *NoPasswordError) Error() string {
	if e.Backup {
		return fmt.Sprintf("wallet: %v for %s: run in a terminal or give the backup's password", ErrNoPassword, e.What)
	}
	return fmt.Sprintf("wallet: %v for %s: run in a terminal, give a password file, or set %s", ErrNoPassword, e.What, e.EnvVar)
}

// Is reports ErrNoPassword.
func (e *NoPasswordError) Is(target error) bool { return target == ErrNoPassword }

// A PasswordSource supplies the password of an encrypted keyfile.
type PasswordSource interface {
	// Password returns the password for the keyfile at path. what names the
	// key for people ("coldkey \"default\""). confirm is true when a key is
	// being encrypted: an interactive source asks twice.
	Password(path, what string, confirm bool) ([]byte, error)
}

// Password is a fixed password.
type Password []byte

// Password returns p.
func (p Password) Password(path, what string, confirm bool) ([]byte, error) {
	return bytes.Clone(p), nil
}

// PasswordFile reads the password from a file: its first line, without the
// line ending (so `echo secret > file` works).
type PasswordFile string

// Password reads the file.
func (f PasswordFile) Password(path, what string, confirm bool) ([]byte, error) {
	b, err := os.ReadFile(string(f))
	if err != nil {
		return nil, fmt.Errorf("wallet: read password file: %w", err)
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 {
		return nil, fmt.Errorf("wallet: password file %s is empty", string(f))
	}
	return b, nil
}

// EnvPassword reads the password from the environment variable that
// bittensor-wallet uses for a keyfile (see EnvVarName). Lookup, if non-nil,
// replaces os.LookupEnv.
type EnvPassword struct {
	Lookup func(key string) (string, bool)
}

// Password decodes the keyfile's BT_PW_ variable, or returns ErrNoPassword
// when it is not set.
func (e EnvPassword) Password(path, what string, confirm bool) ([]byte, error) {
	lookup := e.Lookup
	if lookup == nil {
		lookup = os.LookupEnv
	}
	name := EnvVarName(path)
	v, ok := lookup(name)
	if !ok || v == "" {
		return nil, ErrNoPassword
	}
	pw, err := DecodeEnvPassword(name, v)
	if err != nil {
		return nil, err
	}
	return pw, nil
}

// EnvVarName returns the environment variable bittensor-wallet reads the
// password of the keyfile at path from: "BT_PW_" followed by the path in
// upper case with "/" and "." turned into "_". path must be the expanded
// path the wallet uses (~ replaced by the home directory).
func EnvVarName(path string) string {
	return "BT_PW_" + strings.ToUpper(strings.NewReplacer("/", "_", ".", "_").Replace(path))
}

// EncodeEnvPassword returns the value to give the variable name so that
// bittensor-wallet (and EnvPassword) read password from it:
// base64(password XOR name, the name repeated as needed). It obscures the
// password from a casual look at the environment; it is not encryption.
func EncodeEnvPassword(name string, password []byte) string {
	return base64.StdEncoding.EncodeToString(xorName(password, name))
}

// DecodeEnvPassword reverses EncodeEnvPassword.
func DecodeEnvPassword(name, value string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return nil, fmt.Errorf("wallet: environment variable %s is not base64 (it holds base64(password XOR variable name)): %w", name, err)
	}
	return xorName(b, name), nil
}

func xorName(b []byte, name string) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[i] ^ name[i%len(name)]
	}
	return out
}

// Prompt asks for the password on a terminal without echo. The zero value
// reads standard input and writes the question to standard error.
type Prompt struct {
	In  *os.File  // default os.Stdin; must be a terminal
	Out io.Writer // default os.Stderr
}

// Password asks once, or twice when confirm is set, retrying up to three
// times when the two answers differ or the password is empty. Without a
// terminal it returns ErrNoPassword.
func (p Prompt) Password(path, what string, confirm bool) ([]byte, error) {
	in, out := p.In, p.Out
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stderr
	}
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return nil, ErrNoPassword
	}
	read := func(q string) ([]byte, error) {
		fmt.Fprint(out, q)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(out)
		if err != nil {
			return nil, fmt.Errorf("wallet: read password: %w", err)
		}
		return b, nil
	}
	if !confirm {
		return read(fmt.Sprintf("Password for %s: ", what))
	}
	for range 3 {
		pw, err := read(fmt.Sprintf("New password for %s: ", what))
		if err != nil {
			return nil, err
		}
		if len(pw) == 0 {
			fmt.Fprintln(out, "The password must not be empty (an unencrypted key needs no password at all).")
			continue
		}
		again, err := read("Retype the password: ")
		if err != nil {
			return nil, err
		}
		if bytes.Equal(pw, again) {
			return pw, nil
		}
		fmt.Fprintln(out, "The passwords differ; try again.")
	}
	return nil, errors.New("wallet: no matching password after three tries")
}

// Sources tries each source in turn and returns the first password found.
// It returns an error wrapping ErrNoPassword, with a hint naming the
// environment variable, when none has one.
type Sources []PasswordSource

// Password asks the sources in order.
func (s Sources) Password(path, what string, confirm bool) ([]byte, error) {
	for _, src := range s {
		pw, err := src.Password(path, what, confirm)
		if errors.Is(err, ErrNoPassword) {
			continue
		}
		return pw, err
	}
	return nil, &NoPasswordError{What: what, EnvVar: EnvVarName(path)}
}

// DefaultPasswords is the order minerkit looks for a password: the
// BT_PW_ environment variable of the keyfile, then the terminal.
func DefaultPasswords() Sources {
	return Sources{EnvPassword{}, Prompt{}}
}
