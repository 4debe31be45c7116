// Package redistest starts private redis-server processes for tests: on a
// unix socket in the test's temporary directory (or a loopback port), never
// persisting, killed when the test ends. Tests fail, not skip, without
// redis-server: CI installs it (.ci/run: apt-get install redis-server).
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running redis-server.
type Server struct {
	// Sock is the unix socket path; Addr is "127.0.0.1:port" when started
	// with TCP, else "".
	Sock, Addr string

	cmd    *exec.Cmd
	exited chan error
	once   sync.Once
}

// URL is the server's redis:// (TCP) or unix:// URL.
func (s *Server) URL() string {
	if s.Addr != "" {
		return "redis://" + s.Addr + "/0"
	}
	return "unix://" + s.Sock
}

// Client returns a client that does not retry (a test sees every failure);
// it is closed when tb ends.
func (s *Server) Client(tb testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: s.Sock, MaxRetries: -1})
	tb.Cleanup(func() { c.Close() })
	return c
}

// Kill stops the server at once (a Redis outage); it is safe to call twice.
func (s *Server) Kill() {
	s.once.Do(func() {
		s.cmd.Process.Kill()
		<-s.exited
	})
}

// Start starts a redis-server on a unix socket.
func Start(tb testing.TB) *Server { return start(tb, false) }

// StartTCP starts a redis-server on a unix socket and a free loopback port
// (for child processes that take a redis:// URL).
func StartTCP(tb testing.TB) *Server { return start(tb, true) }

func start(tb testing.TB, tcp bool) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal("redis-server not found on PATH: these tests need it (apt-get install redis-server)")
	}
	dir := tb.TempDir()
	s := &Server{Sock: filepath.Join(dir, "redis.sock"), exited: make(chan error, 1)}
	port := "0"
	if tcp {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		port = fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		s.Addr = "127.0.0.1:" + port
	}
	s.cmd = exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--unixsocket", s.Sock, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", dir)
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	tb.Cleanup(s.Kill)
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: s.Sock, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for backoff := time.Millisecond; ; backoff = min(2*backoff, 100*time.Millisecond) {
		select {
		case err := <-s.exited:
			s.exited <- err
			tb.Fatalf("redis-server exited: %v", err)
		default:
		}
		if _, err := os.Stat(s.Sock); err == nil && c.Ping(context.Background()).Err() == nil {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatal("redis-server did not answer within 10s")
		}
		time.Sleep(backoff)
	}
}
