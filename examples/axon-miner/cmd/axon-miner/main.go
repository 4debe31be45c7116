// Command axon-miner serves the axonminer example's synapses to validators
// that use the Python SDK's dendrite, with minerkit's guard in front:
//
//	go run ./examples/axon-miner/cmd/axon-miner --network local --netuid 1 \
//	    --wallet-name miner --axon-ip 203.0.113.7
//
// (--axon-ip announces the axon on chain with serve_axon, where Python
// validators look for miners.)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	axonminer "github.com/minerkit/minerkit/examples/axon-miner"
	"github.com/minerkit/minerkit/miner"
	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/wallet"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "axon-miner:", err)
		os.Exit(1)
	}
}

// run runs the miner until ctx ends; getenv supplies the environment.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("axon-miner", flag.ContinueOnError)
	cs := miner.ConfigFlags(fs)
	network := fs.String("network", "", "finney, test, local, or ws(s):// URLs")
	walletPath := fs.String("wallet-path", "", "wallets directory (default ~/.bittensor/wallets)")
	walletName := fs.String("wallet-name", "default", "wallet name")
	hotkeyName := fs.String("wallet-hotkey", "default", "hotkey name")
	delay := fs.Duration("word-delay", 50*time.Millisecond, "pause between two streamed words of a Story")
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
	if err := axonminer.Register(srv, axonminer.Tell{Delay: *delay}); err != nil {
		return err
	}
	return srv.Run(ctx)
}
