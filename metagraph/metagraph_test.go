package metagraph

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// pub returns a deterministic, distinct public key for index i. The metagraph
// never checks that keys are valid curve points, so any 32 bytes do.
func pub(i int) keys.PublicKey {
	var p keys.PublicKey
	p[0], p[1], p[31] = byte(i), byte(i>>8), 0xa5
	return p
}

func neurons(n int) []Neuron {
	out := make([]Neuron, n)
	for i := range out {
		out[i] = Neuron{
			UID:             uint16(i),
			HotkeyPub:       pub(i),
			ColdkeyPub:      pub(10000 + i),
			Stake:           uint64(i) * RaoPerTAO,
			ValidatorPermit: i%4 == 0,
			Active:          true,
			Incentive:       subtensor.U16Fraction(uint16(i)),
			Axon:            Axon{IP: netip.MustParseAddr("10.0.0.1"), Port: uint16(8000 + i)},
		}
	}
	return out
}

func TestNewSnapshot(t *testing.T) {
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	alicePrefix0 := keys.EncodeSS58(alice.Public(), 0)
	tests := []struct {
		name    string
		in      []Neuron
		wantErr error
		check   func(t *testing.T, s *Snapshot)
	}{
		{name: "empty", check: func(t *testing.T, s *Snapshot) {
			if s.Len() != 0 {
				t.Fatalf("Len = %d", s.Len())
			}
		}},
		{name: "hotkey filled from pub", in: []Neuron{{UID: 0, HotkeyPub: alice.Public()}}, check: func(t *testing.T, s *Snapshot) {
			n, ok := s.Lookup("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
			if !ok || n.HotkeyPub != alice.Public() {
				t.Fatalf("Lookup(Alice) = %+v, %v", n, ok)
			}
		}},
		{name: "pub filled from hotkey, other prefix normalized", in: []Neuron{{UID: 3, Hotkey: alicePrefix0}}, check: func(t *testing.T, s *Snapshot) {
			n, ok := s.LookupKey(alice.Public())
			if !ok || n.Hotkey != alice.Address() || n.UID != 3 {
				t.Fatalf("LookupKey(Alice) = %+v, %v", n, ok)
			}
		}},
		{name: "coldkey filled", in: []Neuron{{HotkeyPub: pub(1), ColdkeyPub: alice.Public()}}, check: func(t *testing.T, s *Snapshot) {
			n, _ := s.UID(0)
			if n.Coldkey != alice.Address() {
				t.Fatalf("Coldkey = %q", n.Coldkey)
			}
		}},
		{name: "hotkey disagrees with pub", in: []Neuron{{Hotkey: alice.Address(), HotkeyPub: pub(1)}}, wantErr: ErrBadHotkey},
		{name: "hotkey not an address", in: []Neuron{{Hotkey: "not-an-address"}}, wantErr: ErrBadHotkey},
		{name: "duplicate hotkey", in: []Neuron{{UID: 0, HotkeyPub: pub(1)}, {UID: 1, HotkeyPub: pub(1)}}, wantErr: ErrDuplicateHotkey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSnapshot(1, 100, time.Unix(1, 0), tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func TestSnapshotAccessors(t *testing.T) {
	in := neurons(8)
	s, err := NewSnapshot(7, 42, time.Unix(5, 0), in)
	if err != nil {
		t.Fatal(err)
	}
	in[0].Stake = 999 // the snapshot holds its own copy
	if s.Block() != 42 || s.NetUID() != 7 || !s.TakenAt().Equal(time.Unix(5, 0)) || s.Len() != 8 {
		t.Fatalf("accessors: block %d netuid %d taken %v len %d", s.Block(), s.NetUID(), s.TakenAt(), s.Len())
	}
	if n, _ := s.UID(0); n.Stake != 0 {
		t.Fatalf("snapshot changed with its input: stake %d", n.Stake)
	}
	if n, ok := s.UID(5); !ok || n.Hotkey != pub(5).Address() || n.Axon.String() != "10.0.0.1:8005" {
		t.Fatalf("UID(5) = %+v, %v", n, ok)
	}
	if _, ok := s.UID(8); ok {
		t.Fatal("UID(8) found")
	}
	if _, ok := s.Lookup(pub(99).Address()); ok {
		t.Fatal("unknown hotkey found")
	}
	if got := s.Validators(); got != 2 {
		t.Fatalf("Validators = %d, want 2", got)
	}
	var nilSnap *Snapshot
	if _, ok := nilSnap.Lookup("x"); ok || nilSnap.Len() != 0 || nilSnap.Block() != 0 {
		t.Fatal("nil snapshot is not empty")
	}
	if (Axon{}).Served() || (Axon{}).String() != "" {
		t.Fatal("zero axon served")
	}
	if (Neuron{Commitment: []byte("http://x")}).CommitmentText() != "http://x" || (Neuron{Commitment: []byte{0xff}}).CommitmentText() != "" {
		t.Fatal("CommitmentText")
	}
}

// fakeSource is an in-memory chain: a block counter, a neuron list, an outage
// switch and a head channel the test drives.
type fakeSource struct {
	heads chan uint64 // nil: no HeadSource behaviour wanted (use plainSource)

	mu    sync.Mutex
	block uint64
	ns    []Neuron
	down  error
	calls atomic.Int64
}

func (f *fakeSource) Snapshot(ctx context.Context, netuid uint16) (*Snapshot, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down != nil {
		return nil, f.down
	}
	return NewSnapshot(netuid, f.block, time.Time{}, f.ns)
}

func (f *fakeSource) Heads(ctx context.Context) (<-chan uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down != nil {
		return nil, f.down
	}
	return f.heads, nil
}

func (f *fakeSource) set(block uint64, ns []Neuron, down error) {
	f.mu.Lock()
	f.block, f.ns, f.down = block, ns, down
	f.mu.Unlock()
}

// plainSource hides the Heads method.
type plainSource struct{ *fakeSource }

func (p plainSource) Snapshot(ctx context.Context, netuid uint16) (*Snapshot, error) {
	return p.fakeSource.Snapshot(ctx, netuid)
}

// clock is a manual clock for Syncer.Now.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func newClock() *clock { c := &clock{}; c.ns.Store(time.Unix(1_800_000_000, 0).UnixNano()); return c }

func TestSyncerStaleness(t *testing.T) {
	src := &fakeSource{}
	src.set(10, neurons(4), nil)
	clk := newClock()
	s := NewSyncer(plainSource{src}, 0)
	s.Now = clk.now
	if s.Fresh() || s.Age() != -1 || s.Current() != nil {
		t.Fatal("fresh before the first sync")
	}
	if err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := s.Status()
	if !st.Fresh || !st.Reachable || st.Block != 10 || st.Neurons != 4 || st.Validators != 1 || st.MaxAge != 3*12*12*time.Second {
		t.Fatalf("status after sync: %+v", st)
	}
	clk.advance(st.MaxAge)
	if !s.Fresh() {
		t.Fatal("not fresh at exactly MaxAge")
	}
	clk.advance(time.Millisecond)
	if s.Fresh() || s.Status().Fresh {
		t.Fatal("fresh past MaxAge")
	}
	if got := s.Age(); got != st.MaxAge+time.Millisecond {
		t.Fatalf("Age = %v", got)
	}
}

func TestSyncerWrongSubnet(t *testing.T) {
	src := &fakeSource{}
	src.set(1, nil, nil)
	s := NewSyncer(plainSource{src}, 3)
	// The fake builds snapshots for the netuid it is asked for, so wrap it.
	s.src = sourceFunc(func(ctx context.Context, netuid uint16) (*Snapshot, error) {
		return NewSnapshot(netuid+1, 1, time.Time{}, nil)
	})
	if err := s.Sync(context.Background()); err == nil || s.Current() != nil {
		t.Fatalf("snapshot of another subnet accepted: %v", err)
	}
}

type sourceFunc func(ctx context.Context, netuid uint16) (*Snapshot, error)

func (f sourceFunc) Snapshot(ctx context.Context, netuid uint16) (*Snapshot, error) {
	return f(ctx, netuid)
}

// waitAttempt waits for the sync attempt announced on ch.
func waitAttempt(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("no sync attempt within 10 s")
	}
}

func TestSyncerFollowsHeads(t *testing.T) {
	src := &fakeSource{heads: make(chan uint64)}
	src.set(100, neurons(2), nil)
	s := NewSyncer(src, 0)
	s.BlockTime = time.Hour // the clock fallback must not fire in this test
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := s.Notify()
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	waitAttempt(t, first)

	// Heads before block 112 do not sync; the unbuffered channel makes each
	// send wait until Run took the previous head, so counts are exact.
	for h := uint64(101); h <= 111; h++ {
		src.heads <- h
	}
	src.heads <- 111
	if got := src.calls.Load(); got != 1 {
		t.Fatalf("source called %d times before the interval, want 1", got)
	}
	src.set(112, neurons(3), nil)
	next := s.Notify()
	src.heads <- 112
	waitAttempt(t, next)
	if s.Current().Block() != 112 || s.Current().Len() != 3 || s.Status().Head != 112 {
		t.Fatalf("after head 112: block %d len %d", s.Current().Block(), s.Current().Len())
	}
	// The chain went back (a restarted devnet): sync at once.
	src.set(3, neurons(1), nil)
	next = s.Notify()
	src.heads <- 3
	waitAttempt(t, next)
	if s.Current().Block() != 3 {
		t.Fatalf("after restart: block %d", s.Current().Block())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestSyncerNoticesLostHeads(t *testing.T) {
	src := &fakeSource{heads: make(chan uint64)}
	src.set(100, neurons(2), nil)
	s := NewSyncer(src, 0)
	s.BlockTime = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := s.Notify()
	go s.Run(ctx)
	waitAttempt(t, ch)
	src.heads <- 101 // subscribed and following

	// The node goes away: the subscription ends and the Syncer checks at once.
	src.set(0, nil, errors.New("websocket: close 1006 (abnormal closure)"))
	ch = s.Notify()
	close(src.heads)
	waitAttempt(t, ch)
	if st := s.Status(); st.Reachable || st.Block != 100 || st.LastError == nil {
		t.Fatalf("after losing heads: %+v", st)
	}
}

func TestSyncerHeadSilence(t *testing.T) {
	src := &fakeSource{heads: make(chan uint64)} // never sends
	src.set(100, neurons(2), nil)
	s := NewSyncer(src, 0)
	s.BlockTime = time.Millisecond // silence after 1 s (the minimum)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := s.Notify()
	go s.Run(ctx)
	waitAttempt(t, ch)
	src.set(0, nil, errors.New("i/o timeout"))
	ch = s.Notify()
	waitAttempt(t, ch) // the watchdog sync
	if st := s.Status(); st.Reachable {
		t.Fatalf("silent chain still reachable: %+v", st)
	}
}

func TestSyncerChainDownKeepsSnapshotAndRecovers(t *testing.T) {
	src := &fakeSource{}
	src.set(50, neurons(4), nil)
	clk := newClock()
	s := NewSyncer(plainSource{src}, 0)
	s.Now = clk.now
	s.Interval, s.BlockTime = 2, 5*time.Millisecond // retry quickly
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := s.Notify()
	go s.Run(ctx)
	waitAttempt(t, ch)
	good := s.Current()
	if good == nil || good.Block() != 50 {
		t.Fatalf("first sync: %v", good)
	}

	src.set(0, nil, errors.New("dial tcp 127.0.0.1:9944: connection refused"))
	for range 3 {
		ch = s.Notify()
		clk.advance(time.Minute)
		waitAttempt(t, ch)
	}
	st := s.Status()
	if s.Current() != good || st.Reachable || st.Failures < 3 || st.LastError == nil || st.Block != 50 {
		t.Fatalf("while down: current %p (want %p) status %+v", s.Current(), good, st)
	}
	if st.Age < 3*time.Minute {
		t.Fatalf("age while down = %v, want ≥ 3m", st.Age)
	}
	if n, ok := s.Lookup(pub(2).Address()); !ok || n.UID != 2 {
		t.Fatal("lookup failed on the last snapshot while the chain is down")
	}

	src.set(60, neurons(5), nil)
	for {
		ch = s.Notify()
		waitAttempt(t, ch)
		if st = s.Status(); st.Reachable {
			break
		}
	}
	if st.Block != 60 || st.Failures != 0 || st.LastError != nil || !st.Fresh || st.Age != 0 {
		t.Fatalf("after recovery: %+v", st)
	}
}

func TestSyncerEarlyRefreshRateLimit(t *testing.T) {
	src := &fakeSource{}
	src.set(10, neurons(2), nil)
	clk := newClock()
	s := NewSyncer(plainSource{src}, 0)
	s.Now = clk.now
	s.BlockTime = time.Hour
	s.EarlyGap = 30 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := s.Notify()
	go s.Run(ctx)
	waitAttempt(t, ch)

	newcomer := pub(7).Address()
	src.set(11, neurons(8), nil)
	ch = s.Notify()
	if _, ok := s.Lookup(newcomer); ok {
		t.Fatal("newcomer known before the refresh")
	}
	waitAttempt(t, ch)
	if n, ok := s.Lookup(newcomer); !ok || n.UID != 7 {
		t.Fatal("newcomer unknown after the early refresh")
	}
	if st := s.Status(); st.EarlySyncs != 1 || st.Syncs != 2 {
		t.Fatalf("status: %+v", st)
	}

	// Within the gap every request is refused, whoever asks.
	before := src.calls.Load()
	for i := range 1000 {
		if _, ok := s.Lookup(pub(5000 + i).Address()); ok {
			t.Fatal("unknown hotkey found")
		}
	}
	if s.RequestRefresh() {
		t.Fatal("RequestRefresh accepted within the gap")
	}
	clk.advance(29 * time.Second)
	if s.RequestRefresh() {
		t.Fatal("RequestRefresh accepted 29 s into a 30 s gap")
	}
	if got := src.calls.Load(); got != before {
		t.Fatalf("source called %d times within the gap", got-before)
	}
	clk.advance(time.Second)
	ch = s.Notify()
	if !s.RequestRefresh() {
		t.Fatal("RequestRefresh refused after the gap")
	}
	waitAttempt(t, ch)
	if st := s.Status(); st.EarlySyncs != 2 {
		t.Fatalf("EarlySyncs = %d, want 2", st.EarlySyncs)
	}
}

func TestSyncerDeferredEarlyRefresh(t *testing.T) {
	src := &fakeSource{}
	src.set(10, neurons(2), nil)
	s := NewSyncer(plainSource{src}, 0)
	s.BlockTime = time.Hour
	s.EarlyGap = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := s.Notify()
	go s.Run(ctx)
	waitAttempt(t, ch)
	ch = s.Notify()
	s.RequestRefresh()
	waitAttempt(t, ch)
	// Refused now, run once the gap has passed.
	ch = s.Notify()
	s.RequestRefresh()
	waitAttempt(t, ch)
	if st := s.Status(); st.EarlySyncs != 2 {
		t.Fatalf("EarlySyncs = %d, want 2", st.EarlySyncs)
	}
}

func TestSyncerWait(t *testing.T) {
	src := &fakeSource{}
	src.set(0, nil, errors.New("down"))
	s := NewSyncer(plainSource{src}, 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if _, err := s.Wait(ctx); !errors.Is(err, ErrNotSynced) {
		t.Fatalf("Wait = %v", err)
	}
}

func BenchmarkSnapshotLookup(b *testing.B) {
	s, err := NewSnapshot(1, 1, time.Now(), neurons(256))
	if err != nil {
		b.Fatal(err)
	}
	hot := pub(200).Address()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Lookup(hot); !ok {
			b.Fatal("miss")
		}
	}
}

func BenchmarkSyncerLookup(b *testing.B) {
	for _, size := range []int{256, 4096} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			src := &fakeSource{}
			src.set(1, neurons(size), nil)
			s := NewSyncer(plainSource{src}, 0)
			if err := s.Sync(context.Background()); err != nil {
				b.Fatal(err)
			}
			hot := pub(size / 2).Address()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, ok := s.Lookup(hot); !ok {
						b.Fatal("miss")
					}
				}
			})
		})
	}
}

func BenchmarkSyncerLookupMiss(b *testing.B) {
	src := &fakeSource{}
	src.set(1, neurons(256), nil)
	s := NewSyncer(plainSource{src}, 0)
	if err := s.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	unknown := pub(9999).Address()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Lookup(unknown); ok {
			b.Fatal("hit")
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	src := &fakeSource{}
	src.set(1, neurons(256), nil)
	s := NewSyncer(plainSource{src}, 0)
	if err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	hit, miss := pub(3).Address(), pub(9999).Address()
	if n := testing.AllocsPerRun(1000, func() { s.Lookup(hit); s.Lookup(miss) }); n != 0 {
		t.Fatalf("Lookup allocates %v times per run", n)
	}
}

// blockingSource blocks in Snapshot until released, like an RPC client
// waiting for its node to come back.
type blockingSource struct {
	entered, release chan struct{}
}

func (b *blockingSource) Snapshot(ctx context.Context, netuid uint16) (*Snapshot, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return NewSnapshot(netuid, 1, time.Time{}, nil)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestSyncerSlowChainIsUnreachable(t *testing.T) {
	src := &blockingSource{entered: make(chan struct{}), release: make(chan struct{})}
	clk := newClock()
	s := NewSyncer(src, 0)
	s.Now = clk.now
	s.BlockTime = time.Second // unreachable after waiting 3 s
	done := make(chan error)
	go func() { done <- s.Sync(context.Background()) }()
	<-src.entered
	clk.advance(2 * time.Second)
	if st := s.Status(); st.Waiting != 2*time.Second {
		t.Fatalf("Waiting = %v", st.Waiting)
	}
	clk.advance(2 * time.Second)
	if st := s.Status(); st.Reachable || st.Waiting != 4*time.Second {
		t.Fatalf("status while the chain does not answer: %+v", st)
	}
	close(src.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); !st.Reachable || st.Waiting != 0 {
		t.Fatalf("status after the answer: %+v", st)
	}
}

type timedSource struct {
	plainSource
	bt time.Duration
}

func (s timedSource) BlockTime() time.Duration { return s.bt }

// A zero BlockTime takes the Source's (the chain's), never a fixed 12 s.
func TestSyncerBlockTimeFromSource(t *testing.T) {
	for _, tc := range []struct {
		set, src, want time.Duration
	}{
		{0, 250 * time.Millisecond, 250 * time.Millisecond},
		{time.Second, 250 * time.Millisecond, time.Second},
		{0, 0, DefaultBlockTime},
	} {
		s := NewSyncer(timedSource{bt: tc.src}, 1)
		s.BlockTime = tc.set
		if got := s.blockTime(); got != tc.want {
			t.Errorf("BlockTime %v, source %v: %v, want %v", tc.set, tc.src, got, tc.want)
		}
	}
}

// A chain that comes back is tried again within seconds, whatever the
// sync interval (12 blocks of 12 s would otherwise mean 144 s).
func TestSyncerBackoffBounded(t *testing.T) {
	s := NewSyncer(timedSource{bt: 12 * time.Second}, 1)
	for n := 1; n < 40; n++ {
		if d := s.backoff(n); d > 4*time.Second || d < minRetryBackoff {
			t.Fatalf("backoff(%d) = %v", n, d)
		}
	}
	if d := s.backoff(30); d != maxRetryBackoff {
		t.Fatalf("backoff(30) = %v, want %v", d, maxRetryBackoff)
	}
}
