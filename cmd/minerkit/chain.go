package main

import (
	"context"

	"github.com/spf13/cobra"
)

// newChainCmds returns the chain commands: register, commit, serve-axon,
// metagraph, status, balance, transfer, stake.
func newChainCmds() []*cobra.Command {
	return []*cobra.Command{
		newRegisterCmd(),
		newCommitCmd(),
		newServeAxonCmd(),
		newMetagraphCmd(),
		newStatusCmd(),
		newBalanceCmd(),
		newTransferCmd(),
		newStakeCmd(),
	}
}

// withTimeout bounds a chain command by --timeout.
func (f *chainFlags) withTimeout(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if f.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, f.timeout)
}
