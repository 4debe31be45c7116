package main

import (
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "minerkit",
		Short:         "Build, run and test Bittensor subnet miners",
		Long:          "minerkit builds, runs and tests Bittensor subnet miners: wallets, chain calls,\nauthenticated HTTP miners, orchestrator-connected miners, and a local devnet to try it all on.",
		Version:       version,
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
	)
	root.AddCommand(newChainCmds()...)
	return root
}
