package demo

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/minerkit/minerkit/computeoffer"
	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/miner"
	"github.com/minerkit/minerkit/onchain"
	"github.com/minerkit/minerkit/settings"
	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/validator"
)

// NetUID is the subnet the demo uses: the devnet's subnet 1, owned by //Alice.
const NetUID uint16 = 1

// Options tunes Run. Zero values mean the defaults.
type Options struct {
	// Duration is the most the demo runs (default 60 s). It ends earlier,
	// a few blocks after everything has been seen.
	Duration time.Duration
	// Dir holds the throwaway wallets and the log. If empty, a temporary
	// directory, removed at the end.
	Dir string
	// BlockTime is the devnet's block time (default 250 ms) and Tempo its
	// epoch length in blocks (default 10).
	BlockTime time.Duration
	Tempo     uint16
	// Settle is the number of blocks to watch after everything was seen
	// (default 2).
	Settle int
	// StakeTAO is the validator's stake (default 2000 τ; the miner lets in
	// validators with a permit and at least 1000 τ).
	StakeTAO uint64
	// Out receives the live view (nil: nothing); Live redraws it in place
	// (a terminal) instead of printing one line per step.
	Out  io.Writer
	Live bool
	// Width is the terminal's width in columns; live lines are cut to it.
	Width int
}

func (o Options) withDefaults() Options {
	if o.Duration <= 0 {
		o.Duration = 60 * time.Second
	}
	if o.BlockTime <= 0 {
		o.BlockTime = 250 * time.Millisecond
	}
	if o.Tempo == 0 {
		o.Tempo = 10
	}
	if o.Settle <= 0 {
		o.Settle = 2
	}
	if o.StakeTAO == 0 {
		o.StakeTAO = 2000
	}
	return o
}

// minStakeTAO is the stake the miner asks of validators.
const minStakeTAO = 1000

// ErrIncomplete is wrapped by Run's error when the demo ended (duration or
// interrupt) before everything was seen.
var ErrIncomplete = errors.New("demo: not everything was seen")

// runner holds one demo's state.
type runner struct {
	o    Options
	view *View
	sum  *Summary
	log  *slog.Logger

	node   *devnet.Node
	client *subtensor.Client

	minerCold, minerHot, valCold, valHot, intruder *keys.Keypair
	minerUID, valUID                               uint16
	url                                            string

	srv *miner.Server
	val *validator.Validator

	accepted  atomic.Uint64
	firstOK   chan struct{}
	firstOnce sync.Once
	committed chan uint64
}

// Run runs the demo until everything was seen (then a few blocks more), the
// duration passes, or ctx ends. It returns the Summary in every case, and an
// error that says which step failed or what was not seen (wrapping
// ErrIncomplete) unless everything was.
func Run(ctx context.Context, o Options) (*Summary, error) {
	o = o.withDefaults()
	start := time.Now()
	r := &runner{
		o: o, view: NewView(o.Out, o.Live, o.Width), sum: &Summary{},
		firstOK: make(chan struct{}), committed: make(chan uint64, 1),
		log: slog.New(slog.DiscardHandler),
	}
	r.sum.Chain = ChainSummary{NetUID: NetUID, BlockTimeMs: o.BlockTime.Milliseconds(), Tempo: o.Tempo}
	stop, drawn := make(chan struct{}), make(chan struct{})
	go func() { r.view.run(stop); close(drawn) }()

	err := r.run(ctx)
	if err != nil {
		if s := r.view.current(); s != nil {
			detail := err.Error()
			switch {
			case ctx.Err() != nil:
				detail = "interrupted"
			case errors.Is(err, ErrIncomplete):
				detail = "not seen within the duration " + o.Duration.String()
			}
			r.view.fail(s.Key, detail)
		}
	}
	close(stop)
	<-drawn

	r.finishSummary()
	r.sum.Steps = r.view.Steps()
	r.sum.WallSeconds = time.Since(start).Seconds()
	if err == nil {
		if m := missing(r.sum.Steps); m != "" {
			err = fmt.Errorf("%w: %s", ErrIncomplete, m)
		}
	}
	r.sum.OK = err == nil
	if err != nil {
		r.sum.Error = err.Error()
	}
	if !r.sum.Kept && r.sum.WalletDir != "" {
		r.sum.Log = ""
		if rmErr := os.RemoveAll(r.sum.WalletDir); rmErr != nil && err == nil {
			err = fmt.Errorf("demo: remove the throwaway wallets in %s: %w", r.sum.WalletDir, rmErr)
		}
	}
	return r.sum, err
}

func (r *runner) run(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, r.o.Duration)
	defer cancel()
	// Every step below stops at ctx; say why it stopped in words.
	stopped := func(err error) error {
		if (err == nil || ctx.Err() != nil) && missing(r.view.Steps()) == "" {
			return nil // everything was seen; stopped while settling
		}
		if parent.Err() != nil {
			return fmt.Errorf("%w: interrupted; missing %s", ErrIncomplete, missing(r.view.Steps()))
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w within the duration %s: missing %s; try a longer duration (the machine may be busy)",
				ErrIncomplete, r.o.Duration, missing(r.view.Steps()))
		}
		return err
	}

	if err := r.startChain(ctx); err != nil {
		return stopped(err)
	}
	defer func() {
		r.client.Close()
		r.sum.Chain.LastBlock = r.block()
		r.node.Close()
	}()
	go r.followBlocks(ctx)

	steps := []func(context.Context) error{r.makeWallets, r.fund, r.register, r.stake}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return stopped(err)
		}
	}
	if r.sum.Log != "" {
		f, err := os.OpenFile(r.sum.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("demo: open the log: %w", err)
		}
		defer f.Close()
		r.log = slog.New(slog.NewTextHandler(f, nil))
	}

	// The miner and the validator run until the demo ends.
	svcCtx, stopSvc := context.WithCancel(context.WithoutCancel(ctx))
	var svc sync.WaitGroup
	defer func() { stopSvc(); svc.Wait() }()
	minerErr := make(chan error, 1)
	if err := r.startMiner(svcCtx, &svc, minerErr); err != nil {
		return stopped(err)
	}
	for _, step := range []func(context.Context) error{r.waitCommitted, r.waitPermit} {
		if err := step(ctx); err != nil {
			return stopped(err)
		}
	}
	if err := r.startValidator(svcCtx, &svc); err != nil {
		return stopped(err)
	}
	select {
	case <-r.firstOK:
	case err := <-minerErr:
		return fmt.Errorf("demo: the miner stopped: %w", err)
	case <-ctx.Done():
		return stopped(ctx.Err())
	}
	if err := r.probes(ctx); err != nil {
		return stopped(err)
	}
	return stopped(r.watch(ctx, minerErr))
}

func (r *runner) startChain(ctx context.Context) error {
	g := devnet.DevGenesis()
	g.SubnetDefaults.Tempo = r.o.Tempo
	node, err := devnet.Start(ctx, devnet.Config{BlockTime: r.o.BlockTime, Genesis: g})
	if err != nil {
		return fmt.Errorf("demo: start the devnet: %w", err)
	}
	r.node = node
	gh := node.GenesisHash()
	r.sum.Chain.URL = node.URL()
	r.sum.Chain.GenesisHash = "0x" + hex.EncodeToString(gh[:])
	r.sum.Chain.FirstBlock = uint64(node.BestNumber())
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c, err := subtensor.Dial(dctx, subtensor.Network{Name: "devnet", Endpoints: []string{node.URL()}, BlockTime: r.o.BlockTime}, subtensor.Options{})
	if err != nil {
		node.Close()
		return fmt.Errorf("demo: connect to the devnet: %w", err)
	}
	r.client = c
	r.view.setHeader("minerkit demo · devnet " + node.URL())
	// The devnet starts subnets with commit-reveal on, as subtensor does; the
	// local validator sets weights directly, so the owner turns it off.
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		return err
	}
	if _, err := c.SetCommitReveal(ctx, alice, NetUID, false, subtensor.TxOptions{}); err != nil {
		return fmt.Errorf("demo: turn commit-reveal off on subnet %d: %w", NetUID, err)
	}
	r.view.finish("devnet", uint64(node.BestNumber()), "%s blocks; subnet %d, tempo %d, owner //Alice; commit-reveal off (AdminUtils)", r.o.BlockTime, NetUID, r.o.Tempo)
	return nil
}

// followBlocks keeps the view's block number current.
func (r *runner) followBlocks(ctx context.Context) {
	for ctx.Err() == nil {
		if err := r.node.WaitBlocks(ctx, 1); err != nil {
			return
		}
		r.view.setBlock(uint64(r.node.BestNumber()))
	}
}

func (r *runner) block() uint64 { return uint64(r.node.BestNumber()) }

func (r *runner) makeWallets(ctx context.Context) error {
	dir := r.o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "minerkit-demo-")
		if err != nil {
			return fmt.Errorf("demo: make a temporary directory for the wallets: %w (give the demo a directory)", err)
		}
		dir = d
	} else {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("demo: make the directory %s: %w", dir, err)
		}
		r.sum.Kept = true
	}
	r.sum.WalletDir = dir
	r.sum.Log = filepath.Join(dir, "demo.log")
	var err error
	if r.minerCold, r.minerHot, err = loadOrCreate(dir, "demo-miner"); err != nil {
		return err
	}
	if r.valCold, r.valHot, err = loadOrCreate(dir, "demo-validator"); err != nil {
		return err
	}
	if _, r.intruder, err = loadOrCreate(dir, "demo-intruder"); err != nil {
		return err
	}
	r.sum.Miner.Hotkey, r.sum.Miner.Coldkey = r.minerHot.Address(), r.minerCold.Address()
	r.sum.Validator.Hotkey, r.sum.Validator.Coldkey = r.valHot.Address(), r.valCold.Address()
	r.view.finish("wallets", r.block(), "demo-miner, demo-validator, demo-intruder")
	return nil
}

func (r *runner) fund(ctx context.Context) error {
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		return err
	}
	r.view.begin("funded", "transfer_keep_alive from //Alice")
	minerAmount, valAmount := subtensor.TAO(10), subtensor.TAO(r.o.StakeTAO+10)
	if _, err := r.client.Transfer(ctx, alice, r.minerCold.Public(), minerAmount, false, subtensor.TxOptions{}); err != nil {
		return fmt.Errorf("demo: fund the miner's coldkey: %w", err)
	}
	tx, err := r.client.Transfer(ctx, alice, r.valCold.Public(), valAmount, false, subtensor.TxOptions{})
	if err != nil {
		return fmt.Errorf("demo: fund the validator's coldkey: %w", err)
	}
	r.view.finish("funded", tx.Block, "miner %s, validator %s from //Alice", minerAmount, valAmount)
	return nil
}

func (r *runner) register(ctx context.Context) error {
	r.view.begin("registered", "burned_register on subnet 1")
	// One after the other, so that the miner is uid 0 and the validator uid 1.
	mRes, mErr := r.client.BurnedRegister(ctx, r.minerCold, r.minerHot.Public(), NetUID, subtensor.RegisterOptions{})
	var vRes *subtensor.RegisterResult
	var vErr error
	if mErr == nil {
		vRes, vErr = r.client.BurnedRegister(ctx, r.valCold, r.valHot.Public(), NetUID, subtensor.RegisterOptions{})
	}
	if mErr != nil {
		return fmt.Errorf("demo: register the miner: %w", mErr)
	}
	if vErr != nil {
		return fmt.Errorf("demo: register the validator: %w", vErr)
	}
	r.minerUID, r.valUID = mRes.UID, vRes.UID
	r.sum.Miner.UID, r.sum.Validator.UID = mRes.UID, vRes.UID
	block := max(txBlock(mRes.Tx), txBlock(vRes.Tx), r.block())
	r.sum.Miner.RegisteredBlock = txBlock(mRes.Tx)
	// Each registration raises the burn ×1.26 and it decays every block, as on subtensor.
	r.view.finish("registered", block, "miner uid %d, validator uid %d, burn %s and %s", mRes.UID, vRes.UID, mRes.Price, vRes.Price)
	return nil
}

func txBlock(tx *subtensor.TxResult) uint64 {
	if tx == nil {
		return 0
	}
	return tx.Block
}

func (r *runner) stake(ctx context.Context) error {
	r.view.begin("staked", "add_stake")
	amount := subtensor.TAO(r.o.StakeTAO)
	tx, err := r.client.AddStake(ctx, r.valCold, r.valHot.Public(), NetUID, amount, subtensor.TxOptions{})
	if err != nil {
		return fmt.Errorf("demo: stake the validator: %w", err)
	}
	r.sum.Validator.StakeTAO = float64(r.o.StakeTAO)
	r.view.finish("staked", tx.Block, "%s on the validator's hotkey", amount)
	return nil
}

// committer is the miner's Committer (onchain.Chain: Commitments.set_commitment
// through subtensor.Client.CommitURL, nothing sent when unchanged) that also
// tells the demo the block of the commitment.
type committer struct {
	r     *runner
	chain *onchain.Chain
}

func (c committer) Commit(ctx context.Context, netuid uint16, data []byte) (bool, error) {
	sent, err := c.chain.Commit(ctx, netuid, data)
	if err != nil {
		return false, err
	}
	cm, err := c.r.client.Commitment(ctx, netuid, c.r.minerHot.Public())
	if err != nil {
		return sent, err
	}
	var block uint64
	if cm != nil {
		block = uint64(cm.Block)
	}
	select {
	case c.r.committed <- block:
	default:
	}
	return sent, nil
}

func (r *runner) startMiner(ctx context.Context, wg *sync.WaitGroup, errc chan<- error) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen for the miner on 127.0.0.1: %w", err)
	}
	r.url = "http://" + ln.Addr().String()
	cfg := miner.DefaultConfig()
	cfg.NetUID = NetUID
	cfg.Listen = ln.Addr().String()
	cfg.AdminListen = ""
	cfg.ExternalURL = r.url
	cfg.SyncInterval = 1
	cfg.BlockTime = settings.Duration(r.o.BlockTime)
	cfg.MinStake = subtensor.TAO(minStakeTAO)
	cfg.ShutdownTimeout = settings.Duration(2 * time.Second)
	srv, err := miner.New(cfg, r.minerHot, &metagraph.ChainSource{Client: r.client},
		miner.WithLogger(r.log.With("component", "miner")),
		miner.WithCommitter(committer{r, &onchain.Chain{Client: r.client, Hotkey: r.minerHot}}))
	if err != nil {
		ln.Close()
		return err
	}
	computeoffer.New(computeoffer.Config{BidPerHour: 1.25, Logger: r.log}).Register(srv)
	r.srv = srv
	wg.Go(func() {
		if err := srv.Serve(ctx, ln, nil); err != nil {
			errc <- err
		}
	})
	r.sum.Miner.URL = r.url
	r.view.finish("serving", r.block(), "%s POST /cvm (Epistula) and /ComputeOffer (Axon), guarded", r.url)
	r.view.begin("committed", "set_commitment "+r.url)
	return nil
}

func (r *runner) waitCommitted(ctx context.Context) error {
	select {
	case b := <-r.committed:
		r.sum.Miner.CommittedBlock = b
		r.view.finish("committed", b, "the miner's URL, signed by its hotkey")
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitPermit waits for the epoch that gives the validator its permit, and for
// the miner's metagraph to know it.
func (r *runner) waitPermit(ctx context.Context) error {
	r.view.begin("permit", "waiting for the next epoch")
	var permitBlock uint64
	for {
		if permitBlock == 0 {
			m, err := r.client.Metagraph(ctx, NetUID)
			if err != nil {
				return fmt.Errorf("demo: read the metagraph: %w", err)
			}
			if subtensor.GetBool(m.ValidatorPermit, int(r.valUID)) {
				permitBlock = m.Block
				r.sum.Validator.PermitBlock = permitBlock
				r.view.begin("permit", fmt.Sprintf("granted at block %d; waiting for the miner's metagraph", permitBlock))
			}
		}
		if permitBlock != 0 {
			if n, ok := r.srv.Syncer().Lookup(r.valHot.Address()); ok && n.ValidatorPermit {
				r.view.finish("permit", permitBlock, "validator uid %d, epoch at block %d", r.valUID, permitBlock)
				return nil
			}
		}
		if err := r.node.WaitBlocks(ctx, 1); err != nil {
			return err
		}
	}
}

func (r *runner) startValidator(ctx context.Context, wg *sync.WaitGroup) error {
	chain := &validator.SubtensorChain{Client: r.client, Hotkey: r.valHot}
	v, err := validator.New(validator.Config{
		NetUID:       NetUID,
		Interval:     max(2*r.o.BlockTime, 200*time.Millisecond),
		Timeout:      5 * time.Second,
		AllowPrivate: true, // the miner is on 127.0.0.1, as the devnet is
	}, r.valHot, chain)
	if err != nil {
		return err
	}
	v.Logger = r.log.With("component", "validator")
	v.OnResult = func(res validator.Result) {
		if res.UID != r.minerUID || !res.OK() {
			return
		}
		n := r.accepted.Add(1)
		r.view.finish("queries", r.block(), "POST /cvm, Epistula-signed → %d in %s", res.Status, res.Latency.Round(10*time.Microsecond))
		if n == 1 {
			r.firstOnce.Do(func() { close(r.firstOK) })
		}
	}
	v.OnWeights = func(e validator.WeightsEvent) {
		if e.Set {
			r.view.finish("weights", e.Block, "uids %v weights %v, version key %d", e.UIDs, e.Weights, e.VersionKey)
		}
	}
	r.val = v
	r.view.begin("queries", "validator querying the miners it found in commitments and axons")
	wg.Go(func() { _ = v.Run(ctx) })
	return nil
}

// finishSummary fills in the counters once the miner and validator stopped.
func (r *runner) finishSummary() {
	if r.val != nil {
		st := r.val.Stats()
		v := &r.sum.Validator
		v.Queries, v.Accepted, v.Failed = st.Queries, st.OK, st.Failed
		v.WeightsSet, v.LastWeightsBlock = st.WeightsSet, st.LastWeightsBlock
	}
	if r.srv != nil {
		r.sum.Miner.Served = served(r.srv.Registry())
	}
	c := &r.sum.Chain
	for n := c.FirstBlock + 1; n <= c.LastBlock && c.Tempo > 0; n++ {
		// subtensor's rule: netuid runs its epoch when (n + netuid + 1) % (tempo + 1) == 0.
		if (n+uint64(c.NetUID)+1)%(uint64(c.Tempo)+1) == 0 {
			c.Epochs++
		}
	}
}

// served counts the requests the miner's guard let through, from its
// Prometheus metrics (minerkit_guard_requests_total{reason="ok"}).
func served(g prometheus.Gatherer) uint64 {
	mfs, err := g.Gather()
	if err != nil {
		return 0
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() != "minerkit_guard_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == "ok" {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return uint64(n)
}
