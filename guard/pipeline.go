package guard

import (
	"net/http"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

// Steps reported to Guard.trace, in the order a request reaches them.
const (
	stepGate   = "gate"
	stepRead   = "read"
	stepHash   = "hash"
	stepVerify = "verify"
	stepAdmit  = "admit"
)

// pipeline is Guard's Epistula path, cheapest refusal first (see Guard).
type pipeline struct {
	g       *Guard
	limit   int64
	next    http.Handler
	deny    DenyFunc
	metrics *Metrics
	now     func() time.Time
	// recent, under Shared, holds the (signer, uuid) pairs this replica
	// saw the store record: refused before verification (Shared stays the
	// truth after it).
	recent *epistula.SignerCache
}

// Size of pipeline.recent: per verified signer about 250 requests a second
// in an 8 s window; a full share only defers the check to the store.
const (
	recentPerSigner  = 4096
	recentMaxSigners = 1024
)

func (p *pipeline) step(s string) {
	if p.g.trace != nil {
		p.g.trace(s)
	}
}

// refuseUnread refuses a request whose body was not (wholly) read. If it
// announced more than 16 KiB, or a chunked body, the connection is closed
// after the answer: net/http would otherwise read and discard up to
// 256 KiB of it to reuse the connection, the cost the refusal order avoids.
// Small bodies are drained from what is already buffered, cheaper than a
// new connection.
func (p *pipeline) refuseUnread(w http.ResponseWriter, r *http.Request, ref *Refusal) {
	if r.ContentLength > 16<<10 || r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody {
		w.Header()["Connection"] = connClose
	}
	deny(p.deny, w, r, ref)
}

func (p *pipeline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g := p.g
	r, st := withState(r)
	v := g.Epistula.Verifier
	hdr, err := v.ParseHeaders(r.Header)
	if err != nil {
		p.refuseUnread(w, r, epistulaRefusal(err))
		return
	}
	claimed, err := canonicalHotkey(hdr.SignedBy)
	if err != nil {
		p.refuseUnread(w, r, epistulaRefusal(&epistula.Error{Reason: epistula.ReasonMalformed, Detail: "signer address does not decode", Err: err}))
		return
	}
	now := p.now()
	if err := v.Precheck(&hdr, now); err != nil {
		p.refuseUnread(w, r, epistulaRefusal(err))
		return
	}
	p.step(stepGate)
	if g.Validators != nil {
		n, ok, ref := g.Validators.Check(claimed)
		if ref != nil {
			p.refuseUnread(w, r, ref)
			return
		}
		st.Neuron, st.HasNeuron = n, ok
	}
	if g.Failures != nil {
		if ref := g.Failures.Allow(st.Client, claimed, now); ref != nil {
			p.refuseUnread(w, r, ref)
			return
		}
	}
	// A (signer, uuid) the replay cache holds is refused unverified: the
	// signer never sends a uuid twice, so this is a replay or a forgery.
	// Under Shared the store is the truth, after verification; this
	// replica's recent set catches the replays it has seen itself first.
	var seen recordedPairs
	if g.Shared != nil {
		seen = p.recent
	} else if rc, ok := v.Replay.(recordedPairs); ok {
		seen = rc
	}
	if seen != nil {
		id := hdr.UUID
		if hdr.Variant == epistula.X {
			id = hdr.Timestamp
		}
		if seen.Contains(claimed, id) {
			p.refuseUnread(w, r, epistulaRefusal(epistula.ReplayedError(epistula.Accepted{Signer: claimed, ID: id})))
			return
		}
	}
	p.step(stepRead)
	b := body{budget: g.Bodies}
	defer b.release()
	if ref := readBody(r, p.limit, &b); ref != nil {
		p.refuseUnread(w, r, ref)
		return
	}
	p.step(stepHash)
	t0 := time.Now()
	hash := epistula.BodyHash(b.data)
	p.step(stepVerify)
	var acc epistula.Accepted
	if g.Shared != nil {
		acc, err = v.Authenticate(&hdr, &hash, now)
	} else {
		// Verification, then the replay record: one call.
		acc.Signer, err = v.VerifyParsed(&hdr, &hash, now)
	}
	st.Verify = time.Since(t0)
	if p.metrics != nil {
		p.metrics.verify.Observe(st.Verify.Seconds())
	}
	st.Caller = acc.Signer // set for replays too (their signature was good), for the access log
	if err != nil {
		if g.Failures != nil && epistula.ReasonOf(err) == epistula.ReasonBadSignature {
			g.Failures.Failed(st.Client, claimed, now)
		}
		deny(p.deny, w, r, epistulaRefusal(err))
		return
	}
	if g.Failures != nil {
		g.Failures.Succeeded(st.Client, claimed, now)
	}
	p.step(stepAdmit)
	var stake uint64
	if st.HasNeuron {
		stake = st.Neuron.StakeWeight
	}
	if g.Shared != nil {
		verdict, ref := g.Shared.admit(r.Context(), g.RateLimit, Admission{Caller: acc.Signer, ID: acc.ID, Expiry: acc.Expiry}, stake)
		if ref == nil && p.recent != nil && !g.Shared.failing.Load() {
			// Recorded in the store (now, or by a replica before): a copy
			// sent here again is refused unverified. Best effort: a full
			// share leaves the check to the store. (Not while the store
			// fails and the local fallback answers.)
			p.recent.Seen(acc.Signer, acc.ID, acc.Expiry)
		}
		switch {
		case ref != nil:
			deny(p.deny, w, r, ref)
			return
		case verdict.Replayed:
			deny(p.deny, w, r, epistulaRefusal(epistula.ReplayedError(acc)))
			return
		case verdict.Limited:
			deny(p.deny, w, r, limitedRefusal(acc.Signer, verdict.RetryAfter))
			return
		}
	} else if g.RateLimit != nil {
		clock := time.Now
		if g.RateLimit.Now != nil {
			clock = g.RateLimit.Now
		}
		if ok, wait := g.RateLimit.Allow(acc.Signer, stake, clock()); !ok {
			deny(p.deny, w, r, limitedRefusal(acc.Signer, wait))
			return
		}
	}
	st.body.Reset(b.data)
	r.Body = &st.body
	r.ContentLength = int64(len(b.data))
	p.next.ServeHTTP(w, r)
}

// recordedPairs is a replay cache that can be asked without recording
// (epistula.SignerCache, epistula.MemoryCache).
type recordedPairs interface {
	Contains(signedBy, uuid string) bool
}

// canonicalHotkey returns the claimed signer's address with the Bittensor
// prefix (42), as the metagraph and the allow and deny lists name it. The
// usual case, a prefix-42 address, is decoded (base58 and checksum, about
// a microsecond, no allocation beyond the decoder's) and returned as sent.
func canonicalHotkey(addr string) (string, error) {
	pub, prefix, err := keys.DecodeSS58(addr)
	if err != nil {
		return "", err
	}
	if prefix == keys.DefaultSS58Prefix {
		return addr, nil
	}
	return pub.Address(), nil
}
