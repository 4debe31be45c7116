package subtensor

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
	"github.com/minerkit/minerkit/substrate/rpc"
)

// Options tunes a Client. The zero value is ready to use.
type Options struct {
	// RPC tunes the WebSocket transport (backoff, timeouts).
	RPC rpc.Options
	// Logger, if non-nil, receives runtime upgrades and reconnects.
	Logger *slog.Logger
}

// Client talks to a subtensor node. It is safe for concurrent use. It keeps
// the runtime's metadata and Features and reloads them when spec_version
// changes (watched with state_subscribeRuntimeVersion, and checked again
// before every transaction).
type Client struct {
	rpc     *rpc.Client
	network Network
	log     *slog.Logger

	reload  sync.Mutex // serializes metadata reloads
	rt      atomic.Pointer[runtimeInfo]
	genesis rpc.Hash
	// measured is the block time measured from Timestamp.Now when the
	// runtime declares none (0: not measured).
	measured time.Duration

	cancel context.CancelFunc
	done   chan struct{}
}

// runtimeInfo is one runtime version's metadata and features; immutable.
type runtimeInfo struct {
	md       *substrate.Metadata
	version  rpc.RuntimeVersion
	features Features
}

// Dial connects to the network's endpoints (failing over between them),
// loads the runtime metadata and detects features. ctx bounds the dial and
// the first load.
func Dial(ctx context.Context, n Network, opts Options) (*Client, error) {
	if len(n.Endpoints) == 0 {
		return nil, ErrNoEndpoint
	}
	rc, err := rpc.DialOptions(ctx, opts.RPC, n.Endpoints...)
	if err != nil {
		return nil, fmt.Errorf("subtensor: connect to %s: %w", n.Name, err)
	}
	c, err := NewClient(ctx, rc, n, opts)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return c, nil
}

// NewClient wraps an rpc.Client that is already connected. Close closes it.
func NewClient(ctx context.Context, rc *rpc.Client, n Network, opts Options) (*Client, error) {
	c := &Client{rpc: rc, network: n, log: opts.Logger, done: make(chan struct{})}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	g, err := rc.ChainGetBlockHash(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("subtensor: read genesis hash: %w", err)
	}
	c.genesis = g
	if _, err := c.refreshRuntime(ctx); err != nil {
		return nil, err
	}
	if c.runtimeBlockTime() == 0 {
		c.measured = c.measureBlockTime(ctx)
	}
	wctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go c.watchRuntime(wctx)
	return c, nil
}

// Close stops the client and its connection. It is safe to call twice.
func (c *Client) Close() error {
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
	return c.rpc.Close()
}

// RPC returns the underlying JSON-RPC client.
func (c *Client) RPC() *rpc.Client { return c.rpc }

// Network returns the network the client was dialed with.
func (c *Client) Network() Network { return c.network }

// GenesisHash returns the chain's genesis hash.
func (c *Client) GenesisHash() rpc.Hash { return c.genesis }

// BlockTime returns the chain's block time: twice Timestamp.MinimumPeriod
// (or Aura.SlotDuration / Babe.ExpectedBlockTime) from the runtime's
// constants when it has them, else what the client measured from the
// timestamps of recent blocks when it connected, else the network's nominal
// block time (12 s when even that is unknown).
func (c *Client) BlockTime() time.Duration {
	if bt := c.runtimeBlockTime(); bt > 0 {
		return bt
	}
	if c.measured > 0 {
		return c.measured
	}
	if c.network.BlockTime > 0 {
		return c.network.BlockTime
	}
	return 12 * time.Second
}

func (c *Client) runtimeBlockTime() time.Duration {
	md := c.Metadata()
	for _, k := range []struct {
		pallet, name string
		factor       int64
	}{{"Timestamp", "MinimumPeriod", 2}, {"Aura", "SlotDuration", 1}, {"Babe", "ExpectedBlockTime", 1}} {
		if cst, err := md.LookupConstant(k.pallet, k.name); err == nil && len(cst.Value) == 8 {
			if ms := int64(le64(cst.Value)) * k.factor; ms > 0 && ms < 3_600_000 {
				return time.Duration(ms) * time.Millisecond
			}
		}
	}
	return 0
}

// measureBlockTime is the mean time between the best block and up to 20
// blocks before it, from Timestamp.Now at both; 0 when it cannot tell.
func (c *Client) measureBlockTime(ctx context.Context) time.Duration {
	key, err := c.Metadata().StorageKeyEncoded("Timestamp", "Now")
	if err != nil {
		return 0
	}
	head, err := c.rpc.ChainGetHeader(ctx, nil)
	if err != nil || head.Number < 2 {
		return 0
	}
	back := min(uint64(head.Number), 20)
	at := func(n uint64) (uint64, bool) {
		h, err := c.rpc.ChainGetBlockHash(ctx, n)
		if err != nil {
			return 0, false
		}
		v, ok, err := c.rpc.StateGetStorage(ctx, key, &h)
		if err != nil || !ok || len(v) != 8 {
			return 0, false
		}
		return le64(v), true
	}
	t1, ok1 := at(uint64(head.Number))
	t0, ok0 := at(uint64(head.Number) - back)
	if !ok0 || !ok1 || t1 <= t0 {
		return 0
	}
	return time.Duration((t1-t0)/back) * time.Millisecond
}

// Metadata returns the current runtime's metadata (read-only).
func (c *Client) Metadata() *substrate.Metadata { return c.rt.Load().md }

// Features returns what the current runtime offers.
func (c *Client) Features() Features { return c.rt.Load().features }

// RuntimeVersion returns the current runtime version.
func (c *Client) RuntimeVersion() rpc.RuntimeVersion { return c.rt.Load().version }

// refreshRuntime reads the runtime version and reloads metadata if
// spec_version changed (or nothing is loaded). It returns the current info.
func (c *Client) refreshRuntime(ctx context.Context) (*runtimeInfo, error) {
	v, err := c.rpc.StateGetRuntimeVersion(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("subtensor: read runtime version: %w", err)
	}
	return c.adoptRuntime(ctx, v)
}

func (c *Client) adoptRuntime(ctx context.Context, v *rpc.RuntimeVersion) (*runtimeInfo, error) {
	if cur := c.rt.Load(); cur != nil && cur.version.SpecVersion == v.SpecVersion && cur.version.TransactionVersion == v.TransactionVersion {
		return cur, nil
	}
	c.reload.Lock()
	defer c.reload.Unlock()
	if cur := c.rt.Load(); cur != nil && cur.version.SpecVersion == v.SpecVersion && cur.version.TransactionVersion == v.TransactionVersion {
		return cur, nil
	}
	md, err := c.loadMetadata(ctx)
	if err != nil {
		return nil, err
	}
	apis := make([][]byte, len(v.APIs))
	for i, a := range v.APIs {
		apis[i] = a.ID
	}
	info := &runtimeInfo{md: md, version: *v, features: detectFeatures(md, v.SpecName, v.SpecVersion, v.TransactionVersion, apis)}
	if old := c.rt.Swap(info); old != nil {
		c.log.Info("subtensor: runtime upgraded, metadata reloaded", "from", old.version.SpecVersion, "to", v.SpecVersion)
	}
	return info, nil
}

// loadMetadata asks for v15 (runtime API types) and falls back to
// state_getMetadata (v14).
func (c *Client) loadMetadata(ctx context.Context) (*substrate.Metadata, error) {
	if raw, err := c.rpc.StateCall(ctx, "Metadata_metadata_at_version", scale.AppendU32(nil, 15), nil); err == nil {
		d := scale.NewDecoder(raw)
		if some, err := d.OptionTag(); err == nil && some {
			if b, err := d.ByteSlice(); err == nil {
				if md, err := substrate.DecodeMetadata(b); err == nil {
					return md, nil
				}
			}
		}
	}
	raw, err := c.rpc.StateGetMetadata(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("subtensor: read runtime metadata: %w", err)
	}
	md, err := substrate.DecodeMetadata(raw)
	if err != nil {
		return nil, fmt.Errorf("subtensor: decode runtime metadata: %w", err)
	}
	return md, nil
}

// watchRuntime follows runtime upgrades in the background.
func (c *Client) watchRuntime(ctx context.Context) {
	defer close(c.done)
	s, err := c.rpc.StateSubscribeRuntimeVersion(ctx)
	if err != nil {
		return // transactions still check the version before signing
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = s.Unsubscribe(uctx)
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case v, ok := <-s.C():
			if !ok {
				return
			}
			if _, err := c.adoptRuntime(ctx, &v); err != nil {
				c.log.Warn("subtensor: runtime upgrade seen, metadata reload failed; will retry before the next transaction", "err", err)
			}
		}
	}
}
