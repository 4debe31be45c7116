package demo_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/minerkit/minerkit/demo"
)

// Run the demo from Go, as `minerkit demo` does, and read the summary.
func ExampleRun() {
	s, err := demo.Run(context.Background(), demo.Options{Duration: 30 * time.Second, Out: os.Stderr})
	if err != nil {
		fmt.Println("demo failed:", err)
		return
	}
	fmt.Printf("miner uid %d: incentive %.2f, emission %s α per epoch; refusals: %d\n",
		s.Miner.UID, s.Miner.Incentive, s.Miner.EmissionTAO, len(s.Refusals))
}
