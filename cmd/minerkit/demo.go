package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/minerkit/minerkit/demo"
)

func newDemoCmd() *cobra.Command {
	var (
		o       demo.Options
		jsonOut bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole life of a miner on an embedded devnet, in seconds",
		Long: `Run the whole life of a Pattern A miner on this machine, with nothing to install:

  an embedded devnet (fast blocks) → throwaway wallets funded from //Alice → a miner and a
  validator registered on subnet 1, the validator staked → the compute miner serving on
  127.0.0.1 and committing its URL → the local validator finding it in the commitments and
  querying it with Epistula-signed requests → a call from an unregistered hotkey refused
  (403) and a replayed request refused (401) → weights set → the miner's incentive and
  emission above zero after the next epoch.

The demo stops a couple of blocks after everything was seen, after --duration, or on
Ctrl-C, prints a summary, and exits 0 when everything was seen (1 otherwise, saying which
step failed). The wallets live in a temporary directory removed at the end, unless --dir.`,
		Example: `  go run ./cmd/minerkit demo
  minerkit demo --json > summary.json
  minerkit demo --dir ./demo-wallets --block-time 1s --duration 2m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The live view goes to stdout, or to stderr when stdout carries JSON.
			view := cmd.OutOrStdout()
			if jsonOut {
				view = cmd.ErrOrStderr()
			}
			o.Out, o.Live = view, isTerminal(view)
			if f, ok := view.(*os.File); ok && o.Live {
				if w, _, err := term.GetSize(int(f.Fd())); err == nil {
					o.Width = w
				}
			}
			sum, err := demo.Run(cmd.Context(), o)
			if sum == nil {
				return err
			}
			out := cmd.OutOrStdout()
			if jsonOut {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if encErr := enc.Encode(sum); encErr != nil {
					return encErr
				}
			} else {
				fmt.Fprintln(out)
				sum.WriteTable(out)
			}
			if err != nil {
				if errors.Is(err, demo.ErrIncomplete) {
					return exitError{code: 1, msg: err.Error() + " (try a longer --duration)"}
				}
				return err
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.DurationVar(&o.Duration, "duration", 60*time.Second, "stop after this long (the demo ends earlier once everything was seen)")
	fs.StringVar(&o.Dir, "dir", "", "keep the throwaway wallets and the log (demo.log) in this directory\n(default: a temporary directory, removed at the end)")
	fs.DurationVar(&o.BlockTime, "block-time", 250*time.Millisecond, "the devnet's block time")
	fs.Uint16Var(&o.Tempo, "tempo", 10, "blocks between epochs on the demo subnet")
	fs.BoolVar(&jsonOut, "json", false, "print the summary as JSON on stdout (the live view goes to stderr)")
	return cmd
}
