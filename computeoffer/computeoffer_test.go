package computeoffer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/jsonreq"
)

var h100 = gpu.Report{DriverVersion: "550.54.15", CUDAVersion: "12.4", Devices: []gpu.Device{
	{Index: 0, Name: "NVIDIA H100 80GB HBM3", MemoryTotal: 85520809984},
	{Index: 1, Name: "NVIDIA H100 80GB HBM3", MemoryTotal: 85520809984},
}}

func handler(m *Miner) *jsonreq.Handler[CVMRequest, CVMOffer] {
	h := jsonreq.Func(m.CVM)
	h.AllowEmpty = true
	return h
}

func TestCVM(t *testing.T) {
	snp := AttesterFunc(func(ctx context.Context, nonce []byte) (Attestation, error) {
		return Attestation{Kind: "sev-snp", Evidence: append([]byte("report:"), nonce...)}, nil
	})
	tests := []struct {
		name   string
		cfg    Config
		body   string
		status int
		check  func(t *testing.T, o CVMOffer)
	}{
		{name: "nvml facts, no attestation", cfg: Config{GPU: gpu.Static{Report: h100}, BidPerHour: 2.5}, status: 200,
			check: func(t *testing.T, o CVMOffer) {
				if o.GPUType != "NVIDIA H100 80GB HBM3" || o.GPUCount != 2 || o.VRAMGB != 79 || o.BidPerHour != 2.5 || o.Attestation.Kind != "none" || o.CUDA != "12.4" {
					t.Fatalf("offer %+v", o)
				}
			}},
		{name: "no GPU", cfg: Config{GPU: gpu.Static{Err: gpu.ErrNoGPU}, BidPerHour: 1}, body: `{}`, status: 200,
			check: func(t *testing.T, o CVMOffer) {
				if o.GPUType != "none" || o.GPUCount != 0 || o.VRAMGB != 0 {
					t.Fatalf("offer %+v", o)
				}
			}},
		{name: "overrides", cfg: Config{GPU: gpu.Static{Err: gpu.ErrNoGPU}, GPUType: "A100", VRAMGB: 80, BidPerHour: 0.5}, status: 200,
			check: func(t *testing.T, o CVMOffer) {
				if o.GPUType != "A100" || o.GPUCount != 1 || o.VRAMGB != 80 {
					t.Fatalf("offer %+v", o)
				}
			}},
		{name: "attester gets the nonce", cfg: Config{GPU: gpu.Static{Report: h100}, Attester: snp}, body: `{"nonce":"00ff"}`, status: 200,
			check: func(t *testing.T, o CVMOffer) {
				if o.Attestation.Kind != "sev-snp" || string(o.Attestation.Evidence) != "report:\x00\xff" || o.Attestation.Nonce != "00ff" {
					t.Fatalf("attestation %+v", o.Attestation)
				}
			}},
		{name: "bad nonce", cfg: Config{GPU: gpu.Static{Report: h100}}, body: `{"nonce":"xyz"}`, status: 400},
		{name: "unknown field", cfg: Config{GPU: gpu.Static{Report: h100}}, body: `{"gpu":"x"}`, status: 400},
		{name: "nvml broken", cfg: Config{GPU: gpu.Static{Err: errors.New("nvml: driver/library version mismatch")}}, status: 500},
		{name: "attester fails", cfg: Config{GPU: gpu.Static{Report: h100}, Attester: AttesterFunc(func(context.Context, []byte) (Attestation, error) {
			return Attestation{}, errors.New("no /dev/sev-guest")
		})}, status: 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			handler(New(tc.cfg)).ServeHTTP(w, httptest.NewRequest("POST", "/cvm", strings.NewReader(tc.body)))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.check != nil {
				var o CVMOffer
				if err := json.Unmarshal(w.Body.Bytes(), &o); err != nil {
					t.Fatal(err)
				}
				tc.check(t, o)
			}
		})
	}
}

// countingReader counts NVML reads.
type countingReader struct {
	n int
	r gpu.Report
}

func (c *countingReader) Read() (gpu.Report, error) { c.n++; return c.r, nil }

func TestGPUFactsCached(t *testing.T) {
	now := time.Unix(100, 0)
	cr := &countingReader{r: h100}
	m := New(Config{GPU: cr, Now: func() time.Time { return now }})
	for range 5 {
		if _, err := m.Offer(); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(10 * time.Second)
	m.Offer()
	if cr.n != 2 {
		t.Fatalf("NVML read %d times, want 2", cr.n)
	}
}

func TestHealth(t *testing.T) {
	w := httptest.NewRecorder()
	Health(w, httptest.NewRequest("GET", "/health", nil))
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"status":"ok"}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
