package rpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/substrate/rpc"
	"github.com/minerkit/minerkit/substrate/rpc/rpctest"
)

func watchNode(s *rpctest.Server, statuses ...string) {
	s.HandleSubscription("author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", func(id string, _ rpctest.Call) {
		for _, st := range statuses {
			if s.NotifyID(id, "author_extrinsicUpdate", json.RawMessage(st)) != nil {
				return
			}
		}
	})
}

func TestSubmitAndWatch(t *testing.T) {
	s := newServer(t)
	watchNode(s, `"future"`, `"ready"`, `{"broadcast":["12D3KooWpeer"]}`,
		`{"inBlock":"`+hashA.Hex()+`"}`, `{"retracted":"`+hashA.Hex()+`"}`, `{"inBlock":"`+hashB.Hex()+`"}`,
		`{"finalized":"`+hashB.Hex()+`"}`, `"ready"`)
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	st, err := c.AuthorSubmitAndWatchExtrinsic(ctx, []byte{0x28, 4})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for status := range st.C() {
		s := string(status.Kind)
		if !status.Block.IsZero() {
			s += ":" + status.Block.Hex()[:4]
		}
		if status.Peers != nil {
			s += fmt.Sprint(status.Peers)
		}
		got = append(got, s)
	}
	want := "future ready broadcast[12D3KooWpeer] inBlock:0xaa retracted:0xaa inBlock:0xbb finalized:0xbb"
	if strings.Join(got, " ") != want {
		t.Errorf("statuses = %s\nwant       %s", strings.Join(got, " "), want)
	}
	if st.Err() != nil {
		t.Errorf("Err after finalized = %v", st.Err())
	}
	call, err := s.WaitCall(ctx, "author_submitAndWatchExtrinsic")
	if err != nil || string(call.Params[0]) != `"0x2804"` {
		t.Errorf("submitted %v, %v", call.Params, err)
	}
}

func TestSubmitAndWatchTerminalStatuses(t *testing.T) {
	for _, term := range []string{`"invalid"`, `"dropped"`, `{"usurped":"` + hashA.Hex() + `"}`, `{"finalityTimeout":"` + hashB.Hex() + `"}`} {
		s := newServer(t)
		watchNode(s, `"ready"`, term)
		c := dial(t, rpc.Options{}, s.URL())
		st, err := c.AuthorSubmitAndWatchExtrinsic(testCtx(t), []byte{1})
		if err != nil {
			t.Fatal(err)
		}
		var last rpc.ExtrinsicStatus
		for v := range st.C() {
			last = v
		}
		if !last.Terminal() || st.Err() != nil {
			t.Errorf("%s: last status %+v, err %v", term, last, st.Err())
		}
	}
}

func TestWatchNotResubscribed(t *testing.T) {
	s := newServer(t)
	watchNode(s, `"ready"`)
	c := dial(t, rpc.Options{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}, s.URL())
	ctx := testCtx(t)
	st, err := c.AuthorSubmitAndWatchExtrinsic(ctx, []byte{1})
	if err != nil {
		t.Fatal(err)
	}
	if v := <-st.C(); v.Kind != rpc.StatusReady {
		t.Fatalf("first status %v", v.Kind)
	}
	s.DropConnections()
	for range st.C() {
	}
	if !errors.Is(st.Err(), rpc.ErrConnectionLost) {
		t.Fatalf("watch Err after drop = %v, want ErrConnectionLost", st.Err())
	}
	// Wait for the reconnect; the extrinsic must have been submitted once.
	probe(t, ctx, c)
	n := 0
	for _, call := range s.Calls() {
		if call.Method == "author_submitAndWatchExtrinsic" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("extrinsic submitted %d times, want 1", n)
	}
}

func TestSubmitAndWatchRejected(t *testing.T) {
	s := newServer(t)
	s.Handle("author_submitAndWatchExtrinsic", func(context.Context, rpctest.Call) (any, error) {
		return nil, &rpctest.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Custom error: 2"`)}
	})
	c := dial(t, rpc.Options{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}, s.URL())
	ctx := testCtx(t)
	_, err := c.AuthorSubmitAndWatchExtrinsic(ctx, []byte{1})
	var e *rpc.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not *rpc.Error", err)
	}
	if n, ok := e.CustomCode(); !ok || n != 2 || !strings.Contains(err.Error(), "Custom error: 2") {
		t.Fatalf("error = %v", err)
	}
	// The failed watch is forgotten: a reconnect does not replay it.
	s.DropConnections()
	probe(t, ctx, c)
	n := 0
	for _, call := range s.Calls() {
		if call.Method == "author_submitAndWatchExtrinsic" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("submitted %d times, want 1", n)
	}
}
