// Package bench is the load harness of the request path: it measures what one
// machine can serve with a bare net/http handler that does nothing but one
// sr25519 verification of an Epistula request (the limit), and with the full
// guard stack (Epistula → Validators → RateLimit → small JSON handler, with
// metrics and access log) in front of a handler, over loopback with pre-signed
// unique requests, and reports requests per second, latency percentiles and
// their ratio. It also measures the guard's own overhead besides the
// signature check, in-process and serially.
//
// The programs are cmd/loadtest, cmd/serveload (the whole serve process) and
// cmd/replicaload (serve with Redis, and one vs three replicas behind nginx);
// make bench runs them. The package never dials
// anything but the loopback servers it starts.
package bench
