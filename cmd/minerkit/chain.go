package main

import (
	"context"

	"github.com/minerkit/minerkit/subtensor"
	"github.com/spf13/cobra"
)

// newChainCmds returns the chain commands: register, commit, serve-axon,
// metagraph, status, balance, transfer, stake.
func newChainCmds() []*cobra.Command {
	return []*cobra.Command{
		newRegisterCmd(),
		newCommitCmd(),
		newServeAxonCmd(),
		newMetagraphCmd(),
		newStatusCmd(),
		newBalanceCmd(),
		newTransferCmd(),
		newStakeCmd(),
	}
}

// withTimeout bounds a chain command by --timeout.
func (f *chainFlags) withTimeout(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if f.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, f.timeout)
}

// session is what a chain command holds while it runs: a context bounded by
// --timeout, a client connected to the network, and a spinner (silent off
// terminals).
type session struct {
	ctx    context.Context
	c      *subtensor.Client
	sp     *spinner
	cancel context.CancelFunc
}

// open connects for a chain command; the caller closes the session.
func (f *chainFlags) open(cmd *cobra.Command) (*session, error) {
	ctx, cancel := f.withTimeout(cmd)
	c, err := f.connect(ctx, cmd)
	if err != nil {
		cancel()
		return nil, err
	}
	return &session{ctx: ctx, c: c, sp: f.spinner(cmd), cancel: cancel}, nil
}

// close stops the spinner, disconnects and releases the context.
func (s *session) close() {
	s.sp.stop()
	s.c.Close()
	s.cancel()
}
