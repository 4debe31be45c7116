package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/minerkit/minerkit/miner"
)

// flagEnv names the environment variables the CLI reads for flags that are
// not part of serve's config file.
var flagEnv = map[string]string{
	"wallet.name":   "BT_WALLET_NAME",
	"wallet.hotkey": "BT_WALLET_HOTKEY",
	"wallet.path":   "BT_WALLET_PATH",
	"network":       "BT_SUBTENSOR_NETWORK",
	"orchestrator":  "MINERKIT_ORCHESTRATOR",
}

// writeConfigDoc writes docs/config.md: every setting of the long-running
// commands, from their flag sets (TestConfigDoc keeps the file current).
func writeConfigDoc(w io.Writer) error {
	// Flags that come from serve's config loader: environment variable
	// MINERKIT_<NAME> and a config-file key.
	configFlags := map[string]bool{}
	gfs := flag.NewFlagSet("config", flag.ContinueOnError)
	miner.ConfigFlags(gfs)
	gfs.VisitAll(func(f *flag.Flag) { configFlags[f.Name] = true })

	var b strings.Builder
	b.WriteString("# Settings reference\n\n")
	b.WriteString("Generated from the commands' flag sets by `make docs` (`TestConfigDoc` fails when this file is out of date).\n")
	b.WriteString("For `serve`, flags win over `MINERKIT_*` variables, which win over the JSON file given with `--config`\n")
	b.WriteString("(its keys are the flag names with `_` for `-`). Wallet and network flags fall back to btcli's `BT_*` variables.\n")
	for _, mk := range []func() *cobra.Command{newServeCmd, newConnectCmd, newExporterCmd, newValidatorCmd} {
		cmd := mk()
		fmt.Fprintf(&b, "\n## minerkit %s\n\n%s.\n\n", cmd.Name(), strings.TrimSuffix(cmd.Short, "."))
		b.WriteString("| flag | environment | config key | default | meaning |\n|---|---|---|---|---|\n")
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			env, key := flagEnv[f.Name], ""
			if cmd.Name() == "serve" && configFlags[f.Name] {
				key = strings.ReplaceAll(f.Name, "-", "_")
				env = "MINERKIT_" + strings.ToUpper(key)
				if f.Name == "config" {
					key = "" // the file itself
				}
			}
			def := f.DefValue
			if f.Value.Type() == "bool" && def == "false" {
				def = ""
			}
			cell := func(s string) string {
				if s == "" {
					return ""
				}
				return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
			}
			usage := strings.ReplaceAll(strings.ReplaceAll(f.Usage, "\n", " "), "|", `\|`)
			fmt.Fprintf(&b, "| `--%s` | %s | %s | %s | %s |\n", f.Name, cell(env), cell(key), cell(def), usage)
		})
	}
	_, err := io.WriteString(w, b.String())
	return err
}
