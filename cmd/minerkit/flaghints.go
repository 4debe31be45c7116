package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/wallet"
)

// The libraries' errors name values, never flags (another program spells
// its flags differently). addFlagHints wraps every command so that an error
// it returns says which of that command's flags to change.
func addFlagHints(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			return withFlagHint(cmd, run(cmd, args))
		}
	}
	for _, sub := range c.Commands() {
		addFlagHints(sub)
	}
}

// flagHintError is a library error and the flag that fixes it.
type flagHintError struct {
	err  error
	hint string
}

func (e *flagHintError) Error() string { return e.err.Error() + " (" + e.hint + ")" }
func (e *flagHintError) Unwrap() error { return e.err }

// withFlagHint returns err with the flag of cmd that fixes it, when one is
// known and cmd has that flag.
func withFlagHint(cmd *cobra.Command, err error) error {
	if err == nil {
		return nil
	}
	if h := flagHint(cmd, err); h != "" {
		return &flagHintError{err: err, hint: h}
	}
	return err
}

// flagName returns "--name" for the first of names that cmd has, or "".
func flagName(cmd *cobra.Command, names ...string) string {
	for _, n := range names {
		if cmd.Flags().Lookup(n) != nil || cmd.InheritedFlags().Lookup(n) != nil {
			return "--" + n
		}
	}
	return ""
}

func flagHint(cmd *cobra.Command, err error) string {
	var (
		price *subtensor.PriceAboveLimitError
		addr  *subtensor.AxonAddrError
		ce    *subtensor.ChainError
		nopw  *wallet.NoPasswordError
	)
	chainErr := errors.As(err, &ce)
	switch {
	case errors.As(err, &price) || (chainErr && ce.Name == "RegistrationPriceLimitExceeded"):
		if f := flagName(cmd, "max-burn"); f != "" {
			return "the limit is " + f
		}
	case errors.As(err, &addr) && addr.Field == "port":
		if f := flagName(cmd, "port", "axon-port"); f != "" {
			return "set it with " + f
		}
	case errors.As(err, &addr) || (chainErr && ce.Name == "InvalidIpAddress"):
		if f := flagName(cmd, "ip", "axon-ip"); f != "" {
			return "set it with " + f
		}
	case chainErr && ce.Name == "Expendability":
		if f := flagName(cmd, "allow-death"); f != "" {
			return f + " allows it"
		}
	case errors.Is(err, subtensor.ErrNoSubnet):
		if f := flagName(cmd, "netuid"); f != "" {
			return "check " + f
		}
	case errors.Is(err, subtensor.ErrNotRegistered):
		if f := flagName(cmd, "netuid"); f != "" {
			return fmt.Sprintf("minerkit register %s N registers it", f)
		}
	case errors.Is(err, subtensor.ErrZeroAmount):
		if f := flagName(cmd, "amount"); f != "" {
			return "pass " + f
		}
	case errors.As(err, &nopw) && nopw.Backup:
		if f := flagName(cmd, "json-password-file"); f != "" {
			return "pass " + f
		}
	case errors.As(err, &nopw):
		if f := flagName(cmd, "password-file"); f != "" {
			return "pass " + f
		}
	case errors.Is(err, wallet.ErrExists):
		if f := flagName(cmd, "overwrite"); f != "" {
			return f + " replaces it"
		}
	case errors.Is(err, subtensor.ErrNoEndpoint):
		if f := flagName(cmd, "network"); f != "" {
			return "pass " + f + " or --subtensor.chain_endpoint"
		}
	}
	return ""
}
