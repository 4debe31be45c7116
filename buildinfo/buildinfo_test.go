package buildinfo

import (
	"runtime/debug"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"stamped", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/minerkit/minerkit", Version: "v0.2.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-04T02:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"v0.2.0 (0123456789ab, 2026-12-04T02:00:00Z, modified) go1.26.8"},
		{"go run", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/minerkit/minerkit"}}, "(devel) go1.26.8"},
	} {
		if got := fromBuildInfo(&tc.bi).String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCollector(t *testing.T) {
	in := Info{Version: "v0.2.0", Revision: "abc", GoVersion: "go1.26.8"}
	reg := prometheus.NewRegistry()
	reg.MustRegister(in.Collector())
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || mfs[0].GetName() != "minerkit_build_info" || len(mfs[0].GetMetric()) != 1 {
		t.Fatalf("gathered %v %v", mfs, err)
	}
	m := mfs[0].GetMetric()[0]
	labels := map[string]string{}
	for _, l := range m.GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	if m.GetGauge().GetValue() != 1 || labels["version"] != "v0.2.0" || labels["revision"] != "abc" ||
		labels["modified"] != "false" || labels["goversion"] != "go1.26.8" {
		t.Fatalf("metric %v", m)
	}
	if Read().GoVersion == "" {
		t.Error("Read: no Go version in a test binary")
	}
}
