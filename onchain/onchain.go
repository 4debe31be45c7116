// Package onchain puts a miner on subtensor: it registers the hotkey (opening
// the coldkey only to pay the burn), commits the miner's endpoint, announces
// its axon, and is the metagraph source of the miner's subnet.
//
// A [Chain] is what miner.WithChain attaches to a miner.Server (its
// Registrar, Committer and AxonServer); miner.Main builds one from the
// wallet and the network flags.
package onchain

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/subtensor"
)

// Chain connects a miner to a subtensor node: it is the Registrar, Committer
// and AxonServer a real miner.Server uses, and [Chain.Source] is its
// metagraph.Source.
type Chain struct {
	Client *subtensor.Client
	// Hotkey signs the commitment and serve_axon.
	Hotkey keys.Signer
	// Coldkey pays the burn when registering; leave it nil unless the miner
	// must register (the Server then never holds the coldkey).
	Coldkey keys.Signer
	// LoadColdkey, if set, opens the coldkey only when a registration is
	// needed (an already registered hotkey never decrypts it), and the key
	// is dropped once the burn is paid. It takes precedence over Coldkey.
	LoadColdkey func() (keys.Signer, error)
}

// Source returns the metagraph.Source that reads the subnet with one
// runtime-API call and follows new heads.
func (c *Chain) Source() *metagraph.ChainSource {
	return &metagraph.ChainSource{Client: c.Client}
}

// CanRegister reports whether c can pay a registration: it has a coldkey or
// a way to open one.
func (c *Chain) CanRegister() bool { return c.Coldkey != nil || c.LoadColdkey != nil }

// EnsureRegistered registers hotkey with burned_register unless it already
// has a UID (then nothing is paid).
func (c *Chain) EnsureRegistered(ctx context.Context, netuid uint16, hotkey keys.PublicKey, maxBurnRao uint64) (uint16, error) {
	if uid, ok, err := c.Client.UID(ctx, netuid, hotkey); err != nil {
		return 0, err
	} else if ok {
		return uid, nil // registered: the coldkey is not opened
	}
	cold := c.Coldkey
	if c.LoadColdkey != nil {
		k, err := c.LoadColdkey()
		if err != nil {
			return 0, fmt.Errorf("onchain: open the coldkey to pay the burn: %w", err)
		}
		cold = k
	}
	if cold == nil {
		return 0, errors.New("onchain: registering needs the coldkey; load it (only to register) or register with minerkit register")
	}
	res, err := c.Client.BurnedRegister(ctx, cold, hotkey, netuid, subtensor.RegisterOptions{MaxBurn: subtensor.Rao(maxBurnRao)})
	if err != nil {
		return 0, err
	}
	return res.UID, nil
}

// Commit commits data (an endpoint URL) as text; nothing is sent when the
// chain already holds it. The URL must be one validators can reach, except on
// a chain that itself runs on this machine (a devnet or localnet), where a
// loopback URL is what local validators use.
func (c *Chain) Commit(ctx context.Context, netuid uint16, data []byte) (bool, error) {
	u := string(data)
	if err := subtensor.CheckEndpointURL(u); err != nil {
		if !c.localChain() || !loopbackURL(u) {
			return false, Permanent(err)
		}
	}
	res, err := c.Client.CommitText(ctx, c.Hotkey, netuid, u, subtensor.TxOptions{})
	if err != nil {
		return false, err
	}
	return !res.Skipped, nil
}

// localChain reports whether every endpoint of the chain is on this machine.
func (c *Chain) localChain() bool {
	eps := c.Client.Network().Endpoints
	for _, e := range eps {
		if !loopbackURL(e) {
			return false
		}
	}
	return len(eps) > 0
}

func loopbackURL(s string) bool {
	p, err := url.Parse(s)
	if err != nil || p.Host == "" {
		return false
	}
	if p.Hostname() == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(p.Hostname())
	return err == nil && ip.IsLoopback()
}

// ServeAxon announces addr; nothing is sent when the chain already holds it.
func (c *Chain) ServeAxon(ctx context.Context, netuid uint16, addr netip.AddrPort) (bool, error) {
	if err := subtensor.CheckAxonAddr(addr.Addr(), addr.Port()); err != nil {
		return false, Permanent(err)
	}
	res, err := c.Client.ServeAxon(ctx, c.Hotkey, netuid, addr.Addr(), addr.Port(), subtensor.ServeOptions{})
	if err != nil {
		return false, err
	}
	return !res.Skipped, nil
}

// ErrPermanent marks announcement errors that retrying cannot fix (an
// endpoint the chain will never accept): a miner.Server logs them once and
// stops trying. Wrap with [Permanent].
var ErrPermanent = errors.New("permanent")

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

type permanentError struct{ err error }

func (e permanentError) Error() string        { return e.err.Error() }
func (e permanentError) Unwrap() error        { return e.err }
func (e permanentError) Is(target error) bool { return target == ErrPermanent }
