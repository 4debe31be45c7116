package demo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/minerkit/minerkit/subtensor"
)

// Summary is what the demo did; `minerkit demo --json` prints it.
type Summary struct {
	// OK is true when every step was seen: registration, the committed
	// endpoint, accepted queries, both refusals, an Axon query, weights, and the miner's
	// incentive and emission above zero.
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`

	Chain     ChainSummary     `json:"chain"`
	Miner     MinerSummary     `json:"miner"`
	Validator ValidatorSummary `json:"validator"`
	// Refusals are the calls the miner's guard refused, as seen by the
	// caller.
	Refusals []Refusal `json:"refusals"`
	// Axon is the validator's query of the miner with the Axon protocol
	// (the Python SDK's dendrite).
	Axon  AxonQuery `json:"axon"`
	Steps []Step    `json:"steps"`
	// WalletDir holds the throwaway wallets (removed at the end unless
	// given with --dir); Log is the miner's and validator's log there.
	WalletDir   string  `json:"wallet_dir"`
	Kept        bool    `json:"wallet_dir_kept"`
	Log         string  `json:"log,omitempty"` // only when Kept
	WallSeconds float64 `json:"wall_seconds"`
}

// ChainSummary describes the embedded devnet.
type ChainSummary struct {
	URL         string `json:"url"`
	GenesisHash string `json:"genesis_hash"`
	NetUID      uint16 `json:"netuid"`
	BlockTimeMs int64  `json:"block_time_ms"`
	Tempo       uint16 `json:"tempo"`
	FirstBlock  uint64 `json:"first_block"`
	LastBlock   uint64 `json:"last_block"`
	Epochs      uint64 `json:"epochs"`
}

// MinerSummary describes the miner at the end.
type MinerSummary struct {
	Hotkey          string `json:"hotkey"`
	Coldkey         string `json:"coldkey"`
	UID             uint16 `json:"uid"`
	URL             string `json:"url"`
	RegisteredBlock uint64 `json:"registered_block"`
	CommittedBlock  uint64 `json:"committed_block"`
	// Incentive is the chain's incentive in [0, 1]; Emission is what the
	// miner earned in the last epoch, in rao (EmissionTAO in τ).
	Incentive           float64 `json:"incentive"`
	Emission            uint64  `json:"emission_rao"`
	EmissionTAO         string  `json:"emission_tao"`
	FirstIncentiveBlock uint64  `json:"first_incentive_block"`
	Served              uint64  `json:"requests_served"`
}

// ValidatorSummary describes the validator at the end.
type ValidatorSummary struct {
	Hotkey           string  `json:"hotkey"`
	Coldkey          string  `json:"coldkey"`
	UID              uint16  `json:"uid"`
	StakeTAO         float64 `json:"stake_tao"`
	PermitBlock      uint64  `json:"permit_block"`
	Queries          uint64  `json:"queries"`
	Accepted         uint64  `json:"accepted"`
	Failed           uint64  `json:"failed"`
	WeightsSet       uint64  `json:"weights_set"`
	LastWeightsBlock uint64  `json:"last_weights_block"`
	Dividends        float64 `json:"dividends"`
	Emission         uint64  `json:"emission_rao"`
}

// AxonQuery is one synapse sent as the Python SDK's dendrite sends it.
type AxonQuery struct {
	Synapse   string  `json:"synapse"`
	Status    int     `json:"status"`
	GPUType   string  `json:"gpu_type"`
	LatencyMs float64 `json:"latency_ms"`
	Block     uint64  `json:"block"`
}

// Refusal is one refused call.
type Refusal struct {
	// What the demo tried: "unregistered hotkey" or "replayed request".
	What   string `json:"what"`
	Caller string `json:"caller"`
	Status int    `json:"status"`
	Reason string `json:"reason"`
	Block  uint64 `json:"block"`
}

// WriteTable writes the summary as a table.
func (s *Summary) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s\t%s\n", k, v) }
	result := "ok"
	if !s.OK {
		result = "FAILED: " + s.Error
	}
	fmt.Fprintln(tw, "Summary")
	row("result", result)
	row("chain", fmt.Sprintf("%s, netuid %d, tempo %d, %d ms blocks, blocks %d→%d (%d epochs)",
		s.Chain.URL, s.Chain.NetUID, s.Chain.Tempo, s.Chain.BlockTimeMs, s.Chain.FirstBlock, s.Chain.LastBlock, s.Chain.Epochs))
	row("miner", fmt.Sprintf("uid %d  %s", s.Miner.UID, s.Miner.Hotkey))
	row("  endpoint", fmt.Sprintf("%s (committed at block %d)", s.Miner.URL, s.Miner.CommittedBlock))
	first := "never above 0"
	if s.Miner.FirstIncentiveBlock != 0 {
		first = fmt.Sprintf("first above 0 at block %d", s.Miner.FirstIncentiveBlock)
	}
	row("  incentive", fmt.Sprintf("%.4f (%s)", s.Miner.Incentive, first))
	row("  emission", fmt.Sprintf("%s α per epoch", subtensor.Rao(s.Miner.Emission).Decimal()))
	row("  requests served", fmt.Sprint(s.Miner.Served))
	row("validator", fmt.Sprintf("uid %d  %s", s.Validator.UID, s.Validator.Hotkey))
	permit := "no permit yet"
	if s.Validator.PermitBlock != 0 {
		permit = fmt.Sprintf("permit at block %d", s.Validator.PermitBlock)
	}
	row("  stake", fmt.Sprintf("%.0f τ, %s", s.Validator.StakeTAO, permit))
	row("  queries", fmt.Sprintf("%d sent, %d accepted, %d failed", s.Validator.Queries, s.Validator.Accepted, s.Validator.Failed))
	times := "times"
	if s.Validator.WeightsSet == 1 {
		times = "time"
	}
	row("  weights", fmt.Sprintf("set %d %s, last at block %d", s.Validator.WeightsSet, times, s.Validator.LastWeightsBlock))
	row("  dividends", fmt.Sprintf("%.4f, emission %s α per epoch", s.Validator.Dividends, subtensor.Rao(s.Validator.Emission).Decimal()))
	for _, r := range s.Refusals {
		row("refused", fmt.Sprintf("%d %s  %s (%s)", r.Status, r.Reason, r.What, short(r.Caller)))
	}
	if s.Axon.Status != 0 {
		row("axon", fmt.Sprintf("POST /%s %d in %.2fms (the Python SDK's dendrite protocol)", s.Axon.Synapse, s.Axon.Status, s.Axon.LatencyMs))
	}
	wallets := s.WalletDir + " (removed)"
	if s.Kept {
		wallets = s.WalletDir
	}
	row("wallets", wallets)
	if s.Kept && s.Log != "" {
		row("log", s.Log)
	}
	row("wall time", fmt.Sprintf("%.1f s", s.WallSeconds))
	tw.Flush()
}

// short abbreviates an SS58 address: 5F3sa2…kQyM.
func short(addr string) string {
	if len(addr) <= 14 {
		return addr
	}
	return addr[:6] + "…" + addr[len(addr)-4:]
}

// missing lists the steps not done, by title.
func missing(steps []Step) string {
	var m []string
	for _, s := range steps {
		if !s.Done {
			m = append(m, s.Title)
		}
	}
	return strings.Join(m, ", ")
}
