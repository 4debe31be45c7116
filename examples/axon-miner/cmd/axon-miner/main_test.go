package main

import (
	"context"
	"errors"
	"flag"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/wallet"
)

// TestRun runs the example program on a devnet until its /health answers,
// then stops it as SIGTERM would.
func TestRun(t *testing.T) {
	ch := devnettest.Start(t, nil)
	hot := devnettest.Key(t, "//Alice//axon-miner")
	devnettest.Register(t, ch, devnettest.Key(t, "//Alice"), hot.Public())
	dir := t.TempDir()
	w, err := wallet.NewFromEnv(dir, "miner", "default", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := w.CreateHotkey(hot, "", nil, false); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--network", ch.Node.URL(), "--netuid", "1", "--listen", addr, "--admin-listen", "",
			"--wallet-path", dir, "--wallet-name", "miner", "--word-delay", "1ms"}, func(string) string { return "" })
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the miner stopped before serving: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no /health within 20 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRunHelp(t *testing.T) {
	if err := run(context.Background(), []string{"-h"}, func(string) string { return "" }); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v, want flag.ErrHelp", err)
	}
}
