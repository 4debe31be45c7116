package miner

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/minerkit/minerkit/guard"
)

// More connections from one address than the cap are closed before a byte is
// read; a slot freed by a close is reused; the global cap makes Accept wait.
func TestLimitListener(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newLimitListener(raw, 3, 2, nil, nil)
	defer l.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	closedByServer := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		ne, timeout := err.(net.Error)
		return err != nil && !(timeout && ne.Timeout())
	}
	a, b := dial(), dial()
	sa, sb := <-accepted, <-accepted
	third := dial()
	if !closedByServer(third) {
		t.Fatal("a third connection from one address was not closed (cap 2)")
	}
	if closedByServer(a) {
		t.Fatal("a connection within the cap was closed")
	}
	sa.Close()
	a.Close()
	time.Sleep(20 * time.Millisecond)
	c := dial()
	select {
	case sc := <-accepted:
		defer sc.Close()
	case <-time.After(time.Second):
		t.Fatal("a freed slot was not reused")
	}
	defer c.Close()
	defer b.Close()
	defer sb.Close()
	// Two connections held, plus the slot the waiting Accept has taken.
	if ll := l.(*limitListener); len(ll.sem) != 3 || ll.byIP["127.0.0.1"] != 2 {
		t.Fatalf("slots %d, per address %v", len(ll.sem), ll.byIP)
	}
}

// Connections from a trusted proxy are not capped per address (the proxy
// carries many clients); the global cap still holds.
func TestLimitListenerTrustedProxy(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := guard.ParseTrustedProxies([]string{"127.0.0.0/8"})
	l := newLimitListener(raw, 10, 1, tp, nil)
	defer l.Close()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 5 {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		sc, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, sc)
	}
	if ll := l.(*limitListener); len(ll.byIP) != 0 || len(ll.sem) != 5 {
		t.Fatalf("per address %v, slots %d; want no per-address count, 5 slots", ll.byIP, len(ll.sem))
	}
}

// A shed address's new connections are closed as soon as accepted, before a
// byte is read and without reaching Accept's caller, and counted; other
// addresses and trusted proxies are accepted; the listener still closes.
func TestLimitListenerSheds(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	shed := &guard.Shed{Burst: 1, Cooldown: time.Minute}
	tp, _ := guard.ParseTrustedProxies([]string{"127.0.0.3"})
	l := newLimitListener(raw, 0, 0, tp, shed)
	accepted := make(chan net.Conn, 10)
	done := make(chan error, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				done <- err
				return
			}
			accepted <- c
		}
	}()
	dialFrom := func(src string) (net.Conn, error) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		return d.Dial("tcp", raw.Addr().String())
	}
	for _, src := range []string{"127.0.0.2", "127.0.0.3"} {
		if !shed.Refused(netip.MustParseAddr(src)) {
			t.Fatalf("%s not shed after its burst", src)
		}
	}
	// The reset may come before Dial returns.
	if shedConn, err := dialFrom("127.0.0.2"); err == nil {
		defer shedConn.Close()
		shedConn.Write([]byte("POST / HTTP/1.1\r\n"))
		shedConn.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := shedConn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("a shed address's connection was not closed: %v", err)
		}
	}
	for _, src := range []string{"127.0.0.4", "127.0.0.3"} { // another address; a trusted proxy (shed, but never at accept)
		c, err := dialFrom(src)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		select {
		case sc := <-accepted:
			if got := sc.RemoteAddr().(*net.TCPAddr).IP.String(); got != src {
				t.Fatalf("accepted %s, want %s (the shed connection reached Accept's caller)", got, src)
			}
			sc.Close()
		case <-time.After(2 * time.Second):
			t.Fatalf("a connection from %s was not accepted", src)
		}
	}
	if closed, _ := shed.Counts(); closed != 1 {
		t.Fatalf("connections counted as shed: %d, want 1", closed)
	}
	l.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Accept did not return after Close")
	}
}
