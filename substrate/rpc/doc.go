// Package rpc is a JSON-RPC 2.0 client for Substrate nodes: one WebSocket
// carries many concurrent requests and subscriptions, and an HTTP POST
// transport serves plain requests where a WebSocket is not available.
//
// The package is chain-agnostic: it never decodes SCALE and never imports
// the metadata packages. Results are hex bytes, hashes and small structs
// that mirror the node's JSON (Header, RuntimeVersion, StorageChangeSet,
// ExtrinsicStatus); the substrate and subtensor packages give them meaning.
//
// # Transports
//
// A Transport has two methods, Request and Subscribe, in the style of
// subxt's RpcClientT. Client wraps any Transport with typed methods named
// after the RPC methods (ChainGetHeader for chain_getHeader, and so on).
// Dial picks the WebSocket transport for ws:// and wss:// URLs and the HTTP
// transport for http:// and https:// URLs.
//
// # Reconnect semantics
//
// When the WebSocket drops, the client redials with exponential backoff
// (jitter, capped), trying the configured URLs in turn, and:
//
//   - requests in flight on the lost connection fail with an error wrapping
//     ErrConnectionLost (they are never re-sent: author_submitExtrinsic is
//     not idempotent); callers retry reads if they wish;
//   - new requests, and requests the dead connection never took, wait for
//     the next connection, bounded by their context (Options.RequestTimeout
//     applies to contexts without a deadline);
//   - live subscriptions are re-established on the new connection and keep
//     their Go channel: consumers see no close, but notifications sent while
//     the link was down are lost. Each re-subscription is signalled on the
//     subscription's Reconnected channel, and Options.OnReconnect is called,
//     so a consumer can re-read what it may have missed;
//   - author_submitAndWatchExtrinsic watches are NOT re-subscribed (that
//     would submit the extrinsic again): they end with ErrConnectionLost and
//     the caller should look for the extrinsic on chain before resubmitting.
//
// # Errors
//
// Errors returned by the node are *Error values carrying Code, Message and
// Data. Substrate's transaction-pool rejections carry a hint on what to do
// next; a runtime's own code ("Invalid Transaction: Custom error: N") is
// returned by Error.CustomCode for a client of that chain to name (package
// subtensor does for Bittensor).
//
// Server bytes never panic the client: every message is bounded by
// Options.MaxMessageSize and decoded defensively.
package rpc
