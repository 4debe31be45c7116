package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/keys"
)

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Inspect keys, sign and verify messages (sr25519)",
	}
	cmd.AddCommand(newKeysInspectCmd(), newKeysSignCmd(), newKeysVerifyCmd())
	return cmd
}

type inspectReport struct {
	SecretPhrase string `json:"secretPhrase,omitempty"`
	SecretKeyURI string `json:"secretKeyUri,omitempty"`
	PublicKeyURI string `json:"publicKeyUri,omitempty"`
	NetworkID    uint16 `json:"ss58Prefix"`
	SecretSeed   string `json:"secretSeed,omitempty"`
	PublicKey    string `json:"publicKey"`
	AccountID    string `json:"accountId"`
	SS58Address  string `json:"ss58Address"`
}

func newKeysInspectCmd() *cobra.Command {
	var (
		asJSON bool
		prefix uint16
	)
	cmd := &cobra.Command{
		Use:   "inspect [SURI | mnemonic | 0xseed | SS58 address]",
		Short: "Print the public key and SS58 address of a secret (like `subkey inspect`)",
		Long: `Print the public key and SS58 address of a secret URI, a mnemonic or a 0x seed,
like 'subkey inspect'. SURIs follow Substrate: "phrase//hard/soft///password", and
"//Alice" uses the development phrase. An SS58 address (any prefix) is decoded instead.
Without an argument the secret is read from standard input (keeps it out of the shell history).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in string
			if len(args) == 1 {
				in = args[0]
			} else {
				s, err := readSecretLine(cmd, "Secret URI, mnemonic or 0x seed: ")
				if err != nil {
					return err
				}
				in = strings.TrimRight(s, "\r\n")
			}
			rep, err := inspect(in, prefix, cmd.Flags().Changed("ss58-prefix"))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSONTo(out, rep)
			}
			printInspect(out, rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().Uint16Var(&prefix, "ss58-prefix", keys.DefaultSS58Prefix, "SS58 network prefix of the printed address (42: Bittensor/Substrate)")
	return cmd
}

func inspect(in string, prefix uint16, prefixSet bool) (*inspectReport, error) {
	trimmed := strings.TrimSpace(in)
	// Public input: an SS58 address, or 0x + 32 bytes when it cannot be a seed.
	if !strings.ContainsAny(trimmed, " /") && !strings.HasPrefix(trimmed, "0x") {
		pub, p, err := keys.DecodeSS58(trimmed)
		if err != nil {
			if _, merr := keys.MnemonicToEntropy(trimmed); merr != nil {
				return nil, fmt.Errorf("%q is neither a secret URI nor an SS58 address: %w", trimmed, err)
			}
		} else {
			if !prefixSet {
				prefix = p
			}
			return &inspectReport{PublicKeyURI: trimmed, NetworkID: prefix, PublicKey: pub.Hex(), AccountID: pub.Hex(), SS58Address: keys.EncodeSS58(pub, prefix)}, nil
		}
	}
	u, err := keys.ParseSURI(in)
	if err != nil {
		return nil, err
	}
	kp, err := u.Keypair()
	if err != nil {
		return nil, err
	}
	rep := &inspectReport{NetworkID: prefix, PublicKey: kp.Public().Hex(), AccountID: kp.Public().Hex(), SS58Address: keys.EncodeSS58(kp.Public(), prefix)}
	if seed := kp.Seed(); seed != nil {
		rep.SecretSeed = fmt.Sprintf("0x%x", seed)
	}
	if len(u.Path) == 0 && u.Password == "" && !strings.HasPrefix(u.Phrase, "0x") {
		rep.SecretPhrase = u.Phrase
	} else {
		rep.SecretKeyURI = in
	}
	return rep, nil
}

func printInspect(out io.Writer, r *inspectReport) {
	switch {
	case r.SecretPhrase != "":
		fmt.Fprintf(out, "Secret phrase:       %s\n", r.SecretPhrase)
	case r.SecretKeyURI != "":
		fmt.Fprintf(out, "Secret Key URI `%s` is account:\n", r.SecretKeyURI)
	default:
		fmt.Fprintf(out, "Public Key URI `%s` is account:\n", r.PublicKeyURI)
	}
	network := fmt.Sprintf("%d", r.NetworkID)
	if r.NetworkID == keys.DefaultSS58Prefix {
		network += " (bittensor, substrate)"
	}
	fmt.Fprintf(out, "  Network ID:        %s\n", network)
	if r.SecretPhrase != "" || r.SecretKeyURI != "" {
		seed := r.SecretSeed
		if seed == "" {
			seed = "n/a (soft derivation has no seed)"
		}
		fmt.Fprintf(out, "  Secret seed:       %s\n", seed)
	}
	fmt.Fprintf(out, "  Public key (hex):  %s\n", r.PublicKey)
	fmt.Fprintf(out, "  Account ID:        %s\n", r.AccountID)
	fmt.Fprintf(out, "  Public key (SS58): %s\n", r.SS58Address)
	fmt.Fprintf(out, "  SS58 Address:      %s\n", r.SS58Address)
}

// messageFlags select the message of sign and verify.
type messageFlags struct {
	file  string
	isHex bool
}

func addMessageFlags(cmd *cobra.Command) *messageFlags {
	m := &messageFlags{}
	cmd.Flags().StringVar(&m.file, "file", "", `sign/verify the bytes of this file ("-": standard input) instead of a message argument`)
	cmd.Flags().BoolVar(&m.isHex, "hex", false, "the message argument is 0x hex bytes, not text")
	return m
}

func (m *messageFlags) message(cmd *cobra.Command, args []string) ([]byte, error) {
	switch {
	case m.file != "" && len(args) > 0:
		return nil, errors.New("give a message argument or --file, not both")
	case m.file == "-":
		return io.ReadAll(cmd.InOrStdin())
	case m.file != "":
		b, err := os.ReadFile(m.file)
		if err != nil {
			return nil, fmt.Errorf("read message file: %w", err)
		}
		return b, nil
	case len(args) == 0:
		return nil, errors.New("give the message as an argument or --file PATH")
	case m.isHex:
		return decodeHexArg(args[0])
	}
	return []byte(args[0]), nil
}

type signReport struct {
	Signer    string `json:"signer"`
	PublicKey string `json:"publicKey"`
	Signature string `json:"signature"`
	Wrapped   bool   `json:"wrapped"`
}

func newKeysSignCmd() *cobra.Command {
	var (
		suri, use    string
		wrap, asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "sign [message]",
		Short: "Sign a message or a file with a wallet key or a SURI",
		Long: `Sign a message (argument) or a file (--file) with the wallet's hotkey (default),
its coldkey (--use coldkey), or a secret URI (--suri; "--suri -" reads it from standard input).
Prints the 64-byte sr25519 signature as 0x hex. --wrap signs "<Bytes>"+message+"</Bytes>"
as polkadot-js signRaw does; verifiers accept both forms.`,
		Args: cobra.MaximumNArgs(1),
	}
	wf := addWalletFlags(cmd)
	mf := addMessageFlags(cmd)
	cmd.Flags().StringVar(&suri, "suri", "", "sign with this secret URI instead of a wallet key")
	cmd.Flags().StringVar(&use, "use", "hotkey", "which wallet key signs: hotkey or coldkey")
	cmd.Flags().BoolVar(&wrap, "wrap", false, "sign the <Bytes>-wrapped message (polkadot-js signRaw form)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if use != "hotkey" && use != "coldkey" {
			return fmt.Errorf("--use must be hotkey or coldkey, not %q", use)
		}
		if suri == "-" && mf.file == "-" {
			return errors.New("standard input cannot hold both the SURI and the message")
		}
		msg, err := mf.message(cmd, args)
		if err != nil {
			return err
		}
		var kp *keys.Keypair
		switch {
		case suri != "":
			s := suri
			if s == "-" {
				if s, err = readSecretLine(cmd, "Secret URI: "); err != nil {
					return err
				}
				s = strings.TrimRight(s, "\r\n")
			}
			kp, err = keys.FromSURI(s)
		case use == "hotkey":
			kp, err = loadHotkey(wf)
		default:
			kp, err = loadColdkey(wf)
		}
		if err != nil {
			return err
		}
		if wrap {
			msg = keys.WrapBytes(msg)
		}
		sig := kp.Sign(msg)
		rep := signReport{Signer: kp.Address(), PublicKey: kp.Public().Hex(), Signature: sig.Hex(), Wrapped: wrap}
		if asJSON {
			return writeJSONTo(cmd.OutOrStdout(), rep)
		}
		fmt.Fprintln(cmd.OutOrStdout(), rep.Signature)
		fmt.Fprintf(cmd.ErrOrStderr(), "signed by %s\n", rep.Signer)
		return nil
	}
	return cmd
}

type verifyReport struct {
	Valid  bool   `json:"valid"`
	Signer string `json:"signer"`
	Form   string `json:"form,omitempty"` // "raw" or "wrapped"
}

func newKeysVerifyCmd() *cobra.Command {
	var (
		signer, signature string
		asJSON            bool
	)
	cmd := &cobra.Command{
		Use:   "verify --signer ADDRESS --signature 0xSIG [message]",
		Short: "Verify an sr25519 signature of a message or a file",
		Long: `Verify a signature of a message (argument) or a file (--file) by --signer (an SS58
address of any network, or 0x public key hex). Signatures of the raw message and of the
"<Bytes>"-wrapped message (polkadot-js signRaw) are both accepted.
Exit status: 0 valid, 1 invalid.`,
		Args: cobra.MaximumNArgs(1),
	}
	mf := addMessageFlags(cmd)
	cmd.Flags().StringVar(&signer, "signer", "", "SS58 address or 0x public key of the signer (required)")
	cmd.Flags().StringVar(&signature, "signature", "", "the signature, 0x + 128 hex digits (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.MarkFlagRequired("signer")
	cmd.MarkFlagRequired("signature")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		pub, err := parseSigner(signer)
		if err != nil {
			return err
		}
		sig, err := decodeHexArg(signature)
		if err != nil {
			return fmt.Errorf("--signature: %w", err)
		}
		if len(sig) != 64 {
			return fmt.Errorf("--signature holds %d bytes; an sr25519 signature has 64 (0x + 128 hex digits)", len(sig))
		}
		msg, err := mf.message(cmd, args)
		if err != nil {
			return err
		}
		vk, err := keys.NewVerifyKey(pub)
		if err != nil {
			return err
		}
		rep := verifyReport{Signer: pub.Address()}
		switch {
		case vk.VerifyRaw(msg, sig):
			rep.Valid, rep.Form = true, "raw"
		case vk.VerifyRaw(keys.WrapBytes(msg), sig):
			rep.Valid, rep.Form = true, "wrapped"
		}
		out := cmd.OutOrStdout()
		if asJSON {
			if err := writeJSONTo(out, rep); err != nil {
				return err
			}
		} else if rep.Valid {
			form := "raw message"
			if rep.Form == "wrapped" {
				form = "<Bytes>-wrapped message"
			}
			fmt.Fprintf(out, "valid signature by %s (%s)\n", rep.Signer, form)
		}
		if !rep.Valid {
			msg := ""
			if !asJSON {
				msg = fmt.Sprintf("invalid signature: not made by %s over this message", rep.Signer)
			}
			return exitError{code: 1, msg: msg}
		}
		return nil
	}
	return cmd
}

// parseSigner reads an SS58 address (any prefix) or 0x public key hex.
func parseSigner(s string) (keys.PublicKey, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return keys.ParsePublicKey(s)
	}
	return keys.DecodeAddress(s)
}
