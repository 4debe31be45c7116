package subtensor_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// Connect to a network by name (or URL), as --network does.
func ExampleDial() {
	ctx := context.Background()
	n, err := subtensor.ResolveNetwork(subtensor.NetworkConfig{Network: "devnet", Getenv: os.Getenv})
	if err != nil {
		log.Fatal(err)
	}
	c, err := subtensor.Dial(ctx, n, subtensor.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f := c.Features()
	fmt.Println("spec", f.SpecVersion, "dynamic TAO:", f.DynamicTAO)
}

// Register a hotkey idempotently: a second run prints the same UID and pays
// nothing.
func ExampleClient_BurnedRegister() {
	ctx := context.Background()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{subtensor.LocalEndpoint}}, subtensor.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cold, _ := keys.FromSURI("//Alice")
	hot, _ := keys.FromSURI("//Alice//miner")
	res, err := c.BurnedRegister(ctx, cold, hot.Public(), 1, subtensor.RegisterOptions{
		MaxBurn: subtensor.TAO(2),
		Confirm: func(price subtensor.Rao, bal subtensor.Balance) bool { return price <= bal.Free/100 },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uid", res.UID, "already registered:", res.AlreadyRegistered)
}
