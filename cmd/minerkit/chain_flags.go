package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// chainFlags are the flags every chain command shares: which network, and
// how to report and wait.
type chainFlags struct {
	network, endpoint string
	json, yes         bool
	waitFinal         bool
	timeout           time.Duration
}

// addChainFlags registers --network (alias --subtensor.network),
// --subtensor.chain_endpoint, --json and, for commands that send
// transactions (tx), --yes and --wait-finalization.
func addChainFlags(cmd *cobra.Command, tx bool) *chainFlags {
	f := &chainFlags{}
	fs := cmd.Flags()
	nets := strings.Join(subtensor.NetworkNames, ", ")
	fs.StringVar(&f.network, "network", "", "chain: "+nets+", or ws(s):// URLs separated by commas\n(default $BT_SUBTENSOR_NETWORK, else finney)")
	fs.StringVar(&f.network, "subtensor.network", "", "same as --network (Bittensor SDK spelling)")
	fs.StringVar(&f.endpoint, "subtensor.chain_endpoint", "", "ws(s):// endpoint(s), comma-separated, tried in order; overrides the network's")
	fs.BoolVar(&f.json, "json", false, "print JSON instead of text")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "give up after this long")
	if tx {
		fs.BoolVarP(&f.yes, "yes", "y", false, "do not ask before paying")
		fs.BoolVar(&f.waitFinal, "wait-finalization", false, "wait for the block to be finalized, not just included")
	}
	prev := fs.GetNormalizeFunc()
	fs.SetNormalizeFunc(func(fs *pflag.FlagSet, name string) pflag.NormalizedName {
		switch strings.NewReplacer("_", ".", "-", ".").Replace(name) {
		case "subtensor.network":
			return "subtensor.network"
		case "subtensor.chain.endpoint":
			return "subtensor.chain_endpoint"
		case "wait.finalization":
			return "wait-finalization"
		}
		return prev(fs, name)
	})
	return f
}

// connect resolves the network and dials it, with a spinner on terminals.
func (f *chainFlags) connect(ctx context.Context, cmd *cobra.Command) (*subtensor.Client, error) {
	n, err := subtensor.ResolveNetwork(subtensor.NetworkConfig{Network: f.network, ChainEndpoint: f.endpoint, Getenv: os.Getenv})
	if err != nil {
		return nil, err
	}
	sp := f.spinner(cmd)
	sp.set("connecting to " + n.Name + " (" + strings.Join(n.Endpoints, ", ") + ")")
	defer sp.stop()
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return subtensor.Dial(dctx, n, subtensor.Options{})
}

// txOptions returns the TxOptions the flags ask for, reporting progress on
// the spinner.
func (f *chainFlags) txOptions(sp *spinner) subtensor.TxOptions {
	return subtensor.TxOptions{WaitFinalization: f.waitFinal, OnStatus: sp.set}
}

// out writes the command's result: JSON with --json, else text.
func (f *chainFlags) out(cmd *cobra.Command, v any, text func(w io.Writer)) error {
	w := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text(w)
	return nil
}

// confirm asks a yes/no question on the terminal. With --yes it returns
// true; without a terminal it refuses (and says to pass --yes).
func (f *chainFlags) confirm(cmd *cobra.Command, sp *spinner, question string) (bool, error) {
	if f.yes {
		return true, nil
	}
	in := cmd.InOrStdin()
	if file, ok := in.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
		sp.pause()
		defer sp.resume()
	}
	return readYes(cmd, in, question)
}

func readYes(cmd *cobra.Command, in io.Reader, question string) (bool, error) {
	// The question goes to standard error so that --json output stays clean.
	fmt.Fprintf(cmd.ErrOrStderr(), "%s [y/N] ", question)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	if !isTerminal(in) {
		fmt.Fprintln(cmd.ErrOrStderr()) // the answer was not echoed
	}
	if err != nil && line == "" {
		return false, fmt.Errorf("no answer on standard input; pass --yes to go ahead without asking")
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}

// parseAccount reads an SS58 address or 0x hex public key.
func parseAccount(s string) (keys.PublicKey, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "0x") && len(s) == 66 {
		var k keys.PublicKey
		if _, err := fmt.Sscanf(s[2:], "%x", &k); err == nil {
			return k, nil
		}
	}
	k, err := keys.DecodeAddress(s)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("%q is not an SS58 address or 0x public key: %w", s, err)
	}
	return k, nil
}

// spinner shows progress on a terminal's standard error; elsewhere (pipes,
// --json, tests) it is silent.
type spinner struct {
	mu      sync.Mutex
	w       io.Writer
	msg     string
	on      bool
	paused  bool
	stopped chan struct{}
	once    sync.Once
}

func (f *chainFlags) spinner(cmd *cobra.Command) *spinner {
	s := &spinner{stopped: make(chan struct{})}
	if w, ok := cmd.ErrOrStderr().(*os.File); ok && !f.json && term.IsTerminal(int(w.Fd())) {
		s.w, s.on = w, true
		go s.run()
	}
	return s
}

func (s *spinner) run() {
	frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-s.stopped:
			return
		case <-t.C:
			s.mu.Lock()
			if !s.paused && s.msg != "" {
				fmt.Fprintf(s.w, "\r\033[K%c %s", frames[i%len(frames)], s.msg)
			}
			s.mu.Unlock()
		}
	}
}

// set changes the message (nil-safe, usable as TxOptions.OnStatus).
func (s *spinner) set(msg string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.msg = msg
	s.mu.Unlock()
}

func (s *spinner) pause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = true
	if s.on {
		fmt.Fprint(s.w, "\r\033[K")
	}
}

func (s *spinner) resume() {
	s.mu.Lock()
	s.paused = false
	s.mu.Unlock()
}

// stop clears the line; safe to call twice.
func (s *spinner) stop() {
	s.once.Do(func() {
		close(s.stopped)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.on {
			fmt.Fprint(s.w, "\r\033[K")
		}
	})
}

// short abbreviates an SS58 address for tables: 5Grwva…utQY.
func short(addr string) string {
	if len(addr) <= 12 {
		return addr
	}
	return addr[:6] + "…" + addr[len(addr)-4:]
}

// printTx writes a transaction's result in words.
func printTx(w io.Writer, r *subtensor.TxResult) {
	if r == nil {
		return
	}
	if r.Skipped {
		fmt.Fprintf(w, "%s: %s\n", r.Call, r.Note)
		return
	}
	state := "included in"
	if r.Finalized {
		state = "finalized in"
	}
	fmt.Fprintf(w, "%s %s block %d (%s), extrinsic %d\n", r.Call, state, r.Block, r.BlockHash, r.Index)
	if r.FeeKnown {
		fmt.Fprintf(w, "fee: %s\n", r.Fee)
	}
	if len(r.Events) > 0 {
		names := make([]string, len(r.Events))
		for i, e := range r.Events {
			names[i] = e.String()
		}
		fmt.Fprintf(w, "events: %s\n", strings.Join(names, ", "))
	}
}
