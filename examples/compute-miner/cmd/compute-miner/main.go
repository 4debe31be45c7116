// Command compute-miner is the compute-offering miner as a standalone
// program, built only on minerkit's public packages: copy it to start your
// own subnet's Pattern A miner. `minerkit serve` runs the same miner.
//
//	go run ./examples/compute-miner/cmd/compute-miner --network local --netuid 1 \
//	    --wallet-name miner --bid-per-hour 1.5 --external-url http://203.0.113.7:8091
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/minerkit/minerkit/computeoffer"
	"github.com/minerkit/minerkit/miner"
	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/wallet"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "compute-miner:", err)
		os.Exit(1)
	}
}

// run runs the miner until ctx ends; getenv supplies the environment.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("compute-miner", flag.ContinueOnError)
	cs := miner.ConfigFlags(fs)
	network := fs.String("network", "", "finney, test, local, or ws(s):// URLs")
	walletPath := fs.String("wallet-path", "", "wallets directory (default ~/.bittensor/wallets)")
	walletName := fs.String("wallet-name", "default", "wallet name")
	hotkeyName := fs.String("wallet-hotkey", "default", "hotkey name")
	bid := fs.Float64("bid-per-hour", 0, "price asked per hour")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := miner.LoadConfig(cs, getenv)
	if err != nil {
		return err
	}
	w, err := wallet.NewFromEnv(*walletPath, *walletName, *hotkeyName, getenv)
	if err != nil {
		return err
	}
	hot, err := w.HotkeyPair(wallet.DefaultPasswords())
	if err != nil {
		return err
	}
	net, err := subtensor.ResolveNetwork(subtensor.NetworkConfig{Network: *network, Getenv: getenv})
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	client, err := subtensor.Dial(dctx, net, subtensor.Options{})
	cancel()
	if err != nil {
		return err
	}
	defer client.Close()

	chain := &miner.Chain{Client: client, Hotkey: hot}
	if cfg.Register {
		if chain.Coldkey, err = w.Coldkey(wallet.DefaultPasswords()); err != nil {
			return err
		}
	}
	srv, err := miner.New(cfg, hot, chain.Source(), miner.WithChain(chain))
	if err != nil {
		return err
	}
	computeoffer.New(computeoffer.Config{BidPerHour: *bid}).Register(srv)
	return srv.Run(ctx)
}
