package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/gpu"
)

func newGPUCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "gpu",
		Short: "Report NVIDIA GPUs through NVML (count, names, UUIDs, memory, utilization, driver and CUDA versions)",
		Long: "gpu reads the NVIDIA GPUs of this machine through NVML (libnvidia-ml.so.1, loaded at run time).\n" +
			"Without a GPU or driver it prints \"no NVIDIA GPU found\" and exits 0.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGPU(cmd.OutOrStdout(), gpu.NVML{}, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// gpuJSON is the --json document: the report plus a count and, when there is
// no GPU, the reason.
type gpuJSON struct {
	Count int `json:"count"`
	gpu.Report
	Message string `json:"message,omitempty"`
}

func runGPU(w io.Writer, r gpu.Reader, asJSON bool) error {
	rep, err := r.Read()
	noGPU := errors.Is(err, gpu.ErrNoGPU)
	if err != nil && !noGPU {
		return err
	}
	if noGPU {
		rep.Devices = nil
	}
	if asJSON {
		out := gpuJSON{Count: rep.Count(), Report: rep}
		if out.Devices == nil {
			out.Devices = []gpu.Device{}
		}
		if noGPU {
			out.Message = err.Error()
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if noGPU {
		// "no NVIDIA GPU found: <reason>"; not an error: exit status 0.
		_, werr := fmt.Fprintln(w, strings.TrimPrefix(err.Error(), "gpu: "))
		return werr
	}
	return rep.WriteText(w)
}
