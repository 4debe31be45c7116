package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newWalletCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "wallet",
		Short: "Create and inspect btcli-compatible wallets (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("%s is not implemented yet in this build", cmd.CommandPath())
		},
	}
}
