package activity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// ErrUnfixed is wrapped by Ensure's error when something is wrong that it
// could not repair; the report lists what.
var ErrUnfixed = errors.New("activity: not everything could be fixed")

// EnsureConfig says what Ensure keeps in place.
type EnsureConfig struct {
	NetUID uint16
	// Hotkey signs the commitment.
	Hotkey keys.Signer
	// GitHub is the user the identity commitment must name.
	GitHub string
	// Extra, if non-nil, is the subnet's own commitment data kept before
	// the identity field (see IdentityFields).
	Extra []string
	// Coldkey, if non-nil, loads the coldkey to pay a new registration;
	// nil means never pay (a lost registration is then reported, not
	// repaired).
	Coldkey func() (keys.Signer, error)
	// Register tunes the registration (MaxBurn, Confirm, waiting).
	Register subtensor.RegisterOptions
	// Tx tunes the commitment transaction.
	Tx subtensor.TxOptions
	// Proof, if non-nil, is the published proof text, checked offline.
	Proof []byte
}

// Check is one thing Ensure looked at.
type Check struct {
	Name string `json:"name"`
	// OK: it holds now. Repaired: it did not, and Ensure fixed it.
	OK       bool   `json:"ok"`
	Repaired bool   `json:"repaired,omitempty"`
	Detail   string `json:"detail"`
}

// Names of Ensure's checks.
const (
	CheckRegistration = "registration"
	CheckCommitment   = "identity commitment"
	CheckProof        = "identity proof"
)

// EnsureReport is what Ensure found and did.
type EnsureReport struct {
	NetUID uint16  `json:"netuid"`
	Hotkey string  `json:"hotkey"`
	UID    *uint16 `json:"uid,omitempty"`
	Checks []Check `json:"checks"`
	// Txs are the transactions sent.
	Txs []*subtensor.TxResult `json:"txs,omitempty"`
}

// Failed returns the checks that still do not hold.
func (r *EnsureReport) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

func (r *EnsureReport) add(c Check) { r.Checks = append(r.Checks, c) }

// Ensure re-checks the hotkey's registration and identity commitment on
// cfg.NetUID and repairs what is missing: it registers again (only when
// cfg.Coldkey is set, within cfg.Register's MaxBurn) and commits the
// identity field (free) when the chain lacks it or names another user.
// Both repairs are idempotent, so Ensure suits cron and service timers.
// The error wraps ErrUnfixed and lists what could not be fixed; the report
// is returned in every case.
func Ensure(ctx context.Context, c *subtensor.Client, cfg EnsureConfig) (*EnsureReport, error) {
	hot := cfg.Hotkey.Public()
	r := &EnsureReport{NetUID: cfg.NetUID, Hotkey: hot.Address()}
	registered := ensureRegistration(ctx, c, cfg, r)
	if registered {
		ensureCommitment(ctx, c, cfg, r)
	} else {
		r.add(Check{Name: CheckCommitment, Detail: "not checked: the hotkey must be registered to commit"})
	}
	if cfg.Proof != nil {
		nu := cfg.NetUID
		if p, err := VerifyProof(cfg.Proof, hot, cfg.GitHub, VerifyOptions{NetUID: &nu}); err != nil {
			r.add(Check{Name: CheckProof, Detail: err.Error() + " (publish a new one: minerkit activity proof)"})
		} else {
			r.add(Check{Name: CheckProof, OK: true, Detail: fmt.Sprintf("valid, signed for %s on %s", p.GitHub, p.Date.Format("2006-01-02"))})
		}
	}
	if f := r.Failed(); len(f) > 0 {
		msgs := make([]string, len(f))
		for i, c := range f {
			msgs[i] = c.Name + ": " + c.Detail
		}
		return r, fmt.Errorf("%w:\n  - %s", ErrUnfixed, strings.Join(msgs, "\n  - "))
	}
	return r, nil
}

func ensureRegistration(ctx context.Context, c *subtensor.Client, cfg EnsureConfig, r *EnsureReport) bool {
	hot := cfg.Hotkey.Public()
	uid, ok, err := c.UID(ctx, cfg.NetUID, hot)
	if err != nil {
		r.add(Check{Name: CheckRegistration, Detail: fmt.Sprintf("could not read it: %v", err)})
		return false
	}
	if ok {
		r.UID = &uid
		r.add(Check{Name: CheckRegistration, OK: true, Detail: fmt.Sprintf("UID %d on netuid %d", uid, cfg.NetUID)})
		return true
	}
	if cfg.Coldkey == nil {
		r.add(Check{Name: CheckRegistration, Detail: fmt.Sprintf("not registered on netuid %d; give ensure a coldkey and a burn limit to pay for a new registration, or run minerkit register", cfg.NetUID)})
		return false
	}
	cold, err := cfg.Coldkey()
	if err != nil {
		r.add(Check{Name: CheckRegistration, Detail: fmt.Sprintf("not registered, and the coldkey could not be loaded to pay: %v", err)})
		return false
	}
	res, err := c.BurnedRegister(ctx, cold, hot, cfg.NetUID, cfg.Register)
	if err != nil {
		r.add(Check{Name: CheckRegistration, Detail: fmt.Sprintf("not registered, and registering failed: %v", err)})
		return false
	}
	r.UID = &res.UID
	if res.Tx != nil {
		r.Txs = append(r.Txs, res.Tx)
	}
	if res.AlreadyRegistered {
		r.add(Check{Name: CheckRegistration, OK: true, Detail: fmt.Sprintf("UID %d on netuid %d", res.UID, cfg.NetUID)})
	} else {
		r.add(Check{Name: CheckRegistration, OK: true, Repaired: true, Detail: fmt.Sprintf("registered as UID %d for %s", res.UID, res.Price)})
	}
	return true
}

func ensureCommitment(ctx context.Context, c *subtensor.Client, cfg EnsureConfig, r *EnsureReport) {
	hot := cfg.Hotkey.Public()
	maxFields := c.Features().CommitmentMaxFields
	if maxFields == 0 {
		r.add(Check{Name: CheckCommitment, Detail: "this chain has no Commitments pallet; nothing can be committed"})
		return
	}
	cm, err := c.Commitment(ctx, cfg.NetUID, hot)
	if err != nil {
		r.add(Check{Name: CheckCommitment, Detail: fmt.Sprintf("could not read it: %v", err)})
		return
	}
	before := CheckIdentity(cm, cfg.GitHub)
	fields, err := IdentityFields(cm, cfg.GitHub, cfg.Extra, maxFields)
	if err != nil {
		r.add(Check{Name: CheckCommitment, Detail: err.Error()})
		return
	}
	if cm != nil && cm.SameFields(fields) {
		r.add(Check{Name: CheckCommitment, OK: true, Detail: before.String()})
		return
	}
	tx, err := c.SetCommitment(ctx, cfg.Hotkey, cfg.NetUID, fields, cfg.Tx)
	if err != nil {
		r.add(Check{Name: CheckCommitment, Detail: fmt.Sprintf("%s; committing failed: %v", before, err)})
		return
	}
	r.Txs = append(r.Txs, tx)
	// Read back: the chain, not the transaction, is the judge.
	cm, err = c.Commitment(ctx, cfg.NetUID, hot)
	if err != nil {
		r.add(Check{Name: CheckCommitment, Detail: fmt.Sprintf("committed in block %d but could not read it back: %v", tx.Block, err)})
		return
	}
	if cm == nil || !cm.SameFields(fields) {
		r.add(Check{Name: CheckCommitment, Detail: fmt.Sprintf("committed in block %d but the chain holds something else; run ensure again after a few blocks", tx.Block)})
		return
	}
	was := "was missing"
	switch {
	case before.Matches:
		was = "subnet data updated"
	case before.Present:
		was = "was " + IdentityText(before.Committed)
	}
	r.add(Check{Name: CheckCommitment, OK: true, Repaired: true, Detail: fmt.Sprintf("committed %s in block %d (%s)", showFields(fields), tx.Block, was)})
}

func showFields(fs []subtensor.Data) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%q", f.Bytes)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
