package subtensor

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Network is a chain to talk to: a name for messages and one or more
// endpoints, tried in order (the client fails over to the next one when a
// connection drops).
type Network struct {
	// Name is "finney", "test", "archive", "local", "devnet", "latent-lite",
	// or "custom" for URLs given directly.
	Name string
	// Endpoints are ws:// or wss:// URLs, first preferred.
	Endpoints []string
	// BlockTime is the nominal time between blocks, used to turn blocks into
	// durations for display (emission per day, immunity left).
	BlockTime time.Duration
}

// Well-known endpoints (the Bittensor SDK's names).
const (
	FinneyEndpoint     = "wss://entrypoint-finney.opentensor.ai:443"
	TestEndpoint       = "wss://test.finney.opentensor.ai:443"
	ArchiveEndpoint    = "wss://archive.chain.opentensor.ai:443"
	LatentLiteEndpoint = "wss://lite.sub.latent.to:443"
	LocalEndpoint      = "ws://127.0.0.1:9944"
)

// NetworkNames lists the names ResolveNetwork knows, in the order help text
// shows them.
var NetworkNames = []string{"finney", "test", "archive", "local", "devnet", "latent-lite"}

// NetworkConfig is what a user can say about the chain: the flags
// --network / --subtensor.network and --subtensor.chain_endpoint, plus the
// SDK's environment variables.
type NetworkConfig struct {
	// Network is a network name or one or more ws(s):// URLs separated by
	// commas. Empty means BT_SUBTENSOR_NETWORK, else finney.
	Network string
	// ChainEndpoint, if non-empty, is one or more ws(s):// URLs separated by
	// commas; it wins over Network for the endpoints (as in the SDK), while
	// Network still names the chain.
	ChainEndpoint string
	// Getenv, if non-nil, reads BT_SUBTENSOR_NETWORK and
	// BT_SUBTENSOR_CHAIN_ENDPOINT (pass os.Getenv). Nil ignores the
	// environment.
	Getenv func(string) string
}

// ErrUnknownNetwork is wrapped by ResolveNetwork's error for a name it does
// not know.
var ErrUnknownNetwork = errors.New("subtensor: unknown network")

// ResolveNetwork turns a NetworkConfig into a Network.
//
// As in the SDK, BT_SUBTENSOR_CHAIN_ENDPOINT (when set) replaces the "local"
// endpoint, and also applies to any network when no explicit endpoint or URL
// was given on the command line.
func ResolveNetwork(c NetworkConfig) (Network, error) {
	env := func(k string) string {
		if c.Getenv == nil {
			return ""
		}
		return strings.TrimSpace(c.Getenv(k))
	}
	name := strings.TrimSpace(c.Network)
	if name == "" {
		name = env("BT_SUBTENSOR_NETWORK")
	}
	if name == "" {
		name = "finney"
	}
	var n Network
	if looksLikeURL(name) {
		eps, err := parseEndpoints(name)
		if err != nil {
			return Network{}, err
		}
		n = Network{Name: "custom", Endpoints: eps, BlockTime: 12 * time.Second}
		if allLoopback(eps) {
			n.Name = "local"
		}
	} else {
		switch strings.ToLower(name) {
		case "finney", "main", "mainnet":
			n = Network{Name: "finney", Endpoints: []string{FinneyEndpoint, LatentLiteEndpoint}}
		case "test", "testnet":
			n = Network{Name: "test", Endpoints: []string{TestEndpoint}}
		case "archive":
			n = Network{Name: "archive", Endpoints: []string{ArchiveEndpoint}}
		case "latent-lite":
			n = Network{Name: "latent-lite", Endpoints: []string{LatentLiteEndpoint}}
		case "local":
			n = Network{Name: "local", Endpoints: []string{LocalEndpoint}}
			if e := env("BT_SUBTENSOR_CHAIN_ENDPOINT"); e != "" && c.ChainEndpoint == "" {
				eps, err := parseEndpoints(e)
				if err != nil {
					return Network{}, fmt.Errorf("BT_SUBTENSOR_CHAIN_ENDPOINT: %w", err)
				}
				n.Endpoints = eps
			}
		case "devnet":
			n = Network{Name: "devnet", Endpoints: []string{LocalEndpoint}, BlockTime: 250 * time.Millisecond}
		default:
			return Network{}, fmt.Errorf("%w %q: use one of %s, or a ws:// or wss:// URL", ErrUnknownNetwork, name, strings.Join(NetworkNames, ", "))
		}
		if n.BlockTime == 0 {
			n.BlockTime = 12 * time.Second
		}
	}
	if c.ChainEndpoint != "" {
		eps, err := parseEndpoints(c.ChainEndpoint)
		if err != nil {
			return Network{}, fmt.Errorf("subtensor: chain endpoint: %w", err)
		}
		n.Endpoints = eps
	}
	return n, nil
}

func looksLikeURL(s string) bool {
	return strings.Contains(s, "://") || strings.Contains(s, ",")
}

// parseEndpoints splits a comma-separated list of ws(s):// URLs and checks
// each one. A bare host:port is taken as ws://host:port.
func parseEndpoints(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "://") {
			p = "ws://" + p
		}
		u, err := url.Parse(p)
		if err != nil {
			return nil, fmt.Errorf("subtensor: endpoint %q: %w", p, err)
		}
		switch u.Scheme {
		case "ws", "wss", "http", "https":
		default:
			return nil, fmt.Errorf("subtensor: endpoint %q: scheme %q is not ws, wss, http or https", p, u.Scheme)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("subtensor: endpoint %q has no host", p)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, errors.New("subtensor: no endpoint given: pass a ws:// or wss:// URL")
	}
	return out, nil
}

func allLoopback(eps []string) bool {
	for _, e := range eps {
		u, err := url.Parse(e)
		if err != nil {
			return false
		}
		h := u.Hostname()
		if h != "127.0.0.1" && h != "localhost" && h != "::1" {
			return false
		}
	}
	return true
}

// BlocksToDuration converts a block count to wall time at n's block time.
func (n Network) BlocksToDuration(blocks uint64) time.Duration {
	bt := n.BlockTime
	if bt <= 0 {
		bt = 12 * time.Second
	}
	return time.Duration(blocks) * bt
}

// BlocksPerDay is the number of blocks in 24 hours at n's block time.
func (n Network) BlocksPerDay() float64 {
	bt := n.BlockTime
	if bt <= 0 {
		bt = 12 * time.Second
	}
	return float64(24*time.Hour) / float64(bt)
}
