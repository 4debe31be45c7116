//go:build linux

package miner

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
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

// The kernel filter of shed sources: a classic BPF socket filter on the
// listening socket drops their packets (their SYNs) before any socket is
// made for them, so a shed address's new connection costs this process
// nothing (the client's connect times out, retrying its SYN after 1 s, 3 s,
// …). Sources beyond the filter's room, and those shed since the last
// rebuild, are reset at accept. Accepted connections inherit the filter of
// their moment; it only ever names other sources, so it never drops their
// packets.
const (
	bpfLdB    = 0x30       // BPF_LD | BPF_B | BPF_ABS
	bpfLdW    = 0x20       // BPF_LD | BPF_W | BPF_ABS
	bpfRsh    = 0x74       // BPF_ALU | BPF_RSH | BPF_K
	bpfJeq    = 0x15       // BPF_JMP | BPF_JEQ | BPF_K
	bpfRet    = 0x06       // BPF_RET | BPF_K
	skfNetOff = 0xfff00000 // SKF_NET_OFF: offsets from the IP header
	bpfAccept = 0xffffffff
	bpfDrop   = 0
	// Room in the filter (its jumps reach at most 255 instructions).
	filterMax4, filterMax6 = 96, 32
)

// synFilterProgram drops packets from the IPv4 addresses and IPv6 /64s in
// shed (at most filterMax4 and filterMax6 of them) and accepts the rest.
func synFilterProgram(shed []netip.Prefix) []syscall.SockFilter {
	var v4, v6 []netip.Prefix
	for _, p := range shed {
		switch {
		case p.Addr().Is4() && len(v4) < filterMax4:
			v4 = append(v4, p)
		case p.Addr().Is6() && len(v6) < filterMax6:
			v6 = append(v6, p)
		}
	}
	if len(v4)+len(v6) == 0 {
		return []syscall.SockFilter{{Code: bpfRet, K: bpfAccept}}
	}
	start6 := 5 + len(v4)
	drop := start6 + 4*len(v6) + 1
	prog := []syscall.SockFilter{
		{Code: bpfLdB, K: skfNetOff},                // 0: version << 4 | IHL
		{Code: bpfRsh, K: 4},                        // 1
		{Code: bpfJeq, K: 4, Jf: uint8(start6 - 3)}, // 2: IPv4 ? 3 : start6
		{Code: bpfLdW, K: skfNetOff + 12},           // 3: IPv4 source
	}
	for _, p := range v4 {
		a := p.Addr().As4()
		pc := len(prog)
		prog = append(prog, syscall.SockFilter{Code: bpfJeq, K: be32(a[:]), Jt: uint8(drop - pc - 1)})
	}
	prog = append(prog, syscall.SockFilter{Code: bpfRet, K: bpfAccept})
	for _, p := range v6 {
		a := p.Addr().As16()
		pc := len(prog)
		prog = append(prog,
			syscall.SockFilter{Code: bpfLdW, K: skfNetOff + 8}, // IPv6 source, bytes 0–3
			syscall.SockFilter{Code: bpfJeq, K: be32(a[0:4]), Jf: 2},
			syscall.SockFilter{Code: bpfLdW, K: skfNetOff + 12}, // bytes 4–7
			syscall.SockFilter{Code: bpfJeq, K: be32(a[4:8]), Jt: uint8(drop - (pc + 3) - 1)},
		)
	}
	prog = append(prog, syscall.SockFilter{Code: bpfRet, K: bpfAccept}, syscall.SockFilter{Code: bpfRet, K: bpfDrop})
	return prog
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func attachFilter(rc syscall.RawConn, prog []syscall.SockFilter) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		fp := syscall.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
		_, _, e := syscall.Syscall6(syscall.SYS_SETSOCKOPT, fd, syscall.SOL_SOCKET, syscall.SO_ATTACH_FILTER,
			uintptr(unsafe.Pointer(&fp)), unsafe.Sizeof(fp), 0)
		if e != 0 {
			serr = os.NewSyscallError("setsockopt SO_ATTACH_FILTER", e)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// filterShed keeps l's kernel filter equal to the shed sources until l is
// closed: rebuilt when an address is shed and when a cooldown ends. If the
// filter cannot be attached, shed connections are reset at accept only.
func (l *limitListener) filterShed(tl *net.TCPListener) {
	rc, err := tl.SyscallConn()
	if err != nil {
		return
	}
	attached := false
	for {
		list, next := l.shed.List(1 << 10)
		list = slices.DeleteFunc(list, l.trusted.Overlaps) // never a trusted proxy
		if len(list) > 0 || attached {
			if err := attachFilter(rc, synFilterProgram(list)); err != nil {
				l.filterErr.Store(&err)
				return
			}
			attached = len(list) > 0
			l.filterBuilds.Add(1)
		}
		var wake <-chan time.Time
		var timer *time.Timer
		if !next.IsZero() {
			timer = time.NewTimer(time.Until(next) + time.Millisecond)
			wake = timer.C
		}
		select {
		case <-l.done:
		case <-l.shed.Changed():
		case <-wake:
		}
		if timer != nil {
			timer.Stop()
		}
		select {
		case <-l.done:
			return
		default:
		}
	}
}

func startShedFilter(l *limitListener, inner net.Listener) {
	if tl, ok := inner.(*net.TCPListener); ok {
		go l.filterShed(tl)
	}
}
