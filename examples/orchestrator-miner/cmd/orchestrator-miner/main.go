// Command orchestrator-miner is a Pattern B miner as a standalone program,
// built only on minerkit's public packages: it connects out to an
// orchestrator, signs in with the hotkey, and runs package inferenceminer's
// jobs until SIGINT or SIGTERM. `minerkit connect` runs the same miner; copy
// this file to start your own.
//
//	go run ./examples/orchestrator-miner/cmd/orchestrator-miner \
//	    --url http://127.0.0.1:8000 --wallet-name miner --journal jobs.journal
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/inferenceminer"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/orchestrator"
	"github.com/minerkit/minerkit/wallet"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "orchestrator-miner:", err)
		os.Exit(1)
	}
}

// run runs the miner until ctx ends.
func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("orchestrator-miner", flag.ContinueOnError)
	url := fs.String("url", "", "the orchestrator's URL (http(s):// for Socket.IO, ws(s):// for plain WebSocket)")
	journal := fs.String("journal", "orchestrator-miner.journal", "the job journal file (one per miner process)")
	transport := fs.String("transport", string(orchestrator.TransportSocketIO), "socketio or ws (plain WebSocket with JSON messages)")
	suri := fs.String("suri", "", "sign with this development key (//Alice) instead of a wallet's hotkey")
	walletPath := fs.String("wallet-path", "", "wallets directory (default ~/.bittensor/wallets)")
	walletName := fs.String("wallet-name", "default", "wallet name")
	hotkeyName := fs.String("wallet-hotkey", "default", "hotkey name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("no orchestrator: pass --url")
	}
	var signer keys.Signer
	if *suri != "" {
		kp, err := keys.FromSURI(*suri)
		if err != nil {
			return err
		}
		signer = kp
	} else {
		w, err := wallet.NewFromEnv(*walletPath, *walletName, *hotkeyName, os.Getenv)
		if err != nil {
			return err
		}
		kp, err := w.HotkeyPair(wallet.DefaultPasswords())
		if err != nil {
			return err
		}
		signer = kp
	}
	return inferenceminer.Run(ctx, inferenceminer.Config{
		URL: *url, Signer: signer, JournalPath: *journal, Transport: orchestrator.Transport(*transport),
		GPU: gpu.NVML{}, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
}
