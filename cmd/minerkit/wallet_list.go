package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/wallet"
)

type hotkeyListing struct {
	Name        string `json:"name"`
	SS58Address string `json:"ss58Address,omitempty"`
	Error       string `json:"error,omitempty"`
}

type walletListing struct {
	Name              string          `json:"name"`
	Coldkey           string          `json:"coldkey,omitempty"`
	ColdkeyEncryption string          `json:"coldkeyEncryption,omitempty"`
	Error             string          `json:"error,omitempty"`
	Hotkeys           []hotkeyListing `json:"hotkeys"`
}

func newWalletListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the wallets and hotkeys under the wallets directory (no password needed)",
		Args:  cobra.NoArgs,
	}
	wf := addWalletFlags(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		root, err := wf.wallet()
		if err != nil {
			return err
		}
		names, err := wallet.Wallets(root.Path)
		if err != nil {
			return err
		}
		listing := []walletListing{}
		for _, name := range names {
			w, err := wallet.New(root.Path, name, "")
			if err != nil {
				return err
			}
			wl := walletListing{Name: name, Hotkeys: []hotkeyListing{}}
			if pub, err := w.ColdkeyPub(); err != nil {
				wl.Error = err.Error()
			} else {
				wl.Coldkey = pub.Address()
			}
			if enc, err := w.ColdkeyEncryption(); err == nil {
				wl.ColdkeyEncryption = enc.String()
			}
			hks, err := w.Hotkeys()
			if err != nil {
				return err
			}
			for _, h := range hks {
				hw, err := w.WithHotkey(h)
				if err != nil {
					return err
				}
				hl := hotkeyListing{Name: h}
				if pub, err := hw.HotkeyPub(); err != nil {
					hl.Error = err.Error()
				} else {
					hl.SS58Address = pub.Address()
				}
				wl.Hotkeys = append(wl.Hotkeys, hl)
			}
			listing = append(listing, wl)
		}
		out := cmd.OutOrStdout()
		if asJSON {
			return writeJSONTo(out, map[string]any{"path": root.Path, "wallets": listing})
		}
		printWalletTree(out, root.Path, listing)
		return nil
	}
	return cmd
}

func printWalletTree(out io.Writer, path string, listing []walletListing) {
	fmt.Fprintf(out, "Wallets in %s\n", path)
	if len(listing) == 0 {
		fmt.Fprintln(out, "  (none: create one with `minerkit wallet create`)")
		return
	}
	width := 0
	for _, wl := range listing {
		width = max(width, len(wl.Name))
		for _, h := range wl.Hotkeys {
			width = max(width, len(h.Name)+4)
		}
	}
	for i, wl := range listing {
		branch, indent := "├── ", "│   "
		if i == len(listing)-1 {
			branch, indent = "└── ", "    "
		}
		cold := wl.Coldkey
		switch {
		case wl.Error != "":
			cold = "coldkey unreadable"
		case wl.ColdkeyEncryption != "" && wl.ColdkeyEncryption != "plaintext":
			cold += " (encrypted)"
		case wl.ColdkeyEncryption == "plaintext":
			cold += " (unencrypted)"
		}
		fmt.Fprintf(out, "%s%-*s  %s\n", branch, width, wl.Name, cold)
		for j, h := range wl.Hotkeys {
			hb := "├── "
			if j == len(wl.Hotkeys)-1 {
				hb = "└── "
			}
			addr := h.SS58Address
			if h.Error != "" {
				addr = "unreadable: " + h.Error
			}
			fmt.Fprintf(out, "%s%s%-*s  %s\n", indent, hb, width-4, h.Name, addr)
		}
	}
}

// fileReport describes one key file for `wallet show`.
type fileReport struct {
	Path       string `json:"path"`
	Exists     bool   `json:"exists"`
	Mode       string `json:"mode,omitempty"`
	Encryption string `json:"encryption,omitempty"`
	Warning    string `json:"warning,omitempty"`
}

type showKey struct {
	Name        string       `json:"name"`
	SS58Address string       `json:"ss58Address,omitempty"`
	PublicKey   string       `json:"publicKey,omitempty"`
	Error       string       `json:"error,omitempty"`
	Files       []fileReport `json:"files"`
	PasswordEnv string       `json:"passwordEnv"`
}

func describeFile(path string, secret bool) fileReport {
	fr := fileReport{Path: path}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fr
	}
	fr.Exists = true
	if err != nil {
		fr.Warning = err.Error()
		return fr
	}
	fr.Mode = fmt.Sprintf("%04o", fi.Mode().Perm())
	if secret {
		if fi.Mode().Perm()&0o077 != 0 {
			fr.Warning = "readable by other users: chmod 600 " + path
		}
		if b, err := os.ReadFile(path); err == nil {
			fr.Encryption = wallet.DetectEncryption(b).String()
		}
	}
	return fr
}

func newWalletShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a wallet's coldkey and hotkey addresses and files (no password needed)",
		Args:  cobra.NoArgs,
	}
	wf := addWalletFlags(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		w, err := wf.wallet()
		if err != nil {
			return err
		}
		cold := showKey{Name: w.Name, PasswordEnv: wallet.EnvVarName(w.ColdkeyFile()), Files: []fileReport{
			describeFile(w.ColdkeyFile(), true), describeFile(w.ColdkeypubFile(), false),
		}}
		if pub, err := w.ColdkeyPub(); err != nil {
			cold.Error = err.Error()
		} else {
			cold.SS58Address, cold.PublicKey = pub.Address(), pub.Hex()
		}
		hot := showKey{Name: w.Hotkey, PasswordEnv: wallet.EnvVarName(w.HotkeyFile()), Files: []fileReport{
			describeFile(w.HotkeyFile(), true), describeFile(w.HotkeypubFile(), false),
		}}
		if legacy := describeFile(w.LegacyHotkeypubFile(), false); legacy.Exists {
			hot.Files = append(hot.Files, legacy)
		}
		if pub, err := w.HotkeyPub(); err != nil {
			hot.Error = err.Error()
		} else {
			hot.SS58Address, hot.PublicKey = pub.Address(), pub.Hex()
		}
		out := cmd.OutOrStdout()
		if asJSON {
			return writeJSONTo(out, map[string]any{"wallet": w.Name, "path": w.Dir(), "coldkey": cold, "hotkey": hot})
		}
		if !cold.Files[0].Exists && !cold.Files[1].Exists && !hot.Files[0].Exists {
			return fmt.Errorf("no wallet %q in %s: create it with `minerkit wallet create --wallet.name %s`", w.Name, w.Path, w.Name)
		}
		fmt.Fprintf(out, "wallet %s (%s)\n", w.Name, w.Dir())
		for _, k := range []struct {
			role string
			showKey
		}{{"coldkey", cold}, {"hotkey", hot}} {
			fmt.Fprintf(out, "  %s %s\n", k.role, k.Name)
			if k.Error != "" {
				fmt.Fprintf(out, "    error:       %s\n", k.Error)
			} else {
				fmt.Fprintf(out, "    ss58:        %s\n    public key:  %s\n", k.SS58Address, k.PublicKey)
			}
			for _, f := range k.Files {
				state := "missing"
				if f.Exists {
					state = "mode " + f.Mode
					switch f.Encryption {
					case "":
					case wallet.NaCl.String():
						state += ", $NACL-encrypted"
					case wallet.Plaintext.String():
						state += ", plaintext"
					default:
						state += ", " + f.Encryption + " encryption: unsupported, regenerate from the mnemonic"
					}
				}
				fmt.Fprintf(out, "    file:        %s (%s)\n", f.Path, state)
				if f.Warning != "" {
					fmt.Fprintf(out, "    WARNING:     %s\n", f.Warning)
				}
			}
			if k.Files[0].Encryption == wallet.NaCl.String() {
				fmt.Fprintf(out, "    password env: %s\n", k.PasswordEnv)
			}
		}
		return nil
	}
	return cmd
}

// decodeHexArg decodes hex from the command line, 0x optional.
func decodeHexArg(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("bad hex: %w", err)
	}
	return b, nil
}
