// Command compute-miner is the compute-offering miner as a standalone
// program, built only on minerkit's public packages: copy it to start your
// own subnet's Pattern A miner. `minerkit serve` runs the same miner.
//
//	go run ./examples/compute-miner/cmd/compute-miner --network local --netuid 1 \
//	    --wallet.name miner --bid-per-hour 1.5 --external-url http://203.0.113.7:8091
package main

import (
	"flag"

	"github.com/minerkit/minerkit/computeoffer"
	"github.com/minerkit/minerkit/miner"
)

func main() { miner.Main(program) }

var program = miner.Program{Name: "compute-miner", Setup: func(fs *flag.FlagSet) func(*miner.Server) error {
	bid := fs.Float64("bid-per-hour", 0, "price asked per hour")
	return func(srv *miner.Server) error {
		computeoffer.New(computeoffer.Config{BidPerHour: *bid}).Register(srv)
		return nil
	}
}}
