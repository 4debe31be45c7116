package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/buildinfo"
)

// version, if set at build time with -ldflags "-X main.version=…",
// replaces the module version the build recorded.
var version = ""

// build is this binary's build information.
func build() buildinfo.Info {
	in := buildinfo.Read()
	if version != "" {
		in.Version = version
	}
	return in
}

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show what this binary is: module version, VCS revision and time, modified tree, Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := build()
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(in)
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "minerkit", in)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "minerkit",
		Short:         "Build, run and test Bittensor subnet miners",
		Long:          "minerkit builds, runs and tests Bittensor subnet miners: wallets, chain calls,\nauthenticated HTTP miners, orchestrator-connected miners, and a local devnet to try it all on.",
		Version:       build().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newDemoCmd(),
		newWalletCmd(),
		newKeysCmd(),
		newEpistulaCmd(),
		newDevnetCmd(),
		newServeCmd(),
		newQueryCmd(),
		newGPUCmd(),
		newValidatorCmd(),
		newConnectCmd(),
		newActivityCmd(),
		newExporterCmd(),
		newVersionCmd(),
	)
	root.AddCommand(newChainCmds()...)
	addFlagHints(root)
	return root
}
