package wallet_test

import (
	"fmt"
	"os"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/wallet"
)

// A miner loads its hotkey from a btcli wallet; only registration needs the
// (encrypted) coldkey.
func Example() {
	dir, err := os.MkdirTemp("", "wallets")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	w, err := wallet.New(dir, "miner", "default")
	if err != nil {
		panic(err)
	}
	hot, _ := keys.FromSURI("//Alice")
	// Hotkeys are plaintext by default (nil password), as btcli writes them.
	if err := w.CreateHotkey(hot, "", nil, false); err != nil {
		panic(err)
	}

	kp, err := w.HotkeyPair(nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("hotkey", kp.Address())

	// An existing key is never replaced without overwrite.
	err = w.CreateHotkey(hot, "", nil, false)
	fmt.Println(err != nil)
	// Output:
	// hotkey 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
	// true
}

// ParseKeyfile reads any btcli keyfile, old or new.
func ExampleParseKeyfile() {
	kf, err := wallet.ParseKeyfile([]byte(`{"secretSeed": "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a", "cryptoType": "sr25519"}`))
	if err != nil {
		panic(err)
	}
	kp, err := kf.Keypair()
	if err != nil {
		panic(err)
	}
	fmt.Println(kp.Address())
	// Output: 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
}

// EnvVarName and EncodeEnvPassword give the bittensor-wallet convention for
// passing a coldkey password through the environment.
func ExampleEnvVarName() {
	name := wallet.EnvVarName("/home/me/.bittensor/wallets/default/coldkey")
	fmt.Println(name)
	fmt.Println(wallet.EncodeEnvPassword(name, []byte("ab")))
	// Output:
	// BT_PW__HOME_ME__BITTENSOR_WALLETS_DEFAULT_COLDKEY
	// IzY=
}
