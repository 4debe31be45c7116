package epistula

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTransport(t *testing.T) {
	alice := mustKey(t, "//Alice")
	v := &Verifier{Self: bobAddr}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/target", http.StatusTemporaryRedirect)
			return
		}
		body, _ := io.ReadAll(r.Body)
		caller, err := v.Verify(r.Header, body, time.Now())
		if err != nil {
			http.Error(w, string(ReasonOf(err)), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, caller+" "+string(body))
	}))
	defer srv.Close()

	tests := []struct {
		name   string
		tr     *Transport
		ctx    context.Context
		path   string
		body   string
		status int
		want   string
	}{
		{"receiver from context", &Transport{Signer: alice}, WithReceiver(context.Background(), bobAddr), "/", "hello", 200, aliceAddr + " hello"},
		{"receiver func", &Transport{Signer: alice, Receiver: func(*http.Request) string { return bobAddr }}, context.Background(), "/", "", 200, aliceAddr},
		{"no receiver refused by default", &Transport{Signer: alice}, context.Background(), "/", "x", 401, "wrong_receiver"},
		{"X variant", &Transport{Signer: alice, X: true}, context.Background(), "/", "x", 200, aliceAddr + " x"},
		// A 307 redirect resends the body: GetBody gives it back, and the
		// transport signs the new request afresh (new uuid, no replay).
		{"redirect", &Transport{Signer: alice}, WithReceiver(context.Background(), bobAddr), "/redirect", "again", 200, aliceAddr + " again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(tt.ctx, "POST", srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := (&http.Client{Transport: tt.tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || strings.TrimSpace(string(got)) != tt.want {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, got, tt.status, tt.want)
			}
			if len(req.Header) != 0 {
				t.Errorf("the caller's request was modified: %v", req.Header)
			}
		})
	}
	if _, err := (&http.Client{Transport: &Transport{}}).Get(srv.URL); err == nil || !strings.Contains(err.Error(), "Signer") {
		t.Errorf("no signer: %v", err)
	}
}

func TestKeyCacheBounded(t *testing.T) {
	c := keyCache{max: 2}
	for _, suri := range []string{"//A", "//B", "//C", "//D", "//A"} {
		k := mustKey(t, suri)
		vk, err := c.get(k.Address())
		if err != nil || vk.vk.Public() != k.Public() || vk.addr != k.Address() {
			t.Fatalf("%s: %v", suri, err)
		}
	}
	n := 0
	c.keys.Range(func(any, any) bool { n++; return true })
	if n > 2 {
		t.Fatalf("%d cached keys, bound 2", n)
	}
	if _, err := c.get("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"); err == nil {
		t.Fatal("bad checksum decoded")
	}
}
