package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/subtensor"
)

func newRegisterCmd() *cobra.Command {
	var (
		netuid  uint16
		maxBurn string
	)
	cmd := &cobra.Command{
		Use:   "register --netuid N",
		Short: "Register the wallet's hotkey on a subnet by burning TAO (idempotent)",
		Long: `Register the wallet's hotkey on a subnet with burned_register, paid by the coldkey.

An already registered hotkey prints its UID and pays nothing. Otherwise the
current burn price is shown and you are asked before paying (--yes skips the
question); --max-burn refuses to pay more than that.`,
		Example: "  minerkit register --netuid 1 --wallet.name miner --wallet.hotkey default\n  minerkit register --netuid 1 --max-burn 2 --yes --network devnet",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, true)
	wf := addWalletFlags(cmd)
	cmd.Flags().Uint16Var(&netuid, "netuid", 0, "subnet to register on (required)")
	cmd.Flags().StringVar(&maxBurn, "max-burn", "", "pay at most this much, in TAO (e.g. 1.5)")
	_ = cmd.MarkFlagRequired("netuid")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var limit subtensor.Rao
		if maxBurn != "" {
			v, err := subtensor.ParseTAO(maxBurn)
			if err != nil {
				return fmt.Errorf("--max-burn: %w", err)
			}
			limit = v
		}
		hot, err := hotkeyPub(wf)
		if err != nil {
			return err
		}
		sess, err := cf.open(cmd)
		if err != nil {
			return err
		}
		defer sess.close()
		ctx, c := sess.ctx, sess.c
		// Registered already? Then no coldkey (and no password) is needed.
		if uid, ok, err := c.UID(ctx, netuid, hot); err != nil {
			return err
		} else if ok {
			res := &subtensor.RegisterResult{NetUID: netuid, UID: uid, AlreadyRegistered: true}
			return cf.out(cmd, res, func(w io.Writer) { printRegister(w, hot.Address(), res) })
		}
		cold, err := loadColdkey(wf)
		if err != nil {
			return err
		}
		sp := cf.spinner(cmd)
		defer sp.stop()
		var askErr error
		opts := subtensor.RegisterOptions{TxOptions: cf.txOptions(sp), MaxBurn: limit}
		opts.Confirm = func(price subtensor.Rao, bal subtensor.Balance) bool {
			ok, err := cf.confirm(cmd, sp, fmt.Sprintf("Register %s on netuid %d for %s (coldkey %s has %s)?", short(hot.Address()), netuid, price, short(cold.Address()), bal.Free))
			askErr = err
			return ok
		}
		sp.set("registering on netuid " + fmt.Sprint(netuid))
		res, err := c.BurnedRegister(ctx, cold, hot, netuid, opts)
		sp.stop()
		if askErr != nil {
			return askErr
		}
		if errors.Is(err, subtensor.ErrDeclined) {
			return exitError{code: 1, msg: "not registered: declined, nothing was paid"}
		}
		if err != nil {
			return err
		}
		return cf.out(cmd, res, func(w io.Writer) { printRegister(w, hot.Address(), res) })
	}
	return cmd
}

func printRegister(w io.Writer, hot string, r *subtensor.RegisterResult) {
	if r.AlreadyRegistered {
		fmt.Fprintf(w, "%s is already registered on netuid %d as UID %d; nothing paid\n", hot, r.NetUID, r.UID)
		return
	}
	fmt.Fprintf(w, "registered %s on netuid %d as UID %d for %s\n", hot, r.NetUID, r.UID, r.Price)
	printTx(w, r.Tx)
}

func newServeAxonCmd() *cobra.Command {
	var (
		netuid   uint16
		ipFlag   string
		port     uint16
		protocol uint8
		version  uint32
		force    bool
	)
	cmd := &cobra.Command{
		Use:   "serve-axon --netuid N --ip IP --port P",
		Short: "Announce where the hotkey's miner listens (serve_axon, free)",
		Long: `Announce the miner's public IP and port on a subnet with serve_axon, signed by
the hotkey. Nothing is sent when the chain already holds the same values.
Loopback and unspecified addresses are refused: validators could not reach them.`,
		Example: "  minerkit serve-axon --netuid 1 --ip 203.0.113.7 --port 8091",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, true)
	wf := addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.Uint16Var(&netuid, "netuid", 0, "subnet (required)")
	fs.StringVar(&ipFlag, "ip", "", "public IPv4 or IPv6 address (required)")
	fs.Uint16Var(&port, "port", 0, "port the miner listens on (required)")
	fs.Uint8Var(&protocol, "protocol", 4, "axon protocol number")
	fs.Uint32Var(&version, "axon-version", 0, "axon version number")
	fs.BoolVar(&force, "force", false, "send even if unchanged, and skip the address check")
	_ = cmd.MarkFlagRequired("netuid")
	_ = cmd.MarkFlagRequired("ip")
	_ = cmd.MarkFlagRequired("port")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ip, err := netip.ParseAddr(ipFlag)
		if err != nil {
			return fmt.Errorf("--ip %q is not an IP address; pass your public IP, like 203.0.113.7", ipFlag)
		}
		if !force {
			if err := subtensor.CheckAxonAddr(ip, port); err != nil {
				return err
			}
		}
		hot, err := loadHotkey(wf)
		if err != nil {
			return err
		}
		sess, err := cf.open(cmd)
		if err != nil {
			return err
		}
		defer sess.close()
		ctx, c, sp := sess.ctx, sess.c, sess.sp
		sp.set("serving axon")
		res, err := c.ServeAxon(ctx, hot, netuid, ip, port, subtensor.ServeOptions{TxOptions: cf.txOptions(sp), Protocol: protocol, Version: version, Force: force})
		sp.stop()
		if err != nil {
			return err
		}
		return cf.out(cmd, res, func(w io.Writer) {
			if !res.Skipped {
				fmt.Fprintf(w, "axon of %s on netuid %d is now %s\n", hot.Address(), netuid, netip.AddrPortFrom(ip, port))
			}
			printTx(w, res)
		})
	}
	return cmd
}
