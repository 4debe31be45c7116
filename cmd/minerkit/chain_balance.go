package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func printJSONLine(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

// watchBlocks calls show now and after every new block (at most once per
// every, if non-zero) until ctx ends.
func watchBlocks(ctx context.Context, c *subtensor.Client, every time.Duration, errw io.Writer, show func() error) error {
	// A failed refresh is printed and the watch goes on; one cut short by
	// Ctrl-C or SIGTERM is the watch ending, not an error to print.
	fn := func() {
		if err := show(); err != nil && ctx.Err() == nil {
			fmt.Fprintln(errw, "minerkit:", err)
		}
	}
	// A new subscription first announces the current head, which the first
	// fn() already showed: refresh only for blocks past it.
	shown, _ := c.BlockNumber(ctx)
	fn()
	last := time.Now()
	for ctx.Err() == nil {
		st, err := c.RPC().ChainSubscribeNewHeads(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("follow new blocks: %w", err)
		}
	heads:
		for {
			select {
			case <-ctx.Done():
				break heads
			case h, ok := <-st.C():
				if !ok {
					break heads
				}
				if uint64(h.Number) <= shown || (every > 0 && time.Since(last) < every) {
					continue
				}
				shown, last = uint64(h.Number), time.Now()
				fn()
			}
		}
		uctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = st.Unsubscribe(uctx)
		cancel()
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

type balanceReport struct {
	Address string `json:"address"`
	subtensor.Balance
}

func newBalanceCmd() *cobra.Command {
	var addrs []string
	cmd := &cobra.Command{
		Use:     "balance [--address ADDR ...]",
		Short:   "Show the free, reserved and frozen TAO of the wallet's coldkey or of addresses",
		Example: "  minerkit balance --wallet.name miner\n  minerkit balance --address 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY --network devnet",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, false)
	wf := addWalletFlags(cmd)
	cmd.Flags().StringSliceVar(&addrs, "address", nil, "addresses to show (default: the wallet's coldkey)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var who []keys.PublicKey
		for _, a := range addrs {
			k, err := parseAccount(a)
			if err != nil {
				return err
			}
			who = append(who, k)
		}
		if len(who) == 0 {
			k, err := coldkeyPub(wf)
			if err != nil {
				return err
			}
			who = append(who, k)
		}
		sess, err := cf.open(cmd)
		if err != nil {
			return err
		}
		defer sess.close()
		ctx, c := sess.ctx, sess.c
		var reps []balanceReport
		for _, k := range who {
			b, err := c.Balance(ctx, k)
			if err != nil {
				return err
			}
			reps = append(reps, balanceReport{Address: k.Address(), Balance: b})
		}
		var v any = reps
		if len(reps) == 1 {
			v = reps[0]
		}
		return cf.out(cmd, v, func(w io.Writer) {
			for _, r := range reps {
				fmt.Fprintf(w, "%s  free %s", r.Address, r.Free)
				if r.Reserved != 0 || r.Frozen != 0 {
					fmt.Fprintf(w, "  reserved %s  frozen %s", r.Reserved, r.Frozen)
				}
				fmt.Fprintln(w)
			}
		})
	}
	return cmd
}

func newTransferCmd() *cobra.Command {
	var (
		dest, amount, suri string
		allowDeath         bool
	)
	cmd := &cobra.Command{
		Use:     "transfer --dest ADDR --amount TAO",
		Short:   "Send TAO from the wallet's coldkey",
		Example: "  minerkit transfer --dest 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --amount 1.5",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, true)
	wf := addWalletFlags(cmd)
	cmd.Flags().StringVar(&dest, "dest", "", "recipient address (required)")
	cmd.Flags().StringVar(&amount, "amount", "", "amount in TAO, e.g. 1.5 (required)")
	cmd.Flags().BoolVar(&allowDeath, "allow-death", false, "allow emptying the sender below the existential deposit")
	cmd.Flags().StringVar(&suri, "suri", "", "send from this SURI (//Alice, a mnemonic, 0x seed) instead of the wallet's coldkey; for development")
	_ = cmd.MarkFlagRequired("dest")
	_ = cmd.MarkFlagRequired("amount")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		to, err := parseAccount(dest)
		if err != nil {
			return fmt.Errorf("--dest: %w", err)
		}
		amt, err := subtensor.ParseTAO(amount)
		if err != nil {
			return fmt.Errorf("--amount: %w", err)
		}
		var cold *keys.Keypair
		if suri != "" {
			cold, err = keys.FromSURI(suri)
			if err != nil {
				return fmt.Errorf("--suri: %w", err)
			}
		} else if cold, err = loadColdkey(wf); err != nil {
			return err
		}
		sess, err := cf.open(cmd)
		if err != nil {
			return err
		}
		defer sess.close()
		ctx, c, sp := sess.ctx, sess.c, sess.sp
		if ok, err := cf.confirm(cmd, sp, fmt.Sprintf("Send %s from %s to %s?", amt, short(cold.Address()), to.Address())); err != nil {
			return err
		} else if !ok {
			return exitError{code: 1, msg: "not sent: declined"}
		}
		sp.set("transferring")
		tx, err := c.Transfer(ctx, cold, to, amt, allowDeath, cf.txOptions(sp))
		sp.stop()
		if err != nil {
			return err
		}
		return cf.out(cmd, tx, func(w io.Writer) {
			fmt.Fprintf(w, "sent %s to %s\n", amt, to.Address())
			printTx(w, tx)
		})
	}
	return cmd
}

func newStakeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "stake", Short: "Stake TAO (stake add)"}
	var (
		netuid      uint16
		amount, hot string
	)
	add := &cobra.Command{
		Use:     "add --netuid N --amount TAO",
		Short:   "Stake TAO from the wallet's coldkey onto a hotkey on a subnet",
		Example: "  minerkit stake add --netuid 1 --amount 10",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(add, true)
	wf := addWalletFlags(add)
	add.Flags().Uint16Var(&netuid, "netuid", 0, "subnet to stake on (required; ignored by chains before dynamic TAO)")
	add.Flags().StringVar(&amount, "amount", "", "amount in TAO (required)")
	add.Flags().StringVar(&hot, "hotkey-address", "", "stake onto this hotkey address (default: the wallet's hotkey)")
	_ = add.MarkFlagRequired("amount")
	_ = add.MarkFlagRequired("netuid")
	add.RunE = func(cmd *cobra.Command, _ []string) error {
		amt, err := subtensor.ParseTAO(amount)
		if err != nil {
			return fmt.Errorf("--amount: %w", err)
		}
		var hk keys.PublicKey
		if hot != "" {
			hk, err = parseAccount(hot)
		} else {
			hk, err = hotkeyPub(wf)
		}
		if err != nil {
			return err
		}
		cold, err := loadColdkey(wf)
		if err != nil {
			return err
		}
		sess, err := cf.open(cmd)
		if err != nil {
			return err
		}
		defer sess.close()
		ctx, c, sp := sess.ctx, sess.c, sess.sp
		if ok, err := cf.confirm(cmd, sp, fmt.Sprintf("Stake %s onto %s on netuid %d?", amt, short(hk.Address()), netuid)); err != nil {
			return err
		} else if !ok {
			return exitError{code: 1, msg: "not staked: declined"}
		}
		sp.set("staking")
		tx, err := c.AddStake(ctx, cold, hk, netuid, amt, cf.txOptions(sp))
		sp.stop()
		if errors.Is(err, subtensor.ErrNotEnoughBalance) {
			return err
		}
		if err != nil {
			return err
		}
		return cf.out(cmd, tx, func(w io.Writer) {
			if tao, alpha, ok := subtensor.StakeMoved(tx); ok && netuid != 0 {
				// The TAO swapped through the subnet's pool: say what it bought.
				fmt.Fprintf(w, "staked %s onto %s on netuid %d: received %s α\n", tao, hk.Address(), netuid, alpha.Decimal())
			} else {
				fmt.Fprintf(w, "staked %s onto %s on netuid %d\n", amt, hk.Address(), netuid)
			}
			printTx(w, tx)
		})
	}
	cmd.AddCommand(add)
	return cmd
}
