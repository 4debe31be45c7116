package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newGPUCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "gpu",
		Short: "Report NVIDIA GPUs through NVML (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return fmt.Errorf("%s is not implemented yet in this build", cmd.CommandPath())
		},
	}
}
