//go:build linux

package miner

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
)

// rawAcceptor accepts with accept4 on a TCP listener's own socket, so that
// a connection from a shed address costs accept4, one setsockopt and close:
// no poller registration, no socket options, no net.Conn. A connection that
// is kept becomes a net.Conn with the options net.Listener.Accept would
// give it (no delay, keep-alive with Go's defaults).
//
// The listener's RawConn cannot wait for reads, so the acceptor waits on a
// duplicate of its socket (os.File, non-blocking, in Go's poller).
type rawAcceptor struct {
	f      *os.File
	rc     syscall.RawConn
	closed atomic.Bool
}

func newRawAcceptor(l net.Listener) acceptor {
	tl, ok := l.(*net.TCPListener)
	if !ok {
		return nil
	}
	f, err := tl.File()
	if err != nil {
		return nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	return &rawAcceptor{f: f, rc: rc}
}

func (a *rawAcceptor) close() error {
	a.closed.Store(true)
	return a.f.Close()
}

func (a *rawAcceptor) accept(drop func(netip.Addr) bool) (net.Conn, error) {
	var nfd int
	var aerr error
	err := a.rc.Read(func(fd uintptr) bool {
		for {
			var sa syscall.Sockaddr
			nfd, sa, aerr = syscall.Accept4(int(fd), syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
			switch {
			case aerr == syscall.EAGAIN:
				return false // wait for the next connection
			case aerr == syscall.EINTR || aerr == syscall.ECONNABORTED:
				continue
			case aerr != nil:
				return true
			}
			if drop(sockaddrAddr(sa)) {
				// A reset, not a FIN: nothing is kept in TIME_WAIT.
				syscall.SetsockoptLinger(nfd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1})
				syscall.Close(nfd)
				continue
			}
			return true
		}
	})
	if err != nil && a.closed.Load() {
		return nil, net.ErrClosed
	}
	if err != nil {
		return nil, err
	}
	if aerr != nil {
		return nil, os.NewSyscallError("accept4", aerr)
	}
	f := os.NewFile(uintptr(nfd), "")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		c.Close()
		return nil, errors.New("miner: accepted a connection that is not TCP")
	}
	tc.SetNoDelay(true)
	tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true})
	return tc, nil
}

func sockaddrAddr(sa syscall.Sockaddr) netip.Addr {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr)
	case *syscall.SockaddrInet6:
		return netip.AddrFrom16(sa.Addr).Unmap()
	}
	return netip.Addr{}
}
