package subtensor

import (
	"context"
	"testing"
	"time"

	"github.com/minerkit/minerkit/devnet"
)

// Without block-time constants in the runtime, the client measures the
// block time from the timestamps of recent blocks.
func TestMeasureBlockTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := devnet.Start(ctx, devnet.Config{BlockTime: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.WaitBlocks(ctx, 25); err != nil {
		t.Fatal(err)
	}
	c, err := Dial(ctx, Network{Name: "devnet", Endpoints: []string{n.URL()}, BlockTime: time.Hour}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.BlockTime(); got != 20*time.Millisecond {
		t.Fatalf("from the runtime's MinimumPeriod: %s", got)
	}
	// The devnet's clock gives each block its slot's time: 20 ms apart.
	if got := c.measureBlockTime(ctx); got < 15*time.Millisecond || got > 40*time.Millisecond {
		t.Fatalf("measured %s, want about 20ms", got)
	}
}
