package jsonreq_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/minerkit/minerkit/jsonreq"
)

type InferRequest struct {
	Prompt    string `json:"prompt" validate:"required,maxlen=4096"`
	MaxTokens int    `json:"max_tokens" validate:"min=1,max=2048"`
}

type InferResponse struct {
	Text string `json:"text"`
}

func ExampleFunc() {
	h := jsonreq.Func(func(ctx context.Context, req *InferRequest) (InferResponse, error) {
		return InferResponse{Text: strings.ToUpper(req.Prompt)}, nil
	})
	for _, body := range []string{
		`{"prompt":"hello","max_tokens":5}`,
		`{"prompt":"hello","max_tokens":0}`,
		`{"prompt":"hello","max_tokens":5,"temperature":1}`,
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/infer", strings.NewReader(body)))
		fmt.Print(w.Code, " ", w.Body)
	}
	// Output:
	// 200 {"text":"HELLO"}
	// 400 {"error":"must be at least 1","reason":"invalid_field","field":"max_tokens"}
	// 400 {"error":"unknown field; remove it or check its spelling","reason":"unknown_field","field":"temperature"}
}

func ExampleDecode() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /infer", func(w http.ResponseWriter, r *http.Request) {
		var req InferRequest
		if err := jsonreq.Decode(r, &req, 64<<10); err != nil {
			jsonreq.WriteRequestError(w, err) // 400/413 naming the field
			return
		}
		jsonreq.WriteJSON(w, http.StatusOK, InferResponse{Text: req.Prompt})
	})
}
