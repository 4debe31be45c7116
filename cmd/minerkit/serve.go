package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/computeoffer"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/miner"
	"github.com/minerkit/minerkit/onchain"
)

func newServeCmd() *cobra.Command {
	var (
		bid      float64
		gpuType  string
		vramGB   int
		gpuCount int
		redisURL string
	)
	cmd := &cobra.Command{
		Use:   "serve --netuid N [flags]",
		Short: "Run the Pattern A HTTP miner (the compute-offering example)",
		Long: `Run the compute miner: validators POST /cvm with Epistula-signed requests and get
this machine's GPU type, VRAM and your bid per hour, with an attestation field that says
"none" (serve makes no hardware attestation: a subnet that needs one plugs an Attester into
package computeoffer); GET /health is open.
Validators that use the Python SDK's dendrite get the same offer from the ComputeOffer
synapse (the Axon protocol: POST /ComputeOffer, and the /Synapse ping), on the same port
behind the same checks; --no-axon turns the Axon routes off.

Only the hotkey is loaded (the coldkey too with --register, to pay the burn). The miner
keeps a live metagraph (refreshed every --sync-interval blocks and early, rate limited,
when an unknown hotkey calls), lets in only callers with a validator permit and at least
--min-stake, rate-limits each validator, and commits --external-url on chain when it
changed. /health, /ready and /metrics are served on --admin-listen.

Several replicas of one hotkey share their replay records and per-validator
rate limits through --redis (one round trip per request); behind a reverse
proxy, --trusted-proxies names it so that X-Forwarded-For gives the client.

Every setting can also come from a MINERKIT_* environment variable (MINERKIT_MIN_STAKE)
or a JSON config file (--config), flags winning over the environment over the file.`,
		Example: `  minerkit serve --netuid 1 --network local --wallet.name miner --bid-per-hour 1.5 \
      --external-url http://203.0.113.7:8091
  MINERKIT_MIN_STAKE=10 minerkit serve --config miner.json`,
		Args: cobra.NoArgs,
	}
	cf := addChainFlags(cmd, false)
	wf := addWalletFlags(cmd)
	gfs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cs := miner.ConfigFlags(gfs)
	cmd.Flags().AddGoFlagSet(gfs)
	fs := cmd.Flags()
	fs.Float64Var(&bid, "bid-per-hour", 0, "price asked per hour for this machine's compute")
	fs.StringVar(&gpuType, "gpu-type", "", "GPU model to offer (default: what NVML reports, \"none\" without a GPU)")
	fs.IntVar(&vramGB, "vram-gb", 0, "VRAM per GPU in GiB to offer (default: what NVML reports)")
	fs.IntVar(&gpuCount, "gpu-count", 0, "number of GPUs to offer (default: what NVML reports)")
	fs.StringVar(&redisURL, "replay-redis", "", "former name of --redis (it now shares the rate limits too)")
	fs.MarkDeprecated("replay-redis", "use --redis (the same URL; it now shares the rate limits too)")

	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := miner.LoadConfig(cs, os.Getenv)
		if err != nil {
			return err
		}
		if redisURL != "" && cfg.Redis == "" {
			cfg.Redis = redisURL
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		log := miner.NewLogger(cmd.ErrOrStderr(), cfg.LogFormat, cfg.LogLevel)

		hot, err := loadHotkey(wf)
		if err != nil {
			return fmt.Errorf("serve: load hotkey: %w", err)
		}
		client, err := cf.connect(ctx, cmd)
		if err != nil {
			return err
		}
		defer client.Close()
		chain := &onchain.Chain{Client: client, Hotkey: hot}
		if cfg.Register {
			// The coldkey is opened (its password asked, Argon2 run) only if
			// the hotkey turns out not to be registered.
			chain.LoadColdkey = func() (keys.Signer, error) {
				k, err := loadColdkey(wf)
				if err != nil {
					return nil, fmt.Errorf("--register needs the coldkey: %w", err)
				}
				return k, nil
			}
		}
		srv, err := miner.New(cfg, hot, chain.Source(), miner.WithLogger(log), miner.WithChain(chain))
		if err != nil {
			return err
		}
		cm := computeoffer.New(computeoffer.Config{
			BidPerHour: bid, GPUType: gpuType, VRAMGB: vramGB, GPUCount: gpuCount, Logger: log,
		})
		if o, err := cm.Offer(); err == nil {
			log.Info("compute offer", "gpu_type", o.GPUType, "gpu_count", o.GPUCount, "vram_gb", o.VRAMGB, "bid_per_hour", o.BidPerHour, "attestation", "none")
		}
		cm.Register(srv)
		if err := srv.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	}
	return cmd
}
