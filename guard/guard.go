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
// Validators and RateLimit are skipped when nil. Metrics, Logger and the
// Deny handler are shared by the layers.
type Guard struct {
	Epistula   Epistula
	Validators *Validators
	RateLimit  *RateLimit
	Logger     *slog.Logger
	Metrics    *Metrics
	// Route labels requests; see Observe.Route.
	Route func(*http.Request) string
	// Deny writes refusals of every layer; if nil, WriteRefusal.
	Deny DenyFunc
}

// New returns a Guard for the miner with hotkey self (SS58) with the default
// options: 8 s window both ways, Signed-For required, in-memory replay cache,
// 1 MiB body limit. Add Validators and RateLimit before calling Handler.
func New(self string) *Guard {
	return &Guard{Epistula: Epistula{Verifier: &epistula.Verifier{Self: self}}}
}

// Handler returns h behind the guard's layers.
func (g *Guard) Handler(h http.Handler) http.Handler {
	if g.RateLimit != nil {
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
	if e.Metrics == nil {
		e.Metrics = g.Metrics
	}
	if e.Deny == nil {
		e.Deny = g.Deny
	}
	h = e.Handler(h)
	o := &Observe{Logger: g.Logger, Metrics: g.Metrics, Route: g.Route}
	return o.Handler(h)
}
