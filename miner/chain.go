package miner

import (
	"context"
	"errors"
	"net/netip"

	"github.com/minerkit/minerkit/keys"
)

// Registrar makes sure a hotkey is registered on a subnet. The subtensor
// package implements it with burned_register, signed by the coldkey (the only
// place a miner needs the coldkey). EnsureRegistered returns the hotkey's UID;
// when the hotkey is already registered it pays nothing. It refuses to pay a
// burn above maxBurnRao (0: no limit) with an error that says the price.
type Registrar interface {
	EnsureRegistered(ctx context.Context, netuid uint16, hotkey keys.PublicKey, maxBurnRao uint64) (uid uint16, err error)
}

// Committer publishes the miner's endpoint as its commitment
// (Commitments.set_commitment, signed by the hotkey). Commit sends a
// transaction only when the chain holds different data, and says whether it
// did.
type Committer interface {
	Commit(ctx context.Context, netuid uint16, data []byte) (sent bool, err error)
}

// AxonServer announces the miner's IP and port with serve_axon (signed by the
// hotkey), only when the chain holds a different axon, and says whether it
// sent a transaction.
type AxonServer interface {
	ServeAxon(ctx context.Context, netuid uint16, addr netip.AddrPort) (sent bool, err error)
}

// ErrPermanent marks announcement errors that retrying cannot fix (an
// endpoint the chain will never accept); the Server logs them once and stops
// trying. Wrap with [Permanent].
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
