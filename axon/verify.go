package axon

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

// Defaults of Verifier.
const (
	// NonceDelta is the SDK's allowance for a first nonce: it must be newer
	// than now − NonceDelta − the synapse's timeout.
	NonceDelta = 4 * time.Second
	// DefaultFutureWindow bounds how far ahead a nonce may be (the SDK has
	// no bound: one far-future nonce would lock its (hotkey, uuid) out).
	DefaultFutureWindow = 8 * time.Second
	// DefaultMaxTimeout caps the timeout header in the nonce window (the
	// header is not signed: without a cap a sender could stretch the window
	// at will, and the nonce store would have to remember for as long).
	DefaultMaxTimeout = 5 * time.Minute
	// DefaultMaxNonces bounds the nonce store: one entry per (hotkey,
	// uuid), i.e. per Dendrite instance of each validator that calls.
	DefaultMaxNonces = 1 << 16
)

// Verifier checks Axon requests addressed to one miner. Set the fields before
// the first Verify and leave them; a Verifier is safe for concurrent use and
// must not be copied after first use.
type Verifier struct {
	// Self is the miner's SS58 hotkey: the signature must name it (the
	// third part of the signed message). Required.
	Self string
	// FutureWindow bounds how far a nonce may lie ahead of the clock; if
	// zero, DefaultFutureWindow.
	FutureWindow time.Duration
	// MaxTimeout caps the sender's timeout in the nonce window; if zero,
	// DefaultMaxTimeout.
	MaxTimeout time.Duration
	// NotBefore, if non-zero, refuses nonces before it: a process whose
	// nonce store starts empty sets it to its start, so that a request
	// captured before a restart is not accepted again.
	NotBefore time.Time
	// Replay, if non-nil, also records every accepted (hotkey, uuid, nonce)
	// (a shared cache: several replicas behind one hotkey refuse a request
	// another replica accepted). The nonce rule alone covers one process.
	Replay epistula.ReplayCache
	// MaxNonces bounds the nonce store; if zero, DefaultMaxNonces. When
	// full, requests from new (hotkey, uuid) pairs are refused (503) until
	// entries expire.
	MaxNonces int
	// RejectBytesWrap refuses signatures of "<Bytes>"+message+"</Bytes>"
	// (what polkadot-js signRaw produces), accepted by default.
	RejectBytesWrap bool
	// Keys, if non-nil, supplies keys prepared in advance for the callers it
	// knows (the metagraph's Syncer precomputes its validators' keys, which
	// verify about three times faster); other hotkeys are decoded and
	// cached here.
	Keys keys.VerifyKeys

	once   sync.Once
	keys   keyCache
	nonces nonceStore
}

func (v *Verifier) init() {
	v.once.Do(func() {
		max := v.MaxNonces
		if max <= 0 {
			max = DefaultMaxNonces
		}
		v.nonces.init(max)
	})
}

// Check runs the checks that need no signature (body hash, nonce window)
// and returns the first failure, an *Error. Verify runs it first.
func (v *Verifier) Check(p *Headers, bodyHash string, now time.Time) error {
	if p.BodyHash != bodyHash {
		return &Error{Status: http.StatusBadRequest, Reason: ReasonBodyHash,
			Message: fmt.Sprintf("Hash mismatch between header body hash %s and parsed body hash %s", clip(p.BodyHash), bodyHash)}
	}
	return v.checkWindow(p, now)
}

func (v *Verifier) maxTimeout() time.Duration {
	if v.MaxTimeout <= 0 {
		return DefaultMaxTimeout
	}
	return v.MaxTimeout
}

func (v *Verifier) window(p *Headers) (past, future time.Duration) {
	timeout := v.maxTimeout()
	if ns := p.Timeout * float64(time.Second); ns < float64(timeout) {
		timeout = time.Duration(ns)
	}
	future = v.FutureWindow
	if future <= 0 {
		future = DefaultFutureWindow
	}
	return NonceDelta + timeout, future
}

func (v *Verifier) checkWindow(p *Headers, now time.Time) error {
	past, future := v.window(p)
	t := now.UnixNano()
	// Nonces are ≥ 0 by syntax and now is positive: no overflow.
	age := t - p.Nonce
	if age >= int64(past) {
		return notVerified(ReasonStale, "Nonce is too old: acceptable delta is %.2f seconds but request was %.2f seconds old",
			past.Seconds(), float64(age)/1e9)
	}
	if -age > int64(future) {
		return notVerified(ReasonFromTheFuture, "Nonce is %.2f seconds in the future: acceptable lead is %.2f seconds (check the validator's clock)",
			float64(-age)/1e9, future.Seconds())
	}
	if !v.NotBefore.IsZero() && p.Nonce < v.NotBefore.UnixNano() {
		return notVerified(ReasonStale, "Nonce is older than this miner's start (%s): send a new request",
			v.NotBefore.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// Verify checks a request whose headers are p and whose body hashes to
// bodyHash (Spec.BodyHash), at time now: body hash, nonce window, the
// sr25519 signature against Self, then the nonce rule per (hotkey, uuid)
// (strictly greater than the last accepted) and the replay cache. It returns
// the caller's SS58 address (prefix 42). Errors are *Error with the SDK's
// status and wording.
func (v *Verifier) Verify(p *Headers, bodyHash string, now time.Time) (string, error) {
	v.init()
	if err := v.Check(p, bodyHash, now); err != nil {
		return "", err
	}
	if !p.Signed {
		return "", notVerified(ReasonUnsigned, "Missing Signature: sign the request (header %s)", HeaderDendriteSignature)
	}
	key, err := v.signer(p.Hotkey)
	if err != nil {
		return "", malformed("header %s does not decode: %v", HeaderDendriteHotkey, err)
	}
	var buf [320]byte
	msg := AppendMessage(buf[:0], p.NonceText, p.Hotkey, v.Self, p.UUID, bodyHash)
	// One call decides both forms: the <Bytes>-wrapped check, needed only
	// when the raw one fails, reuses its work on the signature.
	var ok bool
	if v.RejectBytesWrap {
		ok = key.vk.VerifyRaw(msg, p.Signature[:])
	} else {
		ok = key.vk.Verify(msg, p.Signature[:])
	}
	if !ok {
		hint := ""
		if p.AxonHotkey != "" && p.AxonHotkey != v.Self {
			hint = fmt.Sprintf(" (the request names axon %s; this miner is %s)", clip(p.AxonHotkey), v.Self)
		}
		return "", notVerified(ReasonBadSignature, "Signature mismatch with %s and 0x%x%s", msg, p.Signature, hint)
	}
	// After expiry a nonce ≤ the stored one fails the window on its own,
	// whatever timeout a later request claims.
	expiry := p.Nonce + int64(NonceDelta+v.maxTimeout()+time.Second)
	switch v.nonces.advance(key.addr, p.UUID, p.Nonce, expiry, now.UnixNano()) {
	case nonceOld:
		return key.addr, notVerified(ReasonReplayed, "Nonce is too old, a newer one was last processed")
	case nonceFull:
		return key.addr, &Error{Status: http.StatusServiceUnavailable, Reason: ReasonUnavailable,
			Message: "Service unavailable: the nonce store is full; retry later"}
	}
	if v.Replay != nil {
		seen, err := v.Replay.Seen(key.addr, p.UUID+"."+p.NonceText, time.Unix(0, expiry))
		if err != nil {
			return key.addr, &Error{Status: http.StatusServiceUnavailable, Reason: ReasonUnavailable,
				Message: "Service unavailable: cannot check for a replay; retry later", Err: err}
		}
		if seen {
			return key.addr, notVerified(ReasonReplayed, "Nonce is too old, a newer one was last processed")
		}
	}
	return key.addr, nil
}

// signer returns the caller's key and prefix-42 address: from Keys when it
// knows the hotkey, else decoded and cached.
func (v *Verifier) signer(hotkey string) (signerKey, error) {
	if v.Keys != nil {
		if vk, ok := v.Keys.VerifyKey(hotkey); ok {
			// Keys answers for prefix-42 addresses only.
			return signerKey{vk: vk, addr: hotkey}, nil
		}
	}
	sk, err := v.keys.get(hotkey)
	if err != nil {
		return signerKey{}, err
	}
	return *sk, nil
}

// keyCache maps SS58 addresses to decoded verification keys; when full it is
// emptied and refilled.
type keyCache struct {
	n    atomic.Int64
	keys sync.Map // string → *signerKey
}

const keyCacheMax = 4096

type signerKey struct {
	vk   *keys.VerifyKey
	addr string
}

func (c *keyCache) get(addr string) (*signerKey, error) {
	if v, ok := c.keys.Load(addr); ok {
		return v.(*signerKey), nil
	}
	pub, err := keys.DecodeAddress(addr)
	if err != nil {
		return nil, err
	}
	vk, err := keys.NewVerifyKey(pub)
	if err != nil {
		return nil, err
	}
	sk := &signerKey{vk: vk, addr: pub.Address()}
	if c.n.Add(1) > keyCacheMax {
		c.keys.Clear()
		c.n.Store(1)
	}
	c.keys.Store(addr, sk)
	return sk, nil
}

// nonceStore holds the last accepted nonce per (hotkey, uuid), sharded.
type nonceStore struct {
	shards [16]nonceShard
}

type nonceShard struct {
	mu  sync.Mutex
	m   map[nonceKey]nonceEntry
	max int
	_   [40]byte
}

type nonceKey struct{ hotkey, uuid string }

type nonceEntry struct{ last, expiry int64 }

type nonceResult int

const (
	nonceOK nonceResult = iota
	nonceOld
	nonceFull
)

func (s *nonceStore) init(max int) {
	per := max/len(s.shards) + 1
	for i := range s.shards {
		s.shards[i].m = make(map[nonceKey]nonceEntry)
		s.shards[i].max = per
	}
}

func (s *nonceStore) shard(hotkey, uuid string) *nonceShard {
	h := uint32(2166136261)
	for i := 0; i < len(hotkey); i++ {
		h = (h ^ uint32(hotkey[i])) * 16777619
	}
	for i := 0; i < len(uuid); i++ {
		h = (h ^ uint32(uuid[i])) * 16777619
	}
	return &s.shards[h%uint32(len(s.shards))]
}

// advance accepts nonce for (hotkey, uuid) when it is greater than the last
// one accepted and still remembered.
func (s *nonceStore) advance(hotkey, uuid string, nonce, expiry, now int64) nonceResult {
	sh := s.shard(hotkey, uuid)
	k := nonceKey{hotkey, uuid}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if e, ok := sh.m[k]; ok && e.expiry > now {
		if nonce <= e.last {
			return nonceOld
		}
	} else if !ok && len(sh.m) >= sh.max {
		for k2, e2 := range sh.m {
			if e2.expiry <= now {
				delete(sh.m, k2)
			}
		}
		if len(sh.m) >= sh.max {
			return nonceFull
		}
	}
	sh.m[k] = nonceEntry{last: nonce, expiry: expiry}
	return nonceOK
}
