package main

import (
	"net/http"
	"testing"

	"github.com/minerkit/minerkit/internal/programtest"
)

// TestProgram runs the example on a devnet, with its wallet found through
// BT_WALLET_* as the CLI finds it, until its /health answers; its route is
// behind the guard. Then it stops as on SIGTERM.
func TestProgram(t *testing.T) {
	programtest.Run(t, program, "//Alice//score-miner", []string{"--weight", "2"}, func(addr string) {
		resp, err := http.Post("http://"+addr+"/score", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("unsigned /score: %d", resp.StatusCode)
		}
	})
}

func TestProgramHelp(t *testing.T) { programtest.Help(t, program) }
