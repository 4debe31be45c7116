package miner

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minerkit/minerkit/guard"
)

// limitListener bounds the connections a listener hands out: at most max at
// once (Accept waits, leaving the rest in the kernel's backlog) and at most
// perIP from one remote address (more are closed as soon as accepted, before
// a byte is read). Zero means no bound. Connections from trusted proxies are
// not capped per address: they carry many clients, whose address is known
// only from X-Forwarded-For after the headers are read; the proxy caps them.
// Connections from an address that shed sheds (it caused too many
// refusals) are closed with a reset as soon as accepted, before a byte is
// read, and before any cap counts them; trusted proxies are never shed here
// (the guard sheds their clients by forwarded address).
type limitListener struct {
	net.Listener
	sem     chan struct{} // nil: no global bound
	perIP   int
	trusted *guard.TrustedProxies
	shed    *guard.Shed
	raw     acceptor // nil: Listener.Accept, then close
	done    chan struct{}
	// The kernel filter of shed sources (Linux): rebuilds, and the error
	// that stopped it.
	filterBuilds atomic.Int64
	filterErr    atomic.Pointer[error]
	once         sync.Once

	mu   sync.Mutex
	byIP map[string]int
}

func newLimitListener(l net.Listener, max, perIP int, trusted *guard.TrustedProxies, shed *guard.Shed, dropSYN bool) net.Listener {
	if max <= 0 && perIP <= 0 && shed == nil {
		return l
	}
	ll := &limitListener{Listener: l, perIP: perIP, trusted: trusted, shed: shed, done: make(chan struct{}), byIP: map[string]int{}}
	if max > 0 {
		ll.sem = make(chan struct{}, max)
	}
	if shed != nil {
		ll.raw = newRawAcceptor(l)
		if dropSYN {
			startShedFilter(ll, l)
		}
	}
	return ll
}

// acceptor accepts connections, closing those whose peer drop names
// without making them net.Conns (connlimit_linux.go).
type acceptor interface {
	accept(drop func(netip.Addr) bool) (net.Conn, error)
	close() error
}

// dropPeer reports whether a connection from peer must be closed unread:
// peer is not a trusted proxy and is shed, or (raw acceptor only) already
// holds its per-address cap of connections. A connection over the cap
// counts as one refusal of the address for Shed: a client that keeps
// opening more than its share is shed like one that keeps being refused.
func (l *limitListener) dropPeer(peer netip.Addr) bool {
	if l.shed == nil || !l.trusted.Empty() && l.trusted.Contains(peer) {
		return false
	}
	if l.shed.ConnShed(peer) {
		return true
	}
	if l.raw == nil || l.perIP <= 0 {
		return false
	}
	l.mu.Lock()
	over := l.byIP[peer.String()] >= l.perIP
	l.mu.Unlock()
	if over {
		l.shed.Refused(peer)
	}
	return over
}

func (l *limitListener) acquire() bool {
	if l.sem == nil {
		return true
	}
	select {
	case l.sem <- struct{}{}:
		return true
	case <-l.done:
		return false
	}
}

func (l *limitListener) releaseSlot() {
	if l.sem != nil {
		<-l.sem
	}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		if !l.acquire() {
			return nil, net.ErrClosed
		}
		var c net.Conn
		var err error
		if l.raw != nil {
			c, err = l.raw.accept(l.dropPeer)
		} else {
			c, err = l.Listener.Accept()
		}
		if err != nil {
			l.releaseSlot()
			return nil, err
		}
		if l.raw == nil && l.dropPeer(remoteAddr(c)) {
			guard.CloseShed(c)
			l.releaseSlot()
			continue
		}
		ip := remoteIP(c)
		if l.perIP > 0 && l.trustedPeer(c) {
			ip = "" // not counted
		}
		if l.perIP > 0 && ip != "" {
			l.mu.Lock()
			if l.byIP[ip] >= l.perIP {
				l.mu.Unlock()
				if l.shed != nil {
					l.shed.Refused(remoteAddr(c))
				}
				c.Close()
				l.releaseSlot()
				continue
			}
			l.byIP[ip]++
			l.mu.Unlock()
		}
		return &limitConn{Conn: c, l: l, ip: ip, opened: time.Now()}, nil
	}
}

func (l *limitListener) Close() error {
	l.once.Do(func() {
		close(l.done)
		if l.raw != nil {
			l.raw.close()
		}
	})
	return l.Listener.Close()
}

func (l *limitListener) trustedPeer(c net.Conn) bool {
	return !l.trusted.Empty() && l.trusted.Contains(remoteAddr(c))
}

func remoteAddr(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		addr, _ := netip.AddrFromSlice(a.IP)
		return addr.Unmap()
	}
	return netip.Addr{}
}

func (l *limitListener) release(ip string) {
	if l.perIP > 0 && ip != "" {
		l.mu.Lock()
		if l.byIP[ip]--; l.byIP[ip] <= 0 {
			delete(l.byIP, ip)
		}
		l.mu.Unlock()
	}
	l.releaseSlot()
}

// remoteIP is the peer's address as byIP counts it (netip's form, as
// dropPeer looks it up).
func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		addr, _ := netip.AddrFromSlice(a.IP)
		return addr.Unmap().String()
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

type limitConn struct {
	net.Conn
	l      *limitListener
	ip     string
	opened time.Time
	// served is set when a request's headers have been read (markServed).
	served atomic.Bool
	once   sync.Once
}

// Close releases the connection's slots. A connection closed before any
// request began on it (headers never finished: the read-header timeout, or
// a client that connects and waits) costs its address one refusal per
// second it was held, at least one, in shedding: holding a slot without a
// request is what slow-connection floods do, and no validator does it.
// Trusted proxies are not charged.
func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.release(c.ip)
		if c.l.shed != nil && !c.served.Load() && !c.l.trustedPeer(c.Conn) {
			c.l.shed.Charge(remoteAddr(c.Conn), max(1, min(int(time.Since(c.opened)/time.Second), 60)))
		}
	})
	return err
}

// connKey carries a request's *limitConn in its context (connContext).
type connKey struct{}

// connContext is the http.Server's ConnContext hook: it puts the
// connection, when it is a limitConn, in its requests' contexts.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if lc, ok := c.(*limitConn); ok {
		return context.WithValue(ctx, connKey{}, lc)
	}
	return ctx
}

// markServed marks the connection of each request that reaches h served
// (its headers were read: net/http's StateActive comes at the first byte,
// too early to tell a slow client from a served one).
func markServed(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lc, ok := r.Context().Value(connKey{}).(*limitConn); ok && !lc.served.Load() {
			lc.served.Store(true)
		}
		h.ServeHTTP(w, r)
	})
}
