package axon_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/keys"
)

// Dummy is the subnet template's synapse, declared in Go: the Python class
// name is the type's name, the JSON names are the Python fields', and
// RequiredHashFields lists the class's required_hash_fields.
type Dummy struct {
	axon.Synapse
	DummyInput  int  `json:"dummy_input"`
	DummyOutput *int `json:"dummy_output"`
}

func (Dummy) RequiredHashFields() []string { return []string{"dummy_input"} }

func ExampleNewRoute() {
	route, err := axon.NewRoute(func(ctx context.Context, d *Dummy) error {
		out := d.DummyInput * 2
		d.DummyOutput = &out
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("POST /" + route.Name())
	// Output: POST /Dummy
}

func ExampleClient_Call() {
	route, _ := axon.NewRoute(func(ctx context.Context, d *Dummy) error {
		out := d.DummyInput * 2
		d.DummyOutput = &out
		return nil
	})
	// In a miner the route sits behind the guard (miner.Server.HandleSynapse).
	srv := httptest.NewServer(route)
	defer srv.Close()

	validator, _ := keys.FromSURI("//Alice")
	minerKey, _ := keys.FromSURI("//Miner")
	c := &axon.Client{Signer: validator}
	d := &Dummy{DummyInput: 21}
	err := c.Call(context.Background(), axon.Target{URL: srv.URL, Hotkey: minerKey.Address()}, d, 5*time.Second)
	fmt.Println(*d.DummyOutput, *d.Dendrite.StatusCode, err)
	// Output: 42 200 <nil>
}

// Hello has one hash field, prompt.
type Hello struct {
	axon.Synapse
	Prompt string `json:"prompt"`
}

func (Hello) RequiredHashFields() []string { return []string{"prompt"} }

func ExampleSpec_BodyHash() {
	spec, err := axon.SpecFor[Hello]()
	if err != nil {
		panic(err)
	}
	h, _ := spec.BodyHash([]byte(`{"name":"Hello","prompt":"hello"}`))
	fmt.Println(h)
	// Output: cd1ba9b9d9fae7c1e56ddf6aa2947ad2e0b83b96bd91dd4b67fc560e83589bad
}
