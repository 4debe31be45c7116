package rpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/substrate/rpc"
	"github.com/minerkit/minerkit/substrate/rpc/rpctest"
)

func newServer(t testing.TB) *rpctest.Server {
	t.Helper()
	s, err := rpctest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func dial(t testing.TB, opts rpc.Options, urls ...string) *rpc.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := rpc.DialOptions(ctx, opts, urls...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var (
	hashA = rpc.Hash{0xaa, 1}
	hashB = rpc.Hash{0xbb, 2}
)

const headerJSON = `{"parentHash":"0xaa01000000000000000000000000000000000000000000000000000000000000",
 "number":"0x1a","stateRoot":"0xbb02000000000000000000000000000000000000000000000000000000000000",
 "extrinsicsRoot":"0xaa01000000000000000000000000000000000000000000000000000000000000",
 "digest":{"logs":["0x0642414245b501"]}}`

// fakeNode answers the typed methods with canned, node-shaped results.
func fakeNode(s *rpctest.Server) {
	raw := func(v string) json.RawMessage { return json.RawMessage(v) }
	s.Handle("chain_getBlockHash", func(_ context.Context, c rpctest.Call) (any, error) {
		if len(c.Params) == 1 && string(c.Params[0]) == "999999" {
			return nil, nil
		}
		return hashA, nil
	})
	s.HandleResult("chain_getHeader", raw(headerJSON))
	s.HandleResult("chain_getBlock", raw(`{"block":{"header":`+headerJSON+`,"extrinsics":["0x280402000b"]},"justifications":null}`))
	s.HandleResult("chain_getFinalizedHead", hashB)
	s.HandleResult("state_getMetadata", "0x6d65746f0e")
	s.HandleResult("state_getRuntimeVersion", raw(`{"specName":"node-subtensor","implName":"node-subtensor","authoringVersion":1,
		"specVersion":331,"implVersion":1,"apis":[["0xdf6acb689907609b",5],["0x37e397fc7c91f5e4",2]],"transactionVersion":1,"stateVersion":1}`))
	s.Handle("state_getStorage", func(_ context.Context, c rpctest.Call) (any, error) {
		if len(c.Params) > 0 && string(c.Params[0]) == `"0x01"` {
			return "0x2a00", nil
		}
		return nil, nil
	})
	s.HandleResult("state_queryStorageAt", raw(`[{"block":"0xbb02000000000000000000000000000000000000000000000000000000000000",
		"changes":[["0x01","0x2a00"],["0x02",null]]}]`))
	s.HandleResult("state_getKeysPaged", []string{"0x0101", "0x0102"})
	s.Handle("state_call", func(_ context.Context, c rpctest.Call) (any, error) {
		var m string
		_ = json.Unmarshal(c.Params[0], &m)
		if m != "NeuronInfoRuntimeApi_get_neurons_lite" {
			return nil, &rpctest.Error{Code: 4003, Message: "Client error: Execution failed"}
		}
		return "0x0400", nil
	})
	s.HandleResult("system_accountNextIndex", 7)
	s.HandleResult("system_chain", "Bittensor")
	s.HandleResult("system_properties", raw(`{"ss58Format":42,"tokenDecimals":9,"tokenSymbol":"TAO"}`))
	s.HandleResult("system_health", raw(`{"peers":3,"isSyncing":false,"shouldHavePeers":true}`))
	s.HandleResult("author_submitExtrinsic", hashA)
	s.HandleResult("rpc_methods", raw(`{"methods":["chain_getHeader","system_chain"],"version":1}`))
}

func TestTypedMethods(t *testing.T) {
	s := newServer(t)
	fakeNode(s)
	for _, tr := range []struct {
		name string
		url  string
	}{{"websocket", s.URL()}, {"http", s.HTTPURL()}} {
		t.Run(tr.name, func(t *testing.T) {
			c := dial(t, rpc.Options{}, tr.url)
			ctx := testCtx(t)
			at := &hashB
			tests := []struct {
				name string
				run  func() (any, error)
				want string
			}{
				{"chain_getBlockHash", func() (any, error) { return c.ChainGetBlockHash(ctx, 5) }, hashA.Hex()},
				{"chain_getBlockHash best", func() (any, error) { return c.ChainGetBestBlockHash(ctx) }, hashA.Hex()},
				{"chain_getHeader", func() (any, error) {
					h, err := c.ChainGetHeader(ctx, at)
					if err != nil {
						return nil, err
					}
					return fmt.Sprintf("%d %s %s %x", h.Number, h.ParentHash, h.StateRoot, h.Digest.Logs[0]), nil
				}, "26 " + hashA.Hex() + " " + hashB.Hex() + " 0642414245b501"},
				{"chain_getBlock", func() (any, error) {
					b, err := c.ChainGetBlock(ctx, nil)
					if err != nil {
						return nil, err
					}
					return fmt.Sprintf("%d %x", b.Block.Header.Number, b.Block.Extrinsics[0]), nil
				}, "26 280402000b"},
				{"chain_getFinalizedHead", func() (any, error) { return c.ChainGetFinalizedHead(ctx) }, hashB.Hex()},
				{"state_getMetadata", func() (any, error) {
					b, err := c.StateGetMetadata(ctx, nil)
					return fmt.Sprintf("%x", b), err
				}, "6d65746f0e"},
				{"state_getRuntimeVersion", func() (any, error) {
					v, err := c.StateGetRuntimeVersion(ctx, at)
					if err != nil {
						return nil, err
					}
					return fmt.Sprintf("%s %d %d %x/%d", v.SpecName, v.SpecVersion, v.TransactionVersion, v.APIs[1].ID, v.APIs[1].Version), nil
				}, "node-subtensor 331 1 37e397fc7c91f5e4/2"},
				{"state_getStorage found", func() (any, error) {
					v, ok, err := c.StateGetStorage(ctx, []byte{1}, nil)
					return fmt.Sprintf("%x %v", v, ok), err
				}, "2a00 true"},
				{"state_getStorage missing", func() (any, error) {
					v, ok, err := c.StateGetStorage(ctx, []byte{9}, at)
					return fmt.Sprintf("%x %v", v, ok), err
				}, " false"},
				{"state_queryStorageAt", func() (any, error) {
					cs, err := c.StateQueryStorageAt(ctx, [][]byte{{1}, {2}}, nil)
					if err != nil {
						return nil, err
					}
					ch := cs[0].Changes
					return fmt.Sprintf("%s %x=%x/%v %x/%v", cs[0].Block, ch[0].Key, ch[0].Value, ch[0].Exists, ch[1].Key, ch[1].Exists), nil
				}, hashB.Hex() + " 01=2a00/true 02/false"},
				{"state_getKeysPaged", func() (any, error) {
					ks, err := c.StateGetKeysPaged(ctx, []byte{1}, 10, []byte{1, 1}, nil)
					return fmt.Sprintf("%x", ks), err
				}, "[0101 0102]"},
				{"state_call", func() (any, error) {
					b, err := c.StateCall(ctx, "NeuronInfoRuntimeApi_get_neurons_lite", []byte{1, 0}, nil)
					return fmt.Sprintf("%x", b), err
				}, "0400"},
				{"system_accountNextIndex", func() (any, error) {
					return c.SystemAccountNextIndex(ctx, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
				}, "7"},
				{"system_chain", func() (any, error) { return c.SystemChain(ctx) }, "Bittensor"},
				{"system_properties", func() (any, error) {
					p, err := c.SystemProperties(ctx)
					if err != nil {
						return nil, err
					}
					return fmt.Sprintf("%d %v %v", *p.SS58Format, p.TokenDecimals, p.TokenSymbol), nil
				}, "42 [9] [TAO]"},
				{"system_health", func() (any, error) {
					h, err := c.SystemHealth(ctx)
					if err != nil {
						return nil, err
					}
					return fmt.Sprintf("%+v", *h), nil
				}, "{Peers:3 IsSyncing:false ShouldHavePeers:true}"},
				{"author_submitExtrinsic", func() (any, error) { return c.AuthorSubmitExtrinsic(ctx, []byte{0x28, 4}) }, hashA.Hex()},
				{"rpc_methods", func() (any, error) { return c.RPCMethods(ctx) }, "[chain_getHeader system_chain]"},
			}
			for _, tt := range tests {
				got, err := tt.run()
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
					continue
				}
				if s := fmt.Sprint(got); s != tt.want {
					t.Errorf("%s = %q, want %q", tt.name, s, tt.want)
				}
			}
		})
	}
}

func TestParamsOnTheWire(t *testing.T) {
	s := newServer(t)
	fakeNode(s)
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	tests := []struct {
		run  func() error
		want string // method and params as the server saw them
	}{
		{func() error { _, err := c.ChainGetBlockHash(ctx, 5); return err }, `chain_getBlockHash [5]`},
		{func() error { _, err := c.ChainGetBestBlockHash(ctx); return err }, `chain_getBlockHash []`},
		{func() error { _, err := c.ChainGetHeader(ctx, nil); return err }, `chain_getHeader []`},
		{func() error { _, err := c.ChainGetHeader(ctx, &hashA); return err }, `chain_getHeader ["` + hashA.Hex() + `"]`},
		{func() error { _, _, err := c.StateGetStorage(ctx, []byte{1, 2}, nil); return err }, `state_getStorage ["0x0102"]`},
		{func() error { _, err := c.StateQueryStorageAt(ctx, [][]byte{{1}, {2}}, &hashB); return err },
			`state_queryStorageAt [["0x01","0x02"] "` + hashB.Hex() + `"]`},
		{func() error { _, err := c.StateGetKeysPaged(ctx, []byte{1}, 100, nil, nil); return err }, `state_getKeysPaged ["0x01" 100]`},
		{func() error { _, err := c.StateGetKeysPaged(ctx, []byte{1}, 100, nil, &hashA); return err },
			`state_getKeysPaged ["0x01" 100 null "` + hashA.Hex() + `"]`},
		{func() error {
			_, err := c.StateCall(ctx, "NeuronInfoRuntimeApi_get_neurons_lite", []byte{1, 0}, nil)
			return err
		}, `state_call ["NeuronInfoRuntimeApi_get_neurons_lite" "0x0100"]`},
		{func() error { _, err := c.AuthorSubmitExtrinsic(ctx, []byte{0xde, 0xad}); return err }, `author_submitExtrinsic ["0xdead"]`},
	}
	for _, tt := range tests {
		if err := tt.run(); err != nil {
			t.Fatalf("%s: %v", tt.want, err)
		}
		call, err := s.NextCall(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ps []string
		for _, p := range call.Params {
			ps = append(ps, string(p))
		}
		if got := call.Method + " [" + strings.Join(ps, " ") + "]"; got != tt.want {
			t.Errorf("sent %s, want %s", got, tt.want)
		}
	}
}

func TestNotFound(t *testing.T) {
	s := newServer(t)
	fakeNode(s)
	s.HandleResult("chain_getHeader", nil)
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	if _, err := c.ChainGetBlockHash(ctx, 999999); !errors.Is(err, rpc.ErrNotFound) {
		t.Errorf("ChainGetBlockHash(999999) error = %v, want ErrNotFound", err)
	}
	if _, err := c.ChainGetHeader(ctx, &hashA); !errors.Is(err, rpc.ErrNotFound) {
		t.Errorf("ChainGetHeader(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestNodeErrors(t *testing.T) {
	tests := []struct {
		name     string
		err      *rpctest.Error
		code     int
		custom   int // -1: none
		contains []string
	}{
		{"rate limit", &rpctest.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Custom error: 6"`)},
			1010, 6, []string{"Invalid Transaction: Custom error: 6"}},
		{"not registered", &rpctest.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Custom error: 10"`)},
			1010, 10, []string{"Custom error: 10"}},
		{"code in message", &rpctest.Error{Code: 1010, Message: "Invalid Transaction: Custom error: 25"},
			1010, 25, []string{"Custom error: 25"}},
		{"unknown custom", &rpctest.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Custom error: 200"`)},
			1010, 200, []string{"Custom error: 200"}},
		{"bad signature", &rpctest.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction has a bad signature"`)},
			1010, -1, []string{"CheckMetadataHash"}},
		{"stale", &rpctest.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction is outdated"`)},
			1010, -1, []string{"system_accountNextIndex"}},
		{"priority", &rpctest.Error{Code: 1014, Message: "Priority is too low: (0 vs 0)", Data: json.RawMessage(`"The transaction has too low priority to replace another transaction already in the pool."`)},
			1014, -1, []string{"same nonce"}},
		{"object data", &rpctest.Error{Code: -32000, Message: "odd", Data: json.RawMessage(`{"x":1}`)},
			-32000, -1, []string{`odd: {"x":1}`}},
	}
	s := newServer(t)
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Handle("author_submitExtrinsic", func(context.Context, rpctest.Call) (any, error) { return nil, tt.err })
			_, err := c.AuthorSubmitExtrinsic(ctx, []byte{1})
			var e *rpc.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not *rpc.Error", err)
			}
			if e.Code != tt.code {
				t.Errorf("Code = %d, want %d", e.Code, tt.code)
			}
			n, ok := e.CustomCode()
			if tt.custom < 0 && ok || tt.custom >= 0 && (!ok || int(n) != tt.custom) {
				t.Errorf("CustomCode() = %d, %v; want %d", n, ok, tt.custom)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if !strings.HasPrefix(err.Error(), "rpc: author_submitExtrinsic: node error ") {
				t.Errorf("error %q lacks the method prefix", err)
			}
		})
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := newServer(t)
	// Echo after a delay that depends on the argument, so replies come
	// back in a different order than the requests went out.
	s.Handle("echo", func(ctx context.Context, c rpctest.Call) (any, error) {
		var n int
		_ = json.Unmarshal(c.Params[0], &n)
		if n%7 == 0 {
			select {
			case <-time.After(time.Duration(n%5) * time.Millisecond):
			case <-ctx.Done():
			}
		}
		return n, nil
	})
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	const workers, each = 32, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := w*each + i
				raw, err := c.Request(ctx, "echo", n)
				if err != nil {
					errs <- err
					return
				}
				if string(raw) != fmt.Sprint(n) {
					errs <- fmt.Errorf("echo(%d) = %s", n, raw)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := s.Connections(); got != 1 {
		t.Errorf("server saw %d connections, want 1 (multiplexed)", got)
	}
}

func TestOutOfOrderReplies(t *testing.T) {
	s := newServer(t)
	release := make(chan struct{})
	s.Handle("slow", func(ctx context.Context, _ rpctest.Call) (any, error) {
		<-release
		return "slow", nil
	})
	s.HandleResult("fast", "fast")
	c := dial(t, rpc.Options{}, s.URL())
	ctx := testCtx(t)
	slow := make(chan string, 1)
	go func() {
		raw, err := c.Request(ctx, "slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		slow <- string(raw)
	}()
	if _, err := s.WaitCall(ctx, "slow"); err != nil {
		t.Fatal(err)
	}
	raw, err := c.Request(ctx, "fast")
	if err != nil || string(raw) != `"fast"` {
		t.Fatalf("fast = %s, %v", raw, err)
	}
	close(release)
	if got := <-slow; got != `"slow"` {
		t.Fatalf("slow = %s", got)
	}
}

func TestDeadline(t *testing.T) {
	s := newServer(t)
	s.Handle("hang", func(ctx context.Context, _ rpctest.Call) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	s.HandleResult("ping", "pong")
	c := dial(t, rpc.Options{}, s.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Request(ctx, "hang")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hang error = %v, want DeadlineExceeded", err)
	}
	// The connection is still usable after a caller gave up.
	if raw, err := c.Request(testCtx(t), "ping"); err != nil || string(raw) != `"pong"` {
		t.Fatalf("ping after deadline = %s, %v", raw, err)
	}
	// An already-expired context fails before anything is sent.
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := c.Request(done, "ping"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx error = %v", err)
	}
}

func TestDialErrors(t *testing.T) {
	ctx := testCtx(t)
	tests := []struct {
		name string
		urls []string
		want string
	}{
		{"none", nil, "no endpoint URL"},
		{"mixed", []string{"ws://127.0.0.1:1", "http://127.0.0.1:1"}, "mix"},
		{"bad scheme", []string{"ftp://x"}, "not an http"},
		{"refused", []string{"ws://127.0.0.1:1"}, "cannot connect to any endpoint"},
	}
	for _, tt := range tests {
		_, err := rpc.Dial(ctx, tt.urls...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Dial error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestHTTPTransport(t *testing.T) {
	s := newServer(t)
	s.HandleResult("system_chain", "Bittensor")
	s.HandleResult("big", strings.Repeat("x", 2000))
	// The first endpoint refuses connections: the client fails over.
	c := dial(t, rpc.Options{MaxMessageSize: 1024}, "http://127.0.0.1:1", s.HTTPURL())
	ctx := testCtx(t)
	if got, err := c.SystemChain(ctx); err != nil || got != "Bittensor" {
		t.Fatalf("SystemChain = %q, %v", got, err)
	}
	if _, err := c.ChainSubscribeNewHeads(ctx); !errors.Is(err, rpc.ErrSubscriptionsUnsupported) {
		t.Errorf("Subscribe over HTTP error = %v", err)
	}
	if _, err := c.Request(ctx, "big"); err == nil || !strings.Contains(err.Error(), "MaxMessageSize") {
		t.Errorf("oversized HTTP body error = %v", err)
	}
	if _, err := c.Request(ctx, "nope"); err == nil || !strings.Contains(err.Error(), "-32601") {
		t.Errorf("unknown method error = %v", err)
	}
}

func TestHexTypes(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want string
	}{
		{`"0x` + strings.Repeat("ab", 32) + `"`, true, "0x" + strings.Repeat("ab", 32)},
		{`"` + strings.Repeat("ab", 32) + `"`, false, ""},
		{`"0xab"`, false, ""},
		{`"0xzz` + strings.Repeat("ab", 31) + `"`, false, ""},
		{`42`, false, ""},
	}
	for _, tt := range tests {
		var h rpc.Hash
		err := json.Unmarshal([]byte(tt.in), &h)
		if (err == nil) != tt.ok || tt.ok && h.Hex() != tt.want {
			t.Errorf("Hash(%s) = %s, %v", tt.in, h, err)
		}
	}
	var n rpc.BlockNumber
	for in, want := range map[string]uint64{`"0x1a"`: 26, `26`: 26, `"0x0"`: 0} {
		if err := json.Unmarshal([]byte(in), &n); err != nil || uint64(n) != want {
			t.Errorf("BlockNumber(%s) = %d, %v", in, n, err)
		}
	}
	for _, bad := range []string{`"1a"`, `"0x"`, `-1`, `"0x1ffffffffffffffff"`, `1.5`} {
		if err := json.Unmarshal([]byte(bad), &n); err == nil {
			t.Errorf("BlockNumber(%s) accepted", bad)
		}
	}
	b, _ := json.Marshal(rpc.BlockNumber(26))
	if !bytes.Equal(b, []byte(`"0x1a"`)) {
		t.Errorf("BlockNumber marshal = %s", b)
	}
}

func TestRequestTimeoutOption(t *testing.T) {
	s := newServer(t)
	s.Handle("hang", func(ctx context.Context, _ rpctest.Call) (any, error) { <-ctx.Done(); return nil, nil })
	for _, url := range []string{s.URL(), s.HTTPURL()} {
		c := dial(t, rpc.Options{RequestTimeout: 20 * time.Millisecond}, url)
		if _, err := c.Request(context.Background(), "hang"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: error = %v, want DeadlineExceeded from RequestTimeout", url, err)
		}
	}
}
