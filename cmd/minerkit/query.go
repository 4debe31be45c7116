package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

// queryOpts are `minerkit query`'s settings.
type queryOpts struct {
	chain  *chainFlags
	wallet *walletFlags

	netuid, uid       uint16
	netuidSet, uidSet bool
	url, path         string
	method            string
	body, bodyFile    string
	receiver, suri    string
	headers           []string
	timestampMs       int64
	uuid              string
	variant           string
	repeat            int
	maxShow           int64
	verbose           bool
	axon              string
	hashFields        []string
}

// queryResult is one request's outcome (`--json` prints it).
type queryResult struct {
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	UID      *int              `json:"uid,omitempty"`
	Receiver string            `json:"receiver,omitempty"`
	SignedBy string            `json:"signed_by"`
	Status   int               `json:"status"`
	Reason   string            `json:"reason,omitempty"`
	Error    string            `json:"error,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
	// Body is the response body: JSON as JSON, anything else as a string.
	Body      any     `json:"body,omitempty"`
	LatencyMs float64 `json:"latency_ms"`
	// Sent are the request headers as sent, signature included (--verbose).
	Sent map[string]string `json:"sent_headers,omitempty"`
	// AxonSignature says whether an Axon answer's axon.signature is the
	// miner's: "valid", "invalid: …", or "unsigned".
	AxonSignature string `json:"axon_signature,omitempty"`

	raw []byte
}

// queryReport is --repeat's output.
type queryReport struct {
	Requests []queryResult  `json:"requests"`
	Statuses map[string]int `json:"statuses"`
}

// interestingHeaders are shown besides the status (and every Epistula-* or
// X-* header the miner sends back).
var interestingHeaders = []string{"Content-Type", "Content-Length", "Retry-After", "Www-Authenticate", "Server", "Cache-Control"}

func newQueryCmd() *cobra.Command {
	q := &queryOpts{}
	cmd := &cobra.Command{
		Use:   "query (--netuid N --uid U | --url URL) --path /cvm [--body JSON]",
		Short: "Query a miner as a validator, with Epistula-signed requests or Axon synapses",
		Long: `Send one request to a miner the way a validator does: signed with Epistula v2 by the
wallet's hotkey (or --suri for a development key) and signed for the miner's hotkey.
Prints the status, the interesting headers and the body (JSON pretty-printed).

--netuid N --uid U finds the miner on chain: its committed http(s) URL, else its axon,
and its hotkey as the receiver. --url URL calls an address directly; the receiver is
--receiver, or the hotkey that announced that host on --netuid.

--axon Name sends the synapse Name the way the Python SDK's dendrite does (POST /Name,
--body as the synapse's fields, --hash-fields its required_hash_fields) and prints the
answered synapse; the Python axon's refusals come back as {"message": ...}.

For testing a miner's guard: --timestamp signs as at another time (a stale or future
request), --uuid reuses a request id (a replay), --repeat N sends N requests in a row
(a flood) and counts the answers. Exit status 0 when every answer is 2xx, else 1.`,
		Example: `  minerkit query --netuid 1 --uid 3 --path /cvm --body '{"nonce":"00ff"}'
  minerkit query --url http://127.0.0.1:8091 --receiver 5F… --path /cvm --suri //Alice --json
  minerkit query --netuid 1 --uid 3 --path /cvm --repeat 30        # see the rate limit
  minerkit query --netuid 1 --uid 3 --axon ComputeOffer --body '{"nonce":"00ff"}' --hash-fields nonce`,
		Args: cobra.NoArgs,
	}
	q.chain = addChainFlags(cmd, false)
	q.wallet = addWalletFlags(cmd)
	fs := cmd.Flags()
	fs.Uint16Var(&q.netuid, "netuid", 0, "subnet of the miner")
	fs.Uint16Var(&q.uid, "uid", 0, "the miner's UID on --netuid (its endpoint and hotkey come from the chain)")
	fs.StringVar(&q.url, "url", "", "the miner's base URL (instead of --uid, or to override its announced endpoint)")
	fs.StringVar(&q.path, "path", "", "request path, e.g. /cvm (default: the URL's own path)")
	fs.StringVarP(&q.method, "method", "X", "POST", "HTTP method")
	fs.StringVarP(&q.body, "body", "d", "", "request body (JSON is sent as application/json)")
	fs.StringVar(&q.bodyFile, "body-file", "", `read the request body from this file ("-": standard input)`)
	fs.StringVar(&q.receiver, "receiver", "", "the miner's hotkey SS58 to sign for (default: from the chain with --netuid)")
	fs.StringVar(&q.suri, "suri", "", "sign with this secret URI (e.g. //Alice) instead of the wallet hotkey")
	fs.StringArrayVarP(&q.headers, "header", "H", nil, `extra request header "Name: value" (repeatable)`)
	fs.Int64Var(&q.timestampMs, "timestamp", 0, "sign as at this Unix time in milliseconds (test a miner's freshness window)")
	fs.StringVar(&q.uuid, "uuid", "", "sign with this Epistula-Uuid (reuse one to test a miner's replay check)")
	fs.StringVar(&q.variant, "variant", "v2", "header form: v2 (Epistula-*) or x (X-Epistula-*, the seed document's variant: no receiver)")
	fs.IntVar(&q.repeat, "repeat", 1, "send the request this many times, each freshly signed (test a rate limit)")
	fs.BoolVarP(&q.verbose, "verbose", "v", false, "also show the request headers as sent (the Epistula signature included)")
	fs.Int64Var(&q.maxShow, "max-body", 1<<20, "show at most this many bytes of the response body")
	fs.StringVar(&q.axon, "axon", "", "send this synapse with the Axon protocol (the Python SDK's dendrite): POST /{name}, --body as its fields")
	fs.StringSliceVar(&q.hashFields, "hash-fields", nil, "with --axon: the synapse's required_hash_fields, in order (comma-separated)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		q.netuidSet, q.uidSet = fs.Changed("netuid"), fs.Changed("uid")
		if err := q.checkAxon(fs); err != nil {
			return err
		}
		return q.run(cmd)
	}
	return cmd
}

func (q *queryOpts) check() error {
	switch {
	case q.uidSet && !q.netuidSet:
		return errors.New("query: --uid needs --netuid")
	case !q.uidSet && q.url == "":
		return errors.New("query: say which miner: --netuid N --uid U, or --url URL")
	case q.body != "" && q.bodyFile != "":
		return errors.New("query: give --body or --body-file, not both")
	case q.repeat < 1 || q.repeat > 100_000:
		return errors.New("query: --repeat must be from 1 to 100000")
	case q.variant != "v2" && q.variant != "x":
		return fmt.Errorf("query: --variant %q: want v2 or x", q.variant)
	case q.variant == "x" && q.uuid != "":
		return errors.New("query: the X-Epistula variant has no uuid; drop --uuid or use --variant v2")
	case q.uuid != "" && q.repeat > 1:
		return errors.New("query: --uuid with --repeat would send one request and then its replays; send them one by one")
	}
	return nil
}

func (q *queryOpts) signer() (keys.Signer, error) {
	if q.suri != "" {
		k, err := keys.FromSURI(q.suri)
		if err != nil {
			return nil, fmt.Errorf("query: --suri: %w", err)
		}
		return k, nil
	}
	k, err := loadHotkey(q.wallet)
	if err != nil {
		return nil, fmt.Errorf("query: load the validator hotkey (or pass --suri): %w", err)
	}
	return k, nil
}

func (q *queryOpts) readBody(cmd *cobra.Command) ([]byte, error) {
	switch {
	case q.bodyFile == "-":
		return io.ReadAll(io.LimitReader(cmd.InOrStdin(), 64<<20))
	case q.bodyFile != "":
		b, err := os.ReadFile(q.bodyFile)
		if err != nil {
			return nil, fmt.Errorf("query: --body-file: %w", err)
		}
		return b, nil
	}
	return []byte(q.body), nil
}

func (q *queryOpts) run(cmd *cobra.Command) error {
	if err := q.check(); err != nil {
		return err
	}
	key, err := q.signer()
	if err != nil {
		return err
	}
	body, err := q.readBody(cmd)
	if err != nil {
		return err
	}
	extra, err := parseHeaderFlags(q.headers)
	if err != nil {
		return err
	}
	ctx, cancel := q.chain.withTimeout(cmd)
	defer cancel()
	t, err := q.resolveTarget(ctx, cmd)
	if err != nil {
		return err
	}
	if q.axon != "" {
		return q.runAxon(ctx, cmd, key, body, t)
	}
	if q.variant == "x" {
		t.Receiver = "" // X-Epistula signs for nobody
	} else if t.Receiver == "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "query: note: no receiver known, so the request is signed for nobody; miners refuse that by default (pass --receiver or --netuid)")
	}
	now := time.Now
	if q.timestampMs != 0 {
		at := time.UnixMilli(q.timestampMs)
		now = func() time.Time { return at }
	}
	rec := &recorder{}
	client := &http.Client{Transport: &epistula.Transport{
		Signer:   key,
		Base:     rec,
		Receiver: func(*http.Request) string { return t.Receiver },
		X:        q.variant == "x",
		Now:      now,
	}}
	if q.uuid != "" {
		// The Transport always draws a fresh uuid; sign by hand instead.
		client = &http.Client{Transport: rec}
	}
	rep := queryReport{Statuses: map[string]int{}}
	for i := 0; i < q.repeat; i++ {
		req, err := http.NewRequestWithContext(ctx, strings.ToUpper(q.method), t.URL, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		if len(body) == 0 {
			req.Body, req.ContentLength = http.NoBody, 0
		} else if json.Valid(body) {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range extra {
			req.Header[k] = v
		}
		if q.uuid != "" {
			for k, v := range epistula.SignWith(key, body, t.Receiver, now().UnixMilli(), q.uuid) {
				req.Header[k] = v
			}
		}
		r, err := q.do(client, req)
		if err != nil {
			return err
		}
		r.SignedBy, r.Receiver = key.Public().Address(), t.Receiver
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
		if r.Status < 200 || r.Status > 299 {
			return exitError{code: 1}
		}
	}
	return nil
}

// do sends req and reads the answer.
func (q *queryOpts) do(client *http.Client, req *http.Request) (queryResult, error) {
	r := queryResult{Method: req.Method, URL: req.URL.String()}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return r, fmt.Errorf("query: %s %s: %w (is the miner running and reachable?)", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, q.maxShow))
	r.LatencyMs = float64(time.Since(t0).Microseconds()) / 1000
	if err != nil {
		return r, fmt.Errorf("query: read the answer of %s: %w", req.URL, err)
	}
	r.Status, r.raw = resp.StatusCode, raw
	r.Headers = map[string]string{}
	for _, k := range interestingHeaders {
		if v := resp.Header.Get(k); v != "" {
			r.Headers[k] = v
		}
	}
	for k, v := range resp.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "epistula-") || strings.HasPrefix(lk, "x-") {
			r.Headers[k] = strings.Join(v, ", ")
		}
	}
	if json.Valid(raw) {
		r.Body = json.RawMessage(raw)
		var refusal struct {
			Error  string `json:"error"`
			Reason string `json:"reason"`
		}
		if resp.StatusCode >= 400 && json.Unmarshal(raw, &refusal) == nil {
			r.Reason, r.Error = refusal.Reason, refusal.Error
		}
	} else if len(raw) > 0 {
		r.Body = string(raw)
	}
	return r, nil
}

func (q *queryOpts) print(cmd *cobra.Command, t queryTarget, rep queryReport) error {
	w := cmd.OutOrStdout()
	if q.chain.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if q.repeat == 1 {
			return enc.Encode(rep.Requests[0])
		}
		return enc.Encode(rep)
	}
	first := rep.Requests[0]
	who := ""
	if t.UID >= 0 {
		who = fmt.Sprintf("UID %d, %s, ", t.UID, t.From)
	}
	recv := t.Receiver
	if recv == "" {
		recv = "nobody"
	}
	fmt.Fprintf(w, "%s %s\n(%ssigned by %s for %s)\n", first.Method, first.URL, who, first.SignedBy, recv)
	if len(first.Sent) > 0 && q.repeat == 1 {
		for _, k := range sortedKeys(first.Sent) {
			fmt.Fprintf(w, "> %s: %s\n", k, first.Sent[k])
		}
	}
	if q.repeat > 1 {
		for i, r := range rep.Requests {
			line := fmt.Sprintf("#%-4d HTTP %d  %7.1fms", i+1, r.Status, r.LatencyMs)
			if r.Reason != "" {
				line += "  " + r.Reason
			}
			if ra := r.Headers["Retry-After"]; ra != "" {
				line += "  retry after " + ra + "s"
			}
			fmt.Fprintln(w, line)
		}
		codes := make([]string, 0, len(rep.Statuses))
		for c := range rep.Statuses {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%s ×%d", c, rep.Statuses[c])
		}
		fmt.Fprintf(w, "statuses: %s\n", strings.Join(parts, ", "))
		return nil
	}
	fmt.Fprintf(w, "HTTP %d %s  (%.1fms)\n", first.Status, http.StatusText(first.Status), first.LatencyMs)
	for _, k := range sortedKeys(first.Headers) {
		fmt.Fprintf(w, "%s: %s\n", k, first.Headers[k])
	}
	if first.Reason != "" {
		fmt.Fprintf(w, "refused: %s\n", first.Reason)
	}
	if first.AxonSignature != "" {
		fmt.Fprintf(w, "axon signature: %s\n", first.AxonSignature)
	}
	if len(first.raw) > 0 {
		fmt.Fprintln(w)
		var pretty bytes.Buffer
		if json.Indent(&pretty, first.raw, "", "  ") == nil {
			fmt.Fprintln(w, pretty.String())
		} else {
			fmt.Fprintln(w, strings.TrimRight(string(first.raw), "\n"))
		}
	}
	return nil
}

// parseHeaderFlags reads --header "Name: value" flags.
func parseHeaderFlags(hs []string) (http.Header, error) {
	out := http.Header{}
	for _, h := range hs {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("query: --header %q: write it as \"Name: value\"", h)
		}
		out.Add(name, strings.TrimSpace(value))
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// recorder sends requests with http.DefaultTransport and keeps the headers
// of the last one, as signed (for --verbose).
type recorder struct{ last http.Header }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.last = req.Header.Clone()
	return http.DefaultTransport.RoundTrip(req)
}
