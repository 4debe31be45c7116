// Package redisstore is a guard.Store kept in Redis, for several replicas of
// one miner: a request accepted by one replica is refused as a replay by the
// others, and each validator's rate limit holds across all of them.
//
// One request is one round trip: a Lua script, run atomically by the Redis
// server, records the request's uuid (SET NX PX, expiring with the request's
// window) and then applies the caller's rate limit with GCRA (the generic
// cell rate algorithm: one integer per caller, its theoretical arrival time,
// expiring when the caller is idle). Time is the Redis server's (TIME), so
// the replicas' clocks never disagree about a bucket. Both keys of a request
// share a hash tag (the caller), so the script also runs on Redis Cluster.
// With Store.Pipeline, the requests that arrive while one batch is in flight
// go together in the next (one write, one read for all of them).
//
// It never touches the chain and holds nothing in process: a Store may be
// shared by any number of goroutines.
package redisstore

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minerkit/minerkit/guard"
)

// DefaultPrefix starts every key when Store.Prefix is empty.
const DefaultPrefix = "minerkit:"

// Store implements guard.Store on a Redis server.
type Store struct {
	// Client is the Redis connection (a *redis.Client, *redis.ClusterClient,
	// …). Required.
	Client redis.Cmdable
	// Prefix starts every key; if empty, DefaultPrefix. The replicas of one
	// miner must share it and different miners on one Redis must not (the
	// miner package puts its hotkey and netuid in it). It must not contain
	// "{" or "}": the caller is the keys' hash tag.
	Prefix string
	// Now is the local clock, used only to turn an expiry into a TTL; if
	// nil, time.Now. TTLs are relative, so the server's clock may differ.
	Now func() time.Time
	// Pipeline, if true, sends the admissions of concurrent requests
	// together: those that arrive while a batch is in flight go in the next
	// one, as one pipeline (one write, one read). A lone request still
	// costs one round trip and waits for nothing; under load the Redis
	// calls cost less CPU on both sides. Set it before the first Admit.
	Pipeline bool

	mu      sync.Mutex
	pending []*call
	running bool
}

// call is one admission waiting for its batch.
type call struct {
	keys []string
	args []any
	res  []int64
	err  error
	done chan struct{}
}

// batched queues one script call and waits for its answer.
func (s *Store) batched(ctx context.Context, keys []string, args []any) ([]int64, error) {
	c := &call{keys: keys, args: args, done: make(chan struct{})}
	s.mu.Lock()
	s.pending = append(s.pending, c)
	if !s.running {
		s.running = true
		go s.flush()
	}
	s.mu.Unlock()
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// maxBatch bounds one pipeline.
const maxBatch = 256

// flush sends the pending calls, batch after batch, until none are left.
func (s *Store) flush() {
	for {
		s.mu.Lock()
		batch := s.pending
		if len(batch) > maxBatch {
			batch = batch[:maxBatch:maxBatch]
		}
		s.pending = s.pending[len(batch):]
		if len(batch) == 0 {
			s.pending, s.running = nil, false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.send(batch)
	}
}

func (s *Store) send(batch []*call) {
	ctx, cancel := context.WithTimeout(context.Background(), guard.DefaultStoreTimeout)
	defer cancel()
	cmds := make([]*redis.Cmd, len(batch))
	pipe := s.Client.Pipeline()
	for i, c := range batch {
		cmds[i] = admitScript.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	pipe.Exec(ctx)
	for i, c := range batch {
		c.res, c.err = cmds[i].Int64Slice()
		if c.err != nil && redis.HasErrorPrefix(c.err, "NOSCRIPT") {
			// The server lost its scripts (a restart): Run loads it again.
			c.res, c.err = admitScript.Run(ctx, s.Client, c.keys, c.args...).Int64Slice()
		}
		close(c.done)
	}
}

// New returns a Store on client with keys under prefix ("" for
// DefaultPrefix).
func New(client redis.Cmdable, prefix string) *Store { return &Store{Client: client, Prefix: prefix} }

// admitScript records the request, then takes one request from the caller's
// GCRA allowance.
//
//	KEYS[1]  the request's replay record
//	KEYS[2]  the caller's theoretical arrival time, in µs of server time
//	ARGV[1]  replay record TTL, ms; 0: no replay record (rate only)
//	ARGV[2]  emission interval (1/rate), µs; 0: no rate limit
//	ARGV[3]  tolerance (interval × (burst − 1)), µs
//
// It returns {0, 0} admitted, {1, 0} replayed, {2, µs} limited (retry in µs).
// Numbers are written with %.0f: Lua's own conversion keeps only 14 digits.
var admitScript = redis.NewScript(`
if tonumber(ARGV[1]) > 0 and not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
	return {1, 0}
end
local interval = tonumber(ARGV[2])
if interval <= 0 then
	return {0, 0}
end
local tolerance = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[2]) or '0')
if tat < now then
	tat = now
end
local allow_at = tat - tolerance
if now < allow_at then
	return {2, allow_at - now}
end
tat = tat + interval
redis.call('SET', KEYS[2], string.format('%.0f', tat), 'PX', string.format('%.0f', math.ceil((tat - now) / 1000) + 1))
return {0, 0}
`)

// Admit implements guard.Store: one EVALSHA (an EVAL the first time a
// server sees the script).
func (s *Store) Admit(ctx context.Context, a guard.Admission) (guard.Verdict, error) {
	if s.Client == nil {
		return guard.Verdict{}, fmt.Errorf("redisstore: Store.Client is nil: set it to a redis client")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ttl := a.Expiry.Sub(now())
	// A request at the edge of its window is still recorded briefly, so
	// that a concurrent copy is refused.
	ttlMS := max(int64((ttl+time.Millisecond-1)/time.Millisecond), 1)
	if a.ID == "" {
		ttlMS = 0
	}
	var interval, tolerance int64
	if a.Rate > 0 {
		burst := math.Max(a.Burst, 1)
		interval = max(int64(math.Round(1e6/a.Rate)), 1)
		tolerance = int64(math.Round(float64(interval) * (burst - 1)))
	}
	prefix := s.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	tag := prefix + "{" + a.Caller + "}:"
	keys := []string{tag + "seen:" + a.ID, tag + "rate"}
	var res []int64
	var err error
	if s.Pipeline {
		res, err = s.batched(ctx, keys, []any{ttlMS, interval, tolerance})
	} else {
		res, err = admitScript.Run(ctx, s.Client, keys, ttlMS, interval, tolerance).Int64Slice()
	}
	if err != nil {
		return guard.Verdict{}, fmt.Errorf("redisstore: admit request %s of %s: %w (is the Redis server up?)", a.ID, a.Caller, err)
	}
	if len(res) != 2 {
		return guard.Verdict{}, fmt.Errorf("redisstore: admit request %s of %s: the script answered %v, want two integers", a.ID, a.Caller, res)
	}
	switch res[0] {
	case 0:
		return guard.Verdict{}, nil
	case 1:
		return guard.Verdict{Replayed: true}, nil
	case 2:
		return guard.Verdict{Limited: true, RetryAfter: max(time.Duration(res[1])*time.Microsecond, time.Microsecond)}, nil
	}
	return guard.Verdict{}, fmt.Errorf("redisstore: admit request %s of %s: the script answered %v", a.ID, a.Caller, res)
}

// Ping checks that the Redis server answers within timeout (a miner's
// /ready uses it: with the store down, signed requests are refused).
func (s *Store) Ping(ctx context.Context, timeout time.Duration) error {
	if s.Client == nil {
		return fmt.Errorf("redisstore: Store.Client is nil: set it to a redis client")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := s.Client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}

// CheckPrefix reports a prefix Store cannot use.
func CheckPrefix(prefix string) error {
	if strings.ContainsAny(prefix, "{}") {
		return fmt.Errorf("redisstore: prefix %q contains { or }: the caller is the keys' hash tag", prefix)
	}
	return nil
}
