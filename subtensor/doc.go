// Package subtensor is a Bittensor client built on the substrate packages:
// networks and endpoints, typed queries (balances, registrations, burn
// price, neurons, the metagraph, axons, commitments), and calls that wait for
// their block and say what happened (burned_register, serve_axon,
// set_commitment, set_weights, add_stake, transfer).
//
// Everything on chain is found by name in the runtime's metadata, never by
// index, and the client redoes its feature detection when the runtime's
// spec_version changes (dynamic-TAO stake storage or the old one, runtime-API
// result wrapping, Commitments.MaxFields, register_limit).
//
// Hot results that a miner reads often (the NeuronInfoLite vector and the
// Metagraph runtime-API struct) are decoded by hand with the scale
// primitives: one pass, no reflection, bounded by the input.
//
// The package sits below metagraph and never imports it: metagraph.ChainSource
// turns [Client.SubnetMetagraph] and [Client.Commitments] into snapshots.
//
// Chain failures come back as *ChainError values whose text names the
// failure and says what to do next. The package never prompts: callers (the
// CLI) decide whether to ask before paying, through Confirm callbacks.
package subtensor
