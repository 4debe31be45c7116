package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/activity"
	"github.com/minerkit/minerkit/keys"
)

func newExporterCmd() *cobra.Command {
	var (
		netuid   uint16
		hotkeys  string
		listen   string
		interval uint64
	)
	cmd := &cobra.Command{
		Use:   "exporter --netuid N --hotkeys A,B,…",
		Short: "Prometheus exporter of incentive, emission, rank and immunity for any set of hotkeys",
		Long: `Serve Prometheus metrics (on /metrics) of the given hotkeys on a subnet:
registration, UID, incentive, dividends, emission per tempo and per day in τ,
rank among miners, stake, registration block, immunity left and the identity
commitment, plus the metagraph's block, age and sync health. The figures come
from a live metagraph refreshed every --sync-interval blocks; a scrape never
calls the chain. Without --hotkeys the wallet's hotkey is exported.

Metric names (stable): minerkit_neuron_registered, minerkit_neuron_incentive,
minerkit_neuron_dividends, minerkit_neuron_emission_per_tempo_tao,
minerkit_neuron_emission_per_day_tao, minerkit_neuron_rank,
minerkit_neuron_stake_tao, minerkit_neuron_validator_permit,
minerkit_neuron_active, minerkit_neuron_registered_at_block,
minerkit_neuron_immunity_left_blocks, minerkit_neuron_identity_committed
(labels netuid, hotkey, uid), minerkit_subnet_miners, minerkit_subnet_neurons,
minerkit_subnet_tempo_blocks, minerkit_metagraph_block,
minerkit_metagraph_age_seconds, minerkit_metagraph_reachable,
minerkit_metagraph_sync_failures, minerkit_metagraph_syncs_total (label netuid).`,
		Example: "  minerkit exporter --netuid 74 --hotkeys 5F…,5G… --listen :9477\n  # prometheus.yml: scrape_configs: [{job_name: minerkit, static_configs: [{targets: ['host:9477']}]}]",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, false)
	wf := addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.Uint16Var(&netuid, "netuid", 0, "subnet (required)")
	fs.StringVar(&hotkeys, "hotkeys", "", "SS58 addresses, comma-separated (default: the wallet's hotkey)")
	fs.StringVar(&listen, "listen", ":9477", "address to serve /metrics on")
	fs.Uint64Var(&interval, "sync-interval", 12, "refresh the metagraph every this many blocks")
	_ = cmd.MarkFlagRequired("netuid")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var pubs []keys.PublicKey
		for _, s := range strings.Split(hotkeys, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			pk, err := parseAccount(s)
			if err != nil {
				return fmt.Errorf("--hotkeys: %w", err)
			}
			pubs = append(pubs, pk)
		}
		if len(pubs) == 0 {
			pk, err := hotkeyPub(wf)
			if err != nil {
				return fmt.Errorf("no --hotkeys given and no wallet hotkey: %w", err)
			}
			pubs = append(pubs, pk)
		}
		ctx := cmdContext(cmd)
		c, err := cf.connect(ctx, cmd)
		if err != nil {
			return err
		}
		defer c.Close()
		log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
		e := activity.NewExporter(c, netuid, pubs)
		e.Syncer.Interval = interval
		e.Syncer.Logger = log
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return fmt.Errorf("--listen %s: %w (pick another port)", listen, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", e.Handler())
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, "minerkit exporter of %d hotkeys on netuid %d: /metrics\n", len(pubs), netuid)
		})
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		syncDone := make(chan error, 1)
		go func() { syncDone <- e.Run(ctx) }()
		go func() {
			<-ctx.Done()
			sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer scancel()
			_ = srv.Shutdown(sctx)
		}()
		log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics", "netuid", netuid, "hotkeys", len(pubs), "sync_interval_blocks", interval, "network", c.Network().Name)
		err = srv.Serve(ln)
		cancel()
		if serr := <-syncDone; serr != nil && err == nil {
			err = serr
		}
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
	return cmd
}
