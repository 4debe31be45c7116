package main

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/validator"
)

func newValidatorCmd() *cobra.Command {
	var (
		cfg          validator.Config
		body         string
		allowPrivate string
		once         bool
		mechanism    uint8
	)
	cmd := &cobra.Command{
		Use:   "validator --netuid N [flags]",
		Short: "Run a local test validator: query miners, score them, set weights",
		Long: `Run a test validator on a subnet. Each --interval it reads the metagraph, finds every
miner's endpoint in its commitment (an http(s) URL) or its axon, sends each one
--method --path with --body, signed with Epistula v2 by the hotkey (or, with --axon, the
synapse as the Python SDK's dendrite sends it), at most --concurrency
at once and each within --query-timeout, and scores the answers (availability and
latency). Once per tempo (--weights-interval) it sets weights from the smoothed scores,
with the subnet's weights version key (or --version-key) and within its weights rate
limit, as soon as the hotkey holds a validator permit.

The package behind it (github.com/minerkit/minerkit/validator) is meant to be copied:
replace its Scorer with your subnet's check of the answers.`,
		Example: `  minerkit validator --netuid 1 --network local --wallet.name validator
  minerkit validator --netuid 1 --network ws://127.0.0.1:9944 --path /cvm --body '{"nonce":"00ff"}' --once --json
  minerkit validator --netuid 1 --network local --axon ComputeOffer --body '{"nonce":"00ff"}' --hash-fields nonce`,
		Args: cobra.NoArgs,
	}
	cf := addChainFlags(cmd, false)
	wf := addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.Uint16Var(&cfg.NetUID, "netuid", 0, "subnet to validate (required)")
	fs.Uint8Var(&mechanism, "mechanism", 0, "subnet mechanism to set weights on (0: the main one; others need a runtime with mechanisms)")
	_ = cmd.MarkFlagRequired("netuid")
	fs.StringVar(&cfg.Method, "method", "POST", "HTTP method of the query")
	fs.StringVar(&cfg.Path, "path", "/cvm", "path of the query on each miner")
	fs.StringVar(&body, "body", "{}", "body of the query (with --axon: the synapse's fields, a JSON object)")
	fs.StringVar(&cfg.Synapse, "axon", "", "query with the Axon protocol (the Python SDK's dendrite): POST /{this synapse name}, --body as its fields")
	fs.StringSliceVar(&cfg.HashFields, "hash-fields", nil, "with --axon: the synapse's required_hash_fields, in order (comma-separated)")
	fs.DurationVar(&cfg.Interval, "interval", 12*time.Second, "time between two rounds of queries")
	fs.DurationVar(&cfg.Timeout, "query-timeout", 5*time.Second, "time limit of one query")
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "most queries in flight at once")
	fs.Uint64Var(&cfg.WeightsInterval, "weights-interval", 0, "blocks between two set_weights (default: the subnet's tempo)")
	fs.Uint64Var(&cfg.VersionKey, "version-key", 0, "weights version key (default: the subnet's current one)")
	fs.StringVar(&allowPrivate, "allow-private", "auto", "query miners on loopback and private addresses: true, false, or auto\n(true when the chain itself is on such an address)")
	fs.BoolVar(&once, "once", false, "run one round and exit")

	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		switch allowPrivate {
		case "true", "false", "auto":
		default:
			return fmt.Errorf("--allow-private %q: use true, false or auto", allowPrivate)
		}
		hot, err := loadHotkey(wf)
		if err != nil {
			return err
		}
		client, err := cf.connect(ctx, cmd)
		if err != nil {
			return err
		}
		defer client.Close()
		cfg.Body = []byte(body)
		cfg.AllowPrivate = allowPrivate == "true" || allowPrivate == "auto" && validator.PrivateNetwork(client.Network().Endpoints)
		v, err := validator.New(cfg, hot, &validator.SubtensorChain{Client: client, Hotkey: hot, Mechanism: mechanism})
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		var mu sync.Mutex // results arrive from several goroutines
		lastSkip := ""
		if cf.json {
			v.OnResult = func(r validator.Result) {
				mu.Lock()
				defer mu.Unlock()
				_ = printJSONLine(out, struct {
					Event string `json:"event"`
					validator.Result
					Error string `json:"error,omitempty"`
				}{"result", r, errString(r.Err)})
			}
			v.OnWeights = func(e validator.WeightsEvent) {
				mu.Lock()
				defer mu.Unlock()
				_ = printJSONLine(out, struct {
					Event string `json:"event"`
					validator.WeightsEvent
					Error string `json:"error,omitempty"`
				}{"weights", e, errString(e.Err)})
			}
		} else {
			fmt.Fprintf(out, "validator %s on subnet %d of %s: %s %s every %s\n", hot.Address(), cfg.NetUID, client.Network().Name, cfg.Method, cfg.Path, cfg.Interval)
			v.OnResult = func(r validator.Result) {
				mu.Lock()
				defer mu.Unlock()
				what := fmt.Sprint(r.Status)
				if r.Reason != "" {
					what += " " + r.Reason
				}
				if r.Err != nil {
					what = r.Err.Error()
				}
				fmt.Fprintf(out, "uid %-4d %-32s %-10s %s  %8s  score %.2f\n", r.UID, r.URL, "("+r.Source+")", what, r.Latency.Round(10*time.Microsecond), r.Score)
			}
			v.OnWeights = func(e validator.WeightsEvent) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case e.Set:
					lastSkip = ""
					fmt.Fprintf(out, "block %d: weights set: uids %v weights %v (version key %d)\n", e.Block, e.UIDs, e.Weights, e.VersionKey)
				case e.Err != nil:
					fmt.Fprintf(out, "block %d: set_weights failed: %v\n", e.Block, e.Err)
				case e.Skipped != lastSkip:
					lastSkip = e.Skipped
					fmt.Fprintf(out, "block %d: weights not set: %s\n", e.Block, e.Skipped)
				}
			}
		}
		if once {
			return v.Step(ctx)
		}
		v.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
		return v.Run(ctx)
	}
	return cmd
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
