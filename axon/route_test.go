package axon

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type dummy struct {
	Synapse
	DummyInput  int  `json:"dummy_input"`
	DummyOutput *int `json:"dummy_output"`
}

func (dummy) RequiredHashFields() []string { return []string{"dummy_input"} }
func (dummy) SynapseName() string          { return "Dummy" }

func dummyRoute(t testing.TB) *Route {
	rt, err := NewRoute(func(_ context.Context, d *dummy) error {
		if d.DummyInput < 0 {
			return HandlerError(http.StatusBadRequest, "dummy_input must not be negative")
		}
		if d.DummyInput == 13 {
			return errors.New("unlucky")
		}
		out := d.DummyInput * 2
		d.DummyOutput = &out
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// The Client against a bare Route (no guard): the answer is the whole
// synapse, the handler's output filled, status 200 in both terminals.
func TestClientCallsRoute(t *testing.T) {
	alice, miner := mustKey(t, "//Alice"), mustKey(t, "//Miner")
	mux := http.NewServeMux()
	mux.Handle("POST /Dummy", dummyRoute(t))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := &Client{Signer: alice}
	d := &dummy{DummyInput: 21}
	if err := c.Call(context.Background(), Target{URL: srv.URL, Hotkey: miner.Address()}, d, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if d.DummyOutput == nil || *d.DummyOutput != 42 {
		t.Fatalf("output %v", d.DummyOutput)
	}
	if *d.Axon.StatusCode != 200 || *d.Axon.StatusMessage != "Success" || d.Axon.ProcessTime == nil {
		t.Errorf("axon terminal %+v", d.Axon)
	}
	if *d.Dendrite.StatusCode != 200 || *d.Dendrite.Hotkey != alice.Address() || d.Name != "Dummy" {
		t.Errorf("dendrite terminal %+v, name %q", d.Dendrite, d.Name)
	}
	for in, want := range map[int]int{-1: 400, 13: 500} {
		d := &dummy{DummyInput: in}
		err := c.Call(context.Background(), Target{URL: srv.URL, Hotkey: miner.Address()}, d, 5*time.Second)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != want || *d.Dendrite.StatusCode != want {
			t.Errorf("input %d: %v", in, err)
		}
		if want == 500 && !strings.HasPrefix(se.Message, "Internal Server Error #") {
			t.Errorf("500 message %q", se.Message)
		}
	}
}

// On the wire, the answer's headers are lowercase (the Python dendrite
// matches "bt_header_axon_" case-sensitively), integers have no decimal
// point, and the body is the whole synapse with status_code 200.
func TestRouteWireAnswer(t *testing.T) {
	alice, miner := mustKey(t, "//Alice"), mustKey(t, "//Miner")
	srv := httptest.NewServer(dummyRoute(t))
	defer srv.Close()
	c := &Client{Signer: alice}
	req, err := c.Request(context.Background(), Target{URL: srv.URL, Hotkey: miner.Address()}, &dummy{DummyInput: 2}, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req.Header.Set("Connection", "close")
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	for _, want := range []string{"\r\nbt_header_axon_status_code: 200\r\n", "\r\nbt_header_axon_status_message: Success\r\n",
		"\r\nbt_header_axon_hotkey: " + miner.Address() + "\r\n", "\r\nbt_header_dendrite_hotkey: " + alice.Address() + "\r\n",
		"\r\nname: Dummy\r\n", "\r\ntimeout: 12.0\r\n", "\r\nContent-Type: application/json\r\n"} {
		if !strings.Contains(head, want) {
			t.Errorf("answer lacks %q:\n%s", want, head)
		}
	}
	if strings.Contains(head, "Bt_header") {
		t.Errorf("canonicalized header names:\n%s", head)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	ax := m["axon"].(map[string]any)
	if ax["status_code"] != 200.0 || ax["status_message"] != "Success" || m["dummy_output"] != 4.0 || m["name"] != "Dummy" {
		t.Errorf("body %s", body)
	}
	// The body's keys come in the SDK's order: the shared fields first.
	if !strings.HasPrefix(body, `{"name":"Dummy","timeout":12,"total_size":`) {
		t.Errorf("body order %s", body)
	}
}

func TestUnknownSynapseMessage(t *testing.T) {
	e := UnknownSynapse("Nope", []string{"Synapse", "Dummy"})
	if e.Status != 404 || e.Message != "Synapse name 'Nope' not found. Available synapses ['Synapse', 'Dummy']" {
		t.Errorf("%d %q", e.Status, e.Message)
	}
	if b := Blacklisted("Unrecognized hotkey"); b.Status != 403 || b.Message != "Forbidden. Key is blacklisted: Unrecognized hotkey." {
		t.Errorf("%d %q", b.Status, b.Message)
	}
}

type story struct {
	Synapse
	Prompt string `json:"prompt"`
}

func (story) RequiredHashFields() []string { return []string{"prompt"} }

// A streaming synapse's chunks arrive one by one, each flushed before the
// handler writes the next.
func TestStreamRoute(t *testing.T) {
	alice, miner := mustKey(t, "//Alice"), mustKey(t, "//Miner")
	next := make(chan struct{})
	rt, err := NewStreamRoute(func(_ context.Context, s *story, out *Stream) error {
		for _, w := range strings.Fields(s.Prompt) {
			if _, err := io.WriteString(out, "data: "+w+"\n"); err != nil {
				return err
			}
			<-next // the client must have seen this chunk
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt)
	defer srv.Close()
	c := &Client{Signer: alice}
	var got []string
	s := &story{Prompt: "one two three"}
	err = c.CallStream(context.Background(), Target{URL: srv.URL, Hotkey: miner.Address()}, s, 5*time.Second, func(chunk []byte) error {
		got = append(got, string(chunk))
		next <- struct{}{}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "") != "data: one\ndata: two\ndata: three\n" {
		t.Errorf("chunks %q", got)
	}
	if s.Axon.StatusCode == nil || *s.Axon.StatusCode != 200 {
		t.Errorf("axon %+v", s.Axon)
	}
}

// A Raw synapse (fields known at run time) calls a typed route: the hash of
// its JSON values equals the route's of the typed fields.
func TestRawCallsTypedRoute(t *testing.T) {
	alice, miner := mustKey(t, "//Alice"), mustKey(t, "//Miner")
	rt, err := NewRoute(func(_ context.Context, s *mixedSynapse) error {
		out := s.Prompt + "!"
		s.Out = &out
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
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
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		rt.ServeHTTP(w, r)
	}))
	defer srv.Close()
	raw, err := NewRaw("mixedSynapse", []byte(`{"prompt":"hi","temps":[0.5,1.0],"n":3,"stream":false,"stop":null,"meta":{"b":"x","a":"é"},"out":null}`),
		[]string{"prompt", "temps", "n", "stream", "stop", "meta"})
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{Signer: alice}
	if err := c.Call(context.Background(), Target{URL: srv.URL, Hotkey: miner.Address()}, raw, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if string(raw.Fields["out"]) != `"hi!"` || *raw.Axon.StatusCode != 200 {
		t.Errorf("answer %s %+v", raw.Fields["out"], raw.Axon)
	}
	if _, err := NewRaw("X", []byte(`{"a":1}`), []string{"b"}); err == nil {
		t.Error("a hash field missing from the fields passed")
	}
	if _, err := NewRaw("1X", nil, nil); err == nil {
		t.Error("a bad name passed")
	}
}
