// Package axon speaks the Bittensor SDK's own request protocol, Axon/Dendrite
// (SDK 10.2.0), so that a Go miner answers unmodified Python validators and a
// Go validator queries Python miners.
//
// A synapse is a Go struct that embeds [Synapse] and adds the subnet's
// fields with the Python class's JSON names; its RequiredHashFields method
// lists the class's required_hash_fields in order. [SpecFor] checks the
// declaration once, refusing hash fields whose type has no fixed Python str()
// form. [NewRoute] and [NewStreamRoute] turn a handler func(ctx, *T) error
// into the POST /{Name} route; [Ping] is the /Synapse route every Python axon
// has. [Client] is the Dendrite.
//
// On the wire (PROTOCOLS.md §6): the body is the whole synapse as JSON; the
// headers carry bt_header_dendrite_{hotkey,nonce,uuid,signature,…} and
// computed_body_hash, SHA3-256 over the SHA3-256 hex digests of Python's
// str() of each hash field; the signature is sr25519 over
// "{nonce}.{dendrite hotkey}.{axon hotkey}.{uuid}.{computed_body_hash}". The
// [Verifier] recomputes the hash from the body, verifies the signature
// against the miner's own hotkey and applies the nonce rule per (hotkey,
// uuid), bounded in the future too, and refuses unsigned requests (the SDK
// lets them through).
//
// Answers are a Python axon's: errors are {"message": …} with the SDK's
// statuses and wording (403 "Forbidden. Key is blacklisted: …", 401 "Not
// Verified with error: …", 404 "Synapse name 'X' not found. …"); success is
// the whole synapse with axon.status_code 200, status_message "Success" and
// process_time, and lowercase bt_header_* headers, integers without a
// decimal point.
//
// The package decides nothing about who may call: package guard runs the
// validator gate and rate limit in front of the routes, as for Epistula. It
// never touches the chain and never panics on outside bytes.
package axon
