package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/keys"
)

func newDevnetCmd() *cobra.Command {
	var (
		rpcAddr     string
		blockTime   time.Duration
		tempo       uint16
		genesis     string
		dataDir     string
		lag         uint32
		verbose     bool
		corsOrigins []string
		runtimeGen  string
	)
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run the embedded subtensor-compatible devnet (Substrate JSON-RPC over WebSocket and HTTP)",
		Long: "devnet runs a local chain that speaks subtensor's runtime and Substrate's JSON-RPC: real metadata,\n" +
			"signed extrinsics, storage, runtime APIs and Yuma epochs. It starts in milliseconds with no Docker.\n\n" +
			"Dev accounts //Alice, //Bob and //Charlie hold 1,000,000 TAO, //Dave, //Eve and //Ferdie 2,000 TAO;\n" +
			"//Alice is sudo and owns subnet 1 (commit-reveal on, as subtensor HEAD starts subnets). Stop it with Ctrl-C.\n" +
			"`minerkit devnet genesis` prints the default genesis as JSON to edit and pass with --genesis.\n\n" +
			"--runtime spec218 presents the older runtime that ../shared/realchain serves (node-subtensor spec 218:\n" +
			"no get_metagraph, TaoWeight per subnet, its own extension list and indices), to test a client on both.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g := devnet.DevGenesis()
			if genesis != "" {
				var err error
				if g, err = devnet.LoadGenesis(genesis); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("runtime") {
				g.Runtime = runtimeGen
			}
			if cmd.Flags().Changed("tempo") {
				g.SubnetDefaults.Tempo = tempo
				for i := range g.Subnets {
					if g.Subnets[i].Params != nil {
						g.Subnets[i].Params.Tempo = tempo
					}
				}
			}
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			start := time.Now()
			n, err := devnet.Start(cmd.Context(), devnet.Config{Addr: rpcAddr, BlockTime: blockTime, Genesis: g, DataDir: dataDir, FinalityLag: lag, Logger: log, CORSOrigins: corsOrigins})
			if err != nil {
				return err
			}
			printDevnet(cmd.OutOrStdout(), n, g, blockTime, time.Since(start))
			<-cmd.Context().Done()
			fmt.Fprintln(cmd.OutOrStdout(), "stopping devnet at block", n.BestNumber())
			return n.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&rpcAddr, "rpc", "127.0.0.1:9944", "listen address of the JSON-RPC server (WebSocket and HTTP on one port)")
	f.DurationVar(&blockTime, "block-time", 250*time.Millisecond, "time between blocks")
	f.Uint16Var(&tempo, "tempo", 10, "blocks between epochs of every subnet (overrides the genesis)")
	f.StringVar(&genesis, "genesis", "", "JSON genesis file (fields it omits keep the dev defaults)")
	f.StringVar(&dataDir, "data", "", "directory that keeps the chain across restarts (default: in memory)")
	f.Uint32Var(&lag, "finality-lag", 0, "blocks by which finality trails the best block (0: every block is final at once)")
	f.BoolVarP(&verbose, "verbose", "v", false, "log every block")
	f.StringVar(&runtimeGen, "runtime", devnet.RuntimeHEAD, "runtime generation to present: "+devnet.RuntimeHEAD+" (subtensor HEAD, spec 425) or "+devnet.RuntimeSpec218+" (node-subtensor spec 218; overrides the genesis)")
	f.StringSliceVar(&corsOrigins, "rpc-cors", nil, "browser origins allowed to call the HTTP RPC (e.g. https://polkadot.js.org, or * for any; default none)")
	cmd.AddCommand(&cobra.Command{
		Use:   "genesis",
		Short: "Print the default devnet genesis as JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(devnet.DevGenesis())
		},
	})
	return cmd
}

func printDevnet(w io.Writer, n *devnet.Node, g *devnet.Genesis, blockTime time.Duration, took time.Duration) {
	gh := n.GenesisHash()
	fmt.Fprintf(w, "minerkit devnet (%s) ready in %s\n", g.Chain, took.Round(time.Microsecond))
	fmt.Fprintf(w, "  rpc:          %s  (HTTP: %s)\n", n.URL(), n.HTTPURL())
	fmt.Fprintf(w, "  genesis hash: 0x%s\n", hex.EncodeToString(gh[:]))
	rt := g.Runtime
	if rt == "" {
		rt = devnet.RuntimeHEAD
	}
	fmt.Fprintf(w, "  runtime:      %s (spec %d)\n", rt, n.SpecVersion())
	fmt.Fprintf(w, "  block time:   %s, best block #%d\n", blockTime, n.BestNumber())
	fmt.Fprintln(w, "  accounts:")
	for _, a := range g.Accounts {
		addr := a.Account
		if kp, err := keys.FromSURI(a.Account); err == nil {
			addr = kp.Address()
		}
		fmt.Fprintf(w, "    %-10s %s  %s TAO\n", a.Account, addr, taoString(a.Balance))
	}
	for _, s := range g.Subnets {
		fmt.Fprintf(w, "  subnet %d owned by %s\n", s.Netuid, s.Owner)
	}
	if g.Sudo != "" {
		fmt.Fprintf(w, "  sudo: %s\n", g.Sudo)
	}
}

func taoString(rao uint64) string {
	whole, frac := rao/devnet.TAO, rao%devnet.TAO
	if frac == 0 {
		return fmt.Sprintf("%d", whole)
	}
	return fmt.Sprintf("%d.%09d", whole, frac)
}
