// Package computeoffer is the seed document's compute offering as a
// minerkit miner's handlers: validators POST /cvm and get this machine's GPU type, VRAM,
// the operator's bid per hour, and an attestation of the hardware; anyone may
// GET /health.
//
// GPU facts come from package gpu (NVML). The attestation comes from an
// [Attester]; the default, [NoAttestation], says plainly that there is none.
// See ATTESTATION.md in this directory for plugging in AMD SEV-SNP, Intel TDX
// or NVIDIA confidential-computing evidence.
//
// `minerkit serve` and `minerkit demo` run it; examples/compute-miner is the
// same miner as a standalone program to copy when you start your own
// subnet's miner.
package computeoffer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/miner"
)

// CVMRequest is the body of POST /cvm. It may be empty.
type CVMRequest struct {
	// Nonce, hex, is bound into the attestation evidence so that the
	// validator knows the evidence is fresh (SEV-SNP REPORT_DATA, TDX
	// REPORTDATA, the NVIDIA CC nonce). At most 64 bytes.
	Nonce string `json:"nonce,omitempty" validate:"maxlen=128"`
}

// Validate checks that Nonce is hex.
func (r *CVMRequest) Validate() error {
	if _, err := hex.DecodeString(r.Nonce); err != nil {
		return &jsonreq.FieldError{Field: "nonce", Msg: "must be hex (up to 64 bytes)"}
	}
	return nil
}

// CVMOffer is the answer of POST /cvm.
type CVMOffer struct {
	// GPUType is the GPU model ("NVIDIA H100 80GB HBM3"), "none" without one.
	GPUType  string `json:"gpu_type"`
	GPUCount int    `json:"gpu_count"`
	// VRAMGB is the memory of one GPU in GiB, rounded down.
	VRAMGB int `json:"vram_gb"`
	// BidPerHour is the operator's price for the whole offering, per hour,
	// in the subnet's unit (USD unless the subnet says otherwise).
	BidPerHour  float64     `json:"bid_per_hour"`
	Driver      string      `json:"driver_version,omitempty"`
	CUDA        string      `json:"cuda_version,omitempty"`
	Attestation Attestation `json:"attestation"`
}

// Attestation is hardware evidence for the offer.
type Attestation struct {
	// Kind names the evidence format: "none", "sev-snp", "tdx",
	// "nvidia-cc", or a subnet's own.
	Kind string `json:"kind"`
	// Evidence is the raw report or quote (base64 in JSON); nil for "none".
	Evidence []byte `json:"evidence,omitempty"`
	// Nonce echoes the request's nonce (hex) that the evidence binds.
	Nonce string `json:"nonce,omitempty"`
	// Note explains the evidence to a human.
	Note string `json:"note,omitempty"`
}

// Attester produces attestation evidence bound to nonce (possibly empty).
// Implementations must honour ctx and must not return evidence that does not
// bind nonce when nonce is not empty.
type Attester interface {
	Attest(ctx context.Context, nonce []byte) (Attestation, error)
}

// AttesterFunc adapts a function to an Attester.
type AttesterFunc func(ctx context.Context, nonce []byte) (Attestation, error)

// Attest calls f.
func (f AttesterFunc) Attest(ctx context.Context, nonce []byte) (Attestation, error) {
	return f(ctx, nonce)
}

// NoAttestation is the default Attester: it claims nothing.
type NoAttestation struct{}

// Attest returns Kind "none".
func (NoAttestation) Attest(ctx context.Context, nonce []byte) (Attestation, error) {
	return Attestation{Kind: "none", Note: "this miner provides no hardware attestation; treat its GPU facts as unverified claims"}, nil
}

// Config sets up the miner. The zero value offers what NVML reports at a bid
// of 0 with no attestation.
type Config struct {
	// BidPerHour is the price asked per hour.
	BidPerHour float64
	// GPUType and VRAMGB, if set, replace what NVML reports (for machines
	// whose GPUs NVML cannot see, or to offer a part of the machine).
	GPUType  string
	VRAMGB   int
	GPUCount int
	// GPU reads the GPU facts (default gpu.NVML{}).
	GPU gpu.Reader
	// Attester produces the attestation (default NoAttestation).
	Attester Attester
	// FactsTTL is how long GPU facts are reused (default 10 s): NVML calls
	// take milliseconds and the model does not change.
	FactsTTL time.Duration
	// Logger receives attestation failures (default: discard).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Miner answers /cvm. It is safe for concurrent use.
type Miner struct {
	cfg Config

	mu      sync.Mutex
	facts   gpu.Report
	factErr error
	readAt  time.Time
}

// New returns a Miner for cfg.
func New(cfg Config) *Miner {
	if cfg.GPU == nil {
		cfg.GPU = gpu.NVML{}
	}
	if cfg.Attester == nil {
		cfg.Attester = NoAttestation{}
	}
	if cfg.FactsTTL <= 0 {
		cfg.FactsTTL = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Miner{cfg: cfg}
}

// Register adds the miner's routes to s: POST /cvm behind the guard, GET
// /health open.
func (m *Miner) Register(s *miner.Server) {
	h := jsonreq.Func(m.CVM)
	h.AllowEmpty = true
	h.MaxBody = 4 << 10
	s.Handle("POST /cvm", h)
	s.HandlePublic("GET /health", http.HandlerFunc(Health))
	if err := s.HandleSynapse(m.ComputeOfferRoute()); err != nil {
		m.cfg.Logger.Error("not serving the ComputeOffer synapse", "err", err)
	}
}

// ComputeOffer is the offer as an Axon synapse, for validators that query
// with the Python SDK's dendrite: they send a nonce (hashed, so signed) and
// get the offer, attestation included, as POST /cvm answers it.
type ComputeOffer struct {
	axon.Synapse
	Nonce string    `json:"nonce"`
	Offer *CVMOffer `json:"offer"`
}

// RequiredHashFields is the Python class's required_hash_fields.
func (ComputeOffer) RequiredHashFields() []string { return []string{"nonce"} }

// ComputeOfferRoute returns the Axon route of ComputeOffer, answered by CVM.
func (m *Miner) ComputeOfferRoute() *axon.Route {
	rt, err := axon.NewRoute(func(ctx context.Context, syn *ComputeOffer) error {
		req := &CVMRequest{Nonce: syn.Nonce}
		if err := req.Validate(); err != nil || len(req.Nonce) > 128 {
			return axon.HandlerError(http.StatusBadRequest, "nonce must be hex, at most 64 bytes")
		}
		o, err := m.CVM(ctx, req)
		if err != nil {
			return err
		}
		syn.Offer = &o
		return nil
	})
	if err != nil {
		panic(err) // ComputeOffer's declaration is fixed and valid
	}
	return rt
}

// Health answers {"status":"ok"}.
func Health(w http.ResponseWriter, r *http.Request) {
	jsonreq.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// gpuFacts returns the cached GPU report, refreshed after FactsTTL.
func (m *Miner) gpuFacts() (gpu.Report, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()
	if m.readAt.IsZero() || now.Sub(m.readAt) >= m.cfg.FactsTTL {
		m.facts, m.factErr = m.cfg.GPU.Read()
		m.readAt = now
	}
	return m.facts, m.factErr
}

// Offer returns the offer without an attestation.
func (m *Miner) Offer() (CVMOffer, error) {
	o := CVMOffer{BidPerHour: m.cfg.BidPerHour, GPUType: "none"}
	rep, err := m.gpuFacts()
	switch {
	case errors.Is(err, gpu.ErrNoGPU):
	case err != nil:
		return o, fmt.Errorf("computeoffer: read GPU facts: %w", err)
	case rep.Count() > 0:
		d := rep.Devices[0]
		o.GPUType, o.GPUCount, o.VRAMGB = d.Name, rep.Count(), int(d.MemoryTotal>>30)
		o.Driver, o.CUDA = rep.DriverVersion, rep.CUDAVersion
	}
	if m.cfg.GPUType != "" {
		o.GPUType = m.cfg.GPUType
		if o.GPUCount == 0 {
			o.GPUCount = 1
		}
	}
	if m.cfg.VRAMGB > 0 {
		o.VRAMGB = m.cfg.VRAMGB
	}
	if m.cfg.GPUCount > 0 {
		o.GPUCount = m.cfg.GPUCount
	}
	return o, nil
}

// CVM is the POST /cvm handler's logic.
func (m *Miner) CVM(ctx context.Context, req *CVMRequest) (CVMOffer, error) {
	o, err := m.Offer()
	if err != nil {
		m.cfg.Logger.Error("cvm: GPU facts unavailable", "err", err)
		return o, err
	}
	nonce, _ := hex.DecodeString(req.Nonce) // checked by Validate
	att, err := m.cfg.Attester.Attest(ctx, nonce)
	if err != nil {
		m.cfg.Logger.Error("cvm: attestation failed", "err", err)
		return o, fmt.Errorf("computeoffer: attest: %w", err)
	}
	if att.Kind == "" {
		att.Kind = "none"
	}
	if att.Nonce == "" {
		att.Nonce = req.Nonce
	}
	o.Attestation = att
	return o, nil
}
