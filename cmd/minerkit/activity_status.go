package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/activity"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// activityStatusReport is one `activity status --json` record; with --watch
// Changed names the rows that changed since the previous block.
type activityStatusReport struct {
	*activity.Status
	Changed []string `json:"changed,omitempty"`
}

func newActivityStatusCmd() *cobra.Command {
	var (
		netuid uint16
		github string
		of     string
		watch  bool
		every  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "status --netuid N [--github USER]",
		Short: "Show UID, rank, incentive, emission, immunity and whether the identity link is committed",
		Long: `Show the wallet's hotkey (or --of ADDRESS) on a subnet: UID, rank by incentive
among miners, incentive, emission per tempo and per day in τ, the block it
registered at, immunity left, and whether the identity commitment is present
(and names --github USER). --watch refreshes on every block and marks with *
what changed since the previous one.`,
		Example: "  minerkit activity status --netuid 74 --github octocat\n  minerkit activity status --netuid 74 --watch --json",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, false)
	wf := addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.Uint16Var(&netuid, "netuid", 0, "subnet (required)")
	fs.StringVar(&github, "github", "", "the GitHub user the identity commitment must name")
	fs.StringVar(&of, "of", "", "hotkey address to show instead of the wallet's")
	fs.BoolVar(&watch, "watch", false, "keep showing, refreshed as blocks arrive (Ctrl-C to stop)")
	fs.DurationVar(&every, "every", 0, "with --watch: refresh at most this often (default: every block)")
	_ = cmd.MarkFlagRequired("netuid")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var (
			hot keys.PublicKey
			err error
		)
		if of != "" {
			hot, err = parseAccount(of)
		} else {
			hot, err = hotkeyPub(wf)
		}
		if err != nil {
			return err
		}
		ctx, cancel := cf.withTimeout(cmd)
		if watch {
			cancel()
			ctx, cancel = context.WithCancel(cmdContext(cmd))
		}
		defer cancel()
		c, err := cf.connect(ctx, cmd)
		if err != nil {
			return err
		}
		defer c.Close()
		var prev *activity.Status
		show := func() error {
			qctx, qcancel := context.WithTimeout(ctx, 30*time.Second)
			defer qcancel()
			st, err := activity.ReadStatus(qctx, c, netuid, hot, github)
			if err != nil {
				if ctx.Err() != nil {
					return nil // stopped (Ctrl-C)
				}
				return err
			}
			if prev != nil && st.Block == prev.Block {
				return nil
			}
			rep := activityStatusReport{Status: st, Changed: activity.Changed(prev, st)}
			old := prev
			prev = st
			w := cmd.OutOrStdout()
			switch {
			case watch && cf.json:
				return printJSONLine(w, rep)
			case watch:
				if isTerminal(w) {
					fmt.Fprint(w, "\033[H\033[2J")
				}
				fmt.Fprintf(w, "netuid %d at block %d (%s)\n", st.NetUID, st.Block, time.Now().Format(time.TimeOnly))
				printActivityStatus(w, old, rep)
				return nil
			}
			return cf.out(cmd, rep, func(w io.Writer) {
				fmt.Fprintf(w, "netuid %d at block %d\n", st.NetUID, st.Block)
				printActivityStatus(w, nil, rep)
			})
		}
		if !watch {
			return show()
		}
		return watchBlocks(ctx, c, every, cmd.ErrOrStderr(), show)
	}
	return cmd
}

func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// printActivityStatus writes the rows; rows named in r.Changed get a * and
// their previous value.
func printActivityStatus(w io.Writer, prev *activity.Status, r activityStatusReport) {
	old := map[string]string{}
	if prev != nil {
		for _, row := range prev.Rows() {
			old[row.Name] = row.Value
		}
	}
	for _, row := range r.Rows() {
		mark := " "
		suffix := ""
		if slices.Contains(r.Changed, row.Name) {
			mark = "*"
			if v, ok := old[row.Name]; ok {
				suffix = "   (was " + v + ")"
			}
		}
		fmt.Fprintf(w, "%s %-11s %s%s\n", mark, row.Name, row.Value, suffix)
	}
}

func newActivityEnsureCmd() *cobra.Command {
	var (
		idf       identityFlags
		maxBurn   string
		proofFile string
	)
	cmd := &cobra.Command{
		Use:   "ensure --netuid N --github USER",
		Short: "Re-check registration and the identity commitment, repair what is missing (for cron or a timer)",
		Long: `Re-check that the wallet's hotkey is registered on the subnet and that its
commitment names the GitHub user; commit the identity field again when it is
missing or names someone else (free, signed by the hotkey). A lost registration
is paid for again only with --max-burn (the most to pay, asked for nothing);
without it, it is reported. With --proof-file the published proof is checked
too. Exit status 0 when everything holds (or was repaired), 1 with the list of
what could not be fixed.`,
		Example: `  minerkit activity ensure --netuid 74 --github octocat --password-file ~/.minerkit-pw --max-burn 0.5
  # crontab: */30 * * * * minerkit activity ensure --netuid 74 --github octocat >> ~/ensure.log 2>&1`,
		Args: cobra.NoArgs,
	}
	cf := addChainFlags(cmd, false)
	wf := addWalletFlags(cmd)
	addIdentityFlags(cmd, &idf, true, false)
	fs := cmd.Flags()
	fs.StringVar(&maxBurn, "max-burn", "", "allow paying up to this much, in TAO, to register again if the UID was lost")
	fs.StringVar(&proofFile, "proof-file", "", "also check the published proof in this file")
	fs.BoolVar(&cf.waitFinal, "wait-finalization", false, "wait for the block to be finalized, not just included")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := activity.CheckGitHubUser(idf.github); err != nil {
			return err
		}
		limit, err := parseMaxBurn(maxBurn)
		if err != nil {
			return err
		}
		hot, err := loadHotkey(wf)
		if err != nil {
			return err
		}
		cfg := activity.EnsureConfig{NetUID: idf.netuid, Hotkey: hot, GitHub: idf.github, Extra: idf.extraFields(cmd)}
		if proofFile != "" {
			if cfg.Proof, err = os.ReadFile(proofFile); err != nil {
				return fmt.Errorf("--proof-file: %w", err)
			}
		}
		sess, err := cf.open(cmd)
		if err != nil {
			return err
		}
		defer sess.close()
		ctx, c, sp := sess.ctx, sess.c, sess.sp
		cfg.Tx = cf.txOptions(sp)
		if limit > 0 {
			cfg.Coldkey = func() (keys.Signer, error) { return loadColdkey(wf) }
			cfg.Register = subtensor.RegisterOptions{TxOptions: cf.txOptions(sp), MaxBurn: limit}
		}
		sp.set(fmt.Sprintf("checking registration and identity on netuid %d", idf.netuid))
		rep, err := activity.Ensure(ctx, c, cfg)
		sp.stop()
		if perr := cf.out(cmd, rep, func(w io.Writer) {
			fmt.Fprintf(w, "%s  netuid %d  %s\n", time.Now().UTC().Format(time.RFC3339), idf.netuid, rep.Hotkey)
			printEnsure(w, rep)
		}); perr != nil {
			return perr
		}
		return ensureFailed(err)
	}
	return cmd
}
