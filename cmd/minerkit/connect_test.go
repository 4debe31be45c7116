package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minerkit/minerkit/internal/orchestratortest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConnectCommand runs `minerkit connect` against the real socket.io
// orchestrator, once per transport, and stops it as SIGTERM would.
func TestConnectCommand(t *testing.T) {
	for _, tr := range []string{"socketio", "ws"} {
		t.Run(tr, func(t *testing.T) {
			srv := orchestratortest.New(t, nil)
			srv.Start()
			url := srv.URL()
			if tr == "ws" {
				url = srv.WSURL()
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			root := newRootCmd()
			var stderr syncBuffer
			root.SetErr(&stderr)
			root.SetArgs([]string{"connect", "--orchestrator", url, "--transport", tr, "--suri", "//Alice",
				"--journal", filepath.Join(t.TempDir(), "j.jsonl"), "--max-backoff", "200ms", "--metrics-listen", "127.0.0.1:0"})
			done := make(chan error, 1)
			go func() { done <- root.ExecuteContext(ctx) }()
			jobs := []map[string]any{{"id": "c1", "type": "inference", "payload": map[string]any{"prompt": "hello", "max_tokens": 3}}}
			if err := srv.Control("dispatch", map[string]any{"jobs": jobs}, nil); err != nil {
				t.Fatal(err)
			}
			orchestratortest.WaitFor(srv, 15*time.Second, "c1", func(s struct {
				Done int `json:"done"`
			}) bool {
				return s.Done == 1
			})
			metrics := scrape(t, &stderr)
			for _, want := range []string{`minerkit_orchestrator_jobs_total{outcome="ok",type="inference"} 1`, "minerkit_orchestrator_connected 1"} {
				if !strings.Contains(metrics, want) {
					t.Errorf("metrics lack %q", want)
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("connect: %v\n%s", err, stderr.String())
			}
			var r struct {
				OK     bool `json:"ok"`
				Result struct {
					Text string `json:"text"`
				} `json:"result"`
			}
			json.Unmarshal(srv.Results()["c1"], &r)
			if !r.OK || r.Result.Text != "2cf2 9595 6c92" {
				t.Errorf("c1 result %s", srv.Results()["c1"])
			}
			for _, want := range []string{"connected to orchestrator", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "draining"} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

func TestConnectFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"connect", "--suri", "//Alice"}, "--orchestrator is required"},
		{[]string{"connect", "--orchestrator", "http://x", "--transport", "grpc", "--suri", "//Alice"}, "want socketio or ws"},
		{[]string{"connect", "--orchestrator", "http://x", "--auth", "token", "--suri", "//Alice"}, "want connect or event"},
		{[]string{"connect", "--orchestrator", "ftp://x", "--suri", "//Alice", "--journal", filepath.Join(t.TempDir(), "j")}, "scheme must be"},
	} {
		root := newRootCmd()
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(tt.args)
		t.Setenv("MINERKIT_ORCHESTRATOR", "")
		err := root.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}

// scrape finds the metrics URL in the log and fetches it.
func scrape(t *testing.T, log *syncBuffer) string {
	t.Helper()
	m := regexp.MustCompile(`url=(http://\S+/metrics)`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no metrics URL in the log:\n%s", log.String())
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
