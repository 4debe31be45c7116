// Package redisreplay is an epistula.ReplayCache kept in Redis, for several
// miner replicas that serve one hotkey: a request accepted by one replica is
// refused as a replay by all the others.
//
// Each accepted (signer, uuid) pair is one key set with SET NX PX: atomic on
// the Redis server, expiring by itself when the request's timestamp leaves
// the window. Any Redis error fails closed: the guard answers 503 and never
// accepts a request it could not record.
package redisreplay

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of Cache.
const (
	DefaultPrefix  = "minerkit:epistula:seen:"
	DefaultTimeout = 250 * time.Millisecond
)

// Cache implements epistula.ReplayCache on a Redis server.
type Cache struct {
	// Client is the Redis connection (a *redis.Client, *redis.ClusterClient,
	// …). Required.
	Client redis.Cmdable
	// Prefix is put before every key; if empty, DefaultPrefix. Replicas of
	// one miner must share it; different miners on one Redis should not.
	Prefix string
	// Timeout bounds one Seen call; if zero, DefaultTimeout. A request is
	// refused (503) rather than waiting longer.
	Timeout time.Duration
	// Now is the clock used to turn an expiry into a TTL; if nil, time.Now.
	// TTLs are relative, so the Redis server's clock does not matter.
	Now func() time.Time
}

// New returns a Cache on client with the defaults.
func New(client redis.Cmdable) *Cache { return &Cache{Client: client} }

// Ping checks that the Redis server answers within the Cache's Timeout.
// A miner's /ready uses it: with the replay store down every signed request
// is refused (503), so the replica must not receive traffic.
func (c *Cache) Ping(ctx context.Context) error {
	if c.Client == nil {
		return fmt.Errorf("redisreplay: Cache.Client is nil: set it to a redis client")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.Client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisreplay: ping: %w", err)
	}
	return nil
}

// Seen implements epistula.ReplayCache.
func (c *Cache) Seen(signedBy, uuid string, expiry time.Time) (bool, error) {
	if c.Client == nil {
		return false, fmt.Errorf("redisreplay: Cache.Client is nil: set it to a redis client")
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ttl := expiry.Sub(now())
	if ttl < time.Millisecond {
		// The request is at the edge of its window; record it briefly
		// anyway, so that a concurrent copy is still refused.
		ttl = time.Millisecond
	}
	ttl = ttl.Round(time.Millisecond)
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	prefix := c.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	set, err := c.Client.SetNX(ctx, prefix+signedBy+":"+uuid, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisreplay: record request %s of %s: %w (is the Redis server up?)", uuid, signedBy, err)
	}
	return !set, nil
}
