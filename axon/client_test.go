package axon

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// The Client reads answers as the SDK's process_server_response does: what
// it cannot parse is a 422 "Failed to parse response", recorded in both
// terminals.
func TestClientParsesAsTheSDK(t *testing.T) {
	alice, miner := mustKey(t, "//Alice"), mustKey(t, "//Miner")
	okBody := `{"name":"Dummy","axon":{"status_code":200,"status_message":"Success"},"dummy_input":1,"dummy_output":2}`
	for _, c := range []struct {
		name    string
		status  int
		ctype   string
		headers map[string]string
		body    string
		want    int    // 0: success
		message string // the error's message, when want != 0
	}{
		{"200 with the synapse", 200, "application/json", map[string]string{HeaderAxonStatusCode: "200"}, okBody, 0, ""},
		{"status header with a decimal point", 200, "application/json", map[string]string{HeaderAxonStatusCode: "200.0"}, okBody, 422, ""},
		{"port header not an int", 200, "application/json", map[string]string{HeaderAxonPort: "80a"}, okBody, 422, ""},
		{"no axon.status_code", 200, "application/json", nil, `{"name":"Dummy","axon":{},"dummy_output":2}`, 422, ""},
		{"axon.status_code not 200", 200, "application/json", nil, `{"axon":{"status_code":500}}`, 422, ""},
		{"not JSON", 200, "application/json", nil, `<html>`, 422, ""},
		{"not a JSON answer", 200, "text/html", nil, okBody, 422, ""},
		{"a field of the wrong type", 200, "application/json", nil, `{"axon":{"status_code":200},"dummy_output":"two"}`, 422, ""},
		{"403 with a message", 403, "application/json", nil, `{"message":"Forbidden. Key is blacklisted: no."}`, 403, "Forbidden. Key is blacklisted: no."},
		{"401, the header's message wins", 401, "application/json", map[string]string{HeaderAxonStatusMessage: "from the header"}, `{"message":"from the body"}`, 401, "from the header"},
		{"500 without JSON", 500, "text/plain", nil, "boom", 500, "Internal Server Error"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", c.ctype)
				for k, v := range c.headers {
					w.Header()[k] = []string{v}
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			defer srv.Close()
			d := &dummy{DummyInput: 1}
			err := (&Client{Signer: alice}).Call(context.Background(), Target{URL: srv.URL, Hotkey: miner.Address()}, d, 2*time.Second)
			if c.want == 0 {
				if err != nil || *d.DummyOutput != 2 || *d.Dendrite.StatusCode != 200 {
					t.Fatalf("%v %+v", err, d)
				}
				return
			}
			var se *StatusError
			if !errors.As(err, &se) || se.Status != c.want || *d.Dendrite.StatusCode != c.want || *d.Axon.StatusCode != c.want {
				t.Fatalf("got %v (dendrite %v), want %d", err, d.Dendrite.StatusCode, c.want)
			}
			if c.message != "" && se.Message != c.message {
				t.Errorf("message %q, want %q", se.Message, c.message)
			}
		})
	}
}

// Nonces of one Client increase strictly even when calls come in the same
// nanosecond, and its uuid stays.
func TestClientNonces(t *testing.T) {
	c := &Client{Signer: mustKey(t, "//Alice")}
	c.init()
	last := int64(0)
	for range 1000 {
		n := c.nonce()
		if n <= last {
			t.Fatalf("nonce %d after %d", n, last)
		}
		last = n
	}
	u := c.UUID
	c.init()
	if c.UUID != u || u == "" {
		t.Errorf("uuid %q then %q", u, c.UUID)
	}
}

// Concurrent calls to one miner: with a Client each they all pass; from
// one Client some may arrive out of order and be refused, as a Python axon
// refuses them, never served twice.
func TestClientConcurrency(t *testing.T) {
	alice, miner := mustKey(t, "//Alice"), mustKey(t, "//Miner")
	rt := dummyRoute(t)
	v := &Verifier{Self: miner.Address()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p, err := ParseHeaders(r.Header)
		if err == nil {
			var h string
			if h, err = rt.Spec().BodyHash(body); err == nil {
				_, err = v.Verify(&p, h, time.Now())
			}
		}
		if err != nil {
			WriteError(w, err.(*Error))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rt.ServeHTTP(w, r)
	}))
	defer srv.Close()
	target := Target{URL: srv.URL, Hotkey: miner.Address()}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Go(func() {
			c := &Client{Signer: alice}
			errs <- c.Call(context.Background(), target, &dummy{DummyInput: 100 + i}, 5*time.Second) // (13 fails on purpose)
		})
	}
	wg.Wait()
	shared := &Client{Signer: alice}
	for i := range 32 {
		wg.Go(func() {
			err := shared.Call(context.Background(), target, &dummy{DummyInput: 100 + i}, 5*time.Second) // (13 fails on purpose)
			var se *StatusError
			if err != nil && (!errors.As(err, &se) || se.Status != 401) {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
