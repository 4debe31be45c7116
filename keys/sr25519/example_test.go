package sr25519_test

import (
	"fmt"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/keys/sr25519"
)

func ExampleNewPrecomputedPublicKey() {
	alice, _ := keys.FromSURI("//Alice")
	msg := []byte("a request body hash, a uuid, a timestamp, a receiver")
	sig := alice.Sign(msg)

	// Once per validator (a snapshot of the metagraph), off the request path:
	pk, err := sr25519.NewPrecomputedPublicKey(alice.Public())
	if err != nil {
		panic(err)
	}
	// On every request:
	fmt.Println(pk.Verify(msg, sig[:]))
	ok, wrapped := pk.VerifyWrapped(msg, sig[:])
	fmt.Println(ok, wrapped)
	fmt.Println(pk.Verify([]byte("another message"), sig[:]))
	// Output:
	// true
	// true false
	// false
}
