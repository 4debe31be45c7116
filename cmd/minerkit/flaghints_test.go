package main

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/wallet"
)

func TestFlagHints(t *testing.T) {
	withFlags := func(names ...string) *cobra.Command {
		c := &cobra.Command{Use: "x"}
		for _, n := range names {
			c.Flags().String(n, "", "")
		}
		return c
	}
	loop := subtensor.CheckAxonAddr(netip.MustParseAddr("127.0.0.1"), 8091)
	for _, tc := range []struct {
		name string
		cmd  *cobra.Command
		err  error
		want string // "" for no hint
	}{
		{"price", withFlags("max-burn"), &subtensor.PriceAboveLimitError{Price: 3, Limit: 2}, "(the limit is --max-burn)"},
		{"price, chain", withFlags("max-burn"), fmt.Errorf("x: %w", &subtensor.ChainError{Pallet: "SubtensorModule", Name: "RegistrationPriceLimitExceeded"}), "(the limit is --max-burn)"},
		{"ip", withFlags("ip", "port"), loop, "(set it with --ip)"},
		{"serve spells it axon-ip", withFlags("axon-ip", "axon-port"), loop, "(set it with --axon-ip)"},
		{"port", withFlags("axon-ip", "axon-port"), subtensor.CheckAxonAddr(netip.MustParseAddr("203.0.113.7"), 0), "(set it with --axon-port)"},
		{"netuid", withFlags("netuid"), fmt.Errorf("%w: netuid 9", subtensor.ErrNoSubnet), "(check --netuid)"},
		{"amount", withFlags("amount"), fmt.Errorf("%w: stake", subtensor.ErrZeroAmount), "(pass --amount)"},
		{"death", withFlags("allow-death"), &subtensor.ChainError{Pallet: "Balances", Name: "Expendability"}, "(--allow-death allows it)"},
		{"overwrite", withFlags("overwrite"), fmt.Errorf("w: %w", wallet.ErrExists), "(--overwrite replaces it)"},
		{"backup password", withFlags("password-file", "json-password-file"), &wallet.NoPasswordError{What: "backup", Backup: true}, "(pass --json-password-file)"},
		{"key password", withFlags("password-file", "json-password-file"), &wallet.NoPasswordError{What: "coldkey", EnvVar: "BT_PW_X"}, "(pass --password-file)"},
		{"no such flag", withFlags(), &subtensor.PriceAboveLimitError{Price: 3, Limit: 2}, ""},
		{"unknown error", withFlags("netuid"), errors.New("boom"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := withFlagHint(tc.cmd, tc.err)
			if !errors.Is(got, tc.err) {
				t.Fatalf("%v does not wrap %v", got, tc.err)
			}
			if tc.want == "" {
				if got.Error() != tc.err.Error() {
					t.Fatalf("got %q, want no hint", got)
				}
				return
			}
			if !strings.HasSuffix(got.Error(), tc.want) {
				t.Fatalf("got %q, want it to end %q", got, tc.want)
			}
		})
	}
	if withFlagHint(withFlags("netuid"), nil) != nil {
		t.Fatal("nil error got a hint")
	}
}
