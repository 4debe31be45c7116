// Package demo runs the whole life of a Pattern A miner on one machine, in
// about ten seconds, for `minerkit demo`: an embedded devnet, throwaway
// wallets, funding from //Alice, a registered miner and a staked validator,
// the compute miner (miner.Server with package computeoffer) committing its
// URL, the local validator (package validator) querying it with
// Epistula-signed requests and setting weights, two refusals that the miner's
// guard must give (403 to an unregistered hotkey, 401 to a replayed request),
// and finally the miner's incentive and emission after the epochs.
//
// [Run] drives it and returns a [Summary]; a [View] shows the progress live
// (redrawn in place on a terminal, one line per step otherwise). The package
// wires public packages together and holds no chain or miner logic of its
// own.
package demo
