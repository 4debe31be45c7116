package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/keys"
)

// checkAxon refuses flags that mean nothing to an Axon query.
func (q *queryOpts) checkAxon(fs interface{ Changed(string) bool }) error {
	if q.axon == "" {
		if len(q.hashFields) > 0 {
			return errors.New("query: --hash-fields goes with --axon")
		}
		return nil
	}
	for _, f := range []string{"path", "method", "variant", "uuid", "timestamp", "header"} {
		if fs.Changed(f) {
			return fmt.Errorf("query: --%s does not apply to --axon (the synapse name is the route; the Axon protocol signs its own headers)", f)
		}
	}
	return nil
}

// runAxon sends the synapse q.axon with body as its fields, as the Python
// SDK's dendrite does, q.repeat times from one dendrite (one uuid,
// increasing nonces).
func (q *queryOpts) runAxon(ctx context.Context, cmd *cobra.Command, key keys.Signer, body []byte, t queryTarget) error {
	if t.Receiver == "" {
		return errors.New("query: --axon needs the miner's hotkey: pass --receiver, or --netuid (with --uid or --url)")
	}
	base := strings.TrimSuffix(t.URL, "/")
	rec := &recorder{}
	c := &axon.Client{Signer: key, HTTP: &http.Client{Transport: rec}, MaxResponseBytes: q.maxShow}
	rep := queryReport{Statuses: map[string]int{}}
	timeout := axon.DefaultTimeout // the SDK's; the miner's nonce window allows 4 s + this
	for i := 0; i < q.repeat; i++ {
		syn, err := axon.NewRaw(q.axon, body, q.hashFields)
		if err != nil {
			return fmt.Errorf("query: --axon: %w", err)
		}
		r := queryResult{Method: http.MethodPost, URL: base + "/" + q.axon, SignedBy: key.Public().Address(), Receiver: t.Receiver}
		t0 := time.Now()
		err = c.Call(ctx, axon.Target{URL: base, Hotkey: t.Receiver}, syn, timeout)
		r.LatencyMs = float64(time.Since(t0).Microseconds()) / 1000
		var se *axon.StatusError
		switch {
		case err == nil:
			r.Status = http.StatusOK
			r.raw, _ = json.Marshal(syn)
			switch err := axon.VerifyAnswer(&syn.Synapse, t.Receiver); {
			case err == nil:
				r.AxonSignature = "valid"
			case errors.Is(err, axon.ErrAnswerUnsigned):
				r.AxonSignature = "unsigned"
			default:
				r.AxonSignature = "invalid: " + err.Error()
			}
		case errors.As(err, &se):
			r.Status, r.Error = se.Status, se.Message
			r.raw, _ = json.Marshal(map[string]string{"message": se.Message})
		default:
			return fmt.Errorf("query: %s: %w (is the miner running and reachable?)", r.URL, err)
		}
		r.Body = json.RawMessage(r.raw)
		r.Headers = map[string]string{}
		if a := syn.Axon; a.StatusCode != nil {
			r.Headers[axon.HeaderAxonStatusCode] = strconv.Itoa(*a.StatusCode)
			if a.StatusMessage != nil {
				r.Headers[axon.HeaderAxonStatusMessage] = *a.StatusMessage
			}
		}
		if q.verbose {
			r.Sent = map[string]string{}
			for k, v := range rec.last {
				r.Sent[k] = strings.Join(v, ", ")
			}
		}
		if t.UID >= 0 {
			uid := t.UID
			r.UID = &uid
		}
		rep.Requests = append(rep.Requests, r)
		rep.Statuses[strconv.Itoa(r.Status)]++
	}
	if err := q.print(cmd, t, rep); err != nil {
		return err
	}
	for _, r := range rep.Requests {
		if r.Status != http.StatusOK {
			return exitError{code: 1}
		}
	}
	return nil
}
