package guard

import (
	"log/slog"
	"net/http"

	"github.com/minerkit/minerkit/epistula"
)

// Guard is the whole request path of a Pattern A miner:
//
//	Observe (metrics, access log) → Epistula → Validators → RateLimit → handler
//
// Validators and RateLimit are skipped when nil. With Shared, the replay
// check moves from Epistula to where RateLimit stands, and both are one
// call to the shared store. Metrics, Logger and the
// Deny handler are shared by the layers.
type Guard struct {
	Epistula   Epistula
	Validators *Validators
	RateLimit  *RateLimit
	Logger     *slog.Logger
	Metrics    *Metrics
	// Route labels requests; see Observe.Route.
	Route func(*http.Request) string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; see Observe.TrustedProxies.
	TrustedProxies *TrustedProxies
	// Deny writes refusals of every layer; if nil, WriteRefusal.
	Deny DenyFunc
	// Shared, if non-nil, checks replays and rate limits in one call to a
	// store the replicas of this miner share, in place of the Epistula
	// verifier's replay cache and RateLimit's buckets (RateLimit, if set,
	// still gives the limits).
	Shared *Shared
}

// New returns a Guard for the miner with hotkey self (SS58) with the default
// options: 8 s window both ways, Signed-For required, in-memory replay cache,
// 1 MiB body limit. Add Validators and RateLimit before calling Handler.
func New(self string) *Guard {
	return &Guard{Epistula: Epistula{Verifier: &epistula.Verifier{Self: self}}}
}

// Handler returns h behind the guard's layers.
func (g *Guard) Handler(h http.Handler) http.Handler {
	switch {
	case g.Shared != nil:
		d := g.Deny
		if d == nil {
			d = WriteRefusal
		}
		if g.Shared.Logger == nil {
			g.Shared.Logger = g.Logger
		}
		h = g.Shared.handler(g.RateLimit, func(w http.ResponseWriter, r *http.Request, ref *Refusal) { deny(d, w, r, ref) }, h)
	case g.RateLimit != nil:
		if g.RateLimit.Deny == nil {
			g.RateLimit.Deny = g.Deny
		}
		h = g.RateLimit.Handler(h)
	}
	if g.Validators != nil {
		if g.Validators.Deny == nil {
			g.Validators.Deny = g.Deny
		}
		h = g.Validators.Handler(h)
	}
	e := g.Epistula
	e.deferReplay = g.Shared != nil
	if e.Metrics == nil {
		e.Metrics = g.Metrics
	}
	if e.Deny == nil {
		e.Deny = g.Deny
	}
	h = e.Handler(h)
	o := &Observe{Logger: g.Logger, Metrics: g.Metrics, Route: g.Route, TrustedProxies: g.TrustedProxies}
	return o.Handler(h)
}
