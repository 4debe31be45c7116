package miner_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/miner"
	"github.com/minerkit/minerkit/onchain"
	"github.com/minerkit/minerkit/subtensor"
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
// (&onchain.Chain{Client: client, Hotkey: hotkey}).Source().
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
	srv.Handle("POST /infer", jsonreq.Func(func(ctx context.Context, req *InferRequest) (InferResponse, error) {
		return InferResponse{Text: strings.ToUpper(req.Prompt)}, nil
	}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := srv.Run(ctx); err != nil { // serves until Ctrl-C, then drains
		fmt.Println(err)
	}
}

// By hand, what miner.Main does for you: dial the chain, put the Server on
// it (registration when a coldkey is set, the commitment, serve_axon), add
// the routes, run until ctx ends (Main ends it on SIGINT/SIGTERM), drain.
func Example_byHand() {
	ctx := context.Background()
	net, _ := subtensor.ResolveNetwork(subtensor.NetworkConfig{Network: "local"})
	client, err := subtensor.Dial(ctx, net, subtensor.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	hotkey, _ := keys.FromSURI("//Miner")
	cfg := miner.DefaultConfig()

	chain := &onchain.Chain{Client: client, Hotkey: hotkey} // + LoadColdkey to register
	srv, err := miner.New(cfg, hotkey, chain.Source(), miner.WithChain(chain))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.Handle("POST /infer", jsonreq.Func(func(ctx context.Context, req *InferRequest) (InferResponse, error) {
		caller, _ := guard.Caller(ctx) // the verified validator
		return InferResponse{Text: caller + " asked " + req.Prompt}, nil
	}))
	srv.HandlePublic("GET /health", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	if err := srv.Run(ctx); err != nil {
		fmt.Println(err)
	}
}

func chainSource() metagraph.Source { return nil }
