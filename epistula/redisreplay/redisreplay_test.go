package redisreplay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/epistula/replaytest"
	"github.com/minerkit/minerkit/keys"
)

// startRedis starts a private redis-server on a unix socket in a temporary
// directory (no TCP port at all) and returns a client for it. The test fails,
// not skips, without redis-server: CI installs it (apt-get install redis-server).
func startRedis(t testing.TB) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found on PATH: the Redis replay cache tests need it (apt-get install redis-server)")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", dir)
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	client := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	// Wait until it answers PING (bounded): the socket appears when it
	// is ready to accept.
	deadline := time.Now().Add(10 * time.Second)
	for backoff := time.Millisecond; ; backoff = min(2*backoff, 100*time.Millisecond) {
		select {
		case err := <-exited:
			t.Fatalf("redis-server exited: %v\n%s", err, logs.String())
		default:
		}
		if _, err := os.Stat(sock); err == nil {
			if err := client.Ping(context.Background()).Err(); err == nil {
				return client
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not answer within 10s\n%s", logs.String())
		}
		time.Sleep(backoff)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}

// TestConformance runs epistula's replay-cache contract against Redis, each
// subtest on its own server.
func TestConformance(t *testing.T) {
	replaytest.Run(t, func(t *testing.T) epistula.ReplayCache { return New(startRedis(t)) })
}

// TestSeenTTL: beyond the contract, the key lives as long as the request's
// window, and an expiry already past is still recorded briefly.
func TestSeenTTL(t *testing.T) {
	client := startRedis(t)
	now := time.Now()
	c := &Cache{Client: client, Now: func() time.Time { return now }}
	if seen, err := c.Seen("alice", "u1", now.Add(16*time.Second)); seen || err != nil {
		t.Fatalf("Seen(alice, u1) = %v, %v", seen, err)
	}
	if seen, err := c.Seen("alice", "u2", now.Add(-time.Second)); seen || err != nil {
		t.Fatalf("Seen(alice, u2) past its expiry = %v, %v", seen, err)
	}
	// The key expires with the request's window (checked via its TTL,
	// without waiting for it).
	ttl, err := client.PTTL(context.Background(), DefaultPrefix+"alice:u1").Result()
	if err != nil || ttl <= 15*time.Second || ttl > 16*time.Second {
		t.Fatalf("TTL %v, %v; want just under 16s", ttl, err)
	}
}

func TestConcurrentReplicas(t *testing.T) {
	client := startRedis(t)
	exp := time.Now().Add(time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := map[string]int{}
	for r := 0; r < 6; r++ { // six replicas, each with its own Cache
		c := New(client)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				id := fmt.Sprint(i)
				seen, err := c.Seen("alice", id, exp)
				if err != nil {
					t.Error(err)
					return
				}
				if !seen {
					mu.Lock()
					accepted[id]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(accepted) != 300 {
		t.Fatalf("%d uuids accepted, want 300", len(accepted))
	}
	for id, n := range accepted {
		if n != 1 {
			t.Fatalf("uuid %s accepted by %d replicas", id, n)
		}
	}
}

// TestVerifierFailsClosed: two replicas share Redis; a request accepted by
// one is a replay for the other; with Redis gone, requests are refused as
// unavailable, never accepted.
func TestVerifierFailsClosed(t *testing.T) {
	client := startRedis(t)
	alice, _ := keys.FromSURI("//Alice")
	bob, _ := keys.FromSURI("//Bob")
	r1 := &epistula.Verifier{Self: bob.Address(), Replay: New(client)}
	r2 := &epistula.Verifier{Self: bob.Address(), Replay: New(client)}
	h := epistula.Sign(alice, []byte("{}"), bob.Address(), time.Now())
	if _, err := r1.Verify(h, []byte("{}"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Verify(h, []byte("{}"), time.Now()); epistula.ReasonOf(err) != epistula.ReasonReplayed {
		t.Fatalf("other replica: %v, want replayed", err)
	}
	dead := redis.NewClient(&redis.Options{Network: "unix", Addr: filepath.Join(t.TempDir(), "none.sock"), MaxRetries: -1})
	defer dead.Close()
	r3 := &epistula.Verifier{Self: bob.Address(), Replay: New(dead)}
	h2 := epistula.Sign(alice, nil, bob.Address(), time.Now())
	_, err := r3.Verify(h2, nil, time.Now())
	if epistula.ReasonOf(err) != epistula.ReasonUnavailable || !errors.Is(err, epistula.ErrUnavailable) {
		t.Fatalf("Redis down: %v, want replay_cache_unavailable", err)
	}
}

func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	miner, _ := keys.FromSURI("//Bob")
	// Every replica of the miner builds its verifier like this.
	v := &epistula.Verifier{Self: miner.Address(), Replay: New(client)}
	_ = v
}

// BenchmarkSeen is one round trip to a local Redis over a unix socket.
func BenchmarkSeen(b *testing.B) {
	client := startRedis(b)
	c := New(client)
	exp := time.Now().Add(time.Minute)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Seen("alice", epistula.NewUUID(), exp); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Ping answers for a live server and fails, within the timeout, for a dead one.
func TestPing(t *testing.T) {
	live := New(startRedis(t))
	if err := live.Ping(context.Background()); err != nil {
		t.Fatalf("live: %v", err)
	}
	dead := New(redis.NewClient(&redis.Options{Network: "unix", Addr: filepath.Join(t.TempDir(), "none.sock"), MaxRetries: -1}))
	start := time.Now()
	if err := dead.Ping(context.Background()); err == nil || time.Since(start) > time.Second {
		t.Fatalf("dead: %v after %v", err, time.Since(start))
	}
}
