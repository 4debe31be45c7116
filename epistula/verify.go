package epistula

import (
	"net/http"
	"sync"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// Default windows: how far a timestamp may lie in the past or the future.
const (
	DefaultWindow  = 8 * time.Second
	DefaultXWindow = 60 * time.Second
)

// Verifier checks signed requests addressed to one receiver. Its fields are
// options with safe defaults; set them before the first Verify and do not
// change them afterwards. A Verifier is safe for concurrent use and must not
// be copied after first use.
type Verifier struct {
	// Self is our own hotkey's SS58 address. Requests whose Signed-For names
	// another key are refused (ReasonWrongReceiver); the same key under
	// another SS58 prefix is accepted. If empty, Signed-For is
	// neither checked nor required.
	Self string
	// Window bounds the age and the lead of a v2 timestamp; if zero,
	// DefaultWindow. X-Epistula requests use XWindow (DefaultXWindow if zero).
	Window, XWindow time.Duration
	// AllowMissingSignedFor accepts v2 requests without Epistula-Signed-For.
	// By default they are refused: a request not bound to us could be a
	// request to another miner, replayed.
	AllowMissingSignedFor bool
	// RejectBytesWrap refuses signatures of "<Bytes>"+message+"</Bytes>"
	// (what polkadot-js signRaw produces), which are accepted by default.
	RejectBytesWrap bool
	// AllowMissingVersion accepts v2 requests without Epistula-Version.
	AllowMissingVersion bool
	// DisableX refuses the X-Epistula variant. It carries no receiver, so a
	// request signed for another miner verifies here too (within XWindow);
	// set DisableX where no caller uses it.
	DisableX bool
	// NotBefore, if non-zero, refuses requests timestamped before it
	// (ReasonStale). A process whose replay cache starts empty sets it to its
	// start time: a request captured before a restart, still inside the
	// window, would otherwise be accepted again.
	NotBefore time.Time
	// Replay is the replay cache. If nil, an in-memory cache of
	// DefaultReplayCapacity entries is created on first use. Entries are
	// kept until the request's timestamp leaves the window.
	Replay ReplayCache
	// KeyCacheSize bounds the cache of decoded signer keys; if zero,
	// DefaultKeyCacheSize.
	KeyCacheSize int
	// Keys, if non-nil, supplies keys prepared in advance for the callers it
	// knows (the metagraph's Syncer precomputes its validators' keys, which
	// verify about three times faster); it is asked first, by Signed-By,
	// and other signers are decoded and cached here.
	Keys keys.VerifyKeys

	once     sync.Once
	keyCache keyCache
	replay   ReplayCache
}

func (v *Verifier) init() {
	v.once.Do(func() {
		v.replay = v.Replay
		if v.replay == nil {
			v.replay = NewMemoryCache(0, nil)
		}
		v.keyCache.max = int64(v.KeyCacheSize)
		if v.keyCache.max <= 0 {
			v.keyCache.max = DefaultKeyCacheSize
		}
	})
}

// Verify checks the signed request (h, body) at time now and returns the
// signer's SS58 address with the Bittensor prefix 42, whatever prefix the
// request used. Errors are *Error; errors.Is matches the sentinel of
// their Reason. Checks run cheapest first (syntax, version, time, receiver),
// then the signature, then the replay cache, so unsigned junk never fills the
// cache. A replayed request (or one the replay cache could not check) is
// refused with its signer's address beside the error, since its signature
// was good; every other refusal returns "".
func (v *Verifier) Verify(h http.Header, body []byte, now time.Time) (string, error) {
	v.init()
	p, err := v.ParseHeaders(h)
	if err != nil {
		return "", err
	}
	bodyHash := BodyHash(body)
	return v.verifyParsed(&p, &bodyHash, now)
}

// ParseHeaders is the package's ParseHeaders with v's options applied
// (AllowMissingVersion, DisableX): the syntax check Verify starts with, for
// callers that want to refuse junk before reading the body.
func (v *Verifier) ParseHeaders(h http.Header) (Headers, error) {
	p, err := ParseHeaders(h)
	if err != nil && v.AllowMissingVersion && p.Variant == V2 && p.Version == "" && ReasonOf(err) == ReasonUnsupportedVersion {
		err = nil
	}
	if err == nil && p.Variant == X && v.DisableX {
		err = newError(ReasonUnsupportedVersion, "X-Epistula headers are not accepted here: sign with Epistula v2")
	}
	return p, err
}

// VerifyParsed is Verify for headers already parsed and a body hash already
// computed (BodyHash). It is what Verify does after parsing, and returns the
// same: the signer's address. A request refused as replayed, or because the
// replay cache is unavailable, carried a valid signature: its signer is
// returned beside the error; every other error comes with "".
func (v *Verifier) VerifyParsed(p *Headers, bodyHash *[64]byte, now time.Time) (string, error) {
	v.init()
	return v.verifyParsed(p, bodyHash, now)
}

// checkNotBefore compares at the timestamp's own unit (milliseconds for v2),
// so that a request signed in the same millisecond as the start passes.
func (v *Verifier) checkNotBefore(signed time.Time, unit time.Duration) error {
	if !v.NotBefore.IsZero() && signed.Before(v.NotBefore.Truncate(unit)) {
		return newError(ReasonStale, "signed at %s, before this miner started at %s (its replay cache cannot know the request): sign a new one",
			signed.UTC().Format(time.RFC3339Nano), v.NotBefore.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// Accepted is a request whose syntax, time, receiver and signature checked
// out, before its replay check: what a replay cache records for it.
type Accepted struct {
	// Signer is the signer's SS58 address with the Bittensor prefix 42.
	Signer string
	// ID names the request among its signer's: the uuid (v2), the
	// timestamp (X-Epistula, which has no uuid).
	ID string
	// Expiry is when the request leaves its window: the replay record may
	// be dropped then.
	Expiry time.Time
}

// Authenticate does every check of VerifyParsed except the replay cache and
// returns what a replay cache would record. It is for callers that keep
// replay records elsewhere (the guard records them in one call with the
// rate limit when replicas share a store): such a caller must record
// Accepted.ID for Accepted.Signer until Accepted.Expiry, and refuse a second
// copy, before acting on the request.
func (v *Verifier) Authenticate(p *Headers, bodyHash *[64]byte, now time.Time) (Accepted, error) {
	v.init()
	return v.authenticate(p, bodyHash, now)
}

func (v *Verifier) verifyParsed(p *Headers, bodyHash *[64]byte, now time.Time) (string, error) {
	acc, err := v.authenticate(p, bodyHash, now)
	if err != nil {
		return "", err
	}
	// The signer is named by its canonical address: Signed-By is not part
	// of the signed message, so the same request re-encoded under another
	// SS58 prefix must still be a replay.
	// From here on the signature is good, so the signer is named even when
	// the request is refused: operators see who replays.
	seen, err := v.replay.Seen(acc.Signer, acc.ID, acc.Expiry)
	if err != nil {
		return acc.Signer, &Error{Reason: ReasonUnavailable, Detail: "cannot check for a replay; retry later", Err: err}
	}
	if seen {
		return acc.Signer, ReplayedError(acc)
	}
	return acc.Signer, nil
}

// ReplayedError is the error Verify returns for a replay of acc.
func ReplayedError(acc Accepted) error {
	return newError(ReasonReplayed, "request %s from %s was already accepted: send a fresh uuid with every request", acc.ID, acc.Signer)
}

// Precheck does the checks of Authenticate that need neither the body nor
// a signature verification: the timestamp window, the receiver and
// NotBefore. A server runs it before reading the body, so that stale,
// misaddressed and pre-start requests cost no read, hash or verification.
// Authenticate runs it again (it is cheap).
func (v *Verifier) Precheck(p *Headers, now time.Time) error {
	_, err := v.precheck(p, now)
	return err
}

// precheck returns the time the request leaves its window.
func (v *Verifier) precheck(p *Headers, now time.Time) (expiry time.Time, err error) {
	switch p.Variant {
	case V2:
		w := v.Window
		if w <= 0 {
			w = DefaultWindow
		}
		if err := checkTime(p.Time, now.UnixMilli(), w.Milliseconds(), time.Millisecond, HeaderTimestamp, "Unix milliseconds"); err != nil {
			return expiry, err
		}
		if v.Self != "" {
			if p.SignedFor == "" && !v.AllowMissingSignedFor {
				return expiry, newError(ReasonWrongReceiver, "header %s is missing: sign the request for this miner (%s)", HeaderSignedFor, v.Self)
			}
			if p.SignedFor != "" && p.SignedFor != v.Self && !sameAccount(p.SignedFor, v.Self) {
				return expiry, newError(ReasonWrongReceiver, "signed for %s, this miner is %s", p.SignedFor, v.Self)
			}
		}
		if err := v.checkNotBefore(time.UnixMilli(p.Time), time.Millisecond); err != nil {
			return expiry, err
		}
		// The window's edge is accepted, so the entry outlives it by one unit.
		return time.UnixMilli(p.Time).Add(w + time.Millisecond), nil
	case X:
		if v.DisableX {
			return expiry, newError(ReasonUnsupportedVersion, "X-Epistula headers are not accepted here: sign with Epistula v2")
		}
		w := v.XWindow
		if w <= 0 {
			w = DefaultXWindow
		}
		if err := checkTime(p.Time, now.UnixNano(), w.Nanoseconds(), time.Nanosecond, HeaderXTimestamp, "Unix nanoseconds"); err != nil {
			return expiry, err
		}
		if err := v.checkNotBefore(time.Unix(0, p.Time), time.Nanosecond); err != nil {
			return expiry, err
		}
		return time.Unix(0, p.Time).Add(w + 1), nil
	}
	return expiry, newError(ReasonMalformed, "no Epistula headers")
}

func (v *Verifier) authenticate(p *Headers, bodyHash *[64]byte, now time.Time) (Accepted, error) {
	expiry, err := v.precheck(p, now)
	if err != nil {
		return Accepted{}, err
	}
	var buf [256]byte
	var msg []byte
	if p.Variant == V2 {
		msg = AppendMessage(buf[:0], bodyHash, p.UUID, p.Timestamp, p.SignedFor)
	} else {
		msg = AppendXMessage(buf[:0], bodyHash, p.Timestamp)
	}

	vk, addr, err := v.signer(p.SignedBy)
	if err != nil {
		return Accepted{}, &Error{Reason: ReasonMalformed, Detail: "signer address does not decode", Err: err}
	}
	// One call decides both forms: the <Bytes>-wrapped check, needed only
	// when the raw one fails, reuses its work on the signature.
	var ok bool
	if v.RejectBytesWrap {
		ok = vk.VerifyRaw(msg, p.Signature[:])
	} else {
		ok = vk.Verify(msg, p.Signature[:])
	}
	if !ok {
		return Accepted{}, newError(ReasonBadSignature, "signature by %s does not match the request (body, uuid, timestamp and receiver are all signed)", p.SignedBy)
	}

	// X requests have no uuid: the timestamp, unique per sender in
	// nanoseconds, stands in for it.
	id := p.UUID
	if p.Variant == X {
		id = p.Timestamp
	}
	return Accepted{Signer: addr, ID: id, Expiry: expiry}, nil
}

// signer returns the verification key of an SS58 address and the address
// with prefix 42: from Keys when it knows the address, else decoded (and
// cached).
func (v *Verifier) signer(address string) (*keys.VerifyKey, string, error) {
	if v.Keys != nil {
		if vk, ok := v.Keys.VerifyKey(address); ok {
			// Keys answers for prefix-42 addresses only: address is canonical.
			return vk, address, nil
		}
	}
	sk, err := v.keyCache.get(address)
	if err != nil {
		return nil, "", err
	}
	return sk.vk, sk.addr, nil
}

// sameAccount reports whether two SS58 addresses name one key under
// different network prefixes (a sender may encode our hotkey with the generic
// Substrate prefix). The signed message holds the string as sent either way.
func sameAccount(a, b string) bool {
	pa, errA := keys.DecodeAddress(a)
	pb, errB := keys.DecodeAddress(b)
	return errA == nil && errB == nil && pa == pb
}

// checkTime refuses ts older or newer than now by more than window (all in
// unit). Equal to the window is accepted.
func checkTime(ts, now, window int64, unit time.Duration, name, what string) error {
	// Differences of values ≥ 0 cannot overflow; timestamps are ≥ 0 by
	// syntax and now is positive for any real clock.
	d := now - ts
	switch {
	case d > window:
		return newError(ReasonStale, "%s %d (%s) is %s old, the window is %v: check the sender's clock (NTP) and resend",
			name, ts, what, span(d, unit), time.Duration(window)*unit)
	case -d > window:
		return newError(ReasonFromTheFuture, "%s %d (%s) is %s ahead, the window is %v: check the sender's clock (NTP) and that it sends %s",
			name, ts, what, span(-d, unit), time.Duration(window)*unit, what)
	}
	return nil
}

// span formats n units without overflowing time.Duration.
func span(n int64, unit time.Duration) string {
	if n > int64(100*365*24*time.Hour/unit) {
		return "more than 100 years"
	}
	return (time.Duration(n) * unit).String()
}

// Verify checks a signed request at time now for the receiver self (no
// receiver check when empty) with the default options and no replay cache:
// it suits one-off checks such as the CLI. Servers use a Verifier, which
// refuses replays.
func Verify(h http.Header, body []byte, now time.Time, self string) (string, error) {
	v := Verifier{Self: self, Replay: noReplay{}}
	return v.Verify(h, body, now)
}

type noReplay struct{}

func (noReplay) Seen(string, string, time.Time) (bool, error) { return false, nil }
