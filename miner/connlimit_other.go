//go:build !linux

package miner

import "net"

// newRawAcceptor is Linux only: elsewhere shed connections are accepted as
// net.Conns, then closed.
func newRawAcceptor(net.Listener) acceptor { return nil }
