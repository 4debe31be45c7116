package validator

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
)

// Target is a miner the validator queries.
type Target struct {
	UID    uint16 `json:"uid"`
	Hotkey string `json:"hotkey"`
	// URL is the miner's base URL (scheme and host, maybe a path).
	URL string `json:"url"`
	// Source is where the URL came from: "commitment" or "axon".
	Source string `json:"source"`
}

// EndpointFromCommitment returns the base URL a miner committed, when its
// commitment is an absolute http or https URL (surrounding spaces ignored).
// Anything else (JSON, free text, other schemes) is not an endpoint.
func EndpointFromCommitment(b []byte) (string, bool) {
	if len(b) == 0 || len(b) > 2048 {
		return "", false
	}
	s := strings.TrimSpace(string(b))
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", false
	}
	if u.Port() != "" {
		if p, err := strconv.ParseUint(u.Port(), 10, 16); err != nil || p == 0 {
			return "", false
		}
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/"), true
}

// EndpointFromAxon returns http://ip:port for a served axon.
func EndpointFromAxon(a metagraph.Axon) (string, bool) {
	if !a.Served() {
		return "", false
	}
	return "http://" + netip.AddrPortFrom(a.IP.Unmap(), a.Port).String(), true
}

// private reports whether the URL's host is a loopback, private,
// link-local or unspecified address, or localhost: places a miner should not
// be able to point a validator at on a public network.
func private(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return privateIP(ip)
}

func privateIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() ||
		ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsLinkLocalMulticast()
}

// refusePrivate is a net.Dialer Control that refuses private addresses.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("validator: dial %s: %w", address, err)
	}
	if privateIP(ap.Addr()) {
		return fmt.Errorf("validator: refusing to dial %s, a private address (set AllowPrivate on a local chain)", address)
	}
	return nil
}

// Discover returns the miners to query among neurons: every neuron but self
// whose commitment is an http(s) URL, else whose axon is served. Endpoints
// on private or loopback addresses are left out unless allowPrivate.
func Discover(neurons []metagraph.Neuron, self keys.PublicKey, allowPrivate bool) []Target {
	var out []Target
	for i := range neurons {
		n := &neurons[i]
		if n.HotkeyPub == self {
			continue
		}
		// Signed-For must be the prefix-42 address the miner checks, whatever
		// prefix n.Hotkey was written with.
		t := Target{UID: n.UID, Hotkey: n.HotkeyPub.Address()}
		if u, ok := EndpointFromCommitment(n.Commitment); ok {
			t.URL, t.Source = u, "commitment"
		} else if u, ok := EndpointFromAxon(n.Axon); ok {
			t.URL, t.Source = u, "axon"
		} else {
			continue
		}
		if !allowPrivate && private(t.URL) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// PrivateNetwork reports whether every chain endpoint is on a loopback or
// private address (a devnet or a local subtensor): there, miners on such
// addresses are expected, and Config.AllowPrivate is the right default.
func PrivateNetwork(endpoints []string) bool {
	if len(endpoints) == 0 {
		return false
	}
	for _, e := range endpoints {
		if !private(e) {
			return false
		}
	}
	return true
}
