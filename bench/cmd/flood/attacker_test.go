package main

import (
	"net/http"
	"testing"

	"github.com/minerkit/minerkit/bench"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

func TestAttackRequests(t *testing.T) {
	miner, err := keys.FromSURI("//Miner")
	if err != nil {
		t.Fatal(err)
	}
	val, err := keys.FromSURI("//Validator/0")
	if err != nil {
		t.Fatal(err)
	}
	captured := bench.Request{Header: http.Header{"X-Captured": {"1"}}, Body: []byte("{}")}
	for _, c := range classNames {
		t.Run(c.name, func(t *testing.T) {
			next, err := attackRequests(attackSpec{Class: c.name, Receiver: miner.Address(), Claim: val.Address(), Captured: captured})
			if c.name == slowClass {
				if err == nil {
					t.Fatal("the slow connections have no requests")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				r := next(i)
				if len(r.Body) == 0 || r.Header == nil {
					t.Fatalf("request %d: empty", i)
				}
			}
			switch c.name {
			case classNames[4].name:
				if got := next(0).Header.Get(epistula.HeaderSignedBy); got != val.Address() {
					t.Errorf("signed by %q, want the validator %q", got, val.Address())
				}
			case classNames[5].name:
				if next(7).Header.Get("X-Captured") != "1" {
					t.Error("not the captured request")
				}
			}
		})
	}
}
