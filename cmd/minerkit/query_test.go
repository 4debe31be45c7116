package main

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/metagraph"
)

func TestJoinPath(t *testing.T) {
	tests := []struct {
		base, path, want, err string
	}{
		{"http://127.0.0.1:8091", "/cvm", "http://127.0.0.1:8091/cvm", ""},
		{"http://127.0.0.1:8091/", "cvm", "http://127.0.0.1:8091/cvm", ""},
		{"https://miner.example/api/", "/v1/cvm", "https://miner.example/api/v1/cvm", ""},
		{"http://203.0.113.7:8091/cvm", "", "http://203.0.113.7:8091/cvm", ""},
		{"http://203.0.113.7:8091", "", "http://203.0.113.7:8091/", ""},
		{"http://h:1", "/q?x=1", "http://h:1/q?x=1", ""},
		{"203.0.113.7:8091", "/cvm", "", "not an http(s) URL"},
		{"ftp://h/", "/cvm", "", "not an http(s) URL"},
		{"http://", "/cvm", "", "not an http(s) URL"},
	}
	for _, tc := range tests {
		got, err := joinPath(tc.base, tc.path)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("joinPath(%q, %q) = %q, %v; want error %q", tc.base, tc.path, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("joinPath(%q, %q) = %q, %v; want %q", tc.base, tc.path, got, err, tc.want)
		}
	}
}

func TestSameHost(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"http://127.0.0.1:8091", "http://127.0.0.1:8091/cvm", true},
		{"http://Miner.Example", "http://miner.example:80/x", true},
		{"https://miner.example", "https://miner.example:443", true},
		{"https://miner.example", "http://miner.example", false},
		{"http://127.0.0.1:8091", "http://127.0.0.1:8092", false},
		{"http://[::1]:8091", "http://[::1]:8091/", true},
		{"%zz", "http://h", false},
	}
	for _, tc := range tests {
		if got := sameHost(tc.a, tc.b); got != tc.want {
			t.Errorf("sameHost(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestEndpointOf(t *testing.T) {
	axon := metagraph.Axon{IP: netip.MustParseAddr("203.0.113.7"), Port: 8091}
	tests := []struct {
		name       string
		n          metagraph.Neuron
		want, from string
		ok         bool
	}{
		{"commitment wins", metagraph.Neuron{Commitment: []byte("https://m.example:8443"), Axon: axon}, "https://m.example:8443", "commitment", true},
		{"non-URL commitment: the axon", metagraph.Neuron{Commitment: []byte(`{"model":"x"}`), Axon: axon}, "http://203.0.113.7:8091", "axon", true},
		{"axon only", metagraph.Neuron{Axon: axon}, "http://203.0.113.7:8091", "axon", true},
		{"nothing announced", metagraph.Neuron{}, "", "", false},
	}
	for _, tc := range tests {
		got, from, ok := endpointOf(tc.n)
		if got != tc.want || from != tc.from || ok != tc.ok {
			t.Errorf("%s: endpointOf = %q %q %v", tc.name, got, from, ok)
		}
	}
}

func TestQueryRefusesBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"query", "--path", "/cvm"}, "say which miner"},
		{[]string{"query", "--uid", "3"}, "--uid needs --netuid"},
		{[]string{"query", "--url", "http://h", "--body", "{}", "--body-file", "x"}, "not both"},
		{[]string{"query", "--url", "http://h", "--repeat", "0"}, "--repeat"},
		{[]string{"query", "--url", "http://h", "--uuid", "u", "--repeat", "2"}, "replays"},
		{[]string{"query", "--url", "http://h", "--suri", "not a uri"}, "--suri"},
		{[]string{"query", "--url", "http://h", "--suri", "//V", "-H", "NoColon"}, "Name: value"},
		{[]string{"query", "--url", "h:1", "--suri", "//V"}, "not an http(s) URL"},
		{[]string{"query", "--url", "http://h", "--variant", "v3"}, "want v2 or x"},
		{[]string{"query", "--url", "http://h", "--variant", "x", "--uuid", "u"}, "no uuid"},
	}
	for _, tc := range tests {
		_, _, err := runCLI(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("minerkit %s: %v, want an error with %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

// FuzzEndpointOf feeds arbitrary commitments (outside bytes from the chain)
// through endpoint choice and URL building: never a panic, and a chosen
// commitment is always an http(s) URL that joinPath accepts.
func FuzzEndpointOf(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8091", "https://m.example/api/", "", "\x00\xff", "http://", "http://[::1", "https://h:99999/x?y#z", "  http://h  "} {
		f.Add([]byte(s), "/cvm")
	}
	f.Fuzz(func(t *testing.T, commitment []byte, path string) {
		n := metagraph.Neuron{Commitment: commitment}
		base, from, ok := endpointOf(n)
		if !ok {
			return
		}
		if from != "commitment" {
			t.Fatalf("from %q without an axon", from)
		}
		if _, err := joinPath(base, path); err != nil && !strings.Contains(err.Error(), "--path") {
			t.Fatalf("chosen endpoint %q refused: %v", base, err)
		}
		sameHost(base, string(commitment))
	})
}
