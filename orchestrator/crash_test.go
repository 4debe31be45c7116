package orchestrator

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain doubles as the miner process of TestInteropMinerKilled: with
// MINERKIT_HELPER_MINER set, the test binary runs a miner instead of tests,
// so that the test can SIGKILL a real process.
func TestMain(m *testing.M) {
	if os.Getenv("MINERKIT_HELPER_MINER") != "" {
		os.Exit(helperMiner())
	}
	os.Exit(m.Run())
}

func helperMiner() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "helper miner:", err); return 1 }
	j, err := OpenJournal(os.Getenv("MINERKIT_HELPER_JOURNAL"))
	if err != nil {
		return fail(err)
	}
	defer j.Close()
	execLog, err := os.OpenFile(os.Getenv("MINERKIT_HELPER_EXECLOG"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fail(err)
	}
	k := testKey(nopTB{}, "//Alice")
	c := &Client{
		URL: os.Getenv("MINERKIT_HELPER_URL"), Signer: k, Journal: j, Concurrency: 8,
		Backoff: Backoff{Min: 10 * time.Millisecond, Max: 200 * time.Millisecond}, DrainTimeout: 5 * time.Second,
	}
	c.HandleFunc("inference", func(ctx context.Context, job Job) (any, error) {
		// One write per start: a SIGKILL cannot tear it, and the page
		// cache keeps it when the process dies.
		if _, err := execLog.WriteString(job.ID + "\n"); err != nil {
			return nil, err
		}
		var p inferencePayload
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return nil, err
		}
		time.Sleep(time.Duration(1+p.N%4) * time.Millisecond)
		return inferenceResult{N: p.N, Digest: digest(p.N)}, nil
	})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := c.Run(ctx); err != nil {
		return fail(err)
	}
	return 0
}

// nopTB lets testKey run outside a test; it panics on failure, which only
// a broken keys package could cause.
type nopTB struct{ testing.TB }

func (nopTB) Helper()           {}
func (nopTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

// TestInteropMinerKilled SIGKILLs the miner process three times while it
// works through 400 jobs: every job gets a result, no job starts twice, and
// the jobs cut off mid-run are answered "interrupted" instead of rerun.
func TestInteropMinerKilled(t *testing.T) {
	const n, kills = 400, 3
	srv := newNodeOrchestrator(t, map[string]any{"jobs": n, "window": 32})
	srv.start()
	dir := t.TempDir()
	execLogPath := filepath.Join(dir, "exec.log")
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "MINERKIT_HELPER_MINER=1", "MINERKIT_HELPER_URL="+srv.url(),
			"MINERKIT_HELPER_JOURNAL="+filepath.Join(dir, "journal.jsonl"), "MINERKIT_HELPER_EXECLOG="+execLogPath)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	miner := start()
	t.Cleanup(func() { miner.Process.Kill(); miner.Wait() })
	for k := 1; k <= kills; k++ {
		srv.waitFor(30*time.Second, fmt.Sprintf("%d results", k*n/(kills+1)), func(s serverStats) bool { return s.Done >= k*n/(kills+1) })
		miner.Process.Kill()
		miner.Wait()
		miner = start()
	}
	srv.waitFor(30*time.Second, "all results", func(s serverStats) bool { return s.Done == n })
	miner.Process.Signal(syscall.SIGTERM)
	if err := miner.Wait(); err != nil {
		t.Errorf("miner after SIGTERM: %v", err)
	}

	f, err := os.Open(execLogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	starts := make(map[string]int)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		starts[sc.Text()]++
	}
	for id, c := range starts {
		if c > 1 {
			t.Errorf("%s started %d times", id, c)
		}
	}
	// A job killed between its durable "running" mark and the handler's
	// first line is interrupted without a start in the log: at most once
	// means a crash may cost a job, never run it twice.
	interrupted, notStarted := 0, 0
	for id, r := range srv.results() {
		switch {
		case r.OK:
			if starts[id] != 1 {
				t.Errorf("%s has a result but never ran", id)
			}
		case strings.HasPrefix(r.Error, "interrupted"):
			interrupted++
			if starts[id] == 0 {
				notStarted++
			}
		default:
			t.Errorf("%s: unexpected result %+v", id, r)
		}
	}
	if len(srv.results()) != n {
		t.Errorf("%d results, want %d", len(srv.results()), n)
	}
	t.Logf("%d kills; %d jobs started, %d interrupted by a kill (%d of them before the handler began)", kills, len(starts), interrupted, notStarted)
}
