// Package epistula signs and verifies HTTP requests with Epistula, the request
// signing scheme Bittensor validators use to call miners.
//
// Two wire forms are supported, chosen by the headers a request carries:
//
//   - Epistula v2 (Epistula-Version: 2, Unix-millisecond timestamp, uuid,
//     0x-hex sr25519 signature of "{sha256hex(body)}.{uuid}.{timestamp}.{signed_for}"),
//     the form most subnets use;
//   - the X-Epistula variant (X-Epistula-Timestamp in Unix nanoseconds,
//     plain hex signature of "{timestamp}.{sha256hex(body)}", X-Epistula-Hotkey).
//
// Verification is strict where other verifiers are lax: timestamps too far in
// the past AND in the future are refused, Signed-For must name us, a replay
// cache refuses a (signer, uuid) pair seen before, and every failure is a typed
// *Error whose Reason says exactly what was wrong. Outside bytes never cause a
// panic.
//
// Signatures are checked with package keys/sr25519 (go-schnorrkel's answers,
// in less time). A Verifier asks Verifier.Keys first for the signer's key: the
// metagraph's Syncer answers with keys precomputed for its validators, about
// three times cheaper to verify with; other signers are decoded and cached.
//
// The package never touches the chain or the disk: who may call is decided by
// package guard from a metagraph snapshot.
package epistula
