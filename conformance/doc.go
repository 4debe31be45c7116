// Package conformance holds the tests that run minerkit's chain client
// against a real subtensor runtime (node-subtensor spec 218 under
// chopsticks, shared/realchain) and hold every figure against what
// polkadot-js reads from the same chain. `make conformance` runs them; a
// plain `go test ./...` skips them unless MINERKIT_CONFORMANCE=1.
package conformance
