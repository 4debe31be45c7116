package guard

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// A flood of refusals logs the first few per reason in full and the rest
// as one summary with counts per caller; served requests are all logged.
func TestRefusalLogSampled(t *testing.T) {
	var buf lockedBuf
	// A fake clock: a loaded machine must not roll the window over between
	// two of the 20 refusals.
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	o := &Observe{Logger: slog.New(slog.NewTextHandler(&buf, nil)), RefusalLogBurst: 3, RefusalLogInterval: 50 * time.Millisecond, Now: clock}
	refuse := o.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, st := withState(r)
		st.Reason, st.Caller = "bad_signature", "5Attacker"
		w.WriteHeader(http.StatusUnauthorized)
	}))
	serve := o.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for range 20 {
		refuse.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/x", nil))
	}
	if got := strings.Count(buf.String(), "reason=bad_signature"); got != 3 {
		t.Fatalf("%d refusals logged in full, want 3:\n%s", got, buf.String())
	}
	mu.Lock()
	now = now.Add(60 * time.Millisecond)
	mu.Unlock()
	serve.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/x", nil))
	out := buf.String()
	if !strings.Contains(out, `msg="refusals suppressed" reason=bad_signature suppressed=17 logged=3`) ||
		!strings.Contains(out, `callers="5Attacker=17"`) {
		t.Fatalf("no summary of the 17 suppressed refusals:\n%s", out)
	}
	if strings.Count(out, "msg=request") != 4 {
		t.Fatalf("want 3 refusals and 1 served request in full:\n%s", out)
	}
}
