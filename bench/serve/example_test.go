package serve_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/minerkit/minerkit/bench/serve"
	"github.com/minerkit/minerkit/keys"
)

// Build a devnet subnet of 256 UIDs, 64 of them validators with permits, as
// the serve load harness does.
func ExampleStartSubnet() {
	var validators []*keys.Keypair
	for i := range 64 {
		k, _ := keys.FromSURI("//Validator/" + strconv.Itoa(i))
		validators = append(validators, k)
	}
	miner, _ := keys.FromSURI("//Miner")
	s, err := serve.StartSubnet(context.Background(), serve.SubnetConfig{
		Validators: validators, Miner: miner, N: 256, StakeTAO: 2000,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	permits := 0
	for _, n := range s.Neurons {
		if n.Permit {
			permits++
		}
	}
	fmt.Println(len(s.Neurons), "UIDs,", permits, "validators; chain at", s.Node.URL())
}
