package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minerkit/minerkit/bench"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

// The attacker runs in a child process of flood (-attack-child), pinned to
// CPU 0 at the lowest priority (SCHED_IDLE where chrt can set it, nice 19
// otherwise): the validators' client, which stands for other machines,
// gets CPU 0 first, and the attacker's pacing, dialing and retries no
// longer share a Go runtime with it.
//
// Protocol: the parent writes one line of JSON (attackSpec) on the child's
// standard input; the child builds its requests (or opens its slow
// connections), prints "ready", waits for a line, attacks for the spec's
// duration and prints one line of JSON (attackResult).

// attackSpec is what the child needs to attack.
type attackSpec struct {
	Class    string        // a class name (classNames)
	URL      string        // serve's POST /cvm
	Addr     string        // host:port, for the slow connections
	Src      string        // the source address
	Rate     float64       // offered requests per second
	Workers  int           // concurrent senders
	Duration time.Duration // length of the attack
	Receiver string        // the miner's SS58 hotkey (Epistula signed-for)
	Claim    string        // a validator's SS58 hotkey (the wrong-signature class claims it)
	Captured bench.Request // a validator request accepted once (the replay class)
}

// attackResult is the child's report.
type attackResult struct {
	Offered int           `json:"offered"`
	Codes   map[int]int   `json:"codes"` // answers by status, 0: connection errors
	Sent    int64         `json:"sent"`  // answered or failed
	Rate    float64       `json:"rate"`  // sent per second
	Opened  int64         `json:"opened"`
	CPU     time.Duration `json:"cpu"` // the child's CPU time during the attack
}

const slowClass = "2,000 slow connections"

// classNames are the attack classes with their source addresses.
var classNames = []struct{ name, src string }{
	{"junk 1 MiB, no Epistula headers", "127.0.0.3"},
	{"1 MiB under an unregistered hotkey", "127.0.0.4"},
	{"random signature, unregistered hotkey", "127.0.0.5"},
	{"valid signature, unregistered hotkey", "127.0.0.6"},
	{"wrong signature claiming a validator, one address", "127.0.0.7"},
	{"one captured request replayed", "127.0.0.8"},
	{slowClass, ""},
}

// attackRequests builds the requests of class (outsiders' keys from dev
// SURIs //Outsider/N).
func attackRequests(s attackSpec) (func(int) bench.Request, error) {
	outsiders := make([]*keys.Keypair, 16)
	for i := range outsiders {
		var err error
		if outsiders[i], err = keys.FromSURI("//Outsider/" + strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	body := func(i int) []byte { return []byte(`{"nonce":"` + fmt.Sprintf("%016x", i) + `"}`) }
	big := []byte(strings.Repeat("A", 1<<20))
	now := time.Now().UnixMilli
	switch s.Class {
	case classNames[0].name:
		return func(int) bench.Request { return bench.Request{Header: http.Header{}, Body: big} }, nil
	case classNames[1].name:
		var pool []bench.Request
		for i := range 64 {
			k := outsiders[i%len(outsiders)]
			pool = append(pool, bench.Request{Header: epistula.SignWith(k, big, s.Receiver, now(), epistula.NewUUID()), Body: big})
		}
		return func(i int) bench.Request { return pool[i%len(pool)] }, nil
	case classNames[2].name:
		// A random signature is mostly refused before the costly step (its
		// scalar is not canonical).
		pool := make([]bench.Request, 4096)
		for i := range pool {
			b := body(i)
			h := epistula.SignWith(outsiders[0], b, s.Receiver, now(), epistula.NewUUID())
			var sig [64]byte
			rand.Read(sig[:])
			h.Set(epistula.HeaderSignature, "0x"+hex.EncodeToString(sig[:]))
			h.Set(epistula.HeaderSignedBy, outsiders[1].Address())
			pool[i] = bench.Request{Header: h, Body: b}
		}
		return func(i int) bench.Request { return pool[i%len(pool)] }, nil
	case classNames[3].name:
		var pool []bench.Request
		for i := range 64 {
			b := body(i)
			pool = append(pool, bench.Request{Header: epistula.SignWith(outsiders[i%len(outsiders)], b, s.Receiver, now(), epistula.NewUUID()), Body: b})
		}
		return func(i int) bench.Request { return pool[i%len(pool)] }, nil
	case classNames[4].name:
		// A wrong signature claiming a validator is a well-formed
		// signature by another key: a full verification.
		pool := make([]bench.Request, 4096)
		for i := range pool {
			b := body(i)
			h := epistula.SignWith(outsiders[2], b, s.Receiver, now(), epistula.NewUUID())
			h.Set(epistula.HeaderSignedBy, s.Claim)
			pool[i] = bench.Request{Header: h, Body: b}
		}
		return func(i int) bench.Request { return pool[i%len(pool)] }, nil
	case classNames[5].name:
		return func(int) bench.Request { return s.Captured }, nil
	}
	return nil, fmt.Errorf("unknown attack class %q", s.Class)
}

// attackChild is the -attack-child mode.
func attackChild() error {
	in := bufio.NewReader(os.Stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read the attack spec: %w", err)
	}
	var s attackSpec
	if err := json.Unmarshal(line, &s); err != nil {
		return fmt.Errorf("attack spec: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var res attackResult
	var opened *atomic.Int64
	var next func(int) bench.Request
	if s.Class == slowClass {
		opened = slowConns(ctx, s.Addr, 2000)
		time.Sleep(2 * time.Second) // let them open
	} else if next, err = attackRequests(s); err != nil {
		return err
	}
	fmt.Println("ready")
	if _, err := in.ReadBytes('\n'); err != nil {
		return fmt.Errorf("wait for go: %w", err)
	}
	cpu0 := selfCPU()
	if opened != nil {
		time.Sleep(s.Duration)
		res.Opened = opened.Load()
	} else {
		var st stats
		res.Offered = paced(ctx, client(s.Src, s.Workers), s.URL, s.Rate, s.Workers, s.Duration, next, &st)
		res.Codes = st.codes
		res.Sent = st.ok.Load() + st.other.Load()
		res.Rate = float64(res.Sent) / s.Duration.Seconds()
	}
	res.CPU = selfCPU() - cpu0
	return json.NewEncoder(os.Stdout).Encode(res)
}

// attacker is a started child, ready to attack.
type attacker struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// attackWrap is the command prefix that runs the child on CPU 0 at the
// lowest priority, and its description.
func attackWrap() ([]string, string) {
	var wrap []string
	var how []string
	if p, err := exec.LookPath("nice"); err == nil {
		wrap, how = append(wrap, p, "-n", "19"), append(how, "nice 19")
	}
	if p, err := exec.LookPath("chrt"); err == nil && exec.Command(p, "--idle", "0", "true").Run() == nil {
		wrap, how = append(wrap, p, "--idle", "0"), append(how, "SCHED_IDLE")
	}
	if p, err := exec.LookPath("taskset"); err == nil && runtime.NumCPU() >= 2 {
		wrap, how = append(wrap, p, "-c", "0"), append(how, "CPU 0")
	}
	if len(how) == 0 {
		return nil, "same priority as the validators' client"
	}
	return wrap, strings.Join(how, ", ")
}

// startAttacker starts the child and waits until it is ready.
func startAttacker(wrap []string, s attackSpec) (*attacker, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, wrap...), self, "-attack-child")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	a := &attacker{cmd: cmd, in: in, out: bufio.NewReader(out)}
	spec, _ := json.Marshal(s)
	if _, err := a.in.Write(append(spec, '\n')); err != nil {
		a.kill()
		return nil, err
	}
	line, err := a.out.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		a.kill()
		return nil, fmt.Errorf("attacker child not ready (%q): %w", line, err)
	}
	return a, nil
}

// schedOf describes the child's scheduling from /proc (nice, policy).
func (a *attacker) schedOf() string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", a.cmd.Process.Pid))
	if err != nil {
		return "?"
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // from field 3 on
	if len(f) < 39 {
		return "?"
	}
	policy := map[string]string{"0": "SCHED_OTHER", "3": "SCHED_BATCH", "5": "SCHED_IDLE"}[f[38]]
	if policy == "" {
		policy = "policy " + f[38]
	}
	return "nice " + f[16] + ", " + policy
}

func (a *attacker) kill() {
	a.cmd.Process.Kill()
	a.cmd.Wait()
}

// attack starts the attack.
func (a *attacker) attack() error {
	_, err := a.in.Write([]byte("go\n"))
	return err
}

// result waits for the child's report and exit.
func (a *attacker) result() (res attackResult, err error) {
	line, rerr := a.out.ReadBytes('\n')
	a.in.Close()
	werr := a.cmd.Wait()
	if rerr != nil {
		return res, errors.Join(fmt.Errorf("attacker report: %w", rerr), werr)
	}
	if err := json.Unmarshal(line, &res); err != nil {
		return res, fmt.Errorf("attacker report %q: %w", line, err)
	}
	return res, werr
}
