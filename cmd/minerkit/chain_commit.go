package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// commitReport is `minerkit commit`'s JSON output.
type commitReport struct {
	NetUID     uint16                `json:"netuid"`
	Hotkey     string                `json:"hotkey"`
	Text       string                `json:"text,omitempty"`
	Hex        string                `json:"hex,omitempty"`
	Block      uint32                `json:"block,omitempty"`
	Commitment *subtensor.Commitment `json:"commitment,omitempty"`
	Tx         *subtensor.TxResult   `json:"tx,omitempty"`
}

func newCommitCmd() *cobra.Command {
	var (
		netuid   uint16
		data     string
		endpoint string
		hexData  string
		of       string
		all      bool
	)
	cmd := &cobra.Command{
		Use:   "commit --netuid N [--data TEXT | --endpoint URL | --hex BYTES]",
		Short: "Commit data for the hotkey on a subnet, or show commitments",
		Long: `Commit text, an endpoint URL or bytes for the wallet's hotkey on a subnet
(Commitments.set_commitment, free). Nothing is sent when the chain already holds
the same data. Without --data/--endpoint/--hex it shows the current commitment
(of the wallet's hotkey, of --of ADDRESS, or of every hotkey with --all).`,
		Example: "  minerkit commit --netuid 1 --endpoint https://203.0.113.7:8091\n  minerkit commit --netuid 1 --data 'model=v2'\n  minerkit commit --netuid 1 --all",
		Args:    cobra.NoArgs,
	}
	cf := addChainFlags(cmd, true)
	wf := addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.Uint16Var(&netuid, "netuid", 0, "subnet (required)")
	fs.StringVar(&data, "data", "", "text to commit (up to 512 bytes)")
	fs.StringVar(&endpoint, "endpoint", "", "endpoint URL to commit, e.g. https://203.0.113.7:8091")
	fs.StringVar(&hexData, "hex", "", "bytes to commit, as hex")
	fs.StringVar(&of, "of", "", "show the commitment of this hotkey address")
	fs.BoolVar(&all, "all", false, "show every commitment on the subnet")
	_ = cmd.MarkFlagRequired("netuid")
	cmd.MarkFlagsMutuallyExclusive("data", "endpoint", "hex", "of", "all")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var payload []byte
		switch {
		case endpoint != "":
			if err := subtensor.CheckEndpointURL(endpoint); err != nil {
				return err
			}
			if w := subtensor.EndpointWarning(endpoint); w != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			payload = []byte(endpoint)
		case hexData != "":
			b, err := hex.DecodeString(strings.TrimPrefix(hexData, "0x"))
			if err != nil {
				return fmt.Errorf("--hex: %w", err)
			}
			payload = b
		case data != "":
			payload = []byte(data)
		}
		ctx, cancel := cf.withTimeout(cmd)
		defer cancel()
		if payload == nil {
			// Read mode.
			var who keys.PublicKey
			var err error
			switch {
			case all:
			case of != "":
				who, err = parseAccount(of)
			default:
				who, err = hotkeyPub(wf)
			}
			if err != nil {
				return err
			}
			c, err := cf.connect(ctx, cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			if all {
				cs, err := c.Commitments(ctx, netuid)
				if err != nil {
					return err
				}
				var reps []commitReport
				for k, cm := range cs {
					reps = append(reps, makeCommitReport(netuid, k, cm))
				}
				sort.Slice(reps, func(i, j int) bool { return reps[i].Hotkey < reps[j].Hotkey })
				return cf.out(cmd, reps, func(w io.Writer) {
					if len(reps) == 0 {
						fmt.Fprintf(w, "no commitments on netuid %d\n", netuid)
					}
					for _, r := range reps {
						fmt.Fprintf(w, "%s  block %-8d %s\n", r.Hotkey, r.Block, commitShown(r))
					}
				})
			}
			cm, err := c.Commitment(ctx, netuid, who)
			if err != nil {
				return err
			}
			rep := makeCommitReport(netuid, who, cm)
			return cf.out(cmd, rep, func(w io.Writer) {
				if cm == nil {
					fmt.Fprintf(w, "%s has no commitment on netuid %d\n", rep.Hotkey, netuid)
					return
				}
				fmt.Fprintf(w, "%s committed on netuid %d at block %d: %s\n", rep.Hotkey, netuid, rep.Block, commitShown(rep))
			})
		}
		d, err := subtensor.RawData(payload)
		if err != nil {
			return err
		}
		hot, err := loadHotkey(wf)
		if err != nil {
			return err
		}
		c, err := cf.connect(ctx, cmd)
		if err != nil {
			return err
		}
		defer c.Close()
		sp := cf.spinner(cmd)
		defer sp.stop()
		sp.set("committing")
		tx, err := c.SetCommitment(ctx, hot, netuid, []subtensor.Data{d}, cf.txOptions(sp))
		sp.stop()
		if err != nil {
			return err
		}
		cm := &subtensor.Commitment{Fields: []subtensor.Data{d}, Block: uint32(tx.Block)}
		rep := makeCommitReport(netuid, hot.Public(), cm)
		rep.Tx = tx
		return cf.out(cmd, rep, func(w io.Writer) {
			if !tx.Skipped {
				fmt.Fprintf(w, "committed %s for %s on netuid %d\n", commitShown(rep), rep.Hotkey, netuid)
			}
			printTx(w, tx)
		})
	}
	return cmd
}

func makeCommitReport(netuid uint16, who keys.PublicKey, cm *subtensor.Commitment) commitReport {
	r := commitReport{NetUID: netuid, Hotkey: who.Address(), Commitment: cm}
	if cm == nil {
		return r
	}
	r.Block = cm.Block
	if cm.IsText() {
		r.Text = cm.Text()
	} else {
		r.Hex = "0x" + hex.EncodeToString(cm.Bytes())
	}
	return r
}

func commitShown(r commitReport) string {
	if r.Hex != "" {
		return r.Hex
	}
	return fmt.Sprintf("%q", r.Text)
}
