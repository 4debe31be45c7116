package miner_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/miner"
)

type InferRequest struct {
	Prompt    string `json:"prompt" validate:"required,maxlen=4096"`
	MaxTokens int    `json:"max_tokens" validate:"min=1,max=2048"`
}

type InferResponse struct {
	Text string `json:"text"`
}

// A subnet's miner: the handlers behind the guard, everything else from the
// Server. The metagraph comes from the chain:
// (&miner.Chain{Client: client, Hotkey: hotkey}).Source().
func Example() {
	var src metagraph.Source = chainSource()
	hotkey, _ := keys.FromSURI("//Miner")

	cfg := miner.DefaultConfig()
	cfg.NetUID = 1
	srv, err := miner.New(cfg, hotkey, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.Handle("POST /infer", miner.JSON(func(ctx context.Context, req *InferRequest) (InferResponse, error) {
		return InferResponse{Text: strings.ToUpper(req.Prompt)}, nil
	}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := srv.Run(ctx); err != nil { // serves until Ctrl-C, then drains
		fmt.Println(err)
	}
}

func ExampleJSON() {
	h := miner.JSON(func(ctx context.Context, req *InferRequest) (InferResponse, error) {
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

func ExampleDecodeJSON() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /infer", func(w http.ResponseWriter, r *http.Request) {
		var req InferRequest
		if err := miner.DecodeJSON(r, &req, 64<<10); err != nil {
			miner.WriteRequestError(w, err) // 400/413 naming the field
			return
		}
		miner.WriteJSON(w, http.StatusOK, InferResponse{Text: req.Prompt})
	})
}

func chainSource() metagraph.Source { return nil }
