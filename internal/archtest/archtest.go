// Package archtest holds the tests that keep minerkit's packages in the
// layers docs/architecture.md describes (which package may import which),
// library messages free of flag names, and the docs' programs built.
package archtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// Module is minerkit's module path.
const Module = "github.com/minerkit/minerkit"

// Package is one package of the module as `go list` reports it, with paths
// relative to the module ("." for the root).
type Package struct {
	Path    string
	Imports []string // the module's packages it imports, outside its tests
}

// List runs `go list` on the module's packages from dir (any directory
// inside the module) and returns them with their imports of the module's
// own packages.
func List(dir string) ([]Package, error) {
	cmd := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", Module+"/...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("archtest: go list: %w: %s", err, stderr.Bytes())
	}
	var pkgs []Package
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		p := Package{Path: Rel(f[0])}
		for _, imp := range f[1:] {
			if r := Rel(imp); r != "" {
				p.Imports = append(p.Imports, r)
			}
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, sc.Err()
}

// Rel returns path relative to the module, or "" when it is not one of the
// module's packages.
func Rel(path string) string {
	if path == Module {
		return "."
	}
	if r, ok := strings.CutPrefix(path, Module+"/"); ok {
		return r
	}
	return ""
}

// Under reports whether path is root or inside it.
func Under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}
