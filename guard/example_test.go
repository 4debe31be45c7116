package guard_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/keys"
)

func Example() {
	miner, _ := keys.FromSURI("//Bob")
	validator, _ := keys.FromSURI("//Alice")

	// The metagraph (package metagraph) answers from its latest snapshot.
	snapshot := map[string]guard.Neuron{
		validator.Address(): {UID: 0, StakeWeight: 20_000 * guard.RaoPerTAO, ValidatorPermit: true},
	}
	metrics, _ := guard.NewMetrics(prometheus.NewRegistry())

	g := guard.New(miner.Address())
	g.Validators = &guard.Validators{
		Metagraph: guard.LookupFunc(func(h string) (guard.Neuron, bool) { n, ok := snapshot[h]; return n, ok }),
		MinStake:  1000 * guard.RaoPerTAO,
	}
	g.RateLimit = &guard.RateLimit{Rate: 50}
	g.Metrics = metrics
	g.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))

	mux := http.NewServeMux()
	mux.Handle("POST /forward", g.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, _ := guard.Caller(r.Context())
		fmt.Fprintf(w, "hello %s\n", caller)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	client := &http.Client{Transport: &epistula.Transport{
		Signer:   validator,
		Receiver: func(*http.Request) string { return miner.Address() },
	}}
	resp, _ := client.Post(srv.URL+"/forward", "application/json", strings.NewReader(`{}`))
	io.Copy(os.Stdout, resp.Body)
	resp.Body.Close()

	resp, _ = http.Post(srv.URL+"/forward", "application/json", strings.NewReader(`{}`)) // unsigned
	io.Copy(os.Stdout, resp.Body)
	resp.Body.Close()
	// Output:
	// hello 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
	// {"error":"epistula: malformed request: no Epistula headers: sign the request (Epistula-Signed-By, Epistula-Request-Signature, …)","reason":"malformed"}
}
