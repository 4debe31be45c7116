package guard

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/minerkit/minerkit/axon"
)

// Axon authenticates requests of the Bittensor SDK's Axon protocol for one
// synapse route, in the same cost order as Epistula, and answers refusals as
// a Python axon does ({"message": …}, see axon.WriteError):
//
//	headers (syntax, no body read, no crypto)                     400/401
//	→ claimed hotkey vs the metagraph (Gate: deny/allow, registered,
//	  permit, stake; a map hit)                                    403 "Forbidden. Key is blacklisted: …"
//	→ failed-verification budget (Failures)                        429
//	→ body read under MaxBodyBytes into pooled buffers (Bodies)    413/503
//	→ computed_body_hash from the body, nonce window               400/401
//	→ one sr25519 verification against our own hotkey              401
//	→ nonce rule per (hotkey, uuid), replay cache                  401/503
//	→ per-hotkey rate limit (RateLimit, the buckets Epistula uses) 429
//
// The caller and its Neuron are in the context for the handler (Caller,
// FromContext), as behind Epistula. Gate and RateLimit are skipped when nil.
type Axon struct {
	// Verifier holds our hotkey, the nonce store and the replay cache.
	// Required.
	Verifier *axon.Verifier
	// Gate decides who may call, on the hotkey the request claims, before
	// the body is read (the SDK's blacklist runs before its verify too).
	Gate *Validators
	// RateLimit, if non-nil, limits each verified caller.
	RateLimit *RateLimit
	// Shared, if non-nil, keeps RateLimit's state in the replicas' shared
	// store (set the Verifier's Replay to Shared.ReplayCache() too).
	Shared *Shared
	// MaxBodyBytes limits the body; if zero, DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Bodies, if non-nil, bounds the bodies held at once (503 beyond it).
	Bodies *BodyBudget
	// Failures, if non-nil, budgets failed verifications per address and
	// claimed hotkey, as Guard.Failures does.
	Failures *VerifyBudget
	// Metrics, if non-nil, records verification latency.
	Metrics *Metrics
	// Now is the clock; if nil, time.Now.
	Now func() time.Time
}

// Handler returns next behind Axon authentication for the synapse spec.
func (a *Axon) Handler(spec *axon.Spec, next http.Handler) http.Handler {
	if a.Verifier == nil {
		panic("guard: Axon.Verifier is nil: set it to an *axon.Verifier with Self = the miner's hotkey")
	}
	limit := a.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := withState(r)
		p, err := axon.ParseHeaders(r.Header)
		if err != nil {
			deny(WriteAxonRefusal, w, r, axonRefusal(err))
			return
		}
		if a.Gate != nil {
			n, ok, ref := a.Gate.Check(p.Hotkey)
			if ref != nil {
				deny(WriteAxonRefusal, w, r, ref)
				return
			}
			st.Neuron, st.HasNeuron = n, ok
		}
		now := time.Now
		if a.Now != nil {
			now = a.Now
		}
		if a.Failures != nil {
			if ref := a.Failures.Allow(st.Client, p.Hotkey, now()); ref != nil {
				deny(WriteAxonRefusal, w, r, ref)
				return
			}
		}
		bd := body{budget: a.Bodies}
		defer bd.release()
		if ref := readBody(r, limit, &bd); ref != nil {
			deny(WriteAxonRefusal, w, r, ref)
			return
		}
		b := bd.data
		hash, err := spec.BodyHash(b)
		if err != nil {
			deny(WriteAxonRefusal, w, r, &Refusal{Status: http.StatusBadRequest, Reason: string(axon.ReasonMalformed),
				Err: &axon.Error{Status: http.StatusBadRequest, Reason: axon.ReasonMalformed,
					Message: "Improperly formatted request. Could not parse the body into synapse of type " + spec.Name + ": " + err.Error(), Err: err}})
			return
		}
		t0 := time.Now()
		// One clock reading after the body arrived serves the nonce window,
		// the failure budget and the rate limit.
		at := t0
		if a.Now != nil {
			at = a.Now()
		}
		caller, err := a.Verifier.Verify(&p, hash, at)
		st.Verify = time.Since(t0)
		if a.Metrics != nil {
			a.Metrics.verify.Observe(st.Verify.Seconds())
		}
		st.Caller = caller
		if a.Failures != nil {
			var e *axon.Error
			if errors.As(err, &e) && e.Reason == axon.ReasonBadSignature {
				a.Failures.Failed(st.Client, p.Hotkey, at)
			} else if err == nil {
				a.Failures.Succeeded(st.Client, p.Hotkey, at)
			}
		}
		if err != nil {
			deny(WriteAxonRefusal, w, r, axonRefusal(err))
			return
		}
		if a.Shared != nil && a.RateLimit != nil {
			var stake uint64
			if st.HasNeuron {
				stake = st.Neuron.StakeWeight
			}
			v, ref := a.Shared.admit(r.Context(), a.RateLimit, Admission{Caller: caller}, stake)
			if ref == nil && v.Limited {
				ref = limitedRefusal(caller, v.RetryAfter)
			}
			if ref != nil {
				deny(WriteAxonRefusal, w, r, ref)
				return
			}
		} else if a.RateLimit != nil {
			var stake uint64
			if st.HasNeuron {
				stake = st.Neuron.StakeWeight
			}
			if ok, wait := a.RateLimit.Allow(caller, stake, at); !ok {
				deny(WriteAxonRefusal, w, r, &Refusal{Status: http.StatusTooManyRequests, Reason: ReasonRateLimited, RetryAfter: wait,
					Err: fmt.Errorf("guard: hotkey %s is over its rate limit: retry in %v", caller, wait.Round(time.Millisecond))})
				return
			}
		}
		st.body.Reset(b)
		r.Body = &st.body
		r.ContentLength = int64(len(b))
		next.ServeHTTP(w, r)
	})
}

func axonRefusal(err error) *Refusal {
	var e *axon.Error
	if !errors.As(err, &e) {
		e = &axon.Error{Status: http.StatusBadRequest, Reason: axon.ReasonMalformed, Message: err.Error()}
	}
	return &Refusal{Status: e.Status, Reason: string(e.Reason), Err: e}
}

// AxonHandler returns h behind the guard's layers for an Axon synapse:
// Observe (metrics, access log) → Axon (with the guard's Validators as its
// gate and its RateLimit) → h. a carries the verifier and body limit; its
// Gate, RateLimit and Metrics, when nil, are the guard's.
func (g *Guard) AxonHandler(a *Axon, spec *axon.Spec, h http.Handler) http.Handler {
	ax := *a
	if ax.Gate == nil {
		ax.Gate = g.Validators
	}
	if ax.RateLimit == nil {
		ax.RateLimit = g.RateLimit
	}
	if ax.Metrics == nil {
		ax.Metrics = g.Metrics
	}
	if ax.Shared == nil {
		ax.Shared = g.Shared
	}
	if ax.Bodies == nil {
		ax.Bodies = g.Bodies
	}
	if ax.Failures == nil {
		ax.Failures = g.Failures
	}
	o := &Observe{Logger: g.Logger, Metrics: g.Metrics, Route: g.Route, TrustedProxies: g.TrustedProxies}
	return o.Handler(g.shedWrap(ax.Handler(spec, h), WriteAxonRefusal))
}

// WriteAxonRefusal writes ref as a Python axon answers: {"message": …} with
// ref's status; a refusal of the validator gate reads "Forbidden. Key is
// blacklisted: {why}.", as the SDK's blacklist answer does.
func WriteAxonRefusal(w http.ResponseWriter, _ *http.Request, ref *Refusal) {
	var e *axon.Error
	if !errors.As(ref.Err, &e) {
		why := strings.TrimPrefix(ref.Err.Error(), "guard: ")
		switch ref.Status {
		case http.StatusForbidden:
			e = axon.Blacklisted(why)
		case http.StatusTooManyRequests:
			e = &axon.Error{Status: ref.Status, Message: "Too Many Requests: " + why}
		case http.StatusRequestEntityTooLarge:
			e = &axon.Error{Status: ref.Status, Message: "Payload Too Large: " + why}
		default:
			e = &axon.Error{Status: ref.Status, Message: why}
		}
	}
	if ref.RetryAfter > 0 {
		secs := int64((ref.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	w.Header().Set("Cache-Control", "no-store")
	axon.WriteError(w, e)
}
