package miner

import (
	"slices"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
)

type nodeAxonCall struct {
	SURI         string         `json:"suri,omitempty"`
	Synapse      string         `json:"synapse,omitempty"`
	Fields       map[string]any `json:"fields,omitempty"`
	HashFields   []string       `json:"hashFields,omitempty"`
	FloatFields  []string       `json:"floatFields,omitempty"`
	Replay       bool           `json:"replay,omitempty"`
	NonceDeltaNs string         `json:"nonceDeltaNs,omitempty"`
	FromLast     bool           `json:"fromLastNonce,omitempty"`
}

type nodeAxonResult struct {
	Status         int               `json:"status"`
	Message        string            `json:"message"`
	Synapse        map[string]any    `json:"synapse"`
	AxonHeaders    map[string]string `json:"axonHeaders"`
	RawHeaderNames []string          `json:"rawHeaderNames"`
	AxonStatusCode int               `json:"axonStatusCode"`
	BodyHash       string            `json:"bodyHash"`
	Stream         string            `json:"stream"`
	SignatureValid *bool             `json:"axonSignatureValid"`
}

// TestInteropNodeDendrite: a dendrite written in Node from PROTOCOLS.md §6,
// signing with polkadot-js, gets 200 and a synapse it parses the SDK's way
// (case-sensitive bt_header_axon_* headers, ints without a decimal point),
// is refused a replayed and an older nonce, and an unregistered hotkey gets
// the SDK's 403; polkadot-js verifies the answer's axon signature.
func TestInteropNodeDendrite(t *testing.T) {
	g := startAxonMiner(t, func(c *Config) { c.AxonSignAnswers = true })
	promptFields := map[string]any{
		"prompt": "It's \"quoted\"\tand é€😀", "stops": []string{"a'b", "c\\d", "\n"},
		"temperature": 0.7, "meta": map[string]string{"z": "1", "a": "2"}, "completion": "",
	}
	calls := []nodeAxonCall{
		{SURI: "//V1", Synapse: "Dummy", Fields: map[string]any{"dummy_input": 21, "dummy_output": nil}, HashFields: []string{"dummy_input"}},
		{Replay: true},
		{SURI: "//V1", Synapse: "Dummy", Fields: map[string]any{"dummy_input": 1}, HashFields: []string{"dummy_input"}, NonceDeltaNs: "-1", FromLast: true},
		{SURI: "//Stranger", Synapse: "Dummy", Fields: map[string]any{"dummy_input": 1}, HashFields: []string{"dummy_input"}},
		{SURI: "//V1", Synapse: "Prompt", Fields: promptFields, HashFields: []string{"prompt", "stops", "temperature", "meta"}, FloatFields: []string{"temperature"}},
		{SURI: "//V1", Synapse: "Synapse"},
		{SURI: "//V1", Synapse: "Nope"},
		{SURI: "//V1", Synapse: "StreamPrompt", Fields: map[string]any{"prompt": "one two"}, HashFields: []string{"prompt"}},
	}
	var out struct{ Results []nodeAxonResult }
	interoptest.RunJSON(t, "axon.js", map[string]any{"url": g.api, "miner": g.miner.Address(), "calls": calls}, &out)
	if len(out.Results) != len(calls) {
		t.Fatalf("%d results for %d calls", len(out.Results), len(calls))
	}
	r := out.Results
	if r[0].Status != 200 || r[0].AxonStatusCode != 200 || r[0].Message != "Success" || r[0].Synapse["dummy_output"] != 42.0 {
		t.Errorf("call: %+v", r[0])
	}
	if !slices.Contains(r[0].RawHeaderNames, "bt_header_axon_status_code") || r[0].AxonHeaders["hotkey"] != g.miner.Address() {
		t.Errorf("answer headers %v / %v", r[0].RawHeaderNames, r[0].AxonHeaders)
	}
	if r[0].SignatureValid == nil || !*r[0].SignatureValid || r[5].SignatureValid == nil || !*r[5].SignatureValid {
		t.Errorf("the answers' axon signatures (polkadot-js): %v, %v", r[0].SignatureValid, r[5].SignatureValid)
	}
	if d, _ := r[0].Synapse["dendrite"].(map[string]any); d == nil || d["hotkey"] != mustKey(t, "//V1").Address() {
		t.Errorf("dendrite not echoed: %v", r[0].Synapse["dendrite"])
	}
	const tooOld = "Not Verified with error: Nonce is too old, a newer one was last processed"
	if r[1].Status != 401 || r[1].Message != tooOld {
		t.Errorf("replay: %+v", r[1])
	}
	if r[2].Status != 401 || r[2].Message != tooOld {
		t.Errorf("older nonce: %+v", r[2])
	}
	if r[3].Status != 403 || !strings.HasPrefix(r[3].Message, "Forbidden. Key is blacklisted: hotkey "+mustKey(t, "//Stranger").Address()+" is not registered") {
		t.Errorf("unregistered: %+v", r[3])
	}
	if r[4].Status != 200 || !strings.HasPrefix(r[4].Synapse["completion"].(string), "It's") {
		t.Errorf("prompt (Node's body hash %s): %+v", r[4].BodyHash, r[4])
	}
	if r[5].Status != 200 || r[5].Synapse["name"] != "Synapse" {
		t.Errorf("ping: %+v", r[5])
	}
	if r[7].Status != 200 || r[7].AxonStatusCode != 200 || r[7].Stream != "data: one\n\ndata: two\n\n" {
		t.Errorf("stream: %+v", r[7])
	}
	if r[6].Status != 404 || r[6].Message != "Synapse name 'Nope' not found. Available synapses ['Synapse', 'Dummy', 'Prompt', 'StreamPrompt', 'Boom']" {
		t.Errorf("unknown: %+v", r[6])
	}
}
