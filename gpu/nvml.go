//go:build cgo

package gpu

import (
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// library is the part of NVML this package calls. nvml.Interface satisfies
// it; tests substitute a fake device list.
type library interface {
	Init() nvml.Return
	Shutdown() nvml.Return
	SystemGetDriverVersion() (string, nvml.Return)
	SystemGetCudaDriverVersion() (int, nvml.Return)
	DeviceGetCount() (int, nvml.Return)
	DeviceGetHandleByIndex(int) (nvml.Device, nvml.Return)
}

// NVML reads GPUs through the NVIDIA Management Library.
type NVML struct {
	// LibraryPath, if non-empty, is the NVML shared library to load instead
	// of libnvidia-ml.so.1 from the system search path.
	LibraryPath string

	lib library // for tests; nil means the real library
}

// Read initializes NVML, reads every device and shuts NVML down again. Without
// a usable NVML, driver or device it returns an error matching [ErrNoGPU].
func (n NVML) Read() (Report, error) {
	lib := n.lib
	if lib == nil {
		var opts []nvml.LibraryOption
		if n.LibraryPath != "" {
			opts = append(opts, nvml.WithLibraryPath(n.LibraryPath))
		}
		lib = nvml.New(opts...)
	}
	return read(lib)
}

func read(lib library) (Report, error) {
	if ret := lib.Init(); ret != nvml.SUCCESS {
		return Report{}, initError(ret)
	}
	defer lib.Shutdown()

	var r Report
	if v, ret := lib.SystemGetDriverVersion(); ret == nvml.SUCCESS {
		r.DriverVersion = v
	}
	if v, ret := lib.SystemGetCudaDriverVersion(); ret == nvml.SUCCESS && v > 0 {
		// NVML encodes CUDA 12.4 as 12040.
		r.CUDAVersion = fmt.Sprintf("%d.%d", v/1000, (v%1000)/10)
	}
	count, ret := lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return Report{}, fmt.Errorf("%w: NVML could not count devices: %s", ErrNoGPU, retString(ret))
	}
	if count == 0 {
		return r, fmt.Errorf("%w: the driver (version %s) reports zero devices", ErrNoGPU, orDash(r.DriverVersion))
	}
	r.Devices = make([]Device, 0, count)
	for i := 0; i < count; i++ {
		h, ret := lib.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			return Report{}, fmt.Errorf("gpu: NVML device %d: %s (check `nvidia-smi`)", i, retString(ret))
		}
		r.Devices = append(r.Devices, readDevice(i, h))
	}
	return r, nil
}

func readDevice(i int, h nvml.Device) Device {
	d := Device{Index: i}
	miss := func(fact string) { d.Missing = append(d.Missing, fact) }
	if v, ret := h.GetName(); ret == nvml.SUCCESS {
		d.Name = v
	} else {
		d.Name = "unknown NVIDIA GPU"
		miss("name")
	}
	if v, ret := h.GetUUID(); ret == nvml.SUCCESS {
		d.UUID = v
	} else {
		miss("uuid")
	}
	if m, ret := h.GetMemoryInfo(); ret == nvml.SUCCESS {
		d.MemoryTotal, d.MemoryFree, d.MemoryUsed = m.Total, m.Free, m.Used
	} else {
		miss("memory")
	}
	if u, ret := h.GetUtilizationRates(); ret == nvml.SUCCESS {
		d.UtilizationGPU, d.UtilizationMemory = u.Gpu, u.Memory
	} else {
		miss("utilization")
	}
	if t, ret := h.GetTemperature(nvml.TEMPERATURE_GPU); ret == nvml.SUCCESS {
		d.TemperatureC = t
	}
	if p, ret := h.GetPowerUsage(); ret == nvml.SUCCESS {
		d.PowerWatts = float64(p) / 1000 // NVML reports milliwatts
	}
	return d
}

func initError(ret nvml.Return) error {
	switch ret {
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return fmt.Errorf("%w: libnvidia-ml.so.1 could not be loaded (no NVIDIA driver installed)", ErrNoGPU)
	case nvml.ERROR_DRIVER_NOT_LOADED:
		return fmt.Errorf("%w: the NVIDIA kernel driver is not loaded", ErrNoGPU)
	case nvml.ERROR_NO_PERMISSION:
		return fmt.Errorf("%w: no permission to open the NVIDIA devices (check /dev/nvidia* access)", ErrNoGPU)
	}
	return fmt.Errorf("%w: NVML initialization failed: %s", ErrNoGPU, retString(ret))
}

// retString names an NVML return code; it works without the library loaded.
func retString(ret nvml.Return) string { return ret.Error() }
