package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/subtensor"
)

// metagraphReport is `minerkit metagraph --json`'s output.
type metagraphReport struct {
	NetUID  uint16             `json:"netuid"`
	Block   uint64             `json:"block"`
	Neurons []metagraph.Neuron `json:"neurons"`
}

var metagraphSorts = map[string]func(a, b metagraph.Neuron) int{
	"uid":       func(a, b metagraph.Neuron) int { return cmp.Compare(a.UID, b.UID) },
	"stake":     func(a, b metagraph.Neuron) int { return cmp.Compare(b.Stake, a.Stake) },
	"incentive": func(a, b metagraph.Neuron) int { return cmp.Compare(b.Incentive, a.Incentive) },
	"emission":  func(a, b metagraph.Neuron) int { return cmp.Compare(b.Emission, a.Emission) },
	"dividends": func(a, b metagraph.Neuron) int { return cmp.Compare(b.Dividends, a.Dividends) },
	"consensus": func(a, b metagraph.Neuron) int { return cmp.Compare(b.Consensus, a.Consensus) },
}

func newMetagraphCmd() *cobra.Command {
	var (
		netuid  uint16
		sortBy  string
		limit   int
		full    bool
		noCommi bool
	)
	cmd := &cobra.Command{
		Use:     "metagraph --netuid N",
		Short:   "Show a subnet's neurons: UID, hotkey, stake, permit, incentive, emission, endpoint",
		Example: "  minerkit metagraph --netuid 1 --sort incentive\n  minerkit metagraph --netuid 1 --json",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, false)
	fs := cmd.Flags()
	fs.Uint16Var(&netuid, "netuid", 0, "subnet (required)")
	fs.StringVar(&sortBy, "sort", "uid", "order: uid, stake, incentive, emission, dividends, consensus")
	fs.IntVar(&limit, "limit", 0, "show only the first N rows")
	fs.BoolVar(&full, "full", false, "show whole hotkey addresses")
	fs.BoolVar(&noCommi, "no-commitments", false, "do not read commitments (one round trip instead of three)")
	_ = cmd.MarkFlagRequired("netuid")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		less, ok := metagraphSorts[sortBy]
		if !ok {
			return fmt.Errorf("--sort %q: use uid, stake, incentive, emission, dividends or consensus", sortBy)
		}
		sess, err := cf.open(cmd)
		if err != nil {
			return err
		}
		defer sess.close()
		ctx, c := sess.ctx, sess.c
		snap, err := readSnapshot(ctx, cf, cmd, c, netuid, noCommi)
		if err != nil {
			return err
		}
		ns := slices.Collect(snap.All())
		slices.SortStableFunc(ns, less)
		if limit > 0 && limit < len(ns) {
			ns = ns[:limit]
		}
		rep := metagraphReport{NetUID: netuid, Block: snap.Block(), Neurons: ns}
		return cf.out(cmd, rep, func(w io.Writer) { printMetagraph(w, rep, snap.Len(), full) })
	}
	return cmd
}

func readSnapshot(ctx context.Context, cf *chainFlags, cmd *cobra.Command, c *subtensor.Client, netuid uint16, noCommitments bool) (*metagraph.Snapshot, error) {
	sp := cf.spinner(cmd)
	defer sp.stop()
	sp.set(fmt.Sprintf("reading the metagraph of netuid %d", netuid))
	src := &metagraph.ChainSource{Client: c, SkipCommitments: noCommitments}
	return src.Snapshot(ctx, netuid)
}

func printMetagraph(w io.Writer, r metagraphReport, total int, full bool) {
	plural := "s"
	if total == 1 {
		plural = ""
	}
	fmt.Fprintf(w, "netuid %d at block %d: %d neuron%s\n", r.NetUID, r.Block, total, plural)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// Stake weight (what permits and the gate compare) is alpha + root τ ×
	// TaoWeight, counted in α; emission is paid in the subnet's α.
	fmt.Fprintln(tw, "UID\tHOTKEY\tALPHA α\tROOT τ\tSTAKE WEIGHT α\tVPERMIT\tINCENTIVE\tEMISSION α\tENDPOINT\t")
	for _, n := range r.Neurons {
		hk := n.Hotkey
		if !full {
			hk = short(hk)
		}
		permit := ""
		if n.ValidatorPermit {
			permit = "yes"
		}
		ep := n.Axon.String()
		if ep == "" {
			ep = n.CommitmentText()
		}
		if len(ep) > 48 {
			ep = ep[:47] + "…"
		}
		ep = strings.Map(func(r rune) rune {
			if r < 0x20 {
				return '.'
			}
			return r
		}, ep)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%.4f\t%s\t%s\t\n", n.UID, hk, subtensor.Rao(n.AlphaStake).Decimal(),
			subtensor.Rao(n.RootStake).Decimal(), subtensor.Rao(n.Stake).Decimal(), permit, n.Incentive, subtensor.Rao(n.Emission).Decimal(), ep)
	}
	tw.Flush()
}

func newStatusCmd() *cobra.Command {
	var (
		netuid uint16
		of     string
		watch  bool
		every  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "status --netuid N",
		Short: "Show the hotkey's standing: UID, rank, incentive, emission, immunity, endpoint",
		Long: `Show the wallet's hotkey (or --of ADDRESS) on a subnet: UID, rank by incentive
among miners, incentive, emission per tempo and per day in τ, the block it
registered at, immunity left and the committed endpoint. --watch refreshes
on every new block.`,
		Example: "  minerkit status --netuid 1\n  minerkit status --netuid 1 --watch --json",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, false)
	wf := addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.Uint16Var(&netuid, "netuid", 0, "subnet (required)")
	fs.StringVar(&of, "of", "", "hotkey address to show instead of the wallet's")
	fs.BoolVar(&watch, "watch", false, "keep showing, refreshed as blocks arrive (Ctrl-C to stop)")
	fs.DurationVar(&every, "every", 0, "with --watch: refresh at most this often (default: every block)")
	_ = cmd.MarkFlagRequired("netuid")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var err error
		hot, err := func() (pk [32]byte, err error) {
			if of != "" {
				return parseAccount(of)
			}
			return hotkeyPub(wf)
		}()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		var cancel context.CancelFunc
		if watch {
			ctx, cancel = context.WithCancel(ctx)
		} else {
			ctx, cancel = cf.withTimeout(cmd)
		}
		defer cancel()
		c, err := cf.connect(ctx, cmd)
		if err != nil {
			return err
		}
		defer c.Close()
		show := func() error {
			qctx, qcancel := context.WithTimeout(ctx, 30*time.Second)
			defer qcancel()
			st, err := c.Status(qctx, netuid, hot)
			if err != nil {
				return err
			}
			if watch && !cf.json {
				if isTerminal(cmd.OutOrStdout()) {
					fmt.Fprint(cmd.OutOrStdout(), "\033[H\033[2J")
				}
			}
			if watch && cf.json {
				return printJSONLine(cmd.OutOrStdout(), st)
			}
			return cf.out(cmd, st, func(w io.Writer) { printStatus(w, st) })
		}
		if !watch {
			return show()
		}
		return watchBlocks(ctx, c, every, cmd.ErrOrStderr(), show)
	}
	return cmd
}

func printStatus(w io.Writer, st *subtensor.MinerStatus) {
	if !st.Registered {
		fmt.Fprintf(w, "%s is not registered on netuid %d (block %d); run minerkit register --netuid %d\n", st.Hotkey, st.NetUID, st.Block, st.NetUID)
		return
	}
	role := "miner"
	if st.ValidatorPermit {
		role = "validator (permit)"
	}
	fmt.Fprintf(w, "hotkey      %s\n", st.Hotkey)
	fmt.Fprintf(w, "netuid      %d at block %d\n", st.NetUID, st.Block)
	fmt.Fprintf(w, "uid         %d (%s)\n", st.UID, role)
	if len(st.Mechanisms) > 1 {
		fmt.Fprintf(w, "mechanisms  %d (rank and incentive below are mechanism 0's)\n", len(st.Mechanisms))
	}
	fmt.Fprintf(w, "rank        %d of %d miners by incentive\n", st.Rank, st.Miners)
	fmt.Fprintf(w, "incentive   %.6f\n", st.Incentive)
	for _, m := range st.Mechanisms {
		fmt.Fprintf(w, "mechanism %d incentive %.6f, rank %d of %d (%.1f%% of the subnet's emission)\n", m.Mechanism, m.Incentive, m.Rank, m.Miners, 100*m.Share)
	}
	if st.ValidatorPermit || st.Dividends > 0 {
		fmt.Fprintf(w, "dividends   %.6f\n", st.Dividends)
	}
	// Stake weight and emission are counted in the subnet's alpha.
	fmt.Fprintf(w, "stake       %s α (stake weight: alpha + root stake × TaoWeight)\n", st.Stake.Decimal())
	fmt.Fprintf(w, "emission    %s α per tempo (%d blocks), about %s α per day\n", st.EmissionPerTempo.Decimal(), st.Tempo, st.EmissionPerDay.Decimal())
	fmt.Fprintf(w, "registered  at block %d\n", st.RegisteredAt)
	if st.ImmunityLeft > 0 {
		fmt.Fprintf(w, "immunity    %d blocks left (about %s)\n", st.ImmunityLeft, st.ImmunityLeftTime.Round(time.Second))
	} else {
		fmt.Fprintf(w, "immunity    over: the UID can be replaced when the subnet is full\n")
	}
	ax := st.Axon
	if ax == "" {
		ax = "not served (minerkit serve-axon)"
	}
	fmt.Fprintf(w, "axon        %s\n", ax)
	if st.Commitment != "" {
		fmt.Fprintf(w, "committed   %q (block %d)\n", st.Commitment, st.CommitmentBlock)
	} else {
		fmt.Fprintf(w, "committed   nothing (minerkit commit --endpoint URL)\n")
	}
}
