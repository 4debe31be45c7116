package jsonreq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type inferRequest struct {
	Model    string   `json:"model" validate:"required,oneof=small|large"`
	Prompt   string   `json:"prompt" validate:"required,maxlen=20"`
	MaxTok   int      `json:"max_tokens" validate:"min=1,max=4096"`
	Temp     *float64 `json:"temperature" validate:"min=0,max=2"`
	Stop     []string `json:"stop" validate:"maxlen=2"`
	Options  options  `json:"options"`
	Messages []msg    `json:"messages"`
	//lint:ignore U1000 the test sends {"internal":1} to show unexported fields are refused
	internal int
}

type options struct {
	TopK int `json:"top_k" validate:"max=100"`
}

type msg struct {
	Role string `json:"role" validate:"oneof=user|assistant"`
}

func (r *inferRequest) Validate() error {
	if r.Prompt == "forbidden" {
		return &FieldError{Field: "prompt", Msg: "this prompt is refused"}
	}
	if r.Model == "large" && r.MaxTok > 1000 {
		return errors.New("large model allows at most 1000 tokens")
	}
	return nil
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		ctype      string
		wantStatus int // 0: ok
		wantReason string
		wantField  string
	}{
		{name: "ok", body: `{"model":"small","prompt":"hi","max_tokens":5}`},
		{name: "ok with nested", body: `{"model":"small","prompt":"hi","max_tokens":5,"options":{"top_k":3},"messages":[{"role":"user"}],"temperature":0}`},
		{name: "json media type with charset", ctype: "application/json; charset=utf-8", body: `{"model":"small","prompt":"hi","max_tokens":5}`},
		{name: "empty", body: ``, wantStatus: 400, wantReason: ReasonEmptyBody},
		{name: "whitespace", body: " \n", wantStatus: 400, wantReason: ReasonEmptyBody},
		{name: "malformed", body: `{"model":`, wantStatus: 400, wantReason: ReasonBadJSON},
		{name: "syntax", body: `{"model" "x"}`, wantStatus: 400, wantReason: ReasonBadJSON},
		{name: "trailing", body: `{"model":"small","prompt":"hi","max_tokens":5} {}`, wantStatus: 400, wantReason: ReasonBadJSON},
		{name: "unknown field", body: `{"model":"small","prompt":"hi","max_tokens":5,"evil":1}`, wantStatus: 400, wantReason: ReasonUnknownField, wantField: "evil"},
		{name: "unexported not settable", body: `{"internal":1}`, wantStatus: 400, wantReason: ReasonUnknownField, wantField: "internal"},
		{name: "duplicate key", body: `{"model":"small","model":"large","prompt":"hi","max_tokens":5}`, wantStatus: 400, wantReason: ReasonDuplicateField, wantField: "model"},
		{name: "duplicate nested key", body: `{"model":"small","prompt":"hi","max_tokens":5,"messages":[{"role":"user","role":"root"}]}`, wantStatus: 400, wantReason: ReasonDuplicateField, wantField: "messages[0].role"},
		{name: "key in the wrong case", body: `{"Model":"small","prompt":"hi","max_tokens":5}`, wantStatus: 400, wantReason: ReasonUnknownField, wantField: "Model"},
		{name: "nested key in the wrong case", body: `{"model":"small","prompt":"hi","max_tokens":5,"options":{"TOP_K":3}}`, wantStatus: 400, wantReason: ReasonUnknownField, wantField: "options.TOP_K"},
		{name: "wrong type", body: `{"model":"small","prompt":"hi","max_tokens":"5"}`, wantStatus: 400, wantReason: ReasonWrongType, wantField: "max_tokens"},
		{name: "wrong nested type", body: `{"model":"small","prompt":"hi","max_tokens":5,"options":{"top_k":"x"}}`, wantStatus: 400, wantReason: ReasonWrongType, wantField: "options.top_k"},
		{name: "array not object", body: `[1,2]`, wantStatus: 400, wantReason: ReasonWrongType},
		{name: "required missing", body: `{"prompt":"hi","max_tokens":5}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "model"},
		{name: "oneof", body: `{"model":"huge","prompt":"hi","max_tokens":5}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "model"},
		{name: "maxlen chars", body: `{"model":"small","prompt":"ééééééééééééééééééééé","max_tokens":5}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "prompt"},
		{name: "maxlen ok in chars", body: `{"model":"small","prompt":"éééééééééééééééééééé","max_tokens":5}`},
		{name: "min", body: `{"model":"small","prompt":"hi","max_tokens":0}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "max_tokens"},
		{name: "max", body: `{"model":"small","prompt":"hi","max_tokens":4097}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "max_tokens"},
		{name: "pointer max", body: `{"model":"small","prompt":"hi","max_tokens":5,"temperature":2.5}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "temperature"},
		{name: "slice maxlen", body: `{"model":"small","prompt":"hi","max_tokens":5,"stop":["a","b","c"]}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "stop"},
		{name: "nested struct", body: `{"model":"small","prompt":"hi","max_tokens":5,"options":{"top_k":101}}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "options.top_k"},
		{name: "slice element", body: `{"model":"small","prompt":"hi","max_tokens":5,"messages":[{"role":"user"},{"role":"root"}]}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "messages[1].role"},
		{name: "Validate field", body: `{"model":"small","prompt":"forbidden","max_tokens":5}`, wantStatus: 400, wantReason: ReasonInvalidField, wantField: "prompt"},
		{name: "Validate plain", body: `{"model":"large","prompt":"hi","max_tokens":2000}`, wantStatus: 400, wantReason: ReasonInvalidField},
		{name: "too large", body: `{"model":"small","prompt":"` + strings.Repeat("a", 200) + `"}`, wantStatus: 413, wantReason: ReasonTooLarge},
		{name: "form media type, JSON body", ctype: "application/x-www-form-urlencoded", body: `{"model":"small","prompt":"hi","max_tokens":5}`},
	}
	// Every case twice: read from the body, and handed over by a reader
	// that holds it in memory (the guard's).
	for _, tc := range tests {
		for _, mem := range []bool{false, true} {
			tc := tc
			if mem {
				tc.name += " (in memory)"
			}
			testDecode(t, tc.name, tc.body, tc.ctype, mem, tc.wantStatus, tc.wantReason, tc.wantField)
		}
	}
}

// memBody is a request body held in memory, as the guard's is.
type memBody struct{ strings.Reader }

func (b *memBody) BodyBytes() []byte {
	rest := make([]byte, b.Len())
	b.Read(rest)
	return rest
}

func (*memBody) Close() error { return nil }

func testDecode(t *testing.T, name, body, ctype string, mem bool, wantStatus int, wantReason, wantField string) {
	t.Run(name, func(t *testing.T) {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		if mem {
			mb := &memBody{}
			mb.Reset(body)
			r.Body = mb
		}
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		var req inferRequest
		err := Decode(r, &req, 128)
		if wantStatus == 0 {
			if err != nil {
				t.Fatalf("Decode = %v", err)
			}
			return
		}
		var re *RequestError
		if !errors.As(err, &re) {
			t.Fatalf("Decode = %v, want a *RequestError", err)
		}
		if re.Status != wantStatus || re.Reason != wantReason || re.Field != wantField {
			t.Fatalf("got status %d reason %q field %q (%s), want %d %q %q", re.Status, re.Reason, re.Field, re.Msg, wantStatus, wantReason, wantField)
		}
	})
}

// writeJSON writes what json.Marshal returns, and a newline.
func TestWriteJSONIsMarshal(t *testing.T) {
	for _, v := range []any{
		map[string]any{"html": "<a href='x'>&</a>", "n": 1.5, "u": "\u2028 é"},
		[]int{1, 2, 3}, "plain", nil, struct {
			A string `json:"a,omitempty"`
			B []byte
		}{B: []byte{0, 255}},
	} {
		w := httptest.NewRecorder()
		WriteJSON(w, 201, v)
		want, _ := json.Marshal(v)
		if w.Code != 201 || w.Body.String() != string(want)+"\n" {
			t.Errorf("%v: %d %q, want %q", v, w.Code, w.Body, want)
		}
	}
	w := httptest.NewRecorder()
	WriteJSON(w, 200, func() {})
	if w.Code != 500 || w.Body.String() != `{"error":"internal error","reason":"internal_error"}`+"\n" {
		t.Errorf("unencodable: %d %q", w.Code, w.Body)
	}
}

// BenchmarkHandler is a small request (the compute miner's /cvm shape)
// through Handler: strict decode from a body held in memory, tags, the
// answer encoded.
func BenchmarkHandler(b *testing.B) {
	type cvmReq struct {
		Nonce string `json:"nonce,omitempty" validate:"maxlen=128"`
	}
	type cvmResp struct {
		GPUType string  `json:"gpu_type"`
		Count   int     `json:"gpu_count"`
		Bid     float64 `json:"bid_per_hour"`
	}
	h := Func(func(_ context.Context, r *cvmReq) (cvmResp, error) {
		return cvmResp{GPUType: "H100", Count: 8, Bid: 1.5}, nil
	})
	body := `{"nonce":"00000000deadbeef"}`
	r := httptest.NewRequest("POST", "/cvm", nil)
	mb := &memBody{}
	r.Body = mb
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		mb.Reset(body)
		w.Body.Reset()
		h.ServeHTTP(w, r)
	}
}

func TestBadTagIsInternal(t *testing.T) {
	var v struct {
		N int `json:"n" validate:"min=abc"`
	}
	err := DecodeBytes([]byte(`{"n":1}`), &v)
	var re *RequestError
	if !errors.As(err, &re) || re.Status != 500 || !strings.Contains(re.Msg, "bad validate tag") {
		t.Fatalf("err = %v", err)
	}
}

type priceReq struct {
	GPUs int `json:"gpus" validate:"min=0,max=8"`
}

type priceResp struct {
	Total float64 `json:"total"`
}

func TestJSONHandler(t *testing.T) {
	h := Func(func(ctx context.Context, req *priceReq) (priceResp, error) {
		switch req.GPUs {
		case 7:
			return priceResp{}, &RequestError{Status: 400, Reason: "sold_out", Field: "gpus", Msg: "no 7-GPU machines left"}
		case 6:
			return priceResp{}, errors.New("database password is hunter2")
		}
		return priceResp{Total: float64(req.GPUs) * 0.5}, nil
	})
	tests := []struct {
		body       string
		allowEmpty bool
		status     int
		want       string
	}{
		{`{"gpus":2}`, false, 200, `{"total":1}`},
		{``, false, 400, `{"error":"empty body; send a JSON object","reason":"empty_body"}`},
		{``, true, 200, `{"total":0}`},
		{`{"gpus":9}`, false, 400, `{"error":"must be at most 8","reason":"invalid_field","field":"gpus"}`},
		{`{"gpus":7}`, false, 400, `{"error":"no 7-GPU machines left","reason":"sold_out","field":"gpus"}`},
		{`{"gpus":6}`, false, 500, `{"error":"internal error","reason":"internal_error"}`},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%v", tc.body, tc.allowEmpty), func(t *testing.T) {
			h.AllowEmpty = tc.allowEmpty
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("POST", "/price", strings.NewReader(tc.body)))
			if w.Code != tc.status || strings.TrimSpace(w.Body.String()) != tc.want {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Body, tc.status, tc.want)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type = %q", ct)
			}
		})
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"model":"small","prompt":"hi","max_tokens":5}`, `{"messages":[{"role":1}]}`,
		`{"options":{"top_k":1e400}}`, `[`, `{"stop":null}`, "\xff\xfe", `{"temperature":-0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req inferRequest
		err := DecodeBytes(body, &req)
		if err == nil {
			// Whatever was accepted satisfies the constraints.
			if req.Model != "small" && req.Model != "large" || req.MaxTok < 1 || req.MaxTok > 4096 {
				t.Fatalf("accepted invalid request %+v", req)
			}
			return
		}
		var re *RequestError
		if !errors.As(err, &re) || (re.Status != 400 && re.Status != 413) {
			t.Fatalf("error %v is not a 400 RequestError", err)
		}
		if _, err := json.Marshal(errorBody{Error: re.Msg, Reason: re.Reason, Field: re.Field}); err != nil {
			t.Fatal(err)
		}
	})
}

var _ http.Handler = (*Handler[priceReq, priceResp])(nil)
