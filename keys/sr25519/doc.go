// Package sr25519 verifies schnorrkel (sr25519) signatures, the signatures
// of Substrate and Bittensor hotkeys, with the exact answers of
// go-schnorrkel and of schnorrkel itself, in less CPU time.
//
// A [PublicKey] is decoded once. A key made by [NewPrecomputedPublicKey]
// also carries a table of its multiples (102 KiB, built in about half a
// millisecond), so that a verification is two fixed-base multiplications
// (s·B from a shared basepoint table, k·A from the key's) made of mixed
// additions only, with no doubling and no decompression of the key: about a
// third of go-schnorrkel's time on the same machine. A subnet miner builds
// such keys for the metagraph's validators (at most 256), which sign nearly
// every request it serves; other keys verify through
// filippo.io/edwards25519's double-scalar multiplication.
//
// The transcript (Merlin over STROBE-128 on Keccak-f[1600]) and the
// ristretto255 decoding are written here from their specifications; field
// arithmetic and scalars come from filippo.io/edwards25519. Everything is
// variable time: verification handles only public data.
//
// Verification allocates nothing.
package sr25519
