package guard

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/epistula"
)

// TestMemoryCeiling: 400 connections announce 1 MiB bodies (half under a
// permitted validator's hotkey, half under an unregistered one) and send
// 1 KiB each, then stall. The guard holds at most its body budget; the
// heap grows by the budget plus net/http's per-connection buffers, not by
// what the clients announced (400 MiB before the refusal order).
func TestMemoryCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 400 connections")
	}
	const conns, budget = 400, 8 << 20
	f := newOrderFixture(t, 0)
	f.g.trace = nil
	f.g.Bodies.Max = budget
	srv := httptest.NewServer(f.g.HandlerLimit(echo, 0))
	defer srv.Close()
	alice, zed := mustKey(t, "//Alice"), mustKey(t, "//Zed")
	big := make([]byte, 1<<20)
	heads := [2]string{}
	for i := range heads {
		var sb strings.Builder
		sb.WriteString("POST /forward HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n")
		var h http.Header
		if i == 0 {
			h = epistula.Sign(alice, big, f.bob, time.Now())
		} else {
			h = epistula.Sign(zed, big, f.bob, time.Now())
		}
		for name, v := range h {
			fmt.Fprintf(&sb, "%s: %s\r\n", name, v[0])
		}
		sb.WriteString("\r\n")
		heads[i] = sb.String()
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	open := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	for i := range conns {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
		if _, err := c.Write([]byte(heads[i%2])); err != nil {
			t.Fatal(err)
		}
		c.Write(big[:1024])
	}
	// Every connection has been answered (403, 503) or holds a buffer.
	time.Sleep(500 * time.Millisecond)
	var during runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&during)
	grew := int64(during.HeapInuse) - int64(before.HeapInuse)
	peak := f.g.Bodies.Peak()
	t.Logf("%d connections announcing 1 MiB: heap +%d KiB, body budget peak %d KiB of %d KiB",
		conns, grew>>10, peak>>10, budget>>10)
	if peak > budget {
		t.Errorf("body budget peak %d > %d", peak, budget)
	}
	if ceiling := int64(budget + conns*64<<10); grew > ceiling {
		t.Errorf("heap grew %d KiB with %d connections, ceiling %d KiB", grew>>10, conns, ceiling>>10)
	}
	// The unregistered half was answered 403 without its body being read.
	r := bufio.NewReader(open[1])
	open[1].SetReadDeadline(time.Now().Add(5 * time.Second))
	if line, err := r.ReadString('\n'); err != nil || !strings.Contains(line, "403") {
		t.Errorf("unregistered claim: %q %v, want a 403", line, err)
	}
}

// TestLargeUnreadBodyClosesConnection: a refusal that leaves a body over
// 16 KiB unread closes the connection (net/http alone would drain a
// 100 KiB one to keep the connection); a small one keeps it.
func TestLargeUnreadBodyClosesConnection(t *testing.T) {
	f := newOrderFixture(t, 0)
	f.g.trace = nil
	srv := httptest.NewServer(f.g.HandlerLimit(echo, 0))
	defer srv.Close()
	zed := mustKey(t, "//Zed")
	for _, tt := range []struct {
		size  int
		close bool
	}{{100 << 10, true}, {100, false}} {
		body := make([]byte, tt.size)
		req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(body))
		for k, v := range epistula.Sign(zed, body, f.bob, time.Now()) {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 || resp.Close != tt.close {
			t.Errorf("%d-byte body: %d, close %v; want 403, close %v", tt.size, resp.StatusCode, resp.Close, tt.close)
		}
	}
}
