// Package guard is the net/http middleware that stands in front of a Pattern A
// miner: Epistula authentication, then the validator gate, then a per-hotkey
// rate limit, with an access log (log/slog) and Prometheus metrics. Each layer
// is a plain func(http.Handler) http.Handler, so it composes with any router.
//
// Refusals are JSON bodies {"error": "...", "reason": "..."} with status 400
// (malformed), 401 (bad signature, stale, from the future, wrong receiver,
// replayed), 403 (not an allowed validator), 413 (body too large), 429 (rate
// limited, with Retry-After) or 503 (replay cache unavailable). Bad input never
// yields a 500.
//
// guard never touches the chain: who is a validator comes from a Lookup (the
// metagraph's immutable snapshot). No lock is held across the signature
// check; the few taken (one replay-cache shard, one rate-limit bucket, the log
// writer's) each cover one short operation. Signer keys are decoded once and
// cached.
//
// # Metrics
//
// NewMetrics registers, with stable names:
//
//	minerkit_guard_requests_total{route,status,reason}   counter; reason "ok" when served
//	minerkit_guard_verify_duration_seconds               histogram of Epistula verification
//	                                                     (key lookup, sr25519, replay cache)
//	minerkit_guard_request_duration_seconds{route}       histogram of served requests, guard to handler end
//	minerkit_guard_store_errors_total{outcome}           counter (Shared.RegisterMetrics): requests
//	                                                     whose shared store failed, "refused" or "local"
//
// # Replicas
//
// Guard.Shared moves the replay check and the rate limit into one call to a
// Store that the replicas of a miner share (guard/redisstore: one Redis
// round trip). Without it each process keeps its own replay cache and
// buckets.
//
// # Client addresses
//
// Info.Client is the TCP peer, or, when the peer is one of
// Guard.TrustedProxies, the rightmost address of X-Forwarded-For that is not
// a trusted proxy. The access log and any per-address accounting use it;
// X-Forwarded-For from an untrusted peer is ignored.
//
// # Access log
//
// One record per request, message "request", with the attributes caller,
// client, route, path, status, latency and reason (absent when served). Refusals are
// sampled: per reason, the first Observe.RefusalLogBurst (10) of each
// Observe.RefusalLogInterval (10 s) are logged in full and the rest summed up
// in one WARN record "refusals suppressed" (reason, suppressed, logged,
// interval, callers "address=count" for the top five, other_callers), so a
// flood cannot fill the disk; the metrics count every request.
package guard
