package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newExporterCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "exporter",
		Short: "Prometheus exporter of incentive and emission (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("%s is not implemented yet in this build", cmd.CommandPath())
		},
	}
}
