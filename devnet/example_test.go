package devnet_test

import (
	"context"
	"fmt"

	"github.com/minerkit/minerkit/devnet"
)

// Start a devnet in process, advance it by hand and read where it is.
func ExampleStart() {
	ctx := context.Background()
	node, err := devnet.Start(ctx, devnet.Config{Manual: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Close()
	if err := node.WaitBlocks(ctx, 3); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("best block:", node.BestNumber())
	fmt.Println("endpoint is a WebSocket:", node.URL()[:5] == "ws://")
	// Output:
	// best block: 3
	// endpoint is a WebSocket: true
}
