package devnet

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/minerkit/minerkit/substrate"
)

type wsClient struct {
	t  *testing.T
	c  *websocket.Conn
	id int
}

func dialWS(t *testing.T, n *Node) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, n.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(64 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &wsClient{t: t, c: c}
}

func (w *wsClient) write(msg string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *wsClient) read() map[string]any {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := w.c.Read(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		w.t.Fatalf("bad JSON %s: %v", b, err)
	}
	return m
}

func (w *wsClient) call(method string, params ...any) map[string]any {
	w.t.Helper()
	w.id++
	p, _ := json.Marshal(params)
	if params == nil {
		p = []byte("[]")
	}
	w.write(`{"jsonrpc":"2.0","id":` + strconv.Itoa(w.id) + `,"method":"` + method + `","params":` + string(p) + `}`)
	for {
		m := w.read()
		if id, ok := m["id"].(float64); ok && int(id) == w.id {
			return m
		}
	}
}

func errCode(m map[string]any) int {
	e, ok := m["error"].(map[string]any)
	if !ok {
		return 0
	}
	return int(e["code"].(float64))
}

// TestRPCBadInput sends malformed and hostile requests; each gets a proper
// JSON-RPC error and the chain keeps producing blocks.
func TestRPCBadInput(t *testing.T) {
	n, err := Start(context.Background(), Config{BlockTime: 20 * time.Millisecond, MaxRequestBytes: 1 << 16, MaxSubscriptions: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	w := dialWS(t, n)
	cases := []struct {
		name string
		msg  string
		code int
	}{
		{"not json", `{"jsonrpc":`, codeParse},
		{"no method", `{"jsonrpc":"2.0","id":1}`, codeInvalidRequest},
		{"wrong version", `{"jsonrpc":"1.0","id":1,"method":"system_chain"}`, codeInvalidRequest},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"nope"}`, codeNoMethod},
		{"params not array", `{"jsonrpc":"2.0","id":1,"method":"state_getStorage","params":7}`, codeInvalidParams},
		{"bad hex", `{"jsonrpc":"2.0","id":1,"method":"state_getStorage","params":["zz"]}`, codeInvalidParams},
		{"bad extrinsic", `{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["0x1234"]}`, 1001},
		{"unsigned extrinsic", `{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["0x1004000000"]}`, 1011},
		{"empty batch", `[]`, codeInvalidRequest},
		{"batch over 100 calls", `[` + strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"system_chain"},`, 100) + `{"jsonrpc":"2.0","id":2,"method":"system_chain"}]`, codeInvalidRequest},
		{"unknown block", `{"jsonrpc":"2.0","id":1,"method":"state_getStorage","params":["0x00","0x` + strings.Repeat("ab", 32) + `"]}`, 4003},
		{"too many keys", `{"jsonrpc":"2.0","id":1,"method":"state_getKeysPaged","params":["0x",100000]}`, codeInvalidParams},
		{"unknown runtime api", `{"jsonrpc":"2.0","id":1,"method":"state_call","params":["Nope_nope","0x"]}`, 4003},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w.write(c.msg)
			m := w.read()
			if got := errCode(m); got != c.code {
				t.Fatalf("code %d, want %d: %v", got, c.code, m)
			}
		})
	}
	// Batch with one good and one bad call.
	w.write(`[{"jsonrpc":"2.0","id":1,"method":"system_chain"},{"jsonrpc":"2.0","id":2,"method":"nope"}]`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, b, err := w.c.Read(ctx)
	cancel()
	if err != nil || !bytes.Contains(b, []byte(`"minerkit devnet"`)) || !bytes.Contains(b, []byte(`-32601`)) {
		t.Fatalf("batch: %s %v", b, err)
	}
	// Subscription limit.
	for i := 0; i < 4; i++ {
		if m := w.call("chain_subscribeNewHeads"); errCode(m) != 0 {
			t.Fatalf("subscribe %d: %v", i, m)
		}
	}
	if m := w.call("chain_subscribeNewHeads"); errCode(m) != codeTooManySubs {
		t.Fatalf("fifth subscription: %v", m)
	}
	// Oversized message over HTTP: 413 with a JSON-RPC error.
	big := `{"jsonrpc":"2.0","id":1,"method":"system_chain","params":["` + strings.Repeat("a", 1<<17) + `"]}`
	resp, err := http.Post(n.HTTPURL(), "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(body, []byte("too big")) {
		t.Fatalf("oversized: %d %s", resp.StatusCode, body)
	}
	// Blocks keep coming.
	before := n.BestNumber()
	if err := n.WaitBlocks(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	if n.BestNumber() < before+3 {
		t.Fatal("no blocks after bad input")
	}
	// Oversized WebSocket message: the server closes that connection only.
	w2 := dialWS(t, n)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = w2.c.Write(ctx, websocket.MessageText, []byte(big))
	if _, _, err := w2.c.Read(ctx); err == nil {
		// an error reply is fine; the next read must fail (closed)
		if _, _, err := w2.c.Read(ctx); err == nil {
			t.Fatal("oversized websocket message did not close the connection")
		}
	}
	if m := w.call("system_health"); errCode(m) != 0 {
		t.Fatalf("first connection broken: %v", m)
	}
}

// TestRPCSubmitAndWatch checks the wire statuses ready → inBlock →
// finalized and the head subscriptions.
func TestRPCSubmitAndWatch(t *testing.T) {
	n := startManual(t)
	w := dialWS(t, n)
	heads := w.call("chain_subscribeNewHeads")
	if errCode(heads) != 0 {
		t.Fatal(heads)
	}
	first := w.read() // the current head, right after subscribing
	if first["method"] != "chain_newHead" {
		t.Fatalf("first notification %v", first)
	}
	ext := sign(t, n, mustKey(t, "//Alice"), "Balances", "transfer_allow_death", addrV(mustKey(t, "//Bob")), substrate.U64(TAO))
	sub := w.call("author_submitAndWatchExtrinsic", "0x"+hex.EncodeToString(ext))
	if errCode(sub) != 0 {
		t.Fatal(sub)
	}
	var statuses []string
	var gotHead bool
	go n.NewBlock()
	for len(statuses) < 3 || !gotHead {
		m := w.read()
		switch m["method"] {
		case "author_extrinsicUpdate":
			r := m["params"].(map[string]any)["result"]
			switch v := r.(type) {
			case string:
				statuses = append(statuses, v)
			case map[string]any:
				for k := range v {
					statuses = append(statuses, k)
				}
			}
		case "chain_newHead":
			gotHead = true
		}
	}
	if strings.Join(statuses, ",") != "ready,inBlock,finalized" {
		t.Fatalf("statuses %v", statuses)
	}
	if m := w.call("chain_getFinalizedHead"); m["result"] != w.call("chain_getBlockHash")["result"] {
		t.Fatalf("finalized head lags: %v", m)
	}
	blk := w.call("chain_getBlock")
	exts := blk["result"].(map[string]any)["block"].(map[string]any)["extrinsics"].([]any)
	if len(exts) != 2 || exts[1] != "0x"+hex.EncodeToString(ext) { // 0: the Timestamp.set inherent
		t.Fatalf("block body %v", exts)
	}
	// An unknown block is null for chain_getHeader/getBlock, not an error.
	unknown := "0x" + strings.Repeat("ab", 32)
	for _, m := range []string{"chain_getHeader", "chain_getBlock"} {
		if r := w.call(m, unknown); r["result"] != nil || r["error"] != nil {
			t.Fatalf("%s of an unknown block: %v, want null", m, r)
		}
	}
	// HTTP works for plain calls.
	resp, err := http.Post(n.HTTPURL(), "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"system_accountNextIndex","params":["5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`"result":1`)) {
		t.Fatalf("accountNextIndex: %s", body)
	}
}

// TestFinalityLag: with FinalityLag 2, a watched transaction is inBlock at
// once and finalized two blocks later; the finalized head trails the best.
func TestFinalityLag(t *testing.T) {
	n, err := Start(context.Background(), Config{Manual: true, FinalityLag: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	n.WaitBlocks(t.Context(), 3)
	var statuses []string
	ext := sign(t, n, mustKey(t, "//Alice"), "System", "remark", substrate.Bytes(nil))
	if _, err := n.chain.submit(ext, func(s txStatus) { statuses = append(statuses, s.kind) }); err != nil {
		t.Fatal(err)
	}
	n.NewBlock()
	if strings.Join(statuses, ",") != "ready,inBlock" {
		t.Fatalf("after inclusion: %v", statuses)
	}
	n.NewBlock()
	if len(statuses) != 2 {
		t.Fatalf("finalized too early: %v", statuses)
	}
	n.NewBlock()
	if strings.Join(statuses, ",") != "ready,inBlock,finalized" {
		t.Fatalf("after two more blocks: %v", statuses)
	}
	if fin, head := n.chain.finalized().header.number, n.BestNumber(); head-fin != 2 {
		t.Fatalf("finalized #%d, best #%d", fin, head)
	}
}

// No wildcard CORS unless the operator names origins.
func TestRPCCORS(t *testing.T) {
	for _, tc := range []struct {
		origins []string
		origin  string
		want    string
	}{
		{nil, "https://evil.example", ""},
		{[]string{"https://polkadot.js.org"}, "https://polkadot.js.org", "https://polkadot.js.org"},
		{[]string{"https://polkadot.js.org"}, "https://evil.example", ""},
		{[]string{"*"}, "https://any.example", "*"},
	} {
		n, err := Start(context.Background(), Config{Manual: true, CORSOrigins: tc.origins})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, n.HTTPURL(), strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"system_chain"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", tc.origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		n.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
			t.Errorf("origins %v, Origin %s: Allow-Origin %q, want %q", tc.origins, tc.origin, got, tc.want)
		}
	}
}
