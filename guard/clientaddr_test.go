package guard

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	tp, err := ParseTrustedProxies([]string{"10.0.0.0/8", " 127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		peer   string
		xff    []string
		want   string
		noneTP string // the answer with no trusted proxies
	}{
		{"direct client, no header", "203.0.113.7:5000", nil, "203.0.113.7", "203.0.113.7"},
		{"direct client forging the header", "203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7", "203.0.113.7"},
		{"one trusted proxy", "127.0.0.1:40000", []string{"198.51.100.9"}, "198.51.100.9", "127.0.0.1"},
		{"client-written hops left of the real one are ignored", "127.0.0.1:40000", []string{"6.6.6.6, 198.51.100.9"}, "198.51.100.9", "127.0.0.1"},
		{"two trusted hops", "10.1.2.3:80", []string{"198.51.100.9, 10.9.9.9"}, "198.51.100.9", "10.1.2.3"},
		{"repeated headers read as one list", "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.9", "10.9.9.9"}, "198.51.100.9", "10.1.2.3"},
		{"every hop trusted: the leftmost", "10.1.2.3:80", []string{"10.0.0.5, 10.9.9.9"}, "10.0.0.5", "10.1.2.3"},
		{"junk hop: the last trusted address", "127.0.0.1:1", []string{"198.51.100.9, junk"}, "127.0.0.1", "127.0.0.1"},
		{"IPv6 proxy", "[::1]:1", []string{"2001:db8::1"}, "2001:db8::1", "::1"},
		{"IPv4-mapped peer", "[::ffff:127.0.0.1]:1", []string{"198.51.100.9"}, "198.51.100.9", "127.0.0.1"},
		{"trusted proxy, no header", "127.0.0.1:1", nil, "127.0.0.1", "127.0.0.1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.peer
		for _, h := range tt.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := tp.ClientAddr(r).String(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
		var none *TrustedProxies
		if got := none.ClientAddr(r).String(); got != tt.noneTP {
			t.Errorf("%s, nothing trusted: %s, want %s", tt.name, got, tt.noneTP)
		}
	}
	if _, err := ParseTrustedProxies([]string{"nginx"}); err == nil {
		t.Error("a host name was accepted as a trusted proxy")
	}
}

func FuzzClientAddr(f *testing.F) {
	tp, _ := ParseTrustedProxies([]string{"10.0.0.0/8", "127.0.0.1"})
	f.Add("127.0.0.1:1", "1.2.3.4, 10.0.0.1")
	f.Add("10.0.0.1:1", ",,, ,")
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", xff)
		a := tp.ClientAddr(r)
		if a.IsValid() && tp.Contains(a) && !tp.Contains(remoteAddr(peer)) {
			t.Fatalf("untrusted peer %q, client %v", peer, a)
		}
	})
}
