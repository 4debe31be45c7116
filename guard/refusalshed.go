package guard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Shed.
const (
	DefaultShedRefusalsPerSecond = 20.0
	DefaultShedBurst             = 200
	DefaultShedCooldown          = 10 * time.Second
	DefaultShedEntries           = 1 << 16
	// shedNamesKept bounds the addresses named per report interval; the rest
	// are counted together.
	shedNamesKept = 16
)

// ReasonAddressShed is given (429, Connection: close) to a request from an
// address that is being shed: it caused more refusals than Shed allows and
// its connections are closed for a cooldown.
const ReasonAddressShed = "address_shed"

// Shed turns abusive addresses away at the connection level, where a
// refusal costs the least. Every refusal the guard decides for a client's
// own fault (bad headers, stale or foreign requests, a hotkey the gate
// refuses, a body over the limit, a replay, a bad signature, the address's
// spent verification budget) takes one token from its address's bucket
// (IPv4 address, IPv6 /64): PerSecond tokens a second, in bursts of Burst.
// The refusal that empties the bucket sheds the address for Cooldown: it
// and every later request on an open connection is answered with
// Connection: close, and the listener (miner's, through ConnShed) closes
// the address's new connections as soon as they are accepted, before a
// byte is read (accept and close are all they cost). Refusals that are not
// the address's doing never count: a verified validator's own rate limit,
// 503s (body budget, replay store), and the budget of a claimed hotkey, so
// claiming a validator's hotkey cannot get the validator's address shed.
//
// Behind trusted proxies the address is the forwarded client's: the
// handler refuses it (429, without closing the proxy's connection) and the
// listener never closes a trusted proxy's connections.
//
// Set the fields before use; zero fields take the defaults.
type Shed struct {
	// PerSecond refusals per second an address may cause, in bursts of
	// Burst, before it is shed.
	PerSecond, Burst float64
	// Cooldown is how long an address stays shed.
	Cooldown time.Duration
	// MaxEntries bounds the addresses tracked; when full, those with a full
	// bucket that are not shed are dropped, and if none is, all are.
	MaxEntries int
	// Now is the clock; if nil, time.Now.
	Now func() time.Time

	// latest is the end of the latest cooldown (Unix ns): past it nothing
	// is shed and ConnShed takes no lock.
	latest atomic.Int64
	mu     sync.RWMutex
	addrs  map[netip.Prefix]*shedEntry

	closed   atomic.Uint64 // connections closed at accept
	sheds    atomic.Uint64 // times an address was shed
	refusals atomic.Uint64 // requests refused with ReasonAddressShed

	// What the next report names.
	logMu       sync.Mutex
	logClosed   map[netip.Prefix]int
	logOther    int
	logNewShed  []netip.Prefix
	logNewOther int

	refusalOnce sync.Once
	refusal     *Refusal
	changed     chan struct{} // see Changed
	changedOnce sync.Once
}

type shedEntry struct {
	failBucket
	until int64 // Unix ns; shed while now < until
}

func (s *Shed) params() (rate, burst float64, cooldown time.Duration, maxEntries int) {
	rate, burst, cooldown, maxEntries = s.PerSecond, s.Burst, s.Cooldown, s.MaxEntries
	if rate <= 0 {
		rate = DefaultShedRefusalsPerSecond
	}
	if burst < 1 {
		burst = DefaultShedBurst
	}
	if cooldown <= 0 {
		cooldown = DefaultShedCooldown
	}
	if maxEntries <= 0 {
		maxEntries = DefaultShedEntries
	}
	return
}

func (s *Shed) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Refused records one refusal of a request from client and reports whether
// the address is now shed (its connection should be closed).
func (s *Shed) Refused(client netip.Addr) bool { return s.Charge(client, 1) }

// Charge records n refusals of client at once (n ≥ 1; a connection held
// without a request costs one per second) and reports whether the address
// is now shed.
func (s *Shed) Charge(client netip.Addr, n int) bool {
	if !client.IsValid() || n < 1 {
		return false
	}
	rate, burst, cooldown, maxEntries := s.params()
	src, t := sourceOf(client), s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addrs == nil {
		s.addrs = make(map[netip.Prefix]*shedEntry)
	}
	e := s.addrs[src]
	if e == nil {
		if len(s.addrs) >= maxEntries {
			for k, o := range s.addrs {
				if o.until <= t && o.refill(t, rate, burst) >= burst {
					delete(s.addrs, k)
				}
			}
			if len(s.addrs) >= maxEntries {
				clear(s.addrs)
			}
		}
		e = &shedEntry{failBucket: failBucket{tokens: burst, last: t}}
		s.addrs[src] = e
	}
	if e.until > t {
		return true
	}
	// The refusal that takes the last token sheds the address (n charges
	// leave the bucket as n single refusals would).
	if tok := e.refill(t, rate, burst); tok >= float64(n) {
		e.tokens -= float64(n)
		if e.tokens >= 1 {
			return false
		}
	} else {
		e.tokens -= math.Floor(tok)
	}
	e.until = t + int64(cooldown)
	if e.until > s.latest.Load() {
		s.latest.Store(e.until)
	}
	s.sheds.Add(1)
	select {
	case s.changedChan() <- struct{}{}:
	default: // a change is already pending
	}
	s.logMu.Lock()
	if len(s.logNewShed) < shedNamesKept {
		s.logNewShed = append(s.logNewShed, src)
	} else {
		s.logNewOther++
	}
	s.logMu.Unlock()
	return true
}

// Shedding reports whether client's address is shed now, and for how much
// longer. While nothing is shed it takes no lock.
func (s *Shed) Shedding(client netip.Addr) (bool, time.Duration) {
	if s == nil {
		return false, 0
	}
	t := s.now().UnixNano()
	if t >= s.latest.Load() || !client.IsValid() {
		return false, 0
	}
	s.mu.RLock()
	e := s.addrs[sourceOf(client)]
	var until int64
	if e != nil {
		until = e.until
	}
	s.mu.RUnlock()
	if until <= t {
		return false, 0
	}
	return true, time.Duration(until - t)
}

func (s *Shed) changedChan() chan struct{} {
	s.changedOnce.Do(func() { s.changed = make(chan struct{}, 1) })
	return s.changed
}

// Changed receives a value when an address was shed since the last
// receive (one pending value at most): a listener that filters shed
// addresses in the kernel (miner's, on Linux) rebuilds its filter then,
// and when List's next cooldown ends.
func (s *Shed) Changed() <-chan struct{} { return s.changedChan() }

// List returns the sources shed now, at most max (the latest cooldowns
// first), and when the earliest of their cooldowns ends (zero if none).
func (s *Shed) List(max int) (shed []netip.Prefix, next time.Time) {
	t := s.now().UnixNano()
	if t >= s.latest.Load() {
		return nil, time.Time{}
	}
	type item struct {
		p     netip.Prefix
		until int64
	}
	var items []item
	s.mu.RLock()
	for p, e := range s.addrs {
		if e.until > t {
			items = append(items, item{p, e.until})
		}
	}
	s.mu.RUnlock()
	sort.Slice(items, func(i, j int) bool { return items[i].until > items[j].until })
	items = items[:min(len(items), max)]
	var earliest int64
	for _, it := range items {
		shed = append(shed, it.p)
		if earliest == 0 || it.until < earliest {
			earliest = it.until
		}
	}
	if earliest != 0 {
		next = time.Unix(0, earliest)
	}
	return shed, next
}

// ConnShed reports whether a connection from peer, just accepted, must be
// closed unread because peer is shed; it counts the connections it sheds.
// A listener calls it (miner's does) for every peer that is not a trusted
// proxy.
func (s *Shed) ConnShed(peer netip.Addr) bool {
	if shed, _ := s.Shedding(peer); !shed {
		return false
	}
	s.closed.Add(1)
	src := sourceOf(peer)
	s.logMu.Lock()
	if s.logClosed == nil {
		s.logClosed = make(map[netip.Prefix]int)
	}
	if _, ok := s.logClosed[src]; ok || len(s.logClosed) < shedNamesKept {
		s.logClosed[src]++
	} else {
		s.logOther++
	}
	s.logMu.Unlock()
	return true
}

// CloseShed closes c at once, with a reset rather than a FIN (no TIME_WAIT
// is kept for it and nothing the client sent is read).
func CloseShed(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// Counts returns the connections closed at accept and the times an address
// was shed, since the start.
func (s *Shed) Counts() (closed, sheds uint64) { return s.closed.Load(), s.sheds.Load() }

// RegisterMetrics registers the shedding counters with reg:
// minerkit_guard_shed_connections_total (connections closed at accept),
// minerkit_guard_shed_addresses_total (times an address was shed) and
// minerkit_guard_shed_refusals_total (requests answered address_shed; the
// guard's request counter counts them too, with that reason).
func (s *Shed) RegisterMetrics(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "minerkit_guard_shed_connections_total",
			Help: "Connections closed as soon as accepted because their address was shed (it caused too many refusals).",
		}, func() float64 { return float64(s.closed.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "minerkit_guard_shed_addresses_total",
			Help: "Times an address was shed for a cooldown because it caused too many refusals.",
		}, func() float64 { return float64(s.sheds.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "minerkit_guard_shed_refusals_total",
			Help: "Requests refused (429 address_shed) because their address was shed.",
		}, func() float64 { return float64(s.refusals.Load()) }),
	} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Report writes one WARN record per interval in which addresses were shed
// or connections closed (counts per address, the five largest named), until
// ctx ends; then a last one if anything is pending. The access log's
// sampled refusal records cover the requests refused address_shed.
func (s *Shed) Report(ctx context.Context, log *slog.Logger, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultRefusalLogInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			s.report(context.WithoutCancel(ctx), log, time.Since(last))
			return
		case now := <-tick.C:
			s.report(ctx, log, now.Sub(last))
			last = now
		}
	}
}

func (s *Shed) report(ctx context.Context, log *slog.Logger, over time.Duration) {
	s.logMu.Lock()
	closed, other, newShed, newOther := s.logClosed, s.logOther, s.logNewShed, s.logNewOther
	s.logClosed, s.logOther, s.logNewShed, s.logNewOther = nil, 0, nil, 0
	s.logMu.Unlock()
	if len(closed) == 0 && other == 0 && len(newShed) == 0 && newOther == 0 {
		return
	}
	total := other
	names := make([]netip.Prefix, 0, len(closed))
	for k, n := range closed {
		names = append(names, k)
		total += n
	}
	sort.Slice(names, func(i, j int) bool { return closed[names[i]] > closed[names[j]] })
	var top strings.Builder
	for i, k := range names {
		if i == 5 {
			break
		}
		if i > 0 {
			top.WriteByte(' ')
		}
		fmt.Fprintf(&top, "%s=%d", shedName(k), closed[k])
	}
	var shedNow strings.Builder
	for i, k := range newShed {
		if i > 0 {
			shedNow.WriteByte(' ')
		}
		shedNow.WriteString(shedName(k))
	}
	_, _, cooldown, _ := s.params()
	attrs := []slog.Attr{
		slog.Int("connections_closed", total),
		slog.String("by_address", top.String()),
		slog.String("newly_shed", shedNow.String()),
		slog.Duration("cooldown", cooldown),
		slog.Duration("interval", over.Round(time.Millisecond)),
	}
	if other > 0 {
		attrs = append(attrs, slog.Int("other_addresses_closed", other))
	}
	if newOther > 0 {
		attrs = append(attrs, slog.Int("other_addresses_shed", newOther))
	}
	log.LogAttrs(ctx, slog.LevelWarn, "addresses shed: too many refusals, their connections are closed at accept", attrs...)
}

// shedName is an address as counted: IPv4 bare, IPv6 as its /64.
func shedName(p netip.Prefix) string {
	if p.Addr().Is4() {
		return p.Addr().String()
	}
	return p.String()
}

var errShed = errors.New("guard: this address caused too many refused requests and is shed: its connections are closed until the cooldown ends; fix the requests (see the earlier refusals' reasons) and retry later")

// shedRefusal is the refusal of a shed address's request, built once (no
// allocation per refusal): Retry-After is the whole cooldown.
func (s *Shed) shedRefusal() *Refusal {
	s.refusalOnce.Do(func() {
		_, _, cooldown, _ := s.params()
		s.refusal = &Refusal{Status: http.StatusTooManyRequests, Reason: ReasonAddressShed, Err: errShed, RetryAfter: cooldown, shedExempt: true}
		s.refusal.body = refusalBody(s.refusal)
	})
	return s.refusal
}

// shedLayer is the guard's first step after Observe: a request from a shed
// address is refused before its headers are looked at, and the refusals of
// the later layers are counted against the address (see deny).
type shedLayer struct {
	shed    *Shed
	proxies *TrustedProxies
	deny    DenyFunc
	next    http.Handler
}

// shedWrap puts next behind the shed layer when g sheds addresses.
func (g *Guard) shedWrap(next http.Handler, d DenyFunc) http.Handler {
	if g.Shed == nil {
		return next
	}
	return &shedLayer{shed: g.Shed, proxies: g.TrustedProxies, deny: d, next: next}
}

func (l *shedLayer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, st := withState(r)
	if !l.proxies.Contains(st.Client) { // a trusted proxy itself is never shed
		st.shed, st.proxies = l.shed, l.proxies
		if shed, _ := l.shed.Shedding(st.Client); shed {
			l.shed.refusals.Add(1)
			deny(l.deny, w, r, l.shed.shedRefusal())
			return
		}
	}
	l.next.ServeHTTP(w, r)
}

// countShed counts ref against the request's address (deny calls it) and
// asks for the connection to be closed once the address is shed, unless
// the connection is a trusted proxy's.
func countShed(w http.ResponseWriter, r *http.Request, st *state, ref *Refusal) {
	if st.shed == nil {
		return
	}
	switch {
	case ref.Reason == ReasonAddressShed:
	case ref.shedExempt || ref.Status >= 500 || ref.Reason == ReasonRateLimited || ref.Reason == ReasonNotAuthenticated:
		return // not the address's doing
	case !st.shed.Refused(st.Client):
		return
	}
	if st.proxies.Empty() || !st.proxies.Contains(remoteAddr(r.RemoteAddr)) {
		w.Header()["Connection"] = connClose
	}
}

// connClose is the Connection header value of a refusal that ends its
// connection (shared: header values are never modified in place).
var connClose = []string{"close"}
