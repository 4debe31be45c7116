package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/metagraph"
)

// queryTarget is the miner a query goes to.
type queryTarget struct {
	// URL is the request's full URL.
	URL string
	// Receiver is the miner's hotkey (Epistula-Signed-For); "" signs for
	// nobody.
	Receiver string
	// UID is the miner's UID when it was resolved on chain, else -1.
	UID int
	// From says where the endpoint came from: "flag", "commitment" or "axon".
	From string
}

// endpointOf returns the base URL a neuron announced: its commitment when it
// is an http(s) URL, else its axon as http://ip:port.
func endpointOf(n metagraph.Neuron) (string, string, bool) {
	if c := strings.TrimSpace(n.CommitmentText()); c != "" {
		if u, err := url.Parse(c); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return c, "commitment", true
		}
	}
	if a := n.Axon.String(); a != "" {
		return "http://" + a, "axon", true
	}
	return "", "", false
}

// joinPath puts path on base; an empty path keeps base's own path.
func joinPath(base, path string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("query: %q is not an http(s) URL such as http://203.0.113.7:8091", base)
	}
	if path != "" {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		p, err := url.Parse(path)
		if err != nil {
			return "", fmt.Errorf("query: --path %q: %w", path, err)
		}
		u.Path = strings.TrimSuffix(u.Path, "/") + p.Path
		u.RawPath = ""
		if p.RawQuery != "" {
			u.RawQuery = p.RawQuery
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// sameHost reports whether two URLs name the same host and port (default
// ports filled in).
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	hp := func(u *url.URL) string {
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	}
	return hp(ua) == hp(ub)
}

// resolveTarget finds the miner: with --uid its endpoint and hotkey come
// from the metagraph; with --url and --netuid the metagraph names the hotkey
// that announced that host and port (unless --receiver is given).
func (q *queryOpts) resolveTarget(ctx context.Context, cmd *cobra.Command) (queryTarget, error) {
	t := queryTarget{UID: -1, Receiver: q.receiver, From: "flag"}
	needChain := q.uidSet || (q.receiver == "" && q.netuidSet)
	if !needChain {
		u, err := joinPath(q.url, q.path)
		t.URL = u
		return t, err
	}
	c, err := q.chain.connect(ctx, cmd)
	if err != nil {
		return t, err
	}
	defer c.Close()
	snap, err := readSnapshot(ctx, q.chain, cmd, c, q.netuid, false)
	if err != nil {
		return t, err
	}
	if q.uidSet {
		n, ok := snap.UID(q.uid)
		if !ok {
			return t, fmt.Errorf("query: UID %d is not in use on netuid %d (it has %d neurons; see minerkit metagraph --netuid %d)", q.uid, q.netuid, snap.Len(), q.netuid)
		}
		base, from, ok := endpointOf(n)
		if q.url != "" {
			base, from, ok = q.url, "flag", true
		}
		if !ok {
			return t, fmt.Errorf("query: UID %d (%s) on netuid %d has neither committed an http(s) URL nor served an axon; pass --url", q.uid, n.Hotkey, q.netuid)
		}
		t.UID, t.From = int(n.UID), from
		if t.Receiver == "" {
			t.Receiver = n.Hotkey
		}
		t.URL, err = joinPath(base, q.path)
		return t, err
	}
	// --url with --netuid: whose endpoint is it?
	for n := range snap.All() {
		if base, from, ok := endpointOf(n); ok && sameHost(base, q.url) {
			t.UID, t.Receiver, t.From = int(n.UID), n.Hotkey, from
			break
		}
	}
	if t.Receiver == "" {
		return t, fmt.Errorf("query: no neuron on netuid %d announced %s; pass --receiver with the miner's hotkey, or --uid", q.netuid, q.url)
	}
	t.URL, err = joinPath(q.url, q.path)
	return t, err
}
