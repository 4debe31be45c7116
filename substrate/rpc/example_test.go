package rpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/minerkit/minerkit/substrate/rpc"
	"github.com/minerkit/minerkit/substrate/rpc/rpctest"
)

// exampleNode stands in for a subtensor node (ws://127.0.0.1:9944).
func exampleNode() *rpctest.Server {
	s, err := rpctest.New()
	if err != nil {
		log.Fatal(err)
	}
	s.HandleResult("system_chain", "Bittensor")
	s.HandleResult("system_accountNextIndex", 3)
	s.HandleResult("state_getRuntimeVersion", json.RawMessage(`{"specName":"node-subtensor","specVersion":331,"transactionVersion":1,"apis":[]}`))
	s.HandleSubscription("chain_subscribeNewHeads", "chain_unsubscribeNewHeads", func(id string, _ rpctest.Call) {
		for n := 100; n < 103; n++ {
			s.NotifyID(id, "chain_newHead", json.RawMessage(fmt.Sprintf(
				`{"parentHash":"0x%064x","number":"0x%x","stateRoot":"0x%064x","extrinsicsRoot":"0x%064x","digest":{"logs":[]}}`, n-1, n, 0, 0)))
		}
	})
	s.HandleSubscription("author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", func(id string, _ rpctest.Call) {
		for _, st := range []string{`"ready"`, `{"inBlock":"0x` + fmt.Sprintf("%064x", 7) + `"}`, `{"finalized":"0x` + fmt.Sprintf("%064x", 7) + `"}`} {
			s.NotifyID(id, "author_extrinsicUpdate", json.RawMessage(st))
		}
	})
	s.Handle("author_submitExtrinsic", func(context.Context, rpctest.Call) (any, error) {
		return nil, &rpctest.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Custom error: 12"`)}
	})
	return s
}

func ExampleDial() {
	node := exampleNode()
	defer node.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Several URLs: the client fails over to the next when one is down.
	c, err := rpc.Dial(ctx, node.URL(), "ws://127.0.0.1:1")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	chain, err := c.SystemChain(ctx)
	if err != nil {
		log.Fatal(err)
	}
	v, err := c.StateGetRuntimeVersion(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	nonce, err := c.SystemAccountNextIndex(ctx, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(chain, v.SpecName, v.SpecVersion, nonce)
	// Output: Bittensor node-subtensor 331 3
}

func ExampleClient_ChainSubscribeNewHeads() {
	node := exampleNode()
	defer node.Close()
	ctx := context.Background()
	c, err := rpc.Dial(ctx, node.URL())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	heads, err := c.ChainSubscribeNewHeads(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer heads.Unsubscribe(ctx)
	for range 3 {
		select {
		case h := <-heads.C():
			fmt.Println("block", h.Number)
		case <-heads.Reconnected():
			// The link dropped and came back: heads may have been missed,
			// so re-read whatever state follows the chain.
		}
	}
	// Output:
	// block 100
	// block 101
	// block 102
}

func ExampleClient_AuthorSubmitAndWatchExtrinsic() {
	node := exampleNode()
	defer node.Close()
	ctx := context.Background()
	c, err := rpc.Dial(ctx, node.URL())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	signed := []byte{0x28, 0x04} // a signed extrinsic from the substrate package
	watch, err := c.AuthorSubmitAndWatchExtrinsic(ctx, signed)
	if err != nil {
		log.Fatal(err)
	}
	for status := range watch.C() { // closed after a terminal status
		fmt.Println(status.Kind)
	}
	if err := watch.Err(); err != nil {
		log.Fatal(err) // e.g. ErrConnectionLost: check the chain before resubmitting
	}
	// Output:
	// ready
	// inBlock
	// finalized
}

func ExampleError() {
	node := exampleNode()
	defer node.Close()
	ctx := context.Background()
	c, err := rpc.Dial(ctx, node.URL())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	_, err = c.AuthorSubmitExtrinsic(ctx, []byte{0x28, 0x04})
	var rpcErr *rpc.Error
	if errors.As(err, &rpcErr) {
		if n, ok := rpcErr.CustomCode(); ok {
			fmt.Println(rpcErr.Code, n) // the runtime's own code: subtensor.TxError names it
		}
	}
	fmt.Println(err)
	// Output:
	// 1010 12
	// rpc: author_submitExtrinsic: node error 1010: Invalid Transaction: Custom error: 12
}
