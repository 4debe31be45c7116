package wallet_test

import (
	"fmt"

	"github.com/minerkit/minerkit/wallet"
)

// Restore the key of a polkadot-js account backup (here an unencrypted one,
// exported by polkadot-js 14.0.3 with SS58 prefix 0). Encrypted backups take
// the password in Keypair, or use wallet.RestorePolkadotJSON with a
// PasswordSource to read the file and ask for it.
func ExampleParsePolkadotJSON() {
	backup := []byte(`{"encoded":"MFMCAQEwBQYDK2VwBCIEIKj0uOGmwPAeWJ/qBqOx79KQVGCQSOFJSOSFYyFmohxx1dvoiNkmdq/nD3dSTfJI5z8GXqJdaGZbXcslVmz7rg+hIwMhAD6ULDrhxybRvVm6zDZUlpFDu8cUOnKwtxlAAq+xrR02",
		"encoding":{"content":["pkcs8","sr25519"],"type":["none"],"version":"3"},
		"address":"12R3z9kTVgfLLMiWY86djrUakCriwuUh3jk9QqeFNJ9sE3Wb","meta":{"name":"interop"}}`)
	b, err := wallet.ParsePolkadotJSON(backup)
	if err != nil {
		panic(err)
	}
	kp, err := b.Keypair(nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(b.Name, b.Encrypted)
	fmt.Println(kp.Address()) // the same key, with Bittensor's prefix 42
	// Output:
	// interop false
	// 5DUkqpVPduPrtphzaV3dbheRtas5FbvYyF1fFYetpD8M3bvG
}
