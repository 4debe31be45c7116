package guard

import (
	"fmt"
	"net/http"
	"sync"
)

// RaoPerTAO converts TAO to rao, the unit of Neuron.StakeWeight.
const RaoPerTAO = 1_000_000_000

// Neuron is what the validator gate needs to know about a hotkey from the
// metagraph.
type Neuron struct {
	UID uint16
	// StakeWeight is the stake that counts for validator permits (alpha
	// stake + root stake × TaoWeight), in rao (1 TAO = 1e9 rao): an integer,
	// so comparisons with MinStake are exact.
	StakeWeight uint64
	// ValidatorPermit is the permit of the last epoch.
	ValidatorPermit bool
}

// Lookup finds a hotkey in the metagraph. It is called on every request and
// must not block: the metagraph answers from an immutable in-memory snapshot.
//
// guard defines this interface (and Neuron) so that it never imports the
// chain side; the metagraph satisfies it directly or through LookupFunc.
type Lookup interface {
	Lookup(hotkey string) (Neuron, bool)
}

// LookupFunc adapts a function to Lookup.
type LookupFunc func(hotkey string) (Neuron, bool)

// Lookup calls f.
func (f LookupFunc) Lookup(hotkey string) (Neuron, bool) { return f(hotkey) }

// Validators lets through only callers that are validators: in the
// metagraph, holding a validator permit, with at least MinStake stake weight.
// DenyList refuses hotkeys outright; AllowList admits hotkeys without those
// checks (a team's own test validator). It must follow Epistula, which sets
// the caller. Set the fields before use; do not copy a Validators after use.
type Validators struct {
	// Metagraph finds callers. If nil, only AllowList hotkeys pass.
	Metagraph Lookup
	// MinStake is the minimum stake weight, in rao; zero for none.
	MinStake uint64
	// AllowWithoutPermit admits callers in the metagraph without a validator
	// permit (MinStake still applies).
	AllowWithoutPermit bool
	// AllowList hotkeys pass without the metagraph checks; DenyList hotkeys
	// never pass. DenyList wins.
	AllowList, DenyList []string
	// Unknown, if non-nil, is called with a verified caller the metagraph
	// does not know, e.g. to schedule a rate-limited metagraph refresh. It
	// must not block.
	Unknown func(hotkey string)
	// Deny writes refusals; if nil, WriteRefusal.
	Deny DenyFunc

	once         sync.Once
	allow, block map[string]struct{}
}

func toSet(list []string) map[string]struct{} {
	m := make(map[string]struct{}, len(list))
	for _, s := range list {
		m[s] = struct{}{}
	}
	return m
}

// Check decides whether hotkey may call. It returns the caller's Neuron (ok
// false for allow-listed hotkeys the metagraph does not know) or a *Refusal.
func (v *Validators) Check(hotkey string) (n Neuron, ok bool, ref *Refusal) {
	v.once.Do(func() { v.allow, v.block = toSet(v.AllowList), toSet(v.DenyList) })
	forbid := func(reason, format string, args ...any) *Refusal {
		return &Refusal{Status: http.StatusForbidden, Reason: reason, Err: fmt.Errorf("guard: "+format, args...)}
	}
	if _, denied := v.block[hotkey]; denied {
		return n, false, forbid(ReasonDenied, "hotkey %s is on this miner's deny list", hotkey)
	}
	if v.Metagraph != nil {
		n, ok = v.Metagraph.Lookup(hotkey)
	}
	if _, allowed := v.allow[hotkey]; allowed {
		return n, ok, nil
	}
	if !ok {
		if v.Unknown != nil {
			v.Unknown(hotkey)
		}
		return n, false, forbid(ReasonNotRegistered, "hotkey %s is not registered on this subnet: register it, or wait for the miner's next metagraph refresh", hotkey)
	}
	if !n.ValidatorPermit && !v.AllowWithoutPermit {
		return n, ok, forbid(ReasonNoPermit, "hotkey %s (uid %d) has no validator permit on this subnet", hotkey, n.UID)
	}
	if n.StakeWeight < v.MinStake {
		return n, ok, forbid(ReasonStakeTooLow, "hotkey %s (uid %d) has stake weight %s α, this miner requires %s α",
			hotkey, n.UID, formatTAO(n.StakeWeight), formatTAO(v.MinStake))
	}
	return n, ok, nil
}

// Handler returns next behind the validator gate.
func (v *Validators) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := withState(r)
		if st.Caller == "" {
			deny(v.Deny, w, r, &Refusal{Status: http.StatusUnauthorized, Reason: ReasonNotAuthenticated,
				Err: fmt.Errorf("guard: request is not authenticated: put Validators behind Epistula")})
			return
		}
		n, ok, ref := v.Check(st.Caller)
		if ref != nil {
			deny(v.Deny, w, r, ref)
			return
		}
		st.Neuron, st.HasNeuron = n, ok
		next.ServeHTTP(w, r)
	})
}

// ReasonNotAuthenticated is given by Validators and RateLimit when no
// Epistula layer ran before them: a wiring mistake, refused rather than
// served.
const ReasonNotAuthenticated = "not_authenticated"

func formatTAO(rao uint64) string {
	return fmt.Sprintf("%d.%09d", rao/RaoPerTAO, rao%RaoPerTAO)
}
