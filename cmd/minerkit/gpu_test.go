package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/gpu"
)

func TestRunGPU(t *testing.T) {
	one := gpu.Report{DriverVersion: "550.54.15", CUDAVersion: "12.4", Devices: []gpu.Device{
		{Index: 0, Name: "NVIDIA H100 80GB HBM3", UUID: "GPU-1", MemoryTotal: 80 << 30, MemoryFree: 79 << 30, MemoryUsed: 1 << 30, UtilizationGPU: 3},
	}}
	noGPU := fmt.Errorf("%w: libnvidia-ml.so.1 could not be loaded", gpu.ErrNoGPU)
	tests := []struct {
		name    string
		r       gpu.Reader
		json    bool
		want    []string
		wantErr bool
	}{
		{"none text", gpu.Static{Err: noGPU}, false, []string{"no NVIDIA GPU found: libnvidia-ml.so.1"}, false},
		{"none json", gpu.Static{Err: noGPU}, true, []string{`"count": 0`, `"devices": []`, `"message": "gpu: no NVIDIA GPU found`}, false},
		{"one text", gpu.Static{Report: one}, false, []string{"driver 550.54.15, CUDA 12.4, 1 GPU(s)", "NVIDIA H100 80GB HBM3", "GPU-1", "80 GiB"}, false},
		{"one json", gpu.Static{Report: one}, true, []string{`"count": 1`, `"uuid": "GPU-1"`, `"cuda_version": "12.4"`}, false},
		{"other error", gpu.Static{Err: errors.New("gpu: NVML device 0: unknown")}, false, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := runGPU(&buf, tt.r, tt.json)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
			if tt.json && err == nil {
				var v map[string]any
				if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
					t.Errorf("bad JSON: %v", err)
				}
			}
		})
	}
}

func TestGPUCommandNoArgs(t *testing.T) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"gpu", "--json"})
	if err := root.Execute(); err != nil {
		t.Fatalf("minerkit gpu --json: %v", err)
	}
	var v struct {
		Count int `json:"count"`
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("bad JSON %q: %v", out.String(), err)
	}
}
