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
	"github.com/minerkit/minerkit/miner"
	"github.com/minerkit/minerkit/wallet"
)

// TestProgram runs the example through miner.RunProgram on a devnet, with
// the wallet found through BT_WALLET_* as the CLI finds it, until its
// /health answers; then stops it as SIGTERM would.
func TestProgram(t *testing.T) {
	ch := devnettest.Start(t, nil)
	hot := devnettest.Key(t, "//Alice//score-miner")
	devnettest.Register(t, ch, devnettest.Key(t, "//Alice"), hot.Public())
	dir := t.TempDir()
	env := map[string]string{"BT_WALLET_PATH": dir, "BT_WALLET_NAME": "scorer"}
	getenv := func(k string) string { return env[k] }
	w, err := wallet.NewFromEnv("", "", "", getenv)
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
		done <- miner.RunProgram(ctx, program, []string{"--network", ch.Node.URL(), "--netuid", "1", "--listen", addr,
			"--admin-listen", "", "--weight", "2"}, getenv)
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
	// The route is behind the guard: an unsigned call is refused.
	resp, err := http.Post("http://"+addr+"/score", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned /score: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestProgramHelp(t *testing.T) {
	if err := miner.RunProgram(context.Background(), program, []string{"-h"}, func(string) string { return "" }); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v, want flag.ErrHelp", err)
	}
}
