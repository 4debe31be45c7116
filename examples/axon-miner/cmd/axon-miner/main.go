// Command axon-miner serves the axonminer example's synapses to validators
// that use the Python SDK's dendrite, with minerkit's guard in front:
//
//	go run ./examples/axon-miner/cmd/axon-miner --network local --netuid 1 \
//	    --wallet.name miner --axon-ip 203.0.113.7
//
// (--axon-ip announces the axon on chain with serve_axon, where Python
// validators look for miners.) miner.Main does the rest: settings, wallet,
// chain, signals and drain.
package main

import (
	"flag"
	"time"

	axonminer "github.com/minerkit/minerkit/examples/axon-miner"
	"github.com/minerkit/minerkit/miner"
)

func main() { miner.Main(program) }

var program = miner.Program{Name: "axon-miner", Setup: func(fs *flag.FlagSet) func(*miner.Server) error {
	delay := fs.Duration("word-delay", 50*time.Millisecond, "pause between two streamed words of a Story")
	return func(srv *miner.Server) error { return axonminer.Register(srv, axonminer.Tell{Delay: *delay}) }
}}
