package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/activity"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

func newActivityCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "activity",
		Short: "Pattern C: register, link a GitHub identity, check status (no server needed)",
		Long: `Pattern C miners are paid for work done elsewhere (GitHub contributions on
Gittensor, subnet 74) and run no server. They register, link their identity,
and watch incentive and emission.

The identity link has two halves: a commitment on chain ("gh:<user>", signed by
the hotkey) and a proof text signed by the hotkey that the user publishes in the
GitHub profile README or a gist. Anyone can check the proof offline with
"minerkit activity verify"; no token or secret is handed to anyone.`,
		Example: `  minerkit activity setup --netuid 74 --github octocat
  minerkit activity verify --hotkey 5F… --github octocat --proof-file README.md
  minerkit activity status --netuid 74 --github octocat --watch
  minerkit activity ensure --netuid 74 --github octocat     # from cron or a timer`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newActivitySetupCmd(), newActivityProofCmd(), newActivityVerifyCmd(), newActivityStatusCmd(), newActivityEnsureCmd())
	return cmd
}

// identityFlags are the flags of the commands that link an identity.
type identityFlags struct {
	netuid  uint16
	github  string
	extra   []string
	tagline string
	token   string
}

func addIdentityFlags(cmd *cobra.Command, f *identityFlags, commit, tagline bool) {
	fs := cmd.Flags()
	fs.Uint16Var(&f.netuid, "netuid", 0, "subnet (required)")
	fs.StringVar(&f.github, "github", "", "your GitHub user name (required)")
	_ = cmd.MarkFlagRequired("netuid")
	_ = cmd.MarkFlagRequired("github")
	if commit {
		fs.StringArrayVar(&f.extra, "extra", nil, "the subnet's own commitment data, committed before the identity field\n(repeatable; default: keep the fields already committed)")
	}
	if !tagline {
		return
	}
	fs.StringVar(&f.tagline, "tagline", "", "template of the PR tagline (default $MINERKIT_TAGLINE, else "+fmt.Sprintf("%q", activity.DefaultTagline)+")\nfields: .Token .NetUID .Hotkey .HotkeyShort .GitHub")
	fs.StringVar(&f.token, "token", "", `the subnet's name in the tagline, e.g. '$OGX' (default "SN<netuid>")`)
}

func (f *identityFlags) extraFields(cmd *cobra.Command) []string {
	if !cmd.Flags().Changed("extra") {
		return nil
	}
	if f.extra == nil {
		return []string{}
	}
	return f.extra
}

func (f *identityFlags) taglineText(hot keys.PublicKey) (string, error) {
	t := f.tagline
	if t == "" {
		t = os.Getenv("MINERKIT_TAGLINE")
	}
	return activity.Tagline(t, activity.TaglineData{Token: f.token, NetUID: f.netuid, Hotkey: hot.Address(), GitHub: f.github})
}

// setupReport is `activity setup --json`'s output.
type setupReport struct {
	*activity.EnsureReport
	Proof     string `json:"proof"`
	ProofFile string `json:"proof_file,omitempty"`
	Tagline   string `json:"tagline"`
}

func newActivitySetupCmd() *cobra.Command {
	var (
		idf      identityFlags
		maxBurn  string
		proofOut string
	)
	cmd := &cobra.Command{
		Use:   "setup --netuid N --github USER",
		Short: "Register (if needed), commit the identity link, print the proof to publish and the PR tagline",
		Long: `Register the wallet's hotkey on the subnet if it is not yet (asking before
paying, unless --yes), commit "gh:<user>" for it (free; nothing is sent when the
chain already holds it), read the commitment back, then print a proof signed by
the hotkey. Publish the proof where only your GitHub account can write: your
profile README (github.com/USER/USER) or a public gist.`,
		Example: "  minerkit activity setup --netuid 74 --github octocat --token '$OGX'\n  minerkit activity setup --netuid 74 --github octocat --proof-out proof.md --yes --max-burn 1",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, true)
	wf := addWalletFlags(cmd)
	addIdentityFlags(cmd, &idf, true, true)
	cmd.Flags().StringVar(&maxBurn, "max-burn", "", "pay at most this much to register, in TAO")
	cmd.Flags().StringVar(&proofOut, "proof-out", "", "also write the proof to this file")
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
		tagline, err := idf.taglineText(hot.Public())
		if err != nil {
			return err
		}
		sess, err := cf.open(cmd)
		if err != nil {
			return err
		}
		defer sess.close()
		ctx, c, sp := sess.ctx, sess.c, sess.sp
		var askErr error
		cfg := activity.EnsureConfig{
			NetUID: idf.netuid, Hotkey: hot, GitHub: idf.github, Extra: idf.extraFields(cmd),
			Coldkey: func() (keys.Signer, error) { sp.pause(); defer sp.resume(); return loadColdkey(wf) },
			Tx:      cf.txOptions(sp),
		}
		cfg.Register = subtensor.RegisterOptions{TxOptions: cf.txOptions(sp), MaxBurn: limit}
		cfg.Register.Confirm = func(price subtensor.Rao, bal subtensor.Balance) bool {
			ok, err := cf.confirm(cmd, sp, fmt.Sprintf("Register %s on netuid %d for %s (coldkey has %s)?", short(hot.Address()), idf.netuid, price, bal.Free))
			askErr = err
			return ok
		}
		sp.set(fmt.Sprintf("checking registration and identity on netuid %d", idf.netuid))
		rep, err := activity.Ensure(ctx, c, cfg)
		sp.stop()
		if askErr != nil {
			return askErr
		}
		if err != nil {
			printEnsure(cmd.ErrOrStderr(), rep)
			return exitError{code: 1, msg: "minerkit: setup is not complete; fix the above and run it again"}
		}
		p, err := activity.NewProof(hot, idf.github, idf.netuid, activity.ProofOptions{})
		if err != nil {
			return err
		}
		if proofOut != "" {
			if err := os.WriteFile(proofOut, []byte(p.Text()), 0o644); err != nil {
				return fmt.Errorf("write the proof: %w", err)
			}
		}
		out := setupReport{EnsureReport: rep, Proof: p.Text(), ProofFile: proofOut, Tagline: tagline}
		return cf.out(cmd, out, func(w io.Writer) {
			printEnsure(w, rep)
			printProofHelp(w, p, idf.github, proofOut)
			fmt.Fprintf(w, "\nAdd this line to your pull request descriptions:\n\n  %s\n", tagline)
		})
	}
	return cmd
}

func printProofHelp(w io.Writer, p *activity.Proof, github, file string) {
	fmt.Fprintf(w, "\nPublish this proof in your profile README (github.com/%s/%s) or a public gist:\n\n%s\n", github, github, p.Text())
	if file != "" {
		fmt.Fprintf(w, "(also written to %s)\n", file)
	}
	fmt.Fprintf(w, "Anyone can check it with:\n  minerkit activity verify --hotkey %s --github %s --proof-file README.md\n", p.Hotkey.Address(), p.GitHub)
}

func parseMaxBurn(s string) (subtensor.Rao, error) {
	if s == "" {
		return 0, nil
	}
	v, err := subtensor.ParseTAO(s)
	if err != nil {
		return 0, fmt.Errorf("--max-burn: %w", err)
	}
	return v, nil
}

func newActivityProofCmd() *cobra.Command {
	var (
		idf      identityFlags
		proofOut string
		jsonOut  bool
	)
	cmd := &cobra.Command{
		Use:     "proof --netuid N --github USER",
		Short:   "Print a new identity proof signed by the wallet's hotkey (offline)",
		Example: "  minerkit activity proof --netuid 74 --github octocat --proof-out proof.md",
		Args:    cobra.NoArgs,
	}
	wf := addWalletFlags(cmd)
	addIdentityFlags(cmd, &idf, false, true)
	cmd.Flags().StringVar(&proofOut, "proof-out", "", "also write the proof to this file")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON instead of text")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		hot, err := loadHotkey(wf)
		if err != nil {
			return err
		}
		p, err := activity.NewProof(hot, idf.github, idf.netuid, activity.ProofOptions{})
		if err != nil {
			return err
		}
		tagline, err := idf.taglineText(hot.Public())
		if err != nil {
			return err
		}
		if proofOut != "" {
			if err := os.WriteFile(proofOut, []byte(p.Text()), 0o644); err != nil {
				return fmt.Errorf("write the proof: %w", err)
			}
		}
		cf := &chainFlags{json: jsonOut}
		return cf.out(cmd, setupReport{Proof: p.Text(), ProofFile: proofOut, Tagline: tagline}, func(w io.Writer) {
			printProofHelp(w, p, idf.github, proofOut)
			fmt.Fprintf(w, "\nAdd this line to your pull request descriptions:\n\n  %s\n", tagline)
		})
	}
	return cmd
}

// proofVerifyReport is `activity verify --json`'s output.
type proofVerifyReport struct {
	Valid   bool   `json:"valid"`
	Reason  string `json:"reason,omitempty"`
	Hotkey  string `json:"hotkey"`
	GitHub  string `json:"github"`
	NetUID  uint16 `json:"netuid,omitempty"`
	Date    string `json:"date,omitempty"`
	Nonce   string `json:"nonce,omitempty"`
	Message string `json:"message,omitempty"`
}

func newActivityVerifyCmd() *cobra.Command {
	var (
		hotkey, github, file string
		netuid               uint16
		jsonOut              bool
	)
	cmd := &cobra.Command{
		Use:   "verify --hotkey SS58 --github USER --proof-file F",
		Short: "Check an identity proof offline (exit status 1 with the reason if it does not hold)",
		Long: `Check that the proof in F (a whole README or gist may be given; "-" reads
standard input) was signed by the hotkey and names the GitHub user (and, with
--netuid, the subnet). Nothing is sent anywhere. A forged or altered proof is
refused with the reason.`,
		Example: "  curl -s https://raw.githubusercontent.com/octocat/octocat/main/README.md > readme.md\n  minerkit activity verify --hotkey 5F… --github octocat --proof-file readme.md",
		Args:    cobra.NoArgs,
	}
	fs := cmd.Flags()
	fs.StringVar(&hotkey, "hotkey", "", "the hotkey's SS58 address (required)")
	fs.StringVar(&github, "github", "", "the GitHub user the proof must name (required)")
	fs.StringVar(&file, "proof-file", "", `file holding the proof, "-" for standard input (required)`)
	fs.Uint16Var(&netuid, "netuid", 0, "also require this subnet")
	fs.BoolVar(&jsonOut, "json", false, "print JSON instead of text")
	for _, n := range []string{"hotkey", "github", "proof-file"} {
		_ = cmd.MarkFlagRequired(n)
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		pub, err := parseAccount(hotkey)
		if err != nil {
			return fmt.Errorf("--hotkey: %w", err)
		}
		var text []byte
		if file == "-" {
			text, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<20))
		} else {
			text, err = os.ReadFile(file)
		}
		if err != nil {
			return fmt.Errorf("read the proof: %w", err)
		}
		var o activity.VerifyOptions
		if cmd.Flags().Changed("netuid") {
			o.NetUID = &netuid
		}
		p, verr := activity.VerifyProof(text, pub, github, o)
		rep := proofVerifyReport{Valid: verr == nil, Hotkey: pub.Address(), GitHub: github}
		if verr != nil {
			rep.Reason = verr.Error()
		}
		if p != nil {
			rep.NetUID, rep.Date, rep.Nonce, rep.Message = p.NetUID, p.Date.Format(time.RFC3339), p.Nonce, string(p.Message())
		}
		if jsonOut {
			if err := (&chainFlags{json: true}).out(cmd, rep, nil); err != nil {
				return err
			}
			if verr != nil {
				return exitError{code: 1}
			}
			return nil
		}
		if verr != nil {
			return exitError{code: 1, msg: "INVALID: " + verr.Error()}
		}
		fmt.Fprintf(cmd.OutOrStdout(), "valid: hotkey %s is GitHub user %s (subnet %d), signed %s\n", rep.Hotkey, p.GitHub, p.NetUID, rep.Date)
		return nil
	}
	return cmd
}

// printEnsure writes ensure's checks, one line each.
func printEnsure(w io.Writer, r *activity.EnsureReport) {
	if r == nil {
		return
	}
	for _, c := range r.Checks {
		mark := "ok      "
		switch {
		case c.Repaired:
			mark = "repaired"
		case !c.OK:
			mark = "FAILED  "
		}
		fmt.Fprintf(w, "%s  %-20s %s\n", mark, c.Name, c.Detail)
	}
	for _, tx := range r.Txs {
		if tx != nil && !tx.Skipped {
			fmt.Fprintf(w, "          %s in block %d", tx.Call, tx.Block)
			if tx.FeeKnown {
				fmt.Fprintf(w, ", fee %s", tx.Fee)
			}
			fmt.Fprintln(w)
		}
	}
}

// ensureFailed turns Ensure's error into the exit status for cron: 1, with
// the list of what could not be fixed on standard error.
func ensureFailed(err error) error {
	if errors.Is(err, activity.ErrUnfixed) {
		return exitError{code: 1, msg: "minerkit: " + strings.TrimPrefix(err.Error(), "activity: ")}
	}
	return err
}
