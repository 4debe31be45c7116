package miner

import (
	"net"
	"net/netip"
	"sync"

	"github.com/minerkit/minerkit/guard"
)

// limitListener bounds the connections a listener hands out: at most max at
// once (Accept waits, leaving the rest in the kernel's backlog) and at most
// perIP from one remote address (more are closed as soon as accepted, before
// a byte is read). Zero means no bound. Connections from trusted proxies are
// not capped per address: they carry many clients, whose address is known
// only from X-Forwarded-For after the headers are read; the proxy caps them.
type limitListener struct {
	net.Listener
	sem     chan struct{} // nil: no global bound
	perIP   int
	trusted *guard.TrustedProxies
	done    chan struct{}
	once    sync.Once

	mu   sync.Mutex
	byIP map[string]int
}

func newLimitListener(l net.Listener, max, perIP int, trusted *guard.TrustedProxies) net.Listener {
	if max <= 0 && perIP <= 0 {
		return l
	}
	ll := &limitListener{Listener: l, perIP: perIP, trusted: trusted, done: make(chan struct{}), byIP: map[string]int{}}
	if max > 0 {
		ll.sem = make(chan struct{}, max)
	}
	return ll
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
		c, err := l.Listener.Accept()
		if err != nil {
			l.releaseSlot()
			return nil, err
		}
		ip := remoteIP(c)
		if l.perIP > 0 && l.trustedPeer(c) {
			ip = "" // not counted
		}
		if l.perIP > 0 && ip != "" {
			l.mu.Lock()
			if l.byIP[ip] >= l.perIP {
				l.mu.Unlock()
				c.Close()
				l.releaseSlot()
				continue
			}
			l.byIP[ip]++
			l.mu.Unlock()
		}
		return &limitConn{Conn: c, l: l, ip: ip}, nil
	}
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
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

func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

type limitConn struct {
	net.Conn
	l    *limitListener
	ip   string
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}
