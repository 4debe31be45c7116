package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newDevnetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "devnet",
		Short: "Run the embedded subtensor-compatible devnet (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("%s is not implemented yet in this build", cmd.CommandPath())
		},
	}
}
