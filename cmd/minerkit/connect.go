package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/gpu"
	"github.com/minerkit/minerkit/inferenceminer"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/orchestrator"
)

func newConnectCmd() *cobra.Command {
	var (
		url, transport, auth, purpose, journal, suri, logFormat, metricsAddr string
		concurrency, maxInFlight                                             int
		jobTimeout, maxBackoff, heartbeat, drain                             time.Duration
		verbose                                                              bool
	)
	cmd := &cobra.Command{
		Use:   "connect --orchestrator URL [flags]",
		Short: "Run the Pattern B miner: an outbound connection to an orchestrator that pushes jobs",
		Long: `Run the orchestrator-connected miner (package inferenceminer).

The miner dials the orchestrator (Socket.IO v4 by default, or a plain WebSocket carrying
JSON), proves its hotkey with a FRESH sr25519 signature over "<hotkey>:<unix seconds>:<purpose>"
on every (re)connect, and retries forever with full-jitter exponential backoff (the first
connect too: start it before the orchestrator if you like). It reports its GPUs on connect
and in a heartbeat, runs "inference" jobs (a small deterministic computation) with a
concurrency limit and a per-job timeout, and keeps a journal on disk so that a job delivered
again after a reconnect, an orchestrator restart or a miner crash is never run twice.
Results finished while disconnected are reported on reconnect until acknowledged.
SIGINT/SIGTERM drains: no new jobs, running ones finish and are reported, then it exits.

Only the hotkey is loaded (--wallet.*, or --suri for development keys).`,
		Example: `  minerkit connect --orchestrator https://orchestrator.example.com --wallet.name miner
  minerkit connect --orchestrator ws://127.0.0.1:8080/ws --transport ws --suri //Alice
  minerkit connect --orchestrator http://127.0.0.1:3000 --auth event   # Chutes-style "authenticate"`,
		Args: cobra.NoArgs,
	}
	wf := addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.StringVar(&url, "orchestrator", os.Getenv("MINERKIT_ORCHESTRATOR"), "orchestrator URL: http(s)://host[:port][/namespace] or ws(s)://… (env MINERKIT_ORCHESTRATOR)")
	fs.StringVar(&transport, "transport", string(orchestrator.TransportSocketIO), "socketio or ws (plain WebSocket with JSON messages)")
	fs.StringVar(&auth, "auth", string(orchestrator.AuthConnect), `connect (credentials in the connect payload) or event (emit "authenticate", Chutes style)`)
	fs.StringVar(&purpose, "purpose", orchestrator.DefaultPurpose, `last part of the signed message "<hotkey>:<nonce>:<purpose>"`)
	fs.StringVar(&journal, "journal", "", "job journal file (default: $XDG_STATE_HOME or ~/.local/state, then minerkit/orchestrator/<hotkey>.jsonl)")
	fs.StringVar(&suri, "suri", "", "use this SURI (//Alice, a mnemonic, 0x seed) as the hotkey instead of the wallet; for development")
	fs.IntVar(&concurrency, "concurrency", 0, "jobs run at once (default: number of CPUs)")
	fs.IntVar(&maxInFlight, "max-in-flight", 0, "jobs held at once, running or waiting (default: 4 × concurrency); beyond it jobs are not read or acknowledged until one ends (backpressure)")
	fs.DurationVar(&jobTimeout, "job-timeout", 10*time.Minute, "time limit of one job")
	fs.DurationVar(&maxBackoff, "max-backoff", 60*time.Second, "cap of the reconnection backoff")
	fs.DurationVar(&heartbeat, "heartbeat", 30*time.Second, "heartbeat period")
	fs.DurationVar(&drain, "drain-timeout", 30*time.Second, "on SIGTERM, how long to wait for running jobs")
	fs.StringVar(&logFormat, "log-format", "text", "text or json")
	fs.StringVar(&metricsAddr, "metrics-listen", "", "serve Prometheus metrics (minerkit_orchestrator_*) at http://ADDR/metrics, e.g. 127.0.0.1:9109 (default off)")
	fs.BoolVarP(&verbose, "verbose", "v", false, "log every job")

	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if url == "" {
			return errors.New("connect: --orchestrator is required (or set MINERKIT_ORCHESTRATOR)")
		}
		tr := orchestrator.Transport(transport)
		if tr != orchestrator.TransportSocketIO && tr != orchestrator.TransportWebSocket {
			return fmt.Errorf("connect: --transport %q: want socketio or ws", transport)
		}
		style := orchestrator.AuthStyle(auth)
		if style != orchestrator.AuthConnect && style != orchestrator.AuthEvent {
			return fmt.Errorf("connect: --auth %q: want connect or event", auth)
		}
		var signer *keys.Keypair
		var err error
		if suri != "" {
			signer, err = keys.FromSURI(suri)
		} else {
			signer, err = loadHotkey(wf)
		}
		if err != nil {
			return fmt.Errorf("connect: load hotkey: %w", err)
		}
		if journal == "" {
			if journal, err = orchestrator.DefaultJournalPath(signer.Address()); err != nil {
				return fmt.Errorf("connect: %w: pass --journal", err)
			}
		}
		level := slog.LevelInfo
		if verbose {
			level = slog.LevelDebug
		}
		opts := &slog.HandlerOptions{Level: level}
		var h slog.Handler = slog.NewTextHandler(cmd.ErrOrStderr(), opts)
		if logFormat == "json" {
			h = slog.NewJSONHandler(cmd.ErrOrStderr(), opts)
		}
		log := slog.New(h)
		log.Info("minerkit connect", "orchestrator", url, "transport", tr, "auth", style, "hotkey", signer.Address(), "journal", journal)
		var reg *prometheus.Registry
		if metricsAddr != "" {
			reg = prometheus.NewRegistry()
			reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
			ln, err := net.Listen("tcp", metricsAddr)
			if err != nil {
				return fmt.Errorf("connect: --metrics-listen: %w", err)
			}
			mux := http.NewServeMux()
			mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
			srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
			go srv.Serve(ln)
			defer srv.Close()
			log.Info("metrics", "url", "http://"+ln.Addr().String()+"/metrics")
		}
		cfg := inferenceminer.Config{
			URL: url, Signer: signer, JournalPath: journal, Transport: tr, AuthStyle: style,
			Purpose: purpose, Concurrency: concurrency, MaxInFlight: maxInFlight, JobTimeout: jobTimeout, MaxBackoff: maxBackoff,
			HeartbeatInterval: heartbeat, DrainTimeout: drain, GPU: gpu.NVML{}, Logger: log,
		}
		if reg != nil {
			cfg.Registerer = reg
		}
		return inferenceminer.Run(cmd.Context(), cfg)
	}
	return cmd
}
