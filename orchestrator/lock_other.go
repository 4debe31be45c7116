//go:build !unix

package orchestrator

import "os"

// lockFile is a no-op where flock is unavailable: run one miner per
// journal.
func lockFile(path string) (*os.File, error) { return nil, nil }
