package main

import (
	"testing"

	"github.com/minerkit/minerkit/internal/programtest"
)

// TestRun runs the example program on a devnet until its /health answers,
// then stops it as SIGTERM would.
func TestRun(t *testing.T) {
	programtest.Run(t, program, "//Alice//axon-miner", []string{"--word-delay", "1ms"}, nil)
}

func TestRunHelp(t *testing.T) { programtest.Help(t, program) }
