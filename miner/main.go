package miner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/onchain"
	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/wallet"
)

// Program is a custom miner for Main and RunProgram: its name and, in
// Setup, its own flags and routes. Everything else — the serve settings
// (ConfigFlags), the network, the wallet, dialing the chain, attaching it,
// signals and draining — is theirs.
type Program struct {
	// Name is the program's name, in its usage line and errors.
	Name string
	// Setup adds the program's own flags to fs and returns the function
	// that registers its routes on the Server once it exists (Handle,
	// HandleSynapse, ...). Nil: a miner with no routes of its own.
	Setup func(fs *flag.FlagSet) func(srv *Server) error
}

// Main runs p as the whole program: os.Args, the environment, SIGINT and
// SIGTERM (a graceful drain), and exit status 1 on error (0 for -h).
func Main(p Program) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := RunProgram(ctx, p, os.Args[1:], os.Getenv)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
		os.Exit(1)
	}
}

// RunProgram is Main without the process: it parses args (the serve
// settings of ConfigFlags, --network, --wallet.path, --wallet.name,
// --wallet.hotkey, then p's own), reads the environment through getenv
// (MINERKIT_* settings, BT_WALLET_*, BT_SUBTENSOR_NETWORK, as the minerkit
// CLI does), loads the hotkey (and the coldkey only if a registration is
// needed), dials the chain, builds the Server, lets p register its routes
// and runs until ctx ends.
func RunProgram(ctx context.Context, p Program, args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	cs := ConfigFlags(fs)
	network := fs.String("network", "", "finney, test, local, devnet, or ws(s):// URLs (default: BT_SUBTENSOR_NETWORK, else finney)")
	walletPath := fs.String("wallet.path", "", "wallets directory (default: BT_WALLET_PATH, else ~/.bittensor/wallets)")
	walletName := fs.String("wallet.name", "", "wallet name (default: BT_WALLET_NAME, else default)")
	hotkeyName := fs.String("wallet.hotkey", "", "hotkey name (default: BT_WALLET_HOTKEY, else default)")
	var routes func(*Server) error
	if p.Setup != nil {
		routes = p.Setup(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := LoadConfig(cs, getenv)
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
	chain := &onchain.Chain{Client: client, Hotkey: hot}
	if cfg.Register {
		chain.LoadColdkey = func() (keys.Signer, error) { return w.Coldkey(wallet.DefaultPasswords()) }
	}
	srv, err := New(cfg, hot, chain.Source(), WithChain(chain))
	if err != nil {
		return err
	}
	if routes != nil {
		if err := routes(srv); err != nil {
			return err
		}
	}
	return srv.Run(ctx)
}
