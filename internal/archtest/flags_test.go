package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// flagToken is a command-line flag as a message would name it: "--netuid",
// "--wallet.name", at the start of the text or after a space or bracket.
var flagToken = regexp.MustCompile("(?:^|[\\s(\\[\"'`])(--[a-z][a-z0-9._-]*)")

// flagAllowed are the files of library packages whose string literals may
// name a flag, and why.
var flagAllowed = map[string]string{
	// miner.Config's settings are flags (package settings derives each
	// flag from its JSON name): their help texts and checks name them.
	"miner/config.go": "the serve settings are flags",
}

// libraryRoots are the packages that programs other than minerkit's CLI
// import: their messages name values, never flags.
var libraryRoots = []string{"scale", "keys", "gpu", "buildinfo", "settings", "substrate", "wallet", "epistula", "axon",
	"subtensor", "devnet", "metagraph", "guard", "jsonreq", "onchain", "miner", "orchestrator", "activity", "validator", "demo",
	"computeoffer", "inferenceminer"}

func TestLibraryMessagesNameNoFlags(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	for _, p := range list(t) {
		if !under(p.Path, libraryRoots) {
			continue
		}
		dir := filepath.Join(root, filepath.FromSlash(p.Path))
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			rel := p.Path + "/" + filepath.Base(name)
			if _, ok := flagAllowed[rel]; ok {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, m := range flagToken.FindAllStringSubmatch(s, -1) {
					t.Errorf("%s: %q names the flag %s: library messages name values (typed errors), the command adds its own flags", fset.Position(lit.Pos()), s, m[1])
				}
				return true
			})
		}
	}
}

func TestFlagToken(t *testing.T) {
	for s, want := range map[string]string{
		"pass --netuid":             "--netuid",
		"(use --no-password)":       "--no-password",
		"check --wallet.name/x":     "--wallet.name",
		"--ip is wrong":             "--ip",
		"a -- b":                    "",
		"x--y":                      "",
		"-----BEGIN":                "",
		"minerkit register":         "",
		"`minerkit wallet regen-x`": "",
	} {
		got := ""
		if m := flagToken.FindStringSubmatch(s); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	}
}

// moduleRoot is the directory of go.mod, two levels up from this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}
