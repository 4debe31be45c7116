// Package axonminer is a miner for validators that query with the Bittensor
// SDK's dendrite (the Axon protocol), built only on minerkit's public
// packages: the subnet template's Dummy synapse, and a streaming synapse.
// Copy it to serve your subnet's synapses from Go.
//
// A synapse is declared as a Go struct mirroring the Python class: embed
// axon.Synapse, give each field the Python field's name as its JSON name,
// and list the class's required_hash_fields (the same names, in the same
// order) in RequiredHashFields. The handler fills in the answer's fields;
// the miner's guard has already checked the dendrite's signature, nonce,
// validator permit, stake and rate limit.
package axonminer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/miner"
)

// Dummy is the subnet template's synapse (template/protocol.py):
//
//	class Dummy(bt.Synapse):
//	    dummy_input: int
//	    dummy_output: typing.Optional[int] = None
//
// The template declares no required_hash_fields, so its body is not signed:
// a Go declaration must list exactly what the Python class lists, or every
// request fails its body hash.
type Dummy struct {
	axon.Synapse
	DummyInput  int  `json:"dummy_input"`
	DummyOutput *int `json:"dummy_output"`
}

// Story is a streaming synapse: the miner sends the answer word by word, one
// line each, flushed as written.
//
//	class Story(bt.StreamingSynapse):
//	    prompt: str
//	    required_hash_fields: ClassVar[tuple[str, ...]] = ("prompt",)
type Story struct {
	axon.Synapse
	Prompt string `json:"prompt"`
}

// RequiredHashFields is the Python class's required_hash_fields.
func (Story) RequiredHashFields() []string { return []string{"prompt"} }

// Forward answers Dummy as the template's miner does: twice the input.
func Forward(ctx context.Context, d *Dummy) error {
	if d.DummyInput > 1<<40 || d.DummyInput < -(1<<40) {
		return axon.HandlerError(http.StatusBadRequest, "dummy_input is out of range")
	}
	out := d.DummyInput * 2
	d.DummyOutput = &out
	return nil
}

// Tell streams the prompt back word by word, Delay apart.
type Tell struct{ Delay time.Duration }

// Stream is the Story handler.
func (t Tell) Stream(ctx context.Context, s *Story, out *axon.Stream) error {
	caller, _ := guard.Caller(ctx)
	for i, w := range strings.Fields(s.Prompt) {
		if i > 0 && t.Delay > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(t.Delay):
			}
		}
		if _, err := io.WriteString(out, w+"\n"); err != nil {
			return fmt.Errorf("axonminer: stream to %s: %w", caller, err)
		}
	}
	return nil
}

// Register serves Dummy and Story on s (POST /Dummy, POST /Story), beside
// whatever else s serves.
func Register(s *miner.Server, tell Tell) error {
	dummy, err := axon.NewRoute(Forward)
	if err != nil {
		return err
	}
	story, err := axon.NewStreamRoute(tell.Stream)
	if err != nil {
		return err
	}
	if err := s.HandleSynapse(dummy); err != nil {
		return err
	}
	return s.HandleSynapse(story)
}
