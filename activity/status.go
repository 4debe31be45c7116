package activity

import (
	"context"
	"fmt"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// Status is a Pattern C miner's standing: the chain figures of
// subtensor.MinerStatus plus whether the identity link is committed.
type Status struct {
	*subtensor.MinerStatus
	Identity IdentityStatus `json:"identity"`
}

// ReadStatus reads hotkey's standing on netuid with Client.Status and its
// commitment with Client.Commitment, and compares the identity field with
// github ("" when the caller does not know it).
func ReadStatus(ctx context.Context, c *subtensor.Client, netuid uint16, hotkey keys.PublicKey, github string) (*Status, error) {
	ms, err := c.Status(ctx, netuid, hotkey)
	if err != nil {
		return nil, err
	}
	var cm *subtensor.Commitment
	if c.Features().CommitmentMaxFields > 0 {
		if cm, err = c.Commitment(ctx, netuid, hotkey); err != nil {
			return nil, err
		}
	}
	return &Status{MinerStatus: ms, Identity: CheckIdentity(cm, github)}, nil
}

// Row is one line of a status display.
type Row struct {
	Name, Value string
}

// Rows returns the status as named rows, in display order. Watchers compare
// the rows of two reads to mark what changed (see Changed).
func (s *Status) Rows() []Row {
	if !s.Registered {
		return []Row{
			{"hotkey", s.Hotkey},
			{"registered", "no (minerkit activity setup registers it)"},
			{"identity", s.Identity.String()},
		}
	}
	role := "miner"
	if s.ValidatorPermit {
		role = "has a validator permit"
	}
	imm := "over: the UID can be replaced when the subnet is full"
	if s.ImmunityLeft > 0 {
		imm = fmt.Sprintf("%d blocks left (about %s)", s.ImmunityLeft, s.ImmunityLeftTime.Round(time.Second))
	}
	return []Row{
		{"hotkey", s.Hotkey},
		{"uid", fmt.Sprintf("%d (%s)", s.UID, role)},
		{"rank", fmt.Sprintf("%d of %d miners by incentive", s.Rank, s.Miners)},
		{"incentive", fmt.Sprintf("%.6f", s.Incentive)},
		// Emission and stake weight are counted in the subnet's alpha.
		{"emission", fmt.Sprintf("%s α per tempo (%d blocks)", s.EmissionPerTempo.Decimal(), s.Tempo)},
		{"per day", fmt.Sprintf("about %s α", s.EmissionPerDay.Decimal())},
		{"stake", s.Stake.Decimal() + " α"},
		{"registered", fmt.Sprintf("at block %d", s.RegisteredAt)},
		{"immunity", imm},
		{"identity", s.Identity.String()},
	}
}

// Changed returns the names of the rows whose values differ between prev
// and cur (nil prev: nothing changed). Immunity counts down every block,
// so it counts as changed only when it runs out.
func Changed(prev, cur *Status) []string {
	if prev == nil || cur == nil {
		return nil
	}
	old := map[string]string{}
	for _, r := range prev.Rows() {
		old[r.Name] = r.Value
	}
	var out []string
	for _, r := range cur.Rows() {
		v, ok := old[r.Name]
		if r.Name == "immunity" && ok {
			if (prev.ImmunityLeft == 0) != (cur.ImmunityLeft == 0) {
				out = append(out, r.Name)
			}
			continue
		}
		if !ok || v != r.Value {
			out = append(out, r.Name)
		}
	}
	return out
}
