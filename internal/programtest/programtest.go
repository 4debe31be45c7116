// Package programtest runs a miner.Program the way its users run it: on a
// devnet, its hotkey registered and stored in a wallet that BT_WALLET_*
// point to, until its /health answers.
package programtest

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

// Run starts p with miner.RunProgram on a fresh devnet (the hotkey hotSURI
// registered on subnet 1 by //Alice) with args added to the network, netuid
// and listen flags; once /health answers it calls check with the API's
// address, then stops p as SIGTERM would and fails the test if p does not
// return cleanly.
func Run(t *testing.T, p miner.Program, hotSURI string, args []string, check func(addr string)) {
	t.Helper()
	ch := devnettest.Start(t, nil)
	hot := devnettest.Key(t, hotSURI)
	devnettest.Register(t, ch, devnettest.Key(t, "//Alice"), hot.Public())
	env := map[string]string{"BT_WALLET_PATH": t.TempDir(), "BT_WALLET_NAME": "miner"}
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
		done <- miner.RunProgram(ctx, p, append([]string{"--network", ch.Node.URL(), "--netuid", "1", "--listen", addr, "--admin-listen", ""}, args...), getenv)
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
			cancel()
			t.Fatalf("%s stopped before serving: %v", p.Name, err)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("%s: no /health within 20 s: %v", p.Name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if check != nil {
		check(addr)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Help checks that -h ends p with flag.ErrHelp (usage shown, nothing run).
func Help(t *testing.T, p miner.Program) {
	t.Helper()
	if err := miner.RunProgram(context.Background(), p, []string{"-h"}, func(string) string { return "" }); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v, want flag.ErrHelp", err)
	}
}
