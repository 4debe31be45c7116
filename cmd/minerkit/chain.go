package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newChainCmds returns the chain commands: register, commit, serve-axon,
// metagraph, status, balance, transfer, stake.
func newChainCmds() []*cobra.Command {
	var out []*cobra.Command
	for _, u := range []string{"register", "commit", "serve-axon", "metagraph", "status", "balance", "transfer", "stake"} {
		out = append(out, &cobra.Command{
			Use:   u,
			Short: "chain command (not implemented yet)",
			RunE: func(cmd *cobra.Command, args []string) error {
				return fmt.Errorf("%s is not implemented yet in this build", cmd.CommandPath())
			},
		})
	}
	return out
}
