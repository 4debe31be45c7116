// Package gpu reports the NVIDIA GPUs of this machine through NVML.
//
// NVML (libnvidia-ml.so.1) is loaded at run time, so a binary built with this
// package runs on machines without a GPU or driver: there [Detect] returns an
// error that matches [ErrNoGPU], which callers print as "no NVIDIA GPU found"
// and treat as a normal outcome. The package never changes GPU settings; it
// only reads.
package gpu

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// ErrNoGPU is matched (errors.Is) by the error [Detect] returns when NVML
// cannot be loaded, the driver is not running, or it reports zero devices.
var ErrNoGPU = errors.New("gpu: no NVIDIA GPU found")

// Device holds the facts of one GPU. Fields NVML could not read are left at
// their zero value and named in Missing.
type Device struct {
	Index       int    `json:"index"`
	Name        string `json:"name"`
	UUID        string `json:"uuid"`
	MemoryTotal uint64 `json:"memory_total_bytes"`
	MemoryFree  uint64 `json:"memory_free_bytes"`
	MemoryUsed  uint64 `json:"memory_used_bytes"`
	// UtilizationGPU and UtilizationMemory are percentages (0–100) over
	// NVML's last sample period.
	UtilizationGPU    uint32  `json:"utilization_gpu_percent"`
	UtilizationMemory uint32  `json:"utilization_memory_percent"`
	TemperatureC      uint32  `json:"temperature_c,omitempty"`
	PowerWatts        float64 `json:"power_watts,omitempty"`
	// Missing names the facts NVML refused for this device (for example
	// "utilization" on some virtualized GPUs).
	Missing []string `json:"missing,omitempty"`
}

// Report is a snapshot of every GPU NVML sees.
type Report struct {
	DriverVersion string `json:"driver_version"`
	// CUDAVersion is the highest CUDA version the driver supports, "12.4".
	CUDAVersion string   `json:"cuda_version"`
	Devices     []Device `json:"devices"`
}

// Count returns the number of devices.
func (r Report) Count() int { return len(r.Devices) }

// Reader reads a Report. [NVML] is the real one; tests and callers that need
// a fixed answer can use [Static].
type Reader interface {
	Read() (Report, error)
}

// Static is a Reader that returns a fixed Report, or Err when non-nil.
type Static struct {
	Report Report
	Err    error
}

// Read returns s.Report and s.Err.
func (s Static) Read() (Report, error) { return s.Report, s.Err }

// Detect reads the GPUs through the system NVML library.
func Detect() (Report, error) { return NVML{}.Read() }

// Summary is a one-line description such as "2× NVIDIA H100 80GB HBM3
// (79.6 GiB each), driver 550.54.15, CUDA 12.4", or "no NVIDIA GPU" when the
// report is empty.
func (r Report) Summary() string {
	if len(r.Devices) == 0 {
		return "no NVIDIA GPU"
	}
	// Group identical models so a homogeneous 8-GPU box stays one line.
	type group struct {
		name string
		mem  uint64
		n    int
	}
	var groups []*group
	for _, d := range r.Devices {
		var g *group
		for _, x := range groups {
			if x.name == d.Name && x.mem == d.MemoryTotal {
				g = x
			}
		}
		if g == nil {
			g = &group{name: d.Name, mem: d.MemoryTotal}
			groups = append(groups, g)
		}
		g.n++
	}
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		each := ""
		if g.n > 1 {
			each = " each"
		}
		parts = append(parts, fmt.Sprintf("%d× %s (%s%s)", g.n, g.name, FormatBytes(g.mem), each))
	}
	s := strings.Join(parts, ", ")
	if r.DriverVersion != "" {
		s += ", driver " + r.DriverVersion
	}
	if r.CUDAVersion != "" {
		s += ", CUDA " + r.CUDAVersion
	}
	return s
}

// WriteText writes the report as a human-readable table.
func (r Report) WriteText(w io.Writer) error {
	if len(r.Devices) == 0 {
		_, err := fmt.Fprintln(w, "no NVIDIA GPU found")
		return err
	}
	fmt.Fprintf(w, "driver %s, CUDA %s, %d GPU(s)\n", orDash(r.DriverVersion), orDash(r.CUDAVersion), len(r.Devices))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "IDX\tNAME\tUUID\tMEM TOTAL\tMEM USED\tMEM FREE\tGPU UTIL\tMEM UTIL")
	for _, d := range r.Devices {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Index, d.Name, orDash(d.UUID),
			FormatBytes(d.MemoryTotal), FormatBytes(d.MemoryUsed), FormatBytes(d.MemoryFree),
			percent(d, "utilization", d.UtilizationGPU), percent(d, "utilization", d.UtilizationMemory))
	}
	return tw.Flush()
}

func percent(d Device, fact string, v uint32) string {
	for _, m := range d.Missing {
		if m == fact {
			return "-"
		}
	}
	return fmt.Sprintf("%d%%", v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// FormatBytes formats a byte count with binary units: "79.6 GiB", "512 MiB".
func FormatBytes(b uint64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit && exp < 4; n /= unit {
		div *= unit
		exp++
	}
	v := float64(b) / float64(div)
	suffix := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}[exp]
	if v == float64(uint64(v)) {
		return fmt.Sprintf("%d %s", uint64(v), suffix)
	}
	return fmt.Sprintf("%.1f %s", v, suffix)
}
