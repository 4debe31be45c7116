package orchestrator

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/minerkit/minerkit/internal/orchestratortest"
)

// nodeOrchestrator wraps the real socket.io server with this package's
// types.
type nodeOrchestrator struct {
	*orchestratortest.Server
	t testing.TB
}

func newNodeOrchestrator(t testing.TB, cfg map[string]any) *nodeOrchestrator {
	return &nodeOrchestrator{Server: orchestratortest.New(t, cfg), t: t}
}

func (o *nodeOrchestrator) start()      { o.Start() }
func (o *nodeOrchestrator) restart()    { o.Restart() }
func (o *nodeOrchestrator) url() string { return o.URL() }
func (o *nodeOrchestrator) logs() string {
	return o.Logs()
}

func (o *nodeOrchestrator) control(path string, body, out any) error {
	return o.Control(path, body, out)
}

type serverStats struct {
	PID           int            `json:"pid"`
	Results       int            `json:"results"`
	Done          int            `json:"done"`
	Duplicates    int            `json:"duplicates"`
	Mismatches    int            `json:"mismatches"`
	ViaAck        int            `json:"viaAck"`
	ViaResults    int            `json:"viaResults"`
	Connects      int            `json:"connects"`
	Refused       map[string]int `json:"refused"`
	Heartbeats    int            `json:"heartbeats"`
	LastHeartbeat *Heartbeat     `json:"lastHeartbeat"`
	Peers         int            `json:"peers"`
	Redelivered   []Result       `json:"redeliveredAnswers"`
}

func (o *nodeOrchestrator) stats() (serverStats, error) {
	var s serverStats
	err := o.Control("stats", nil, &s)
	return s, err
}

func (o *nodeOrchestrator) waitFor(timeout time.Duration, what string, cond func(serverStats) bool) serverStats {
	o.t.Helper()
	return orchestratortest.WaitFor(o.Server, timeout, what, cond)
}

func (o *nodeOrchestrator) results() map[string]Result {
	o.t.Helper()
	out := make(map[string]Result)
	for id, raw := range o.Results() {
		var r Result
		if err := json.Unmarshal(raw, &r); err != nil {
			o.t.Errorf("result %s: %v", id, err)
		}
		out[id] = r
	}
	return out
}
