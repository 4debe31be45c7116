package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newEpistulaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "epistula",
		Short: "Sign and verify Epistula request headers (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("%s is not implemented yet in this build", cmd.CommandPath())
		},
	}
}
