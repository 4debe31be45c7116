//go:build !linux

package sr25519

import "time"

// threadCPU is not measured outside Linux.
func threadCPU() time.Duration { return 0 }
