package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidatorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validator",
		Short: "Run a local test validator (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("%s is not implemented yet in this build", cmd.CommandPath())
		},
	}
}
