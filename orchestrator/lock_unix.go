//go:build unix

package orchestrator

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on path+".lock", held until the
// returned file is closed or the process dies, so that two miners never
// share one journal (each would run the other's jobs again).
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("orchestrator: journal lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("orchestrator: journal %s is in use by another miner process: give each miner its own journal", path)
		}
		return nil, fmt.Errorf("orchestrator: journal lock: %w", err)
	}
	return f, nil
}
