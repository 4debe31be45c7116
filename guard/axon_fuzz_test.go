package guard

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/axon"
)

type fuzzPrompt struct {
	axon.Synapse
	Prompt string             `json:"prompt"`
	Temps  []float64          `json:"temps"`
	Meta   map[string]any     `json:"meta"`
	Ints   map[int]*string    `json:"ints"`
	Out    *string            `json:"out"`
	Nested struct{ A []bool } `json:"nested"`
}

func (fuzzPrompt) RequiredHashFields() []string {
	return []string{"prompt", "temps", "meta", "ints", "nested"}
}

// FuzzAxonGuard sends arbitrary headers and bodies through the Axon layers
// and a synapse route: the answer is always 200 or a {"message": …} refusal
// with one of the SDK's statuses, never a panic or a 500.
func FuzzAxonGuard(f *testing.F) {
	alice, bob := mustKey(f, "//Alice"), mustKey(f, "//Bob")
	rt, err := axon.NewRoute(func(ctx context.Context, p *fuzzPrompt) error {
		out := strings.ToUpper(p.Prompt)
		p.Out = &out
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	c := &axon.Client{Signer: alice}
	syn := &fuzzPrompt{Prompt: "hi", Temps: []float64{0.5}, Meta: map[string]any{"k": []any{1, "x"}}}
	req, err := c.Request(context.Background(), axon.Target{URL: "http://miner", Hotkey: bob.Address()}, syn, 0)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(0, *syn.Dendrite.Nonce) // the seed is fresh
	var sb strings.Builder
	req.Header.Write(&sb)
	var body bytes.Buffer
	body.ReadFrom(req.Body)
	f.Add(sb.String(), body.Bytes())
	f.Add("bt_header_dendrite_hotkey: "+alice.Address()+"\nbt_header_dendrite_nonce: 1\nbt_header_dendrite_signature: 0x00\n", []byte(`{"prompt":1}`))
	f.Add("bt_header_dendrite_nonce: 99999999999999999999\n", []byte{0xff})

	g := New(bob.Address())
	g.Validators = &Validators{Metagraph: metagraph{alice.Address(): {ValidatorPermit: true}}}
	g.RateLimit = &RateLimit{Rate: 1e9, Burst: 1e9}
	a := &Axon{Verifier: &axon.Verifier{Self: bob.Address()}, MaxBodyBytes: 4096, Now: func() time.Time { return now }}
	h := g.AxonHandler(a, rt.Spec(), rt)
	allowed := map[int]bool{200: true, 400: true, 401: true, 403: true, 413: true, 429: true, 503: true}
	f.Fuzz(func(t *testing.T, block string, body []byte) {
		req := httptest.NewRequest("POST", "/fuzzPrompt", bytes.NewReader(body))
		for _, line := range strings.Split(block, "\n") {
			if k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":"); ok {
				req.Header.Add(k, strings.TrimSpace(v))
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			var out struct{ Message *string }
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Message == nil {
				t.Fatalf("refusal body %q is not {message}", rec.Body)
			}
		}
	})
}
