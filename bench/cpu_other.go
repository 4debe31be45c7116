//go:build !unix

package bench

import "time"

// processCPU is unknown here; CPU-normalized figures read as zero.
func processCPU() time.Duration { return 0 }
