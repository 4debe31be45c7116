package main

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// deploy/minerkit-serve.service keeps its hardening, and its ExecStart uses
// only flags serve has.
func TestDeployServiceUnit(t *testing.T) {
	f, err := os.Open("../../deploy/minerkit-serve.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	settings := map[string][]string{}
	var cont string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		line = cont + line
		if strings.HasSuffix(line, "\\") {
			cont = strings.TrimSuffix(line, "\\") + " "
			continue
		}
		cont = ""
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("not key=value: %q", line)
		}
		settings[k] = append(settings[k], v)
	}
	for k, want := range map[string]string{
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "Restart": "on-failure",
		"ReadOnlyPaths": "/var/lib/minerkit/wallets", "CapabilityBoundingSet": "",
	} {
		if got := settings[k]; len(got) != 1 || got[0] != want {
			t.Errorf("%s=%v, want %q", k, got, want)
		}
	}
	if got := settings["LoadCredential"]; len(got) != 1 || !strings.HasPrefix(got[0], "hotkey-password:") {
		t.Errorf("LoadCredential=%v", got)
	}
	exec := settings["ExecStart"]
	if len(exec) != 1 {
		t.Fatalf("ExecStart=%v", exec)
	}
	fields := strings.Fields(exec[0])
	if len(fields) < 2 || fields[1] != "serve" {
		t.Fatalf("ExecStart runs %v", fields)
	}
	serve := newServeCmd()
	for _, a := range fields[2:] {
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			if serve.Flags().Lookup(name) == nil {
				t.Errorf("ExecStart uses --%s, which serve does not have", name)
			}
		}
	}
}
