// Package validator is a small, working Bittensor validator for Pattern A
// subnets: the local test validator of `minerkit validator` and `minerkit
// demo`, and a starting point for a subnet team's own.
//
// A [Validator] reads the subnet through a [Chain] (the subtensor package
// implements it with [SubtensorChain]: one get_metagraph runtime-API call and
// the subnet's commitments), finds each miner's endpoint in its commitment (an
// http(s) URL) or, failing that, its axon, and queries every miner on a
// schedule with Epistula-signed requests (epistula.Transport), a concurrency
// limit and a timeout per request. A pluggable [Scorer] turns each answer into
// a score in [0, 1] (the default, [AvailabilityLatency], rewards answering
// with 2xx, and answering fast); scores are smoothed per hotkey with a moving
// average and set as weights once per tempo, with the subnet's weights version
// key and never faster than its weights rate limit, and only once the hotkey
// holds a validator permit.
//
// To build a subnet's validator, keep the loop and replace the Scorer (and
// Config.Path / Config.Body): the Scorer sees the status, latency and body of
// each answer.
//
// The package never panics on what miners send: bodies are read under a limit,
// endpoints from the chain are parsed and checked (loopback and private
// addresses are skipped unless Config.AllowPrivate), and redirects are not
// followed.
package validator
