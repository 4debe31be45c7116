//go:build cgo

package gpu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// fakeDevice overrides the few nvml.Device methods this package calls; the
// embedded nil interface panics on anything else, which would be a bug here.
type fakeDevice struct {
	nvml.Device
	name, uuid string
	mem        nvml.Memory
	util       nvml.Utilization
	utilErr    nvml.Return
	temp       uint32
	powerMW    uint32
}

func (f fakeDevice) GetName() (string, nvml.Return)            { return f.name, nvml.SUCCESS }
func (f fakeDevice) GetUUID() (string, nvml.Return)            { return f.uuid, nvml.SUCCESS }
func (f fakeDevice) GetMemoryInfo() (nvml.Memory, nvml.Return) { return f.mem, nvml.SUCCESS }
func (f fakeDevice) GetUtilizationRates() (nvml.Utilization, nvml.Return) {
	return f.util, f.utilErr
}
func (f fakeDevice) GetTemperature(nvml.TemperatureSensors) (uint32, nvml.Return) {
	return f.temp, nvml.SUCCESS
}
func (f fakeDevice) GetPowerUsage() (uint32, nvml.Return) { return f.powerMW, nvml.SUCCESS }

type fakeLib struct {
	initRet  nvml.Return
	driver   string
	cuda     int
	devices  []fakeDevice
	shutdown int
}

func (f *fakeLib) Init() nvml.Return                             { return f.initRet }
func (f *fakeLib) Shutdown() nvml.Return                         { f.shutdown++; return nvml.SUCCESS }
func (f *fakeLib) SystemGetDriverVersion() (string, nvml.Return) { return f.driver, nvml.SUCCESS }
func (f *fakeLib) SystemGetCudaDriverVersion() (int, nvml.Return) {
	return f.cuda, nvml.SUCCESS
}
func (f *fakeLib) DeviceGetCount() (int, nvml.Return) { return len(f.devices), nvml.SUCCESS }
func (f *fakeLib) DeviceGetHandleByIndex(i int) (nvml.Device, nvml.Return) {
	if i < 0 || i >= len(f.devices) {
		return nil, nvml.ERROR_INVALID_ARGUMENT
	}
	return f.devices[i], nvml.SUCCESS
}

const gib = 1 << 30

func h100(i int) fakeDevice {
	return fakeDevice{
		name: "NVIDIA H100 80GB HBM3", uuid: fmt.Sprintf("GPU-0000000%d-aaaa-bbbb-cccc-dddddddddddd", i),
		mem:  nvml.Memory{Total: 80 * gib, Used: 1 * gib, Free: 79 * gib},
		util: nvml.Utilization{Gpu: 37, Memory: 5}, temp: 41, powerMW: 71500,
	}
}

func TestReadFake(t *testing.T) {
	tests := []struct {
		name        string
		lib         *fakeLib
		wantErr     error
		wantCount   int
		wantSummary string
		wantText    []string
	}{
		{
			name:        "no library",
			lib:         &fakeLib{initRet: nvml.ERROR_LIBRARY_NOT_FOUND},
			wantErr:     ErrNoGPU,
			wantText:    []string{"no NVIDIA GPU found"},
			wantSummary: "no NVIDIA GPU",
		},
		{
			name:        "driver not loaded",
			lib:         &fakeLib{initRet: nvml.ERROR_DRIVER_NOT_LOADED},
			wantErr:     ErrNoGPU,
			wantText:    []string{"no NVIDIA GPU found"},
			wantSummary: "no NVIDIA GPU",
		},
		{
			name:        "zero devices",
			lib:         &fakeLib{driver: "550.54.15", cuda: 12040},
			wantErr:     ErrNoGPU,
			wantText:    []string{"no NVIDIA GPU found"},
			wantSummary: "no NVIDIA GPU",
		},
		{
			name:        "two H100",
			lib:         &fakeLib{driver: "550.54.15", cuda: 12040, devices: []fakeDevice{h100(0), h100(1)}},
			wantCount:   2,
			wantSummary: "2× NVIDIA H100 80GB HBM3 (80 GiB each), driver 550.54.15, CUDA 12.4",
			wantText:    []string{"driver 550.54.15, CUDA 12.4, 2 GPU(s)", "GPU-00000001-aaaa", "80 GiB", "79 GiB", "37%"},
		},
		{
			name: "mixed, utilization unsupported",
			lib: &fakeLib{driver: "535.104.05", cuda: 12020, devices: []fakeDevice{h100(0), {
				name: "NVIDIA A10G", uuid: "GPU-a10g", mem: nvml.Memory{Total: 24 * gib, Free: 24 * gib},
				utilErr: nvml.ERROR_NOT_SUPPORTED,
			}}},
			wantCount:   2,
			wantSummary: "1× NVIDIA H100 80GB HBM3 (80 GiB), 1× NVIDIA A10G (24 GiB), driver 535.104.05, CUDA 12.2",
			wantText:    []string{"NVIDIA A10G", "GPU-a10g", "-"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NVML{lib: tt.lib}.Read()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "gpu: no NVIDIA GPU found") {
					t.Errorf("error text %q does not start with the package prefix", err)
				}
				r = Report{}
			} else if err != nil {
				t.Fatal(err)
			}
			if tt.lib.initRet == nvml.SUCCESS && tt.lib.shutdown != 1 {
				t.Errorf("Shutdown called %d times, want 1", tt.lib.shutdown)
			}
			if r.Count() != tt.wantCount {
				t.Errorf("Count = %d, want %d", r.Count(), tt.wantCount)
			}
			if got := r.Summary(); got != tt.wantSummary {
				t.Errorf("Summary = %q, want %q", got, tt.wantSummary)
			}
			var buf bytes.Buffer
			if err := r.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("text output lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
}

func TestDeviceFacts(t *testing.T) {
	r, err := NVML{lib: &fakeLib{driver: "550", cuda: 12040, devices: []fakeDevice{h100(0)}}}.Read()
	if err != nil {
		t.Fatal(err)
	}
	d := r.Devices[0]
	if d.PowerWatts != 71.5 || d.TemperatureC != 41 || d.MemoryUsed != gib || len(d.Missing) != 0 {
		t.Errorf("device = %+v", d)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"driver_version":"550"`, `"cuda_version":"12.4"`, `"memory_total_bytes":85899345920`, `"utilization_gpu_percent":37`} {
		if !bytes.Contains(b, []byte(k)) {
			t.Errorf("JSON lacks %s: %s", k, b)
		}
	}
}

// TestDetectSystem runs against the real NVML: on a machine without an NVIDIA
// driver it must report ErrNoGPU rather than fail in any other way.
func TestDetectSystem(t *testing.T) {
	r, err := Detect()
	if err != nil {
		if !errors.Is(err, ErrNoGPU) {
			t.Fatalf("Detect: %v (want nil or ErrNoGPU)", err)
		}
		t.Logf("no GPU here: %v", err)
		return
	}
	t.Logf("%s", r.Summary())
	for _, d := range r.Devices {
		if d.Name == "" || d.MemoryTotal == 0 {
			t.Errorf("device %d lacks facts: %+v", d.Index, d)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for _, tt := range []struct {
		in   uint64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"}, {512 << 20, "512 MiB"}, {85520809984, "79.6 GiB"}, {3 << 40, "3 TiB"}} {
		if got := FormatBytes(tt.in); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func ExampleReport_Summary() {
	r := Report{DriverVersion: "550.54.15", CUDAVersion: "12.4", Devices: []Device{
		{Name: "NVIDIA H100 80GB HBM3", MemoryTotal: 80 << 30},
	}}
	fmt.Println(r.Summary())
	// Output: 1× NVIDIA H100 80GB HBM3 (80 GiB), driver 550.54.15, CUDA 12.4
}

func ExampleDetect() {
	r, err := Detect()
	if errors.Is(err, ErrNoGPU) {
		fmt.Println("no NVIDIA GPU found")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Summary())
}
