package guard

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed.
// The zero value (and nil) trusts none: the client is the TCP peer.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

// ParseTrustedProxies reads CIDRs ("10.0.0.0/8") and single addresses
// ("127.0.0.1", "::1").
func ParseTrustedProxies(list []string) (*TrustedProxies, error) {
	tp := &TrustedProxies{}
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			tp.prefixes = append(tp.prefixes, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("guard: trusted proxy %q is neither a CIDR (10.0.0.0/8) nor an address", s)
		}
		a = a.Unmap()
		tp.prefixes = append(tp.prefixes, netip.PrefixFrom(a, a.BitLen()))
	}
	return tp, nil
}

// Contains reports whether a is one of the trusted proxies.
func (tp *TrustedProxies) Contains(a netip.Addr) bool {
	if tp == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range tp.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Overlaps reports whether a trusted proxy's address is in p (or p in a
// trusted range).
func (tp *TrustedProxies) Overlaps(p netip.Prefix) bool {
	if tp == nil {
		return false
	}
	for _, t := range tp.prefixes {
		if t.Overlaps(p) {
			return true
		}
	}
	return false
}

// Empty reports whether no proxy is trusted.
func (tp *TrustedProxies) Empty() bool { return tp == nil || len(tp.prefixes) == 0 }

// ClientAddr returns the address of the client that sent r. When the TCP
// peer is a trusted proxy, X-Forwarded-For is read from the right: each
// trusted hop is skipped and the first address that is not trusted is the
// client (a client may write anything on the left, so nothing left of it is
// believed). If every hop is trusted, the leftmost is the client; a hop
// that does not parse ends the walk with the last trusted address. With no
// trusted proxies X-Forwarded-For is ignored. The zero Addr means the peer
// address did not parse (a test's RemoteAddr).
func (tp *TrustedProxies) ClientAddr(r *http.Request) netip.Addr {
	peer := remoteAddr(r.RemoteAddr)
	if tp.Empty() || !tp.Contains(peer) {
		return peer
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		h := hops[i]
		for h != "" {
			var hop string
			if j := strings.LastIndexByte(h, ','); j >= 0 {
				hop, h = h[j+1:], h[:j]
			} else {
				hop, h = h, ""
			}
			a, err := netip.ParseAddr(strings.TrimSpace(hop))
			if err != nil {
				return client
			}
			client = a.Unmap()
			if !tp.Contains(client) {
				return client
			}
		}
	}
	return client
}

func remoteAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(s)
	return a.Unmap()
}
