package guard

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

// Guard is the whole request path of a Pattern A miner, one layer that
// refuses in order of cost (see docs/epistula.md):
//
//	Observe (metrics, access log, client address)
//	→ the client's address is shed (Shed)                   429, closed
//	→ header syntax (signer address checksum included)     400
//	→ timestamp window, receiver, NotBefore                 401
//	→ the claimed hotkey against the snapshot (Validators)  403
//	→ failed-verification budget of the address and hotkey  429
//	→ a (signer, uuid) already recorded, unverified          401
//	  (Verifier's cache; under Shared, this replica's recent set)
//	→ the route's body limit, from Content-Length alone     413
//	→ body read into pooled buffers under Bodies            503 / 413
//	→ body hash, one sr25519 verification                   401
//	→ replay record (Verifier's cache, or Shared)           401 / 503
//	→ rate limit (RateLimit, or Shared)                     429
//	→ handler
//
// Nothing is allocated, read or hashed for a request before its claimed
// hotkey passed the gate, and nothing an unauthenticated client announces
// is allocated: the body buffer grows as bytes arrive. Validators,
// Failures, Bodies and RateLimit are skipped when nil.
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
	// Bodies bounds the request bodies held at once (503 beyond it).
	Bodies *BodyBudget
	// Failures budgets failed verifications per address and claimed hotkey.
	Failures *VerifyBudget
	// Shed, if non-nil, sheds the addresses that cause too many refusals:
	// their requests are refused first thing (Connection: close) and a
	// listener that asks Shed.ConnShed closes their connections at accept.
	Shed *Shed

	// trace, if set (tests), is told each costly step a request reaches.
	trace func(step string)
}

// New returns a Guard for the miner with hotkey self (SS58) with the default
// options: 8 s window both ways, Signed-For required, a replay cache with a
// share per signer (epistula.SignerCache), 1 MiB body limit, a 64 MiB
// in-flight body budget and the default failed-verification budget. Add
// Validators and RateLimit before calling Handler.
func New(self string) *Guard {
	return &Guard{
		Epistula: Epistula{Verifier: &epistula.Verifier{Self: self, Replay: epistula.NewSignerCache(0, 0, nil)}},
		Bodies:   &BodyBudget{Max: DefaultBodyBudget},
		Failures: &VerifyBudget{},
	}
}

// BodyLimiter is implemented by handlers that accept a smaller body than
// the guard's limit (jsonreq.Handler does): Guard.Handler refuses larger
// ones with 413 from Content-Length, before reading them.
type BodyLimiter interface {
	BodyLimit() int64
}

// Handler returns h behind the guard, with h's BodyLimit when it has one.
func (g *Guard) Handler(h http.Handler) http.Handler {
	var limit int64
	if bl, ok := h.(BodyLimiter); ok {
		limit = bl.BodyLimit()
	}
	return g.HandlerLimit(h, limit)
}

// HandlerLimit returns h behind the guard with the body limit
// min(routeLimit, Epistula.MaxBodyBytes) (routeLimit ≤ 0: the guard's).
func (g *Guard) HandlerLimit(h http.Handler, routeLimit int64) http.Handler {
	if g.Epistula.Verifier == nil {
		panic("guard: Epistula.Verifier is nil: set it to an *epistula.Verifier with Self = the miner's hotkey")
	}
	limit := g.Epistula.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	if routeLimit > 0 {
		limit = min(limit, routeLimit)
	}
	if g.Shared != nil {
		if g.Shared.Store == nil {
			panic("guard: Shared.Store is nil: set it to a Store (guard/redisstore)")
		}
		if g.Shared.Logger == nil {
			g.Shared.Logger = g.Logger
		}
	}
	p := &pipeline{g: g, limit: limit, next: h, deny: g.Deny, metrics: g.Epistula.Metrics, now: g.Epistula.Now}
	if p.deny == nil {
		p.deny = g.Epistula.Deny
	}
	if p.metrics == nil {
		p.metrics = g.Metrics
	}
	if p.now == nil {
		p.now = time.Now
	}
	if g.Shared != nil {
		p.recent = epistula.NewSignerCache(recentPerSigner, recentMaxSigners, nil)
	}
	o := &Observe{Logger: g.Logger, Metrics: g.Metrics, Route: g.Route, TrustedProxies: g.TrustedProxies}
	return o.Handler(g.shedWrap(p, p.deny))
}
