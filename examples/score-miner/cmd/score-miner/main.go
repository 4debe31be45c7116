// Command score-miner is the smallest whole Pattern A miner: POST /score behind the guard, all else
// from miner.Main. Run: go run ./examples/score-miner/cmd/score-miner --network local --wallet.name miner
package main

import (
	"context"
	"flag"
	"strings"

	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/miner"
)

type scoreReq struct {
	Text string `json:"text"`
}

type scoreResp struct {
	Score float64 `json:"score"`
}

func main() { miner.Main(program) }

var program = miner.Program{Name: "score-miner", Setup: func(fs *flag.FlagSet) func(*miner.Server) error {
	weight := fs.Float64("weight", 1, "points per word")
	return func(srv *miner.Server) error {
		srv.Handle("POST /score", jsonreq.Func(func(ctx context.Context, r *scoreReq) (scoreResp, error) {
			return scoreResp{Score: *weight * float64(len(strings.Fields(r.Text)))}, nil
		}))
		return nil
	}
}}
