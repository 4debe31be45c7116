package miner

import (
	"context"
	"net/netip"

	"github.com/minerkit/minerkit/keys"
)

// Registrar makes sure a hotkey is registered on a subnet. onchain.Chain
// implements it with burned_register, signed by the coldkey (the only
// place a miner needs the coldkey). EnsureRegistered returns the hotkey's UID;
// when the hotkey is already registered it pays nothing. It refuses to pay a
// burn above maxBurnRao (0: no limit) with an error that says the price.
type Registrar interface {
	EnsureRegistered(ctx context.Context, netuid uint16, hotkey keys.PublicKey, maxBurnRao uint64) (uid uint16, err error)
}

// Committer publishes the miner's endpoint as its commitment
// (Commitments.set_commitment, signed by the hotkey). Commit sends a
// transaction only when the chain holds different data, and says whether it
// did. An error that retrying cannot fix wraps onchain.ErrPermanent
// (onchain.Permanent): the Server logs it once and stops trying.
type Committer interface {
	Commit(ctx context.Context, netuid uint16, data []byte) (sent bool, err error)
}

// AxonServer announces the miner's IP and port with serve_axon (signed by the
// hotkey), only when the chain holds a different axon, and says whether it
// sent a transaction.
type AxonServer interface {
	ServeAxon(ctx context.Context, netuid uint16, addr netip.AddrPort) (sent bool, err error)
}
