// Package miner runs a Pattern A miner: an HTTP service that Bittensor
// validators call with Epistula-signed requests.
//
// A [Server] loads only the miner's hotkey, optionally makes sure the hotkey
// is registered and its endpoint committed (through the small [Registrar],
// [Committer] and [AxonServer] interfaces onchain.Chain satisfies: [WithChain]),
// keeps a live metagraph with a metagraph.Syncer, and serves the subnet's
// handlers behind the guard stack: Epistula authentication, the validator
// gate (metagraph lookup: permit and stake), and a per-hotkey rate limit.
// Operators get /health, /ready and /metrics on a separate admin listener.
//
// Handlers decode requests with package jsonreq (jsonreq.Func,
// jsonreq.Decode): strict JSON, a size limit, and field constraints from
// `validate` tags or a Validate method, answered as 400 with a JSON body
// naming the field.
//
// The package never holds a coldkey, and nothing on the request path calls
// the chain.
package miner
