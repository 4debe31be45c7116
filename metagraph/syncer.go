package metagraph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// Source reads a whole metagraph from the chain. [ChainSource] implements it
// on a subtensor.Client with one runtime-API call; tests use an in-memory one.
// Snapshot must honour ctx and may be called again after an error.
type Source interface {
	Snapshot(ctx context.Context, netuid uint16) (*Snapshot, error)
}

// HeadSource is implemented by Sources that can announce new blocks. When the
// Syncer's Source implements it, refreshes follow block numbers; otherwise
// they follow the clock (Interval × BlockTime).
//
// Heads returns a channel of new best block numbers that is closed when the
// subscription ends (connection lost, ctx done); the Syncer subscribes again
// after its next successful sync.
type HeadSource interface {
	Heads(ctx context.Context) (<-chan uint64, error)
}

// BlockTimeSource is implemented by Sources that know the chain's block
// time (ChainSource reads it from the runtime's constants). The Syncer uses
// it when its BlockTime is zero.
type BlockTimeSource interface {
	BlockTime() time.Duration
}

// Defaults of the Syncer's settings.
const (
	DefaultInterval     = 12 // blocks
	DefaultBlockTime    = 12 * time.Second
	DefaultSyncTimeout  = 15 * time.Second
	DefaultEarlyGap     = 12 * time.Second
	minRetryBackoff     = 500 * time.Millisecond
	maxRetryBackoff     = 4 * time.Second
	staleIntervalsCount = 3
)

// ErrNotSynced is returned (wrapped) by [Syncer.Wait] when ctx ends before the
// first snapshot is published.
var ErrNotSynced = errors.New("metagraph: no snapshot yet (is the chain reachable?)")

// Syncer keeps the current Snapshot of one subnet. Readers call [Syncer.Current]
// or [Syncer.Lookup] from any goroutine; [Syncer.Run] refreshes in the
// background at most once per Interval blocks, keeps the last snapshot while
// the Source fails, and refreshes early (at most once per EarlyGap) when
// [Syncer.RequestRefresh] is called, which Lookup does for unknown hotkeys.
//
// Set the exported fields before calling Run; zero values mean the defaults.
type Syncer struct {
	// Interval is the number of blocks between refreshes (default 12).
	Interval uint64
	// BlockTime is the chain's block time, used to turn Interval into a
	// duration when the Source announces no heads, and for staleness
	// (default: the Source's when it is a BlockTimeSource, else 12 s).
	BlockTime time.Duration
	// MaxAge is the age past which the snapshot is no longer Fresh
	// (default 3 × Interval × BlockTime).
	MaxAge time.Duration
	// SyncTimeout bounds one Source call (default 15 s).
	SyncTimeout time.Duration
	// EarlyGap is the least time between two early refreshes (default 12 s).
	EarlyGap time.Duration
	// Logger receives sync failures and recoveries (default: discard).
	Logger *slog.Logger
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time

	src    Source
	netuid uint16

	cur atomic.Pointer[Snapshot]
	// vkeys: precomputed keys of the validators of cur (see VerifyKey).
	vkeys     atomic.Pointer[map[string]*keys.VerifyKey]
	head      atomic.Uint64
	lastEarly atomic.Int64 // unix ns of the last accepted early refresh
	syncStart atomic.Int64 // unix ns when the running Source call began; 0 when none
	pending   atomic.Bool  // an early refresh was refused by the rate limit
	early     chan struct{}
	wake      chan struct{} // tells Run that pending was set

	mu     sync.Mutex
	status Status
	notify chan struct{}
}

// Status describes the Syncer's health.
type Status struct {
	// Block and TakenAt describe the current snapshot (zero when none).
	Block   uint64
	TakenAt time.Time
	// Age is how old the current snapshot is; MaxAge is the limit Fresh uses.
	Age    time.Duration
	MaxAge time.Duration
	// Fresh is true when a snapshot exists and Age ≤ MaxAge.
	Fresh bool
	// Reachable is true when the last sync attempt succeeded and no attempt
	// has been waiting on the chain for longer than three block times
	// (at least a second).
	Reachable bool
	// Waiting is how long the running sync attempt has waited on the chain
	// (0 when none runs).
	Waiting time.Duration
	// Head is the latest block number announced by the Source (0 when it
	// announces none).
	Head uint64
	// LastAttempt and LastError describe the latest sync attempt.
	LastAttempt time.Time
	LastError   error
	// Failures counts consecutive failed attempts; Syncs and EarlySyncs count
	// successful ones since the start.
	Failures   int
	Syncs      uint64
	EarlySyncs uint64
	Neurons    int
	Validators int
}

// NewSyncer returns a Syncer for netuid that reads from src.
func NewSyncer(src Source, netuid uint16) *Syncer {
	return &Syncer{
		src:    src,
		netuid: netuid,
		early:  make(chan struct{}, 1),
		wake:   make(chan struct{}, 1),
		notify: make(chan struct{}),
	}
}

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Syncer) interval() uint64 {
	if s.Interval == 0 {
		return DefaultInterval
	}
	return s.Interval
}

func (s *Syncer) blockTime() time.Duration {
	if s.BlockTime > 0 {
		return s.BlockTime
	}
	if bs, ok := s.src.(BlockTimeSource); ok {
		if bt := bs.BlockTime(); bt > 0 {
			return bt
		}
	}
	return DefaultBlockTime
}

func (s *Syncer) period() time.Duration { return time.Duration(s.interval()) * s.blockTime() }

func (s *Syncer) maxAge() time.Duration {
	if s.MaxAge > 0 {
		return s.MaxAge
	}
	return staleIntervalsCount * s.period()
}

func (s *Syncer) earlyGap() time.Duration {
	if s.EarlyGap > 0 {
		return s.EarlyGap
	}
	return DefaultEarlyGap
}

func (s *Syncer) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// NetUID returns the subnet this Syncer follows.
func (s *Syncer) NetUID() uint16 { return s.netuid }

// Current returns the latest snapshot, or nil before the first successful sync.
// It never blocks.
func (s *Syncer) Current() *Snapshot { return s.cur.Load() }

// Lookup finds hotkey (SS58) in the current snapshot. On a miss it asks for an
// early refresh (rate limited), so a validator that registered a moment ago
// gets in after the next sync instead of after the next interval. It never
// blocks and does not allocate.
func (s *Syncer) Lookup(hotkey string) (Neuron, bool) {
	n, ok := s.cur.Load().Lookup(hotkey)
	if !ok {
		s.RequestRefresh()
	}
	return n, ok
}

// VerifyKey returns the precomputed verification key of a permitted
// validator of the current snapshot (keys.VerifyKeys): Epistula and Axon
// verifiers ask it first.
func (s *Syncer) VerifyKey(hotkey string) (*keys.VerifyKey, bool) {
	m := s.vkeys.Load()
	if m == nil {
		return nil, false
	}
	vk, ok := (*m)[hotkey]
	return vk, ok
}

// RequestRefresh asks Run for a sync now. It returns false when the request
// falls within EarlyGap of the previous accepted one; Run then syncs once
// when the gap ends. It never blocks.
func (s *Syncer) RequestRefresh() bool {
	now := s.now().UnixNano()
	gap := int64(s.earlyGap())
	for {
		last := s.lastEarly.Load()
		if last != 0 && now-last < gap {
			if !s.pending.Swap(true) {
				select {
				case s.wake <- struct{}{}:
				default:
				}
			}
			return false
		}
		if s.lastEarly.CompareAndSwap(last, now) {
			break
		}
	}
	select {
	case s.early <- struct{}{}:
	default:
	}
	return true
}

// Age returns the age of the current snapshot, or -1 when there is none.
func (s *Syncer) Age() time.Duration {
	snap := s.cur.Load()
	if snap == nil {
		return -1
	}
	return s.now().Sub(snap.TakenAt())
}

// Fresh reports whether a snapshot exists and is not older than MaxAge.
func (s *Syncer) Fresh() bool {
	age := s.Age()
	return age >= 0 && age <= s.maxAge()
}

// Status returns the Syncer's health.
func (s *Syncer) Status() Status {
	s.mu.Lock()
	st := s.status
	s.mu.Unlock()
	st.Head = s.head.Load()
	st.MaxAge = s.maxAge()
	if start := s.syncStart.Load(); start != 0 {
		st.Waiting = time.Duration(s.now().UnixNano() - start)
		if st.Waiting > s.headSilence() {
			st.Reachable = false
		}
	}
	if snap := s.cur.Load(); snap != nil {
		st.Block = snap.Block()
		st.TakenAt = snap.TakenAt()
		st.Age = s.now().Sub(st.TakenAt)
		st.Fresh = st.Age <= st.MaxAge
		st.Neurons = snap.Len()
		st.Validators = snap.Validators()
	}
	return st
}

// Notify returns a channel that is closed when the next sync attempt
// (successful or not) has finished and its result is visible in Current and
// Status.
func (s *Syncer) Notify() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notify
}

// Wait blocks until a snapshot exists or ctx is done.
func (s *Syncer) Wait(ctx context.Context) (*Snapshot, error) {
	for {
		ch := s.Notify()
		if snap := s.cur.Load(); snap != nil {
			return snap, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", ErrNotSynced, ctx.Err())
		}
	}
}

// Sync reads a snapshot from the Source now and publishes it. Run calls it;
// callers that drive the Syncer themselves may too.
func (s *Syncer) Sync(ctx context.Context) error { return s.sync(ctx, false) }

func (s *Syncer) sync(ctx context.Context, early bool) error {
	timeout := s.SyncTimeout
	if timeout <= 0 {
		timeout = DefaultSyncTimeout
	}
	// This sync answers every early request refused so far.
	s.pending.Store(false)
	cctx, cancel := context.WithTimeout(ctx, timeout)
	s.syncStart.Store(s.now().UnixNano())
	snap, err := s.src.Snapshot(cctx, s.netuid)
	cancel()
	if err == nil && snap == nil {
		err = errors.New("metagraph: source returned no snapshot and no error")
	}
	if err == nil && snap.NetUID() != s.netuid {
		err = fmt.Errorf("metagraph: source returned subnet %d, want %d", snap.NetUID(), s.netuid)
	}
	now := s.now()
	if err == nil {
		if snap.TakenAt().IsZero() {
			snap = snap.withTakenAt(now)
		}
		// Validators' keys are precomputed here, off the request path
		// (published first: a key without its snapshot is harmless).
		var prev map[string]*keys.VerifyKey
		if p := s.vkeys.Load(); p != nil {
			prev = *p
		}
		vk := snap.verifyKeys(prev)
		s.vkeys.Store(&vk)
		s.cur.Store(snap)
	}

	s.mu.Lock()
	prevFailures, prevSyncs := s.status.Failures, s.status.Syncs
	s.status.LastAttempt = now
	s.status.LastError = err
	if err != nil {
		s.status.Failures++
		s.status.Reachable = false
	} else {
		s.status.Failures = 0
		s.status.Reachable = true
		s.status.Syncs++
		if early {
			s.status.EarlySyncs++
		}
	}
	s.syncStart.Store(0)
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()

	log := s.logger()
	switch {
	case err != nil && ctx.Err() == nil:
		old := s.cur.Load()
		if old != nil {
			log.Warn("metagraph sync failed; serving the last snapshot", "netuid", s.netuid, "err", err,
				"snapshot_block", old.Block(), "snapshot_age", now.Sub(old.TakenAt()).Round(time.Millisecond), "failures", prevFailures+1)
		} else {
			log.Warn("metagraph sync failed; no snapshot yet", "netuid", s.netuid, "err", err, "failures", prevFailures+1)
		}
	case err == nil && prevSyncs == 0:
		log.Info("metagraph synced", "netuid", s.netuid, "block", snap.Block(), "neurons", snap.Len(), "validators", snap.Validators())
	case err == nil && prevFailures > 0:
		log.Info("metagraph sync recovered", "netuid", s.netuid, "block", snap.Block(), "neurons", snap.Len(), "after_failures", prevFailures)
	case err == nil:
		log.Debug("metagraph synced", "netuid", s.netuid, "block", snap.Block(), "neurons", snap.Len(), "early", early)
	}
	if err != nil {
		return fmt.Errorf("metagraph: sync subnet %d: %w", s.netuid, err)
	}
	return nil
}

// backoff returns the wait before retrying after n consecutive failures:
// doubling from half a second up to one interval, and never over
// maxRetryBackoff, so that a chain that comes back is seen within seconds.
func (s *Syncer) backoff(n int) time.Duration {
	d := minRetryBackoff
	for i := 1; i < n && d < maxRetryBackoff; i++ {
		d *= 2
	}
	return min(d, s.period(), maxRetryBackoff)
}

// Run syncs once, then keeps the snapshot current until ctx is done. With a
// HeadSource it syncs when a head is Interval blocks past the snapshot's block
// (or the chain went back, as when a devnet restarts), and also when the head
// subscription ends or no head came for three block times (so that an
// unreachable chain shows in Status within seconds); without one, every
// Interval × BlockTime. Failed syncs are retried with backoff; the last snapshot stays
// published meanwhile. Run returns nil when ctx is done.
func (s *Syncer) Run(ctx context.Context) error {
	hs, hasHeads := s.src.(HeadSource)
	var heads <-chan uint64
	var headCancel context.CancelFunc = func() {}
	defer func() { headCancel() }()
	subscribe := func() {
		if !hasHeads || heads != nil {
			return
		}
		hctx, cancel := context.WithCancel(ctx)
		ch, err := hs.Heads(hctx)
		if err != nil {
			cancel()
			s.logger().Debug("metagraph head subscription failed; following the clock", "err", err)
			return
		}
		heads, headCancel = ch, cancel
	}

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var earlyTimer *time.Timer
	var earlyC <-chan time.Time
	defer func() {
		if earlyTimer != nil {
			earlyTimer.Stop()
		}
	}()

	// after performs one sync and arms the clock for the next one.
	after := func(early bool) {
		err := s.sync(ctx, early)
		if ctx.Err() != nil {
			return
		}
		next := s.period()
		if err != nil {
			s.mu.Lock()
			n := s.status.Failures
			s.mu.Unlock()
			next = s.backoff(n)
		} else {
			subscribe()
			if heads != nil {
				next = s.headSilence()
			}
		}
		timer.Reset(next)
	}

	after(false)
	for {
		// A refused early refresh is run once the gap has passed.
		if earlyC == nil && s.pending.Load() {
			wait := s.earlyGap() - time.Duration(s.now().UnixNano()-s.lastEarly.Load())
			earlyTimer = time.NewTimer(max(wait, 0))
			earlyC = earlyTimer.C
		}
		select {
		case <-ctx.Done():
			return nil
		case h, ok := <-heads:
			if !ok {
				// The link dropped: find out now whether the chain is
				// reachable (and resubscribe if it is).
				heads = nil
				headCancel()
				s.logger().Debug("metagraph head subscription ended; syncing to check the chain")
				after(false)
				continue
			}
			s.head.Store(h)
			s.mu.Lock()
			failing := s.status.Failures > 0
			s.mu.Unlock()
			if failing || s.due(h) {
				after(false)
			} else {
				timer.Reset(s.headSilence())
			}
		case <-timer.C:
			after(false)
		case <-s.early:
			after(true)
		case <-s.wake:
			// Loop to arm the timer of the refused early refresh.
		case <-earlyC:
			earlyC, earlyTimer = nil, nil
			if s.pending.Swap(false) {
				s.lastEarly.Store(s.now().UnixNano())
				after(true)
			}
		}
	}
}

// headSilence is how long Run waits for a head before it checks the chain
// with a sync: three block times, at least a second.
func (s *Syncer) headSilence() time.Duration { return max(3*s.blockTime(), time.Second) }

// due reports whether head h calls for a sync.
func (s *Syncer) due(h uint64) bool {
	snap := s.cur.Load()
	if snap == nil {
		return true
	}
	b, iv := snap.Block(), s.interval()
	return h >= b+iv || h+iv <= b
}
