//go:build !cgo

package gpu

import "fmt"

// NVML reads GPUs through the NVIDIA Management Library. go-nvml loads the
// library through cgo, so a binary built without cgo (CGO_ENABLED=0, or no C
// compiler on the build machine) cannot read GPUs and says so.
type NVML struct {
	// LibraryPath, if non-empty, is the NVML shared library to load instead
	// of libnvidia-ml.so.1 from the system search path.
	LibraryPath string
}

// Read reports that this build has no NVML support.
func (n NVML) Read() (Report, error) {
	return Report{}, fmt.Errorf("%w: this minerkit was built without cgo, which NVML needs; rebuild with CGO_ENABLED=1 and a C compiler", ErrNoGPU)
}
