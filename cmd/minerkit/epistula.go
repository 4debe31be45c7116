package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

func newEpistulaCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "epistula",
		Short: "Sign and verify Epistula request headers (debug validator ↔ miner auth)",
	}
	cmd.AddCommand(newEpistulaSignCmd(), newEpistulaVerifyCmd())
	return cmd
}

// epistulaHeaderOrder is the order sign prints headers in.
var epistulaHeaderOrder = []string{
	epistula.HeaderVersion, epistula.HeaderTimestamp, epistula.HeaderUUID, epistula.HeaderSignedBy,
	epistula.HeaderSignedFor, epistula.HeaderSignature,
	epistula.HeaderSecretSignature0, epistula.HeaderSecretSignature1, epistula.HeaderSecretSignature2,
	epistula.HeaderXTimestamp, epistula.HeaderXSignature, epistula.HeaderXHotkey,
}

func newEpistulaSignCmd() *cobra.Command {
	var bodyFile, receiver, suri, variant, uuid string
	var at int64
	cmd := &cobra.Command{
		Use:   "sign --body-file F --receiver SS58 [wallet flags | --suri SURI]",
		Short: "Print the Epistula headers of a request body, one `Name: value` per line",
		Long: `Sign a request body as a validator would and print the headers, one "Name: value"
per line, ready for curl -H @file. The key is the wallet hotkey (--wallet.name,
--wallet.hotkey, --wallet.path) or a secret URI (--suri //Alice).`,
		Example: `  minerkit epistula sign --body-file req.json --receiver 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --suri //Alice > headers.txt
  curl -H @headers.txt --data-binary @req.json http://127.0.0.1:8091/forward`,
		Args: cobra.NoArgs,
	}
	wf := addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.StringVar(&bodyFile, "body-file", "", `the request body ("-": standard input) (required)`)
	fs.StringVar(&receiver, "receiver", "", "the miner's hotkey SS58 address (Epistula-Signed-For); miners refuse requests without it")
	fs.StringVar(&suri, "suri", "", "sign with this secret URI (e.g. //Alice) instead of the wallet hotkey")
	fs.StringVar(&variant, "variant", "v2", `header form: v2 (Epistula-*) or x (X-Epistula-*)`)
	fs.Int64Var(&at, "at", 0, "timestamp: Unix milliseconds (v2) or nanoseconds (x); default now")
	fs.StringVar(&uuid, "uuid", "", "Epistula-Uuid (default: a fresh random uuid4)")
	cmd.MarkFlagRequired("body-file")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		body, err := readEpistulaInput(cmd, bodyFile)
		if err != nil {
			return err
		}
		var key keys.Signer
		if suri != "" {
			if key, err = keys.FromSURI(suri); err != nil {
				return fmt.Errorf("--suri: %w", err)
			}
		} else if key, err = loadHotkey(wf); err != nil {
			return err
		}
		if receiver != "" {
			if _, err := keys.DecodeAddress(receiver); err != nil {
				return fmt.Errorf("--receiver: %w", err)
			}
		}
		var h http.Header
		switch variant {
		case "v2":
			if at == 0 {
				at = time.Now().UnixMilli()
			}
			if uuid == "" {
				uuid = epistula.NewUUID()
			}
			h = epistula.SignWith(key, body, receiver, at, uuid)
		case "x":
			if at == 0 {
				at = time.Now().UnixNano()
			}
			h = epistula.SignXWith(key, body, at)
		default:
			return fmt.Errorf("--variant %q: want v2 or x", variant)
		}
		out := cmd.OutOrStdout()
		for _, k := range epistulaHeaderOrder {
			if v := h.Get(k); v != "" {
				fmt.Fprintf(out, "%s: %s\n", k, v)
			}
		}
		if variant == "v2" && receiver == "" {
			fmt.Fprintln(cmd.ErrOrStderr(), "warning: no --receiver: miners refuse requests without Epistula-Signed-For by default")
		}
		return nil
	}
	return cmd
}

func newEpistulaVerifyCmd() *cobra.Command {
	var headersFile, bodyFile, receiver string
	var at int64
	var window time.Duration
	var allowNoReceiver, allowNoVersion bool
	cmd := &cobra.Command{
		Use:   "verify --headers-file H --body-file B --receiver SS58 [--at UNIX_MS]",
		Short: "Check a signed request: print the caller's SS58 (exit 0) or the exact reason (exit 1)",
		Long: `Verify a request as a minerkit miner would. The headers file holds "Name: value"
lines (what curl -D or curl -v writes; other lines are ignored). On success the
caller's SS58 address is printed and the exit status is 0; otherwise the reason
(malformed, unsupported_version, stale, from_the_future, wrong_receiver,
bad_signature) and what to do about it are printed and the exit status is 1.
There is no replay cache here: a request verifies as often as you ask.`,
		Example: `  minerkit epistula verify --headers-file headers.txt --body-file req.json --receiver 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty`,
		Args:    cobra.NoArgs,
	}
	fs := cmd.Flags()
	fs.StringVar(&headersFile, "headers-file", "", `"Name: value" header lines ("-": standard input) (required)`)
	fs.StringVar(&bodyFile, "body-file", "", `the request body ("-": standard input; empty file for no body) (required)`)
	fs.StringVar(&receiver, "receiver", "", "this miner's hotkey SS58 address; Epistula-Signed-For must match it (omit: not checked)")
	fs.Int64Var(&at, "at", 0, "verify as of this time, Unix milliseconds (default now): for captured requests")
	fs.DurationVar(&window, "window", epistula.DefaultWindow, "accepted clock difference, both ways (v2)")
	fs.BoolVar(&allowNoReceiver, "allow-missing-signed-for", false, "accept v2 requests without Epistula-Signed-For")
	fs.BoolVar(&allowNoVersion, "allow-missing-version", false, "accept v2 requests without Epistula-Version")
	cmd.MarkFlagRequired("headers-file")
	cmd.MarkFlagRequired("body-file")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if headersFile == "-" && bodyFile == "-" {
			return fmt.Errorf("--headers-file and --body-file cannot both be standard input")
		}
		raw, err := readEpistulaInput(cmd, headersFile)
		if err != nil {
			return err
		}
		h := parseHeaderLines(raw)
		body, err := readEpistulaInput(cmd, bodyFile)
		if err != nil {
			return err
		}
		now := time.Now()
		if at != 0 {
			now = time.UnixMilli(at)
		}
		v := &epistula.Verifier{Self: receiver, Window: window, AllowMissingSignedFor: allowNoReceiver,
			AllowMissingVersion: allowNoVersion, Replay: noReplayCache{}}
		caller, err := v.Verify(h, body, now)
		if err != nil {
			msg := fmt.Sprintf("%s: %v", epistula.ReasonOf(err), err)
			if epistula.ReasonOf(err) == epistula.ReasonBadSignature {
				msg += "\n" + signedMessageHint(h, body)
			}
			return exitError{code: 1, msg: msg}
		}
		fmt.Fprintln(cmd.OutOrStdout(), caller)
		return nil
	}
	return cmd
}

// noReplayCache makes verify stateless: the CLI checks one request.
type noReplayCache struct{}

func (noReplayCache) Seen(string, string, time.Time) (bool, error) { return false, nil }

// signedMessageHint shows the message the signature had to cover: comparing
// it with what the sender signed finds most interop bugs.
func signedMessageHint(h http.Header, body []byte) string {
	p, err := epistula.ParseHeaders(h)
	if err != nil && p.Variant == 0 {
		return ""
	}
	hash := epistula.BodyHash(body)
	var msg []byte
	if p.Variant == epistula.X {
		msg = epistula.AppendXMessage(nil, &hash, p.Timestamp)
	} else {
		msg = epistula.AppendMessage(nil, &hash, p.UUID, p.Timestamp, p.SignedFor)
	}
	return fmt.Sprintf("the signature must cover exactly these UTF-8 bytes (raw, or wrapped in <Bytes>…</Bytes>):\n  %s\n(body: %d bytes)", msg, len(body))
}

// parseHeaderLines reads "Name: value" lines; status and request lines,
// blank lines and curl -v markers ("> ", "< ") are skipped.
func parseHeaderLines(raw []byte) http.Header {
	h := http.Header{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		line = strings.TrimPrefix(strings.TrimPrefix(line, "> "), "< ")
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			continue
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h
}

// readEpistulaInput reads a file, or standard input for "-".
func readEpistulaInput(cmd *cobra.Command, name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}
