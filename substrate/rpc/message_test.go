package rpc

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDecodeMessage(t *testing.T) {
	tests := []struct {
		in      string
		kind    msgKind
		id      uint64
		subID   string
		result  string
		errCode int
	}{
		{`{"jsonrpc":"2.0","id":7,"result":"0x01"}`, kindResponse, 7, "", `"0x01"`, 0},
		{`{"jsonrpc":"2.0","id":"7","result":null}`, kindResponse, 7, "", `null`, 0},
		{` {"jsonrpc":"2.0","result":[1],"id":18446744073709551615} `, kindResponse, 1<<64 - 1, "", `[1]`, 0},
		{`{"jsonrpc":"2.0","id":3,"error":{"code":1010,"message":"Invalid Transaction","data":"Custom error: 6"}}`, kindResponse, 3, "", ``, 1010},
		{`{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"abc","result":{"number":"0x1"}}}`, kindNotification, 0, "abc", `{"number":"0x1"}`, 0},
		{`{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":12,"result":1}}`, kindNotification, 0, "12", `1`, 0},
		{`{"jsonrpc":"2.0","method":"author_extrinsicUpdate","params":{"subscription":"x","error":{"code":-32000,"message":"gone"}}}`, kindNotification, 0, "x", ``, -32000},
	}
	for _, tt := range tests {
		m, err := decodeMessage([]byte(tt.in))
		if err != nil {
			t.Errorf("decode(%s): %v", tt.in, err)
			continue
		}
		if m.kind != tt.kind || m.id != tt.id || m.subID != tt.subID || string(m.result) != tt.result {
			t.Errorf("decode(%s) = %+v", tt.in, m)
		}
		if (m.err == nil) != (tt.errCode == 0) || m.err != nil && m.err.Code != tt.errCode {
			t.Errorf("decode(%s) error = %v, want code %d", tt.in, m.err, tt.errCode)
		}
	}
	for _, bad := range []string{
		``, `[]`, `null`, `"x"`, `{}`, `{"jsonrpc":"2.0"}`, `{"jsonrpc":"2.0","id":1}`,
		`{"jsonrpc":"2.0","id":-1,"result":1}`, `{"jsonrpc":"2.0","id":1.5,"result":1}`, `{"jsonrpc":"2.0","id":{},"result":1}`,
		`{"jsonrpc":"1.0","id":1,"result":1}`, `{"jsonrpc":"2.0","method":"m"}`,
		`{"jsonrpc":"2.0","method":"m","params":{"result":1}}`, `{"jsonrpc":"2.0","method":"m","params":{"subscription":"a"}}`,
		`{"jsonrpc":"2.0","method":"m","params":{"subscription":true,"result":1}}`,
		`{"jsonrpc":"2.0","method":"m","params":{"subscription":"` + string(make([]byte, 300)) + `","result":1}}`,
	} {
		if _, err := decodeMessage([]byte(bad)); !errors.Is(err, ErrBadResponse) {
			t.Errorf("decode(%.60q) error = %v, want ErrBadResponse", bad, err)
		}
	}
}

func FuzzDecodeMessage(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":7,"result":"0x01"}`,
		`{"jsonrpc":"2.0","id":"7","result":null}`,
		`{"jsonrpc":"2.0","id":3,"error":{"code":1010,"message":"Invalid Transaction","data":"Custom error: 6"}}`,
		`{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"abc","result":{"number":"0x1"}}}`,
		`{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":12,"result":1}}`,
		`{"jsonrpc":"2.0","method":"x","params":{"subscription":"x","error":{"code":-32000,"message":"gone"}}}`,
		`[{"jsonrpc":"2.0","id":1,"result":1}]`, `{"jsonrpc":"2.0","id":1e400,"result":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMessage(b)
		if err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("error %v does not wrap ErrBadResponse", err)
			}
			return
		}
		switch m.kind {
		case kindResponse:
			if m.err == nil && len(m.result) == 0 {
				t.Fatal("response without result or error")
			}
			if m.err != nil {
				_ = m.err.Error()
				m.err.CustomCode()
			}
		case kindNotification:
			if len(m.subID) > maxSubIDLen {
				t.Fatal("subscription id too long")
			}
		default:
			t.Fatalf("kind %d", m.kind)
		}
	})
}

// FuzzResultTypes feeds server bytes to every typed result decoder.
func FuzzResultTypes(f *testing.F) {
	for _, s := range []string{
		`{"parentHash":"0x` + zeros64 + `","number":"0x1a","stateRoot":"0x` + zeros64 + `","extrinsicsRoot":"0x` + zeros64 + `","digest":{"logs":["0x06"]}}`,
		`{"specName":"node-subtensor","specVersion":331,"apis":[["0xdf6acb689907609b",5]],"transactionVersion":1}`,
		`{"block":"0x` + zeros64 + `","changes":[["0x01","0x2a"],["0x02",null]]}`,
		`{"ss58Format":42,"tokenDecimals":[9],"tokenSymbol":"TAO"}`,
		`"ready"`, `{"inBlock":"0x` + zeros64 + `"}`, `{"broadcast":["a"]}`, `{"a":1,"b":2}`,
		`{"block":{"header":{},"extrinsics":["0x00"]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var (
			h  Header
			v  RuntimeVersion
			cs StorageChangeSet
			p  Properties
			st ExtrinsicStatus
			sb SignedBlock
			hl Health
		)
		for _, out := range []any{&h, &v, &cs, &p, &st, &sb, &hl} {
			_ = json.Unmarshal(b, out)
		}
		if st.Kind != "" {
			if _, err := json.Marshal(st); err != nil {
				t.Fatal(err)
			}
			st.Terminal()
		}
	})
}

func FuzzErrorText(f *testing.F) {
	f.Add(1010, "Invalid Transaction", []byte(`"Custom error: 6"`))
	f.Add(1010, "Invalid Transaction: Custom error: 999", []byte(nil))
	f.Add(1014, "Priority is too low", []byte(`{"x":[1,2]}`))
	f.Fuzz(func(t *testing.T, code int, msg string, data []byte) {
		e := &Error{Code: code, Message: msg, Data: data}
		_ = e.Error()
		if n, ok := e.CustomCode(); ok && code != CodeInvalidTransaction {
			t.Fatalf("custom code %d from a non-1010 error", n)
		}
	})
}

const zeros64 = "0000000000000000000000000000000000000000000000000000000000000000"

func TestBackoff(t *testing.T) {
	min, max := 100*time.Millisecond, 2*time.Second
	tests := []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{0, 50 * time.Millisecond, 100 * time.Millisecond},
		{1, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, time.Second, 2 * time.Second},
		{100, time.Second, 2 * time.Second},
		{1 << 30, time.Second, 2 * time.Second},
	}
	for _, tt := range tests {
		for range 200 {
			if d := backoff(tt.attempt, min, max); d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", tt.attempt, d, tt.lo, tt.hi)
			}
		}
	}
	if d := backoff(3, time.Nanosecond, time.Nanosecond); d != time.Nanosecond {
		t.Errorf("tiny backoff = %v", d)
	}
}

func BenchmarkDecodeNotification(b *testing.B) {
	msg := []byte(`{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"abcdEFGH12345678","result":{"parentHash":"0x` + zeros64 +
		`","number":"0x4a3b2c","stateRoot":"0x` + zeros64 + `","extrinsicsRoot":"0x` + zeros64 + `","digest":{"logs":["0x0642414245b501","0x05424142450101"]}}}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := decodeMessage(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzEncodeRequest(f *testing.F) {
	f.Add(uint64(1), "chain_getHeader", "0x01")
	f.Add(uint64(1<<64-1), "we\"ird\\<&>\x00\u2028", "")
	f.Fuzz(func(t *testing.T, id uint64, method, param string) {
		b, err := encodeRequest(id, method, []any{param, nil})
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Version string `json:"jsonrpc"`
			ID      uint64 `json:"id"`
			Method  string `json:"method"`
			Params  []any  `json:"params"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("invalid JSON %s: %v", b, err)
		}
		if got.Version != "2.0" || got.ID != id || len(got.Params) != 2 || got.Params[1] != nil {
			t.Fatalf("round trip %s = %+v", b, got)
		}
		if utf8.ValidString(method) && got.Method != method {
			t.Fatalf("method %q came back as %q", method, got.Method)
		}
	})
}
