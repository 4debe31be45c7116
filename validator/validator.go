package validator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// Config says what to query and how often. Zero values mean the defaults.
type Config struct {
	NetUID uint16
	// Method and Path are the request sent to each miner (default
	// "POST /cvm", the compute miner's route).
	Method string
	Path   string
	// Body is the request body (default "{}"); ContentType its type
	// (default application/json).
	Body        []byte
	ContentType string
	// Interval is the time between two rounds of queries (default 12 s).
	Interval time.Duration
	// Timeout bounds one query, from sending to the end of the body
	// (default 5 s).
	Timeout time.Duration
	// Concurrency is the most queries in flight at once (default 16).
	Concurrency int
	// MaxResponseBytes bounds the body read from a miner (default 1 MiB).
	MaxResponseBytes int64
	// Smoothing is the weight of a new score in each miner's moving
	// average, in (0, 1] (default 0.3).
	Smoothing float64
	// WeightsInterval is the number of blocks between two set_weights
	// (default: the subnet's tempo). The subnet's weights rate limit is
	// respected whatever this says.
	WeightsInterval uint64
	// VersionKey is the weights version key sent with set_weights. If zero,
	// the subnet's current WeightsVersion; a non-zero key below it is an
	// error, as the chain would refuse it.
	VersionKey uint64
	// Synapse, if not empty, queries with the Axon protocol (the Python
	// SDK's dendrite) instead of Epistula: POST /{Synapse}, Body's JSON
	// object as the synapse's fields (Method, Path and ContentType unused),
	// HashFields its required_hash_fields in order. Result.Body is the
	// answered synapse as JSON, or {"message": …} for a refusal.
	Synapse    string
	HashFields []string
	// AllowPrivate queries endpoints on loopback and private addresses (a
	// devnet on one machine). Leave it off on public networks: a miner could
	// otherwise point the validator at services on its own network.
	AllowPrivate bool
}

func (c Config) withDefaults() Config {
	if c.Method == "" {
		c.Method = http.MethodPost
	}
	if c.Path == "" {
		c.Path = "/cvm"
	}
	if c.Body == nil {
		c.Body = []byte("{}")
	}
	if c.ContentType == "" {
		c.ContentType = "application/json"
	}
	if c.Interval <= 0 {
		c.Interval = 12 * time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 1 << 20
	}
	if !(c.Smoothing > 0 && c.Smoothing <= 1) {
		c.Smoothing = 0.3
	}
	return c
}

// WeightsEvent reports one weights decision: sent, or why not.
type WeightsEvent struct {
	Block uint64 `json:"block"`
	// Set is true when set_weights was included (at Block); otherwise
	// Skipped says why nothing was sent, or Err why it failed.
	Set        bool     `json:"set"`
	UIDs       []uint16 `json:"uids,omitempty"`
	Weights    []uint16 `json:"weights,omitempty"`
	VersionKey uint64   `json:"version_key"`
	Skipped    string   `json:"skipped,omitempty"`
	Err        error    `json:"-"`
}

// Stats are counters since the Validator started.
type Stats struct {
	Rounds     uint64 `json:"rounds"`
	Queries    uint64 `json:"queries"`
	OK         uint64 `json:"ok"`
	Failed     uint64 `json:"failed"`
	WeightsSet uint64 `json:"weights_set"`
	// LastWeightsBlock is the block of the last successful set_weights.
	LastWeightsBlock uint64 `json:"last_weights_block"`
	// UID and Permit describe the validator's hotkey in the last round.
	UID        uint16 `json:"uid"`
	Registered bool   `json:"registered"`
	Permit     bool   `json:"validator_permit"`
	Block      uint64 `json:"block"`
	Miners     int    `json:"miners"`
}

// Validator queries a subnet's miners, scores them and sets weights. Build
// one with New, set the optional fields, then call Run (or Step in your own
// loop).
type Validator struct {
	// Scorer scores each answer (default AvailabilityLatency{}).
	Scorer Scorer
	// Logger receives one record per round and per weights decision
	// (default: discard).
	Logger *slog.Logger
	// OnResult, if non-nil, is called with each query's result, from the
	// querying goroutines.
	OnResult func(Result)
	// OnWeights, if non-nil, is called with each weights decision.
	OnWeights func(WeightsEvent)
	// HTTPClient sends the queries. If nil, New's client: Epistula-signed
	// by the hotkey, no redirects, Config.Timeout.
	HTTPClient *http.Client

	axonClient *axon.Client
	cfg        Config
	chain      Chain
	hotkey     keys.Signer

	mu      sync.Mutex
	scores  map[keys.PublicKey]float64 // moving average per miner hotkey
	stats   Stats
	lastSet uint64 // block of this process's last set_weights
}

// New returns a Validator for cfg that signs with hotkey and reads and
// writes the chain through chain.
func New(cfg Config, hotkey keys.Signer, chain Chain) (*Validator, error) {
	if hotkey == nil {
		return nil, errors.New("validator: no hotkey; load one from a wallet")
	}
	if chain == nil {
		return nil, errors.New("validator: no chain; give New a SubtensorChain")
	}
	cfg = cfg.withDefaults()
	if !strings.HasPrefix(cfg.Path, "/") {
		return nil, fmt.Errorf("validator: path %q must start with /", cfg.Path)
	}
	return &Validator{cfg: cfg, chain: chain, hotkey: hotkey, scores: map[keys.PublicKey]float64{}}, nil
}

// Config returns the configuration with defaults filled in.
func (v *Validator) Config() Config { return v.cfg }

// Stats returns the counters so far.
func (v *Validator) Stats() Stats {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stats
}

// Scores returns each miner's smoothed score, by hotkey SS58 address.
func (v *Validator) Scores() map[string]float64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]float64, len(v.scores))
	for k, s := range v.scores {
		out[k.Address()] = s
	}
	return out
}

func (v *Validator) logger() *slog.Logger {
	if v.Logger != nil {
		return v.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (v *Validator) client() *http.Client {
	// Queries run concurrently and the client is made on first use, so
	// every read of HTTPClient holds the lock.
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.HTTPClient == nil {
		v.HTTPClient = &http.Client{
			Transport:     &epistula.Transport{Signer: v.hotkey, Base: v.baseTransport()},
			Timeout:       v.cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return v.HTTPClient
}

// baseTransport dials with the timeout and, unless AllowPrivate, refuses
// private addresses.
func (v *Validator) baseTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: v.cfg.Timeout}
	if !v.cfg.AllowPrivate {
		// Checked again at connect time: a miner's host name may resolve
		// to a private address.
		dialer.Control = refusePrivate
	}
	return &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: v.cfg.Timeout,
	}
}

// dendrite returns the Axon client (one uuid for the Validator's life, as a
// Python Dendrite instance).
func (v *Validator) dendrite() *axon.Client {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.axonClient == nil {
		v.axonClient = &axon.Client{Signer: v.hotkey, MaxResponseBytes: v.cfg.MaxResponseBytes, HTTP: &http.Client{
			Transport:     v.baseTransport(),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
	}
	return v.axonClient
}

// queryAxon sends the configured synapse to t with the Axon protocol.
func (v *Validator) queryAxon(ctx context.Context, t Target, r *Result) {
	syn, err := axon.NewRaw(v.cfg.Synapse, v.cfg.Body, v.cfg.HashFields)
	if err != nil {
		r.Err = fmt.Errorf("validator: synapse %s: %w", v.cfg.Synapse, err)
		return
	}
	start := time.Now()
	err = v.dendrite().Call(ctx, axon.Target{URL: t.URL, Hotkey: t.Hotkey}, syn, v.cfg.Timeout)
	r.Latency = time.Since(start)
	var se *axon.StatusError
	switch {
	case err == nil:
		r.Status = http.StatusOK
		r.Body, r.Err = json.Marshal(syn)
	case errors.As(err, &se):
		r.Status = se.Status
		r.Body, _ = json.Marshal(map[string]string{"message": se.Message})
		r.Reason = axonReason(se.Status)
	default:
		r.Err = fmt.Errorf("validator: query uid %d at %s: %w", t.UID, t.URL, err)
	}
}

// axonReason names an Axon refusal by its status, as the guard's reasons
// read.
func axonReason(status int) string {
	switch status {
	case http.StatusForbidden:
		return "blacklisted"
	case http.StatusUnauthorized:
		return "not_verified"
	case http.StatusNotFound:
		return "unknown_synapse"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusUnprocessableEntity:
		return "unparseable_answer"
	}
	return ""
}

// Run calls Step every Config.Interval until ctx ends, and returns nil then.
// A failed round is logged and retried at the next interval.
func (v *Validator) Run(ctx context.Context) error {
	t := time.NewTicker(v.cfg.Interval)
	defer t.Stop()
	for {
		if err := v.Step(ctx); err != nil && ctx.Err() == nil {
			v.logger().Warn("validator round failed; retrying at the next interval", "err", err, "interval", v.cfg.Interval)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Step runs one round: read the subnet, query every miner, update the
// scores, and set weights when they are due.
func (v *Validator) Step(ctx context.Context) error {
	sub, err := v.chain.Subnet(ctx, v.cfg.NetUID)
	if err != nil {
		return fmt.Errorf("validator: read subnet %d: %w", v.cfg.NetUID, err)
	}
	self, registered := sub.Neuron(v.hotkey.Public())
	targets := Discover(sub.Neurons, v.hotkey.Public(), v.cfg.AllowPrivate)
	v.mu.Lock()
	v.stats.Rounds++
	v.stats.Block, v.stats.Miners, v.stats.Registered = sub.Block, len(targets), registered
	if registered {
		v.stats.UID, v.stats.Permit = self.UID, self.ValidatorPermit
	}
	v.forget(sub)
	v.mu.Unlock()

	results := v.queryAll(ctx, targets)
	var ok int
	v.mu.Lock()
	for i := range results {
		r := &results[i]
		v.stats.Queries++
		if r.OK() {
			v.stats.OK++
			ok++
		} else {
			v.stats.Failed++
		}
		pub, err := keys.DecodeAddress(r.Hotkey)
		if err != nil {
			continue
		}
		prev, seen := v.scores[pub]
		if !seen {
			prev = r.Score
		}
		v.scores[pub] = prev + v.cfg.Smoothing*(r.Score-prev)
	}
	v.mu.Unlock()
	v.logger().Info("validator round", "block", sub.Block, "miners", len(targets), "ok", ok, "failed", len(results)-ok)
	if ctx.Err() != nil {
		return nil
	}
	if !registered {
		v.weightsEvent(WeightsEvent{Block: sub.Block, Skipped: "the validator's hotkey is not registered on this subnet"})
		return nil
	}
	return v.maybeSetWeights(ctx, sub, self.UID, self.ValidatorPermit)
}

// forget drops the scores of hotkeys no longer on the subnet, so that a
// new owner of a UID starts from scratch. v.mu is held.
func (v *Validator) forget(sub *Subnet) {
	on := make(map[keys.PublicKey]bool, len(sub.Neurons))
	for i := range sub.Neurons {
		on[sub.Neurons[i].HotkeyPub] = true
	}
	for k := range v.scores {
		if !on[k] {
			delete(v.scores, k)
		}
	}
}

func (v *Validator) queryAll(ctx context.Context, targets []Target) []Result {
	results := make([]Result, len(targets))
	sem := make(chan struct{}, v.cfg.Concurrency)
	var wg sync.WaitGroup
	started := 0
launch:
	for i := range targets {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break launch
		}
		started++
		wg.Go(func() {
			defer func() { <-sem }()
			results[i] = v.Query(ctx, targets[i])
		})
	}
	wg.Wait()
	return results[:started]
}

// Query sends one signed request to t and scores the answer.
func (v *Validator) Query(ctx context.Context, t Target) Result {
	r := Result{Target: t, At: time.Now()}
	qctx, cancel := context.WithTimeout(epistula.WithReceiver(ctx, t.Hotkey), v.cfg.Timeout)
	defer cancel()
	if v.cfg.Synapse != "" {
		v.queryAxon(qctx, t, &r)
		return v.scored(r)
	}
	req, err := http.NewRequestWithContext(qctx, v.cfg.Method, strings.TrimRight(t.URL, "/")+v.cfg.Path, bytes.NewReader(v.cfg.Body))
	if err != nil {
		r.Err = fmt.Errorf("validator: request to uid %d at %s: %w", t.UID, t.URL, err)
	} else {
		req.Header.Set("Content-Type", v.cfg.ContentType)
		start := time.Now()
		resp, err := v.client().Do(req)
		if err != nil {
			r.Err = fmt.Errorf("validator: query uid %d at %s: %w", t.UID, t.URL, err)
		} else {
			r.Status = resp.StatusCode
			r.Body, err = io.ReadAll(io.LimitReader(resp.Body, v.cfg.MaxResponseBytes))
			resp.Body.Close()
			if err != nil {
				r.Err = fmt.Errorf("validator: read the answer of uid %d: %w", t.UID, err)
			}
			r.Reason = refusalReason(r.Status, r.Body)
		}
		r.Latency = time.Since(start)
	}
	return v.scored(r)
}

// scored scores r and reports it.
func (v *Validator) scored(r Result) Result {
	scorer := v.Scorer
	if scorer == nil {
		scorer = AvailabilityLatency{}
	}
	r.Score = clamp01(scorer.Score(&r))
	if v.OnResult != nil {
		v.OnResult(r)
	}
	return r
}

// refusalReason reads the "reason" of a guard refusal body.
func refusalReason(status int, body []byte) string {
	if status < 400 || len(body) == 0 || len(body) > 4096 {
		return ""
	}
	var b struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal(body, &b) != nil || len(b.Reason) > 64 {
		return ""
	}
	return b.Reason
}

func (v *Validator) weightsEvent(e WeightsEvent) {
	if e.Set {
		v.logger().Info("weights set", "block", e.Block, "uids", e.UIDs, "weights", e.Weights, "version_key", e.VersionKey)
	} else if e.Err != nil {
		v.logger().Warn("set_weights failed", "block", e.Block, "err", e.Err)
	} else {
		v.logger().Debug("weights not set", "block", e.Block, "why", e.Skipped)
	}
	if v.OnWeights != nil {
		v.OnWeights(e)
	}
}

// maybeSetWeights sets weights when a permit is held, WeightsInterval blocks
// (the tempo) have passed since the last set_weights (this process's, or the
// chain's LastUpdate), and the chain's rate limit allows it.
func (v *Validator) maybeSetWeights(ctx context.Context, sub *Subnet, uid uint16, permit bool) error {
	ev := WeightsEvent{Block: sub.Block}
	interval := v.cfg.WeightsInterval
	if interval == 0 {
		interval = max(uint64(sub.Tempo), 1)
	}
	var lastUpdate uint64
	if int(uid) < len(sub.LastUpdate) {
		lastUpdate = sub.LastUpdate[uid]
	}
	v.mu.Lock()
	last := max(v.lastSet, lastUpdate)
	v.mu.Unlock()
	switch {
	case sub.CommitReveal:
		ev.Skipped = "the subnet has commit-reveal on (subtensor's default): its weights must be committed " +
			"timelocked to a drand round (commit_timelocked_weights), which this validator cannot do yet; " +
			"the subnet owner can turn commit-reveal off (AdminUtils.sudo_set_commit_reveal_weights_enabled, " +
			"as minerkit demo does on its devnet) for this validator to set weights"
	case !permit:
		ev.Skipped = "no validator permit yet (permits go to the top stake at each epoch)"
	case sub.WeightsRateLimit > 0 && lastUpdate > 0 && sub.Block < lastUpdate+sub.WeightsRateLimit:
		ev.Skipped = fmt.Sprintf("weights rate limit: %d blocks after block %d", sub.WeightsRateLimit, lastUpdate)
	case last > 0 && sub.Block < last+interval:
		// The chain's LastUpdate (the last set_weights, or the registration)
		// counts too, so that a restarted validator keeps the pace.
		ev.Skipped = fmt.Sprintf("last weights at block %d; next at block %d", last, last+interval)
	}
	if ev.Skipped != "" {
		v.weightsEvent(ev)
		return nil
	}
	ev.VersionKey = v.cfg.VersionKey
	if ev.VersionKey == 0 {
		ev.VersionKey = sub.WeightsVersion
	} else if ev.VersionKey < sub.WeightsVersion {
		ev.Err = fmt.Errorf("validator: version key %d is below the subnet's %d; update the validator or set its version key to %d", v.cfg.VersionKey, sub.WeightsVersion, sub.WeightsVersion)
		v.weightsEvent(ev)
		return ev.Err
	}
	uids, ws := v.currentScores(sub)
	u16uids, u16ws, err := subtensor.NormalizeWeights(uids, ws)
	if err != nil {
		return fmt.Errorf("validator: %w", err)
	}
	if len(u16uids) == 0 {
		ev.Skipped = "no miner has a score above 0 yet"
		v.weightsEvent(ev)
		return nil
	}
	ev.UIDs, ev.Weights = u16uids, u16ws
	block, err := v.chain.SetWeights(ctx, sub.NetUID, u16uids, u16ws, ev.VersionKey)
	if err != nil {
		ev.Err = fmt.Errorf("validator: set weights on subnet %d: %w", sub.NetUID, err)
		v.weightsEvent(ev)
		return ev.Err
	}
	ev.Set, ev.Block = true, block
	v.mu.Lock()
	v.lastSet = block
	v.stats.WeightsSet++
	v.stats.LastWeightsBlock = block
	v.mu.Unlock()
	v.weightsEvent(ev)
	return nil
}

// currentScores returns the scores of the miners registered now, by UID.
func (v *Validator) currentScores(sub *Subnet) ([]uint16, []float64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var uids []uint16
	var ws []float64
	for i := range sub.Neurons {
		n := &sub.Neurons[i]
		if s, ok := v.scores[n.HotkeyPub]; ok && n.HotkeyPub != v.hotkey.Public() {
			uids = append(uids, n.UID)
			ws = append(ws, s)
		}
	}
	sort.Sort(byUID{uids, ws})
	return uids, ws
}

type byUID struct {
	u []uint16
	w []float64
}

func (b byUID) Len() int           { return len(b.u) }
func (b byUID) Less(i, j int) bool { return b.u[i] < b.u[j] }
func (b byUID) Swap(i, j int) {
	b.u[i], b.u[j] = b.u[j], b.u[i]
	b.w[i], b.w[j] = b.w[j], b.w[i]
}
