package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	testAlice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	testBob   = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
)

func TestEpistulaCLI(t *testing.T) {
	dir := t.TempDir()
	body := filepath.Join(dir, "body.json")
	if err := os.WriteFile(body, []byte(`{"q":"hi"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	headers := mustRun(t, "", "epistula", "sign", "--body-file", body, "--receiver", testBob, "--suri", "//Alice")
	for _, want := range []string{"Epistula-Version: 2\n", "Epistula-Signed-By: " + testAlice + "\n", "Epistula-Signed-For: " + testBob + "\n",
		"Epistula-Request-Signature: 0x", "Epistula-Secret-Signature-2: 0x"} {
		if !strings.Contains(headers, want) {
			t.Fatalf("sign output lacks %q:\n%s", want, headers)
		}
	}
	// curl -D style: a status line and CRLF endings are fine.
	hfile := filepath.Join(dir, "headers.txt")
	os.WriteFile(hfile, []byte("POST /forward HTTP/1.1\r\n"+strings.ReplaceAll(headers, "\n", "\r\n")+"\r\n"), 0o600)

	out := mustRun(t, "", "epistula", "verify", "--headers-file", hfile, "--body-file", body, "--receiver", testBob)
	if strings.TrimSpace(out) != testAlice {
		t.Fatalf("verify printed %q, want %s", out, testAlice)
	}
	// Stateless: verifying twice is fine.
	mustRun(t, "", "epistula", "verify", "--headers-file", hfile, "--body-file", body, "--receiver", testBob)

	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(`{"q":"hI"}`), 0o600)
	future := time.Now().Add(time.Minute).UnixMilli()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"body changed", []string{"--body-file", other, "--receiver", testBob}, "bad_signature: "},
		{"wrong receiver", []string{"--body-file", body, "--receiver", testAlice}, "wrong_receiver: "},
		{"later", []string{"--body-file", body, "--receiver", testBob, "--at", strconv.FormatInt(future, 10)}, "stale: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", append([]string{"epistula", "verify", "--headers-file", hfile}, tt.args...)...)
			ee, ok := err.(exitError)
			if !ok || ee.code != 1 || !strings.HasPrefix(ee.msg, tt.want) {
				t.Fatalf("err = %#v, want exit 1 with %q", err, tt.want)
			}
		})
	}
	// The bad-signature message shows what the signature had to cover.
	_, _, err := runCLI(t, "", "epistula", "verify", "--headers-file", hfile, "--body-file", other, "--receiver", testBob)
	if !strings.Contains(err.Error(), "must cover exactly") {
		t.Errorf("bad signature message lacks the signed-message hint: %v", err)
	}

	// X variant round trip, headers from standard input.
	xh := mustRun(t, "", "epistula", "sign", "--body-file", body, "--suri", "//Alice", "--variant", "x")
	if !strings.Contains(xh, "X-Epistula-Hotkey: "+testAlice) {
		t.Fatalf("X headers:\n%s", xh)
	}
	if out := mustRun(t, xh, "epistula", "verify", "--headers-file", "-", "--body-file", body); strings.TrimSpace(out) != testAlice {
		t.Fatalf("X verify printed %q", out)
	}
	// Fixed timestamp and uuid reproduce a request; --at checks it as of then.
	fixed := mustRun(t, "", "epistula", "sign", "--body-file", body, "--receiver", testBob, "--suri", "//Alice",
		"--at", "1764201600000", "--uuid", "0f8fad5b-d9cb-469f-a165-70867728950e")
	if out := mustRun(t, fixed, "epistula", "verify", "--headers-file", "-", "--body-file", body, "--receiver", testBob, "--at", "1764201605000"); strings.TrimSpace(out) != testAlice {
		t.Fatalf("verify --at printed %q", out)
	}
}
