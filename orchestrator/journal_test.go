package orchestrator

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTestJournal(t testing.TB) (*Journal, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "j", "journal.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	return j, path
}

func TestJournalLifecycle(t *testing.T) {
	j, path := openTestJournal(t)
	job := Job{ID: "a", Type: "inference", Payload: []byte(`{"n":1}`)}
	if _, isNew, err := j.Received(job); !isNew || err != nil {
		t.Fatal(isNew, err)
	}
	if e, isNew, _ := j.Received(job); isNew || e.State != StateReceived {
		t.Fatalf("second delivery: isNew %v, state %s", isNew, e.State)
	}
	if ok, err := j.Start("a"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, _ := j.Start("a"); ok {
		t.Fatal("a job started twice")
	}
	if ok, _ := j.Start("unknown"); ok {
		t.Fatal("an unknown job started")
	}
	if err := j.Finish(Result{ID: "a", OK: true, Result: []byte(`2`)}); err != nil {
		t.Fatal(err)
	}
	if u := j.Unreported(); len(u) != 1 || u[0].ID != "a" {
		t.Fatalf("Unreported = %v", u)
	}
	if err := j.MarkReported("a"); err != nil {
		t.Fatal(err)
	}
	if u := j.Unreported(); len(u) != 0 {
		t.Fatalf("Unreported after MarkReported = %v", u)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := j.Received(Job{ID: "b"}); err == nil {
		t.Fatal("Received on a closed journal succeeded")
	}

	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	e, ok := j2.Get("a")
	if !ok || e.State != StateDone || !e.Reported || e.Result == nil || string(e.Result.Result) != "2" {
		t.Fatalf("after reopen: %+v", e)
	}
}

func TestJournalCrashStates(t *testing.T) {
	tests := []struct {
		name      string
		steps     func(j *Journal)
		wantState string
		wantErr   string // prefix of the result's error, "" for none
		wantOK    bool
	}{
		{"received only", func(j *Journal) {}, StateReceived, "", false},
		{"running", func(j *Journal) { j.Start("x") }, StateDone, "interrupted", false},
		{"done", func(j *Journal) { j.Start("x"); j.Finish(Result{ID: "x", OK: true, Result: []byte(`1`)}) }, StateDone, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, path := openTestJournal(t)
			j.Received(Job{ID: "x", Type: "t", Payload: []byte(`{}`)})
			tt.steps(j)
			j.Close()
			j2, err := OpenJournal(path)
			if err != nil {
				t.Fatal(err)
			}
			defer j2.Close()
			e, _ := j2.Get("x")
			if e.State != tt.wantState {
				t.Fatalf("state %s, want %s", e.State, tt.wantState)
			}
			if tt.wantState == StateReceived {
				if p := j2.Pending(); len(p) != 1 || string(p[0].Payload) != `{}` {
					t.Errorf("Pending = %v", p)
				}
				return
			}
			if e.Result.OK != tt.wantOK || !strings.HasPrefix(e.Result.Error, tt.wantErr) {
				t.Errorf("result %+v", e.Result)
			}
		})
	}
}

func TestJournalTornLine(t *testing.T) {
	j, path := openTestJournal(t)
	j.Received(Job{ID: "a"})
	j.Start("a")
	j.Finish(Result{ID: "a", OK: true})
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"b","state":"runn`) // crash mid-append
	f.Close()
	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if _, ok := j2.Get("b"); ok {
		t.Error("torn record was applied")
	}
	if e, _ := j2.Get("a"); e.State != StateDone {
		t.Errorf("a: %+v", e)
	}
}

func TestJournalCompactionAndRetention(t *testing.T) {
	j, path := openTestJournal(t)
	now := time.Now()
	j.now = func() time.Time { return now }
	const n = 2000
	for i := 0; i < n; i++ {
		id := fmt.Sprint(i)
		j.Received(Job{ID: id, Payload: []byte(`{"big":"` + strings.Repeat("x", 100) + `"}`)})
		j.Start(id)
		j.Finish(Result{ID: id, OK: true})
		j.MarkReported(id)
	}
	j.Close()
	lines := strings.Count(readString(t, path), "\n")
	if lines > 3*n {
		t.Errorf("journal has %d lines for %d jobs: not compacted", lines, n)
	}
	// Past the retention, reported results are forgotten on reopen.
	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	j2.Close()
	j3, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := j3.Get("5"); !ok {
		t.Error("a recent result was forgotten")
	}
	j3.Close()
	j4 := &Journal{path: path, jobs: map[string]*Entry{}, now: func() time.Time { return now.Add(48 * time.Hour) }}
	if err := j4.load(); err != nil {
		t.Fatal(err)
	}
	if err := j4.rewrite(); err != nil {
		t.Fatal(err)
	}
	j4.Close()
	if len(j4.jobs) != 0 {
		t.Errorf("%d results survived past the retention", len(j4.jobs))
	}
}

func readString(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestJournalConcurrentGroupCommit finishes many jobs at once: every call
// returns only after its record is durable, and nothing is lost.
func TestJournalConcurrentGroupCommit(t *testing.T) {
	j, path := openTestJournal(t)
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := fmt.Sprint(i)
			j.Received(Job{ID: id})
			if ok, err := j.Start(id); !ok || err != nil {
				t.Errorf("Start %s: %v %v", id, ok, err)
			}
			if err := j.Finish(Result{ID: id, OK: true}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	// Reopen without Close, as after a crash (which releases the lock):
	// what Finish returned must already be on disk.
	j.unlock()
	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if u := j2.Unreported(); len(u) != 64 {
		t.Errorf("%d unreported results after reopen, want 64", len(u))
	}
	j.Close()
}

func BenchmarkJournalJob(b *testing.B) {
	j, _ := openTestJournal(b)
	defer j.Close()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			id := fmt.Sprintf("%p-%d", pb, i)
			i++
			j.Received(Job{ID: id, Type: "inference", Payload: []byte(`{"n":1}`)})
			j.Start(id)
			j.Finish(Result{ID: id, OK: true, Result: []byte(`1`)})
			j.MarkReported(id)
		}
	})
}

func TestJournalMaxReported(t *testing.T) {
	j, _ := openTestJournal(t)
	defer j.Close()
	j.MaxReported = 10
	base := time.Now()
	for i := 0; i < 50; i++ {
		j.now = func() time.Time { return base.Add(time.Duration(i) * time.Second) }
		id := fmt.Sprint(i)
		j.Received(Job{ID: id})
		j.Start(id)
		j.Finish(Result{ID: id, OK: true})
		j.MarkReported(id)
	}
	j.Received(Job{ID: "unreported"})
	j.mu.Lock()
	err := j.rewrite()
	n := len(j.jobs)
	j.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if n != 11 {
		t.Errorf("%d entries after compaction, want the 10 newest reported + 1 pending", n)
	}
	if _, ok := j.Get("49"); !ok {
		t.Error("the newest result was forgotten")
	}
	if _, ok := j.Get("0"); ok {
		t.Error("the oldest result was kept")
	}
}

func TestJournalLockedByOneProcess(t *testing.T) {
	j, path := openTestJournal(t)
	if _, err := OpenJournal(path); err == nil || !strings.Contains(err.Error(), "in use by another miner process") {
		t.Fatalf("second open: err = %v, want in use", err)
	}
	j.Close()
	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatalf("open after Close: %v", err)
	}
	j2.Close()
}

func TestDefaultJournalPath(t *testing.T) {
	const hotkey = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	for _, tc := range []struct {
		name, xdg, home, want string
	}{
		{"XDG_STATE_HOME first", "/var/lib/state", "/home/m", "/var/lib/state/minerkit/orchestrator/" + hotkey + ".jsonl"},
		{"else ~/.local/state", "", "/home/m", "/home/m/.local/state/minerkit/orchestrator/" + hotkey + ".jsonl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", tc.xdg)
			t.Setenv("HOME", tc.home)
			got, err := DefaultJournalPath(hotkey)
			if err != nil || got != tc.want {
				t.Fatalf("%q %v, want %q", got, err, tc.want)
			}
		})
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "")
	if got, err := DefaultJournalPath(hotkey); err == nil {
		t.Fatalf("no XDG_STATE_HOME and no HOME: %q, want an error", got)
	}
}
