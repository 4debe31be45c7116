package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newActivityCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "activity",
		Short: "Pattern C: register, link identity, check status (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("%s is not implemented yet in this build", cmd.CommandPath())
		},
	}
}
