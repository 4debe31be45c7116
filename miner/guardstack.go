package miner

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/redis/go-redis/v9"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/guard/redisstore"
	"github.com/minerkit/minerkit/metagraph"
)

// guardStack is the guard in front of every Handle route:
// Observe → Epistula → Validators → RateLimit → handler.
type guardStack struct {
	g     *guard.Guard
	axon  *guard.Axon
	redis *redis.Client     // Config.Redis, else nil
	store *redisstore.Store // on redis
}

func newGuardStack(s *Server) (*guardStack, error) {
	cfg := s.cfg
	minStake, _ := cfg.MinStakeWeight()
	g := guard.New(s.hotkey.Public().Address())
	g.Epistula.MaxBodyBytes = cfg.MaxBody
	g.Bodies.Max = cfg.BodyBudget
	g.Failures.PerAddress = cfg.BadSignaturesPerIP
	if cfg.ShedRefusalsPerSec > 0 {
		g.Shed = &guard.Shed{PerSecond: cfg.ShedRefusalsPerSec, Burst: float64(cfg.ShedBurst), Cooldown: cfg.ShedCooldown.D()}
	}
	g.Epistula.Verifier.Window = cfg.Window.D()
	g.Epistula.Verifier.DisableX = !cfg.AcceptXEpistula
	// The syncer precomputes its validators' keys with every snapshot.
	g.Epistula.Verifier.Keys = s.syncer
	g.Validators = &guard.Validators{
		Metagraph: ValidatorLookup(s.syncer),
		MinStake:  uint64(minStake),
		AllowList: cfg.Allow,
		DenyList:  cfg.Deny,
		// A verified caller the snapshot does not know may have registered a
		// moment ago: refresh early (the Syncer rate-limits this).
		Unknown: func(string) { s.syncer.RequestRefresh() },
	}
	g.RateLimit = &guard.RateLimit{
		Rate:      cfg.RatePerSec,
		Burst:     float64(cfg.RateBurst),
		StakeUnit: uint64(cfg.RateStakeUnitTAO),
	}
	m, err := guard.NewMetrics(s.reg)
	if err != nil {
		return nil, fmt.Errorf("miner: register the guard's metrics: %w", err)
	}
	g.Metrics = m
	if g.Shed != nil && s.reg != nil {
		if err := g.Shed.RegisterMetrics(s.reg); err != nil {
			return nil, fmt.Errorf("miner: register the shedding metrics: %w", err)
		}
	}
	g.Logger = s.log
	ax := &guard.Axon{
		Verifier:     &axon.Verifier{Self: s.hotkey.Public().Address(), FutureWindow: cfg.Window.D(), Keys: s.syncer},
		MaxBodyBytes: cfg.MaxBody,
	}
	// Checked by Config.Check.
	g.TrustedProxies, _ = guard.ParseTrustedProxies(cfg.TrustedProxies)
	gs := &guardStack{g: g, axon: ax}
	if cfg.Redis != "" {
		opts, err := redis.ParseURL(cfg.Redis)
		if err != nil {
			return nil, fmt.Errorf("miner: redis: %w (use redis://[:password@]host:6379/0 or rediss:// for TLS)", err)
		}
		// A request waits at most the store's timeout: no retries.
		opts.MaxRetries = -1
		gs.redis = redis.NewClient(opts)
		// Replicas of one hotkey on one subnet share their keys; other
		// miners on the same Redis have their own.
		prefix := fmt.Sprintf("minerkit:%s:%d:", s.hotkey.Public().Address(), cfg.NetUID)
		gs.store = redisstore.New(gs.redis, prefix)
		// Concurrent requests share pipelines: less CPU under load, no
		// wait for a lone request.
		gs.store.Pipeline = true
		g.Shared = &guard.Shared{Store: gs.store, FallbackLocal: cfg.RedisFallback == RedisFallbackLocal, Logger: g.Logger}
		if err := g.Shared.RegisterMetrics(s.reg); err != nil {
			return nil, fmt.Errorf("miner: register the shared store's metrics: %w", err)
		}
	}
	return gs, nil
}

// storeReport says how the shared store answers, for /ready: a reason not
// to be ready (fail closed) or a warning (local fallback).
func (gs *guardStack) storeReport(ctx context.Context) (reason, warning string) {
	if gs.store == nil {
		return "", ""
	}
	if err := gs.store.Ping(ctx, guard.DefaultStoreTimeout); err != nil {
		if gs.g.Shared.FallbackLocal {
			return "", "redis unreachable, serving with this replica's own replay cache and rate limits: " + err.Error()
		}
		return "redis unreachable (signed requests are refused): " + err.Error(), ""
	}
	return "", ""
}

func (gs *guardStack) close() {
	if gs.redis != nil {
		gs.redis.Close()
	}
}

// wrap puts h behind the guard with the body limit min(limit, max_body)
// (limit ≤ 0: max_body), refused from Content-Length before reading.
func (gs *guardStack) wrap(h http.Handler, limit int64) http.Handler {
	return gs.g.HandlerLimit(h, limit)
}

// wrapAxon puts h behind the Axon layers: the same gate, rate-limit buckets,
// metrics and access log as the Epistula routes.
func (gs *guardStack) wrapAxon(spec *axon.Spec, h http.Handler) http.Handler {
	return gs.g.AxonHandler(gs.axon, spec, h)
}

// setReplay replaces the in-memory replay cache (before serving); Axon
// requests share it, so replicas refuse each other's accepted requests.
func (gs *guardStack) setReplay(c epistula.ReplayCache) {
	gs.g.Epistula.Verifier.Replay = c
	gs.axon.Verifier.Replay = c
}

// setNotBefore refuses requests signed before start (an empty in-memory
// replay cache and nonce store cannot know them).
func (gs *guardStack) setNotBefore(start time.Time) {
	gs.g.Epistula.Verifier.NotBefore = start
	gs.axon.Verifier.NotBefore = start
}

// ValidatorLookup returns the guard.Lookup that reads the Syncer's current
// snapshot: one atomic load and one map hit, no allocation. (guard defines
// the interface and metagraph must not import guard, so the two meet here.)
// It does not ask for early refreshes; set guard.Validators.Unknown to
// s.RequestRefresh for that, as the Server does.
func ValidatorLookup(s *metagraph.Syncer) guard.Lookup { return syncerLookup{s} }

type syncerLookup struct{ s *metagraph.Syncer }

func (l syncerLookup) Lookup(hotkey string) (guard.Neuron, bool) {
	n, ok := l.s.Current().Lookup(hotkey)
	if !ok {
		return guard.Neuron{}, false
	}
	return guard.Neuron{UID: n.UID, StakeWeight: n.Stake, ValidatorPermit: n.ValidatorPermit}, true
}
