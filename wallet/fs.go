package wallet

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is wrapped by the error for a write that would replace a key.
var ErrExists = errors.New("key file already exists")

// writeKeyfile writes data to path with mode 0600, creating missing
// directories with mode 0700. Without overwrite it never replaces an
// existing file (O_EXCL); with overwrite it replaces the file atomically.
func writeKeyfile(path string, data []byte, overwrite bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("wallet: create directory: %w", err)
	}
	if !overwrite {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return existsError(path)
		}
		if err != nil {
			return fmt.Errorf("wallet: create %s: %w", path, err)
		}
		if err := writeAll(f, data); err != nil {
			os.Remove(path)
			return fmt.Errorf("wallet: write %s: %w", path, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("wallet: write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("wallet: write %s: %w", path, err)
	}
	if err := writeAll(tmp, data); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("wallet: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("wallet: replace %s: %w", path, err)
	}
	return nil
}

// writeAll writes, syncs and closes f.
func writeAll(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func existsError(path string) error {
	return fmt.Errorf("wallet: %w: %s; replace it only on purpose "+
		"(the old key is lost for good unless you hold its mnemonic)", ErrExists, path)
}

// readKeyfileBytes reads a keyfile, refusing anything too large to be one.
func readKeyfileBytes(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyfileSize+1))
	if err != nil {
		return nil, err
	}
	return b, nil
}
