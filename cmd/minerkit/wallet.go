package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/wallet"
)

func newWalletCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "Create, restore and inspect btcli-compatible wallets",
		Long: `Create, restore and inspect Bittensor wallets in btcli's layout
(~/.bittensor/wallets/<wallet>/coldkey, coldkeypub.txt, hotkeys/<hotkey>).
Files written by minerkit open in btcli and the reverse.`,
	}
	cmd.AddCommand(
		newWalletCreateCmd("create", "Create a wallet: a new coldkey and a new hotkey", true, true),
		newWalletCreateCmd("new-coldkey", "Create a new coldkey (and coldkeypub.txt)", true, false),
		newWalletCreateCmd("new-hotkey", "Create a new hotkey in an existing wallet", false, true),
		newWalletRegenCmd("regen-coldkey", true),
		newWalletRegenCmd("regen-hotkey", false),
		newWalletListCmd(),
		newWalletShowCmd(),
	)
	return cmd
}

// keyOptions are the flags of the commands that write keys.
type keyOptions struct {
	wf          *walletFlags
	noPassword  bool // coldkey written in plaintext
	usePassword bool // hotkey encrypted
	overwrite   bool
	asJSON      bool
}

func addKeyOptions(cmd *cobra.Command, cold, hot bool) *keyOptions {
	o := &keyOptions{wf: addWalletFlags(cmd)}
	fs := cmd.Flags()
	if cold {
		fs.BoolVar(&o.noPassword, "no-password", false, "write the coldkey unencrypted (not recommended)")
	}
	if hot {
		fs.BoolVar(&o.usePassword, "use-password", false, "encrypt the hotkey too (btcli leaves hotkeys unencrypted)")
	}
	fs.BoolVar(&o.overwrite, "overwrite", false, "replace existing key files (the old keys are lost unless you hold their mnemonics)")
	fs.BoolVar(&o.asJSON, "json", false, "print the result as JSON (mnemonics included)")
	return o
}

// keyReport is what the write commands print about one key.
type keyReport struct {
	Role        string `json:"-"`
	Name        string `json:"name"`
	SS58Address string `json:"ss58Address"`
	PublicKey   string `json:"publicKey"`
	File        string `json:"file"`
	Encrypted   bool   `json:"encrypted"`
	Mnemonic    string `json:"mnemonic,omitempty"`
}

type walletReport struct {
	Wallet  string     `json:"wallet"`
	Path    string     `json:"path"`
	Coldkey *keyReport `json:"coldkey,omitempty"`
	Hotkey  *keyReport `json:"hotkey,omitempty"`
}

func newWalletCreateCmd(use, short string, cold, hot bool) *cobra.Command {
	var nWords int
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs}
	o := addKeyOptions(cmd, cold, hot)
	cmd.Flags().IntVar(&nWords, "n-words", 12, "mnemonic length: 12, 15, 18, 21 or 24 words")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		w, err := o.wf.wallet()
		if err != nil {
			return err
		}
		if !cold {
			if _, err := w.ColdkeyPub(); err != nil {
				return fmt.Errorf("no coldkey in wallet %q (%s): create the wallet first with `minerkit wallet create`", w.Name, w.Dir())
			}
		}
		if cold && hot {
			// Check everything first: never leave a new coldkey beside a refused hotkey.
			if err := refuseExisting(o.overwrite, w.ColdkeyFile(), w.ColdkeypubFile(), w.HotkeyFile(), w.HotkeypubFile()); err != nil {
				return err
			}
		}
		rep := walletReport{Wallet: w.Name, Path: w.Dir()}
		gen := func() (*keys.Keypair, string, error) {
			phrase, err := keys.GenerateMnemonic(nWords)
			if err != nil {
				return nil, "", err
			}
			kp, err := keys.FromMnemonic(phrase, "")
			return kp, phrase, err
		}
		if cold {
			kp, phrase, err := gen()
			if err != nil {
				return err
			}
			if rep.Coldkey, err = o.writeColdkey(cmd, w, kp, phrase); err != nil {
				return err
			}
		}
		if hot {
			kp, phrase, err := gen()
			if err != nil {
				return err
			}
			if rep.Hotkey, err = o.writeHotkey(cmd, w, kp, phrase); err != nil {
				return err
			}
		}
		return printWalletReport(cmd.OutOrStdout(), rep, o.asJSON, true)
	}
	return cmd
}

func newWalletRegenCmd(use string, cold bool) *cobra.Command {
	var mnemonic, seed, jsonFile, jsonPasswordFile string
	role := "hotkey"
	if cold {
		role = "coldkey"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: "Restore a " + role + " from its mnemonic, seed or polkadot-js JSON backup",
		Long: "Restore a " + role + ` from its mnemonic (--mnemonic), 32-byte hex seed (--seed) or a
polkadot-js account backup (--json-file, btcli's --json: the file polkadot.js apps or the
browser extension exports; sr25519 accounts only). With none of them the mnemonic or seed
is read from standard input, which keeps it out of the shell history:
  minerkit wallet ` + use + ` < mnemonic.txt
The password of a JSON backup comes from --json-password-file, else a prompt.
A key restored from a JSON backup has no mnemonic or seed in the wallet, only its
private key: keep the backup (or the account's mnemonic) safe.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q: minerkit's --json prints the result as JSON; "+
					"restore from a polkadot-js JSON backup with --json-file FILE (btcli's --json FILE)", args[0])
			}
			return nil
		},
	}
	o := addKeyOptions(cmd, cold, !cold)
	cmd.Flags().StringVar(&mnemonic, "mnemonic", "", "the BIP39 mnemonic (12–24 words)")
	cmd.Flags().StringVar(&seed, "seed", "", "the 32-byte seed as 0x-prefixed hex")
	cmd.Flags().StringVar(&jsonFile, "json-file", "", "a polkadot-js JSON account backup (btcli's --json)")
	cmd.Flags().StringVar(&jsonPasswordFile, "json-password-file", "", "read the JSON backup's password from the first line of this file (otherwise: a prompt)")
	cmd.MarkFlagsMutuallyExclusive("mnemonic", "seed", "json-file")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		w, err := o.wf.wallet()
		if err != nil {
			return err
		}
		var (
			kp     *keys.Keypair
			phrase string
		)
		switch {
		case jsonFile != "":
			if kp, err = o.restoreJSON(cmd, w, cold, jsonFile, jsonPasswordFile); err != nil {
				return err
			}
		case jsonPasswordFile != "":
			return errors.New("--json-password-file is the password of a --json-file backup: pass --json-file too")
		default:
			secret := mnemonic
			if seed != "" {
				secret = seed
			}
			if secret == "" {
				if secret, err = readSecretLine(cmd, "Mnemonic or 0x seed of the "+role+": "); err != nil {
					return err
				}
			}
			if kp, phrase, err = keypairFromSecret(secret); err != nil {
				return err
			}
		}
		rep := walletReport{Wallet: w.Name, Path: w.Dir()}
		if cold {
			rep.Coldkey, err = o.writeColdkey(cmd, w, kp, phrase)
		} else {
			rep.Hotkey, err = o.writeHotkey(cmd, w, kp, phrase)
		}
		if err != nil {
			return err
		}
		for _, k := range []*keyReport{rep.Coldkey, rep.Hotkey} {
			if k != nil {
				k.Mnemonic = "" // the user just typed it; never echo it back
			}
		}
		return printWalletReport(cmd.OutOrStdout(), rep, o.asJSON, false)
	}
	return cmd
}

// restoreJSON reads the key of a polkadot-js JSON backup, asking for its
// password (from passwordFile, else the terminal) only when it is
// encrypted, and after checking that the key files may be written.
func (o *keyOptions) restoreJSON(cmd *cobra.Command, w *wallet.Wallet, cold bool, file, passwordFile string) (*keys.Keypair, error) {
	paths := []string{w.HotkeyFile(), w.HotkeypubFile()}
	if cold {
		paths = []string{w.ColdkeyFile(), w.ColdkeypubFile()}
	}
	if err := refuseExisting(o.overwrite, paths...); err != nil {
		return nil, err // before asking for a password that would be wasted
	}
	var src wallet.PasswordSource = wallet.PasswordFile(passwordFile)
	if passwordFile == "" {
		src = wallet.Sources{} // standard input is not a terminal: no prompt
		if f, ok := cmd.InOrStdin().(*os.File); ok {
			src = wallet.Prompt{In: f, Out: cmd.ErrOrStderr()}
		}
	}
	kp, backup, err := wallet.RestorePolkadotJSON(file, src)
	if err != nil {
		return nil, err
	}
	if !o.asJSON {
		name := ""
		if backup.Name != "" {
			name = fmt.Sprintf(" %q", backup.Name)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "Restored polkadot-js account%s %s from %s (no mnemonic or seed: keep the backup safe).\n",
			name, kp.Address(), file)
	}
	return kp, nil
}

// keypairFromSecret reads a mnemonic or a 0x-hex 32-byte seed.
func keypairFromSecret(s string) (*keys.Keypair, string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		b, err := decodeHexArg(s)
		if err != nil || len(b) != 32 {
			return nil, "", fmt.Errorf("the seed must be 0x followed by 64 hex digits (32 bytes)")
		}
		kp, err := keys.FromSeed(b)
		return kp, "", err
	}
	kp, err := keys.FromMnemonic(s, "")
	if err != nil {
		return nil, "", err
	}
	return kp, keys.NormalizeMnemonic(s), nil
}

// readSecretLine reads one line from standard input, prompting (without
// echo) when it is a terminal.
func readSecretLine(cmd *cobra.Command, prompt string) (string, error) {
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(cmd.ErrOrStderr(), prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(cmd.ErrOrStderr())
		if err != nil {
			return "", fmt.Errorf("read from terminal: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(in, 1<<16)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	if strings.TrimSpace(line) == "" {
		return "", errors.New("nothing on standard input: pass --mnemonic or --seed, or pipe the secret in")
	}
	return line, nil
}

// newPassword returns the password to encrypt a new key with: from
// --password-file, the BT_PW_ variable of its file, or the terminal (asked
// twice).
func (o *keyOptions) newPassword(path, what string) ([]byte, error) {
	src := wallet.Sources{wallet.EnvPassword{}, wallet.Prompt{}}
	if o.wf.passwordFile != "" {
		src = wallet.Sources{wallet.PasswordFile(o.wf.passwordFile)}
	}
	pw, err := src.Password(path, what, true)
	if errors.Is(err, wallet.ErrNoPassword) {
		return nil, fmt.Errorf("%w (or --no-password to write it unencrypted)", err)
	}
	return pw, err
}

func (o *keyOptions) writeColdkey(cmd *cobra.Command, w *wallet.Wallet, kp *keys.Keypair, phrase string) (*keyReport, error) {
	var pw []byte
	if !o.noPassword {
		if err := refuseExisting(o.overwrite, w.ColdkeyFile(), w.ColdkeypubFile()); err != nil {
			return nil, err // before asking for a password that would be wasted
		}
		var err error
		if pw, err = o.newPassword(w.ColdkeyFile(), fmt.Sprintf("coldkey %q", w.Name)); err != nil {
			return nil, err
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "Encrypting the coldkey (Argon2i, 512 MiB: a few seconds)...")
	}
	if err := w.CreateColdkey(kp, phrase, pw, o.overwrite); err != nil {
		return nil, err
	}
	return report("coldkey", w.Name, w.ColdkeyFile(), kp, phrase, pw != nil), nil
}

func (o *keyOptions) writeHotkey(cmd *cobra.Command, w *wallet.Wallet, kp *keys.Keypair, phrase string) (*keyReport, error) {
	var pw []byte
	if o.usePassword {
		if err := refuseExisting(o.overwrite, w.HotkeyFile(), w.HotkeypubFile()); err != nil {
			return nil, err
		}
		var err error
		if pw, err = o.newPassword(w.HotkeyFile(), fmt.Sprintf("hotkey %q", w.Hotkey)); err != nil {
			return nil, err
		}
	}
	if err := w.CreateHotkey(kp, phrase, pw, o.overwrite); err != nil {
		return nil, err
	}
	return report("hotkey", w.Hotkey, w.HotkeyFile(), kp, phrase, pw != nil), nil
}

func refuseExisting(overwrite bool, paths ...string) error {
	if overwrite {
		return nil
	}
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%w: %s; pass --overwrite to replace it (the old key is lost for good unless you hold its mnemonic)", wallet.ErrExists, p)
		}
	}
	return nil
}

func report(role, name, file string, kp *keys.Keypair, phrase string, encrypted bool) *keyReport {
	return &keyReport{
		Role: role, Name: name, SS58Address: kp.Address(), PublicKey: kp.Public().Hex(),
		File: file, Encrypted: encrypted, Mnemonic: phrase,
	}
}

func printWalletReport(out io.Writer, rep walletReport, asJSON, fresh bool) error {
	if asJSON {
		return writeJSONTo(out, rep)
	}
	fmt.Fprintf(out, "wallet %q in %s\n", rep.Wallet, rep.Path)
	var phrases []*keyReport
	for _, k := range []*keyReport{rep.Coldkey, rep.Hotkey} {
		if k == nil {
			continue
		}
		enc := "unencrypted"
		if k.Encrypted {
			enc = "encrypted"
		}
		fmt.Fprintf(out, "  %-7s %-10s %s  (%s, %s)\n", k.Role, k.Name, k.SS58Address, enc, k.File)
		if k.Mnemonic != "" && fresh {
			phrases = append(phrases, k)
		}
	}
	if len(phrases) > 0 {
		fmt.Fprintln(out, "\nWrite these mnemonics down and keep them offline: they are the only way to")
		fmt.Fprintln(out, "restore the keys, and anyone who sees them controls the keys.")
		for _, k := range phrases {
			fmt.Fprintf(out, "  %-8s %s\n", k.Role+":", k.Mnemonic)
		}
		fmt.Fprintln(out, "Restore with: minerkit wallet regen-coldkey / regen-hotkey --mnemonic \"...\"")
	}
	return nil
}

func writeJSONTo(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
