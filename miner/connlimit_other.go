//go:build !linux

package miner

import "net"

// newRawAcceptor is Linux only: elsewhere shed connections are accepted as
// net.Conns, then closed.
func newRawAcceptor(net.Listener) acceptor { return nil }

// startShedFilter is Linux only (a socket filter of shed sources).
func startShedFilter(*limitListener, net.Listener) {}
