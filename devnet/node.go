package devnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Version is the devnet's version, reported by system_version.
const Version = "minerkit-devnet/0.1"

// Config configures a devnet node. The zero value runs the default dev
// chain on a random loopback port with 250 ms blocks, in memory.
type Config struct {
	// Addr is the RPC listen address. If empty, "127.0.0.1:0" (a free port).
	Addr string
	// BlockTime is the time between blocks. If zero, 250 ms.
	BlockTime time.Duration
	// Manual, if true, produces blocks only when NewBlock or WaitBlocks is
	// called: tests advance the chain deterministically.
	Manual bool
	// Genesis is the initial state. If nil, DevGenesis().
	Genesis *Genesis
	// DataDir, if non-empty, keeps the chain there: a restart with the same
	// directory resumes from the last saved block.
	DataDir string
	// FinalityLag, if non-zero, makes finality trail the best block by that
	// many blocks, as GRANDPA does on a real chain: submitAndWatch reports
	// inBlock, then finalized FinalityLag blocks later. Zero: every block is
	// final when produced.
	FinalityLag uint32
	// MaxRequestBytes bounds one JSON-RPC message. If zero, 15 MiB.
	MaxRequestBytes int64
	// MaxSubscriptions bounds subscriptions per connection. If zero, 1024.
	MaxSubscriptions int
	// MaxBatch bounds the calls of one JSON-RPC batch (a batch answers with
	// one response per call, so it multiplies what a request costs). If
	// zero, 100.
	MaxBatch int
	// CORSOrigins are the browser origins allowed to call the HTTP
	// endpoint ("*" for any). If empty, no Access-Control-Allow-Origin
	// header is sent, so pages on other origins cannot read answers.
	CORSOrigins []string
	// Logger receives the node's log. If nil, logs are discarded.
	Logger *slog.Logger
}

// Node is a running devnet.
type Node struct {
	cfg     Config
	genesis *Genesis
	rt      *runtime
	chain   *chain
	srv     *server
	httpSrv *http.Server
	ln      net.Listener
	log     *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// Start builds the genesis state, starts the RPC server and, unless
// cfg.Manual, block production. Close the node when done.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	g := cfg.Genesis
	if g == nil {
		g = DevGenesis()
	}
	ids, err := g.resolve()
	if err != nil {
		return nil, err
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.BlockTime == 0 {
		cfg.BlockTime = 250 * time.Millisecond
	}
	if cfg.MaxRequestBytes == 0 {
		cfg.MaxRequestBytes = 15 << 20
	}
	if cfg.MaxSubscriptions == 0 {
		cfg.MaxSubscriptions = 1024
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	rt, err := newRuntime(g, cfg.BlockTime)
	if err != nil {
		return nil, err
	}
	var ch *chain
	if cfg.DataDir != "" {
		ch, err = loadChain(rt, g, ids, cfg.DataDir)
	} else {
		ch, err = newChain(rt, g, ids)
	}
	if err != nil {
		return nil, err
	}
	ch.lag = cfg.FinalityLag
	if cfg.Manual {
		// Deterministic time: one block time per block from now.
		startMs, head0, bt := time.Now().UnixMilli(), ch.head().header.number, cfg.BlockTime.Milliseconds()
		ch.now = func(n uint32) uint64 { return uint64(startMs + int64(n-head0)*bt) }
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("devnet: listen on %s: %w (is another node using the port?)", cfg.Addr, err)
	}
	nctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n := &Node{cfg: cfg, genesis: g, rt: rt, chain: ch, ln: ln, log: log, ctx: nctx, cancel: cancel}
	maxBatch := cfg.MaxBatch
	if maxBatch <= 0 {
		maxBatch = 100
	}
	n.srv = &server{node: n, methods: rpcMethods(), maxBytes: cfg.MaxRequestBytes, maxSubs: cfg.MaxSubscriptions, maxBatch: maxBatch,
		origins: cfg.CORSOrigins, log: log, conns: make(map[*wsConn]struct{})}
	n.httpSrv = &http.Server{Handler: n.srv, ReadHeaderTimeout: 10 * time.Second}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("devnet: rpc server stopped", "err", err)
		}
	}()
	if !cfg.Manual {
		n.wg.Add(1)
		go n.run()
	}
	if cfg.DataDir != "" {
		n.wg.Add(1)
		go n.saveLoop()
	}
	// The node stops with ctx as well as with Close.
	go func() {
		select {
		case <-ctx.Done():
			n.Close()
		case <-nctx.Done():
		}
	}()
	return n, nil
}

func (n *Node) run() {
	defer n.wg.Done()
	// The first block comes at once: clients see a live chain immediately.
	n.chain.produce()
	t := time.NewTicker(n.cfg.BlockTime)
	defer t.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-t.C:
			b := n.chain.produce()
			n.log.Debug("devnet: block", "number", b.header.number, "extrinsics", len(b.extrinsics))
		}
	}
}

// URL returns the node's WebSocket endpoint, ws://host:port.
func (n *Node) URL() string { return "ws://" + n.ln.Addr().String() }

// HTTPURL returns the node's HTTP JSON-RPC endpoint, http://host:port.
func (n *Node) HTTPURL() string { return "http://" + n.ln.Addr().String() }

// Addr returns the address the RPC server listens on.
func (n *Node) Addr() net.Addr { return n.ln.Addr() }

// GenesisHash returns the hash of block 0.
func (n *Node) GenesisHash() [32]byte { return n.chain.genesisHash() }

// BestNumber returns the number of the latest (and final) block.
func (n *Node) BestNumber() uint32 { return n.chain.head().header.number }

// Metadata returns the runtime metadata the node serves (v14 bytes with
// the "meta" magic).
func (n *Node) Metadata() []byte { return append([]byte(nil), n.rt.metaBytes...) }

// Genesis returns the genesis the node was started with.
func (n *Node) Genesis() *Genesis { return n.genesis }

// NewBlock produces one block now, including ready transactions, and
// returns its number. It works in both manual and timed mode.
func (n *Node) NewBlock() uint32 { return n.chain.produce().header.number }

// WaitBlocks returns once count more blocks exist. In manual mode it
// produces them at once; otherwise it waits for the block timer.
func (n *Node) WaitBlocks(ctx context.Context, count int) error {
	if count <= 0 {
		return nil
	}
	if n.cfg.Manual {
		for i := 0; i < count; i++ {
			n.chain.produce()
		}
		return nil
	}
	target := n.BestNumber() + uint32(count)
	ch := make(chan struct{}, 1)
	stop := n.chain.listen(func(b *block) {
		if b.header.number >= target {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	})
	defer stop()
	if n.BestNumber() >= target {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("devnet: waiting for block %d: %w", target, ctx.Err())
	case <-n.ctx.Done():
		return errors.New("devnet: node closed while waiting for blocks")
	}
}

// Submit adds an encoded signed extrinsic to the pool, as
// author_submitExtrinsic does, and returns its hash. Rejections are *TxError.
func (n *Node) Submit(ext []byte) ([32]byte, error) { return n.chain.submit(ext, nil) }

// Close stops block production and the RPC server, and saves the chain
// when DataDir is set. It is safe to call more than once.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n.srv.mu.Lock()
		for c := range n.srv.conns {
			c.cancel()
		}
		n.srv.mu.Unlock()
		if err := n.httpSrv.Shutdown(ctx); err != nil {
			_ = n.httpSrv.Close()
		}
		n.wg.Wait()
		if n.cfg.DataDir != "" {
			n.closeErr = saveChain(n.chain, n.cfg.DataDir)
		}
	})
	return n.closeErr
}

// SpecVersion is the spec_version of the runtime the node presents.
func (n *Node) SpecVersion() uint32 { return n.rt.version }
