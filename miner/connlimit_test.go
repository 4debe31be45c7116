package miner

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"strconv"
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
	l := newLimitListener(raw, 3, 2, nil, nil, false)
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
	l := newLimitListener(raw, 10, 1, tp, nil, false)
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
	l := newLimitListener(raw, 0, 0, tp, shed, false)
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

// With the kernel filter (Linux), a shed address's connection attempts are
// dropped before a socket is made: its connect times out (no reset, nothing
// accepted); other addresses and trusted proxies (even shed ones) connect;
// when the cooldown ends the address connects again.
func TestLimitListenerDropsSYN(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the socket filter is Linux only")
	}
	var lc net.ListenConfig
	lc.SetMultipathTCP(false) // as Server.Run: no filter on an MPTCP listener
	raw, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	shed := &guard.Shed{Burst: 1, Cooldown: 1500 * time.Millisecond}
	tp, _ := guard.ParseTrustedProxies([]string{"127.0.0.3"})
	l := newLimitListener(raw, 0, 0, tp, shed, true).(*limitListener)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	dial := func(src string) error {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 300 * time.Millisecond}
		c, err := d.Dial("tcp", raw.Addr().String())
		if err == nil {
			c.Close()
		}
		return err
	}
	shed.Refused(netip.MustParseAddr("127.0.0.2"))
	shed.Refused(netip.MustParseAddr("127.0.0.3"))
	deadline := time.Now().Add(2 * time.Second)
	for l.filterBuilds.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if e := l.filterErr.Load(); e != nil {
		t.Fatalf("filter: %v", *e)
	}
	var ne net.Error
	if err := dial("127.0.0.2"); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("a shed address connected or was reset (%v), want its connect to time out", err)
	}
	for _, src := range []string{"127.0.0.4", "127.0.0.3"} {
		if err := dial(src); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	if closed, _ := shed.Counts(); closed != 0 {
		t.Fatalf("%d connections reached accept from the shed address, want 0", closed)
	}
	// After the cooldown the filter is rebuilt without it (a busy machine
	// may take a moment; a SYN sent just before is retried after 1 s).
	time.Sleep(1600 * time.Millisecond)
	var lastErr error
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); {
		if lastErr = dial("127.0.0.2"); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("after the cooldown: %v", lastErr)
	}
}

// The filter on a dual-stack listener: a shed IPv6 /64 is dropped, IPv4
// clients still connect.
func TestLimitListenerDropsSYNIPv6(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the socket filter is Linux only")
	}
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	raw, err := lc.Listen(context.Background(), "tcp", "[::]:0")
	if err != nil {
		t.Skip("no dual-stack listener here:", err)
	}
	port := raw.Addr().(*net.TCPAddr).Port
	shed := &guard.Shed{Burst: 1, Cooldown: time.Minute}
	l := newLimitListener(raw, 0, 0, nil, shed, true).(*limitListener)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	dial := func(addr string) error {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(addr, strconv.Itoa(port)), 300*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial("::1"); err != nil {
		t.Skip("no IPv6 loopback here:", err)
	}
	shed.Refused(netip.MustParseAddr("::1"))
	deadline := time.Now().Add(2 * time.Second)
	for l.filterBuilds.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var ne net.Error
	if err := dial("::1"); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("a shed IPv6 /64 connected or was reset (%v), want a timeout", err)
	}
	if err := dial("127.0.0.1"); err != nil {
		t.Fatalf("IPv4 beside a shed IPv6 /64: %v", err)
	}
}

// Connections over the per-address cap count as refusals of the address:
// a client that keeps opening more than its share is shed.
func TestLimitListenerCapSheds(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	shed := &guard.Shed{Burst: 3, Cooldown: time.Minute}
	l := newLimitListener(raw, 0, 1, nil, shed, false)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held: the address stays at its cap
		}
	}()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.6")}}
	for i := range 4 {
		c, err := d.Dial("tcp", raw.Addr().String())
		if err != nil {
			continue // reset before Dial returned
		}
		defer c.Close()
		if i > 0 {
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			c.Read(make([]byte, 1))
		}
	}
	if ok, _ := shed.Shedding(netip.MustParseAddr("127.0.0.6")); !ok {
		t.Fatal("an address that kept opening connections over its cap was not shed")
	}
}

// A connection closed before any request began on it (the read-header
// timeout of a slow client) costs its address refusals in shedding; one
// that carried a request costs nothing.
func TestLimitListenerChargesIdleConnections(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	shed := &guard.Shed{Burst: 2, Cooldown: time.Minute}
	l := newLimitListener(raw, 0, 0, nil, shed, false)
	srv := &http.Server{
		Handler:           markServed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})),
		ReadHeaderTimeout: 200 * time.Millisecond,
		ConnContext:       connContext,
	}
	go srv.Serve(l)
	defer srv.Close()

	// Served: one request, then the client closes. Burst 2 would shed it
	// at its second charge; it has none.
	for range 3 {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.8")}}
		c, err := d.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("GET / HTTP/1.1\r\nHost: m\r\n\r\n"))
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 64)); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	// Slow: headers never finished, closed by the server's timeout.
	for range 2 {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.9")}}
		c, err := d.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("POST / HTTP/1.1\r\nX-Slow: 1\r\n"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if ok, _ := shed.Shedding(netip.MustParseAddr("127.0.0.9")); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an address whose connections timed out before a request was not shed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ok, _ := shed.Shedding(netip.MustParseAddr("127.0.0.8")); ok {
		t.Fatal("an address whose connections carried requests was shed")
	}
}
