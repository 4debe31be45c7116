// Package buildinfo says what a minerkit binary is: its module version, the
// VCS revision and time it was built from, whether the tree was modified,
// and the Go version, read from the build information Go embeds.
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Info describes one build. Fields the build did not record are empty
// (a `go run` or `go test` binary carries no VCS information).
type Info struct {
	Module    string `json:"module"`
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Time      string `json:"time,omitempty"`
	Modified  bool   `json:"modified"`
	GoVersion string `json:"go_version"`
}

// Read returns this binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "unknown"}
	}
	return fromBuildInfo(bi)
}

func fromBuildInfo(bi *debug.BuildInfo) Info {
	in := Info{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Revision = s.Value
		case "vcs.time":
			in.Time = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	if in.Version == "" {
		in.Version = "(devel)"
	}
	return in
}

// String is one line: "v0.1.0 (abc123def456, 2026-12-04T02:00:00Z, modified) go1.26.8".
func (in Info) String() string {
	var parts []string
	if in.Revision != "" {
		rev := in.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		parts = append(parts, rev)
	}
	if in.Time != "" {
		parts = append(parts, in.Time)
	}
	if in.Modified {
		parts = append(parts, "modified")
	}
	s := in.Version
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return fmt.Sprintf("%s %s", s, in.GoVersion)
}

// Collector exports minerkit_build_info{version, revision, modified,
// goversion} 1, the usual Prometheus build-info gauge.
func (in Info) Collector() prometheus.Collector {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "minerkit_build_info",
		Help: "The running minerkit build: module version, VCS revision, modified tree, Go version (always 1).",
	}, []string{"version", "revision", "modified", "goversion"})
	g.WithLabelValues(in.Version, in.Revision, fmt.Sprint(in.Modified), in.GoVersion).Set(1)
	return g
}
