package archtest

import (
	"strings"
	"testing"
)

// layers is docs/architecture.md's table: the layer of each package tree
// (the longest matching root wins).
var layers = map[string]int{
	"scale":     0,
	"keys":      0,
	"gpu":       0,
	"buildinfo": 0,
	"settings":  0,
	// Moving through already-valid JSON: jsonreq's and axon's walks.
	"internal/jsonscan": 0,
	"substrate":         1,
	// The metadata-authoring kit: the devnet's, beside substrate.
	"internal/metabuild": 1,
	"wallet":             1,
	"epistula":           1,
	"axon":               1,
	"subtensor":          2,
	"devnet":             2,
	"metagraph":          3,
	"guard":              3,
	"jsonreq":            3,
	"onchain":            3,
	"miner":              4,
	"orchestrator":       4,
	"activity":           4,
	"validator":          4,
	"computeoffer":       4,
	"inferenceminer":     4,
	"cmd":                5,
	"demo":               5,
	"examples":           5,
	"bench":              5,
	"conformance":        5,
	"internal":           5,
}

func layerOf(path string) (int, bool) {
	best, layer := "", 0
	for root, l := range layers {
		if Under(path, root) && len(root) > len(best) {
			best, layer = root, l
		}
	}
	return layer, best != ""
}

func list(t *testing.T) []Package {
	t.Helper()
	pkgs, err := List(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages; expected the whole module", len(pkgs))
	}
	return pkgs
}

func TestEveryPackageHasALayer(t *testing.T) {
	for _, p := range list(t) {
		if p.Path == "." {
			t.Errorf("the module root holds a package; give it a layer in docs/architecture.md and here")
			continue
		}
		if _, ok := layerOf(p.Path); !ok {
			t.Errorf("%s has no layer: add it to docs/architecture.md and to layers", p.Path)
		}
	}
}

func TestImportsPointDown(t *testing.T) {
	for _, p := range list(t) {
		from, ok := layerOf(p.Path)
		if !ok {
			continue
		}
		for _, imp := range p.Imports {
			to, ok := layerOf(imp)
			if ok && to > from {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports point down only", p.Path, from, imp, to)
			}
		}
	}
}

// rule is one import rule of docs/architecture.md: packages under one of
// from may import no package under one of deny, except those under allow.
type rule struct {
	name  string
	from  []string
	deny  []string
	allow []string
}

var rules = []rule{
	{
		name:  "the chain-agnostic core imports nothing of minerkit but itself",
		from:  []string{"scale", "keys", "substrate"},
		deny:  []string{""},
		allow: []string{"scale", "keys", "substrate"},
	},
	{
		name:  "settings is a generic loader: it knows no setting of minerkit's",
		from:  []string{"settings"},
		deny:  []string{""},
		allow: []string{"settings"},
	},
	{
		name:  "devnet is built on scale, keys, substrate and the metadata-authoring kit only, never on the client it is tested against",
		from:  []string{"devnet"},
		deny:  []string{""},
		allow: []string{"scale", "keys", "substrate", "internal/metabuild", "devnet"},
	},
	{
		name:  "the metadata-authoring kit is built on scale and substrate only",
		from:  []string{"internal/metabuild"},
		deny:  []string{""},
		allow: []string{"scale", "substrate", "internal/metabuild"},
	},
	{
		name: "guard never touches the chain",
		from: []string{"guard"},
		deny: []string{"subtensor", "metagraph", "substrate", "devnet"},
	},
	{
		name:  "jsonreq is the request body's format only: of minerkit it knows the guard (to name a refusal's reason)",
		from:  []string{"jsonreq"},
		deny:  []string{""},
		allow: []string{"guard", "jsonreq", "internal/jsonscan"},
	},
	{
		name: "the miner shapes do not import one another",
		from: []string{"miner"},
		deny: []string{"orchestrator", "activity", "validator"},
	},
	{
		name: "the miner shapes do not import one another",
		from: []string{"orchestrator"},
		deny: []string{"miner", "activity", "validator"},
	},
	{
		name: "the miner shapes do not import one another",
		from: []string{"activity"},
		deny: []string{"miner", "orchestrator", "validator"},
	},
	{
		name: "the miner shapes do not import one another",
		from: []string{"validator"},
		deny: []string{"miner", "orchestrator", "activity"},
	},
	{
		name: "library packages import no devnet, program or test helper",
		from: []string{"scale", "keys", "gpu", "buildinfo", "settings", "substrate", "wallet", "epistula", "axon", "subtensor",
			"metagraph", "guard", "jsonreq", "onchain", "miner", "orchestrator", "activity", "validator", "computeoffer", "inferenceminer"},
		deny:  []string{"devnet", "demo", "bench", "cmd", "internal", "examples", "conformance"},
		allow: []string{"internal/jsonscan"},
	},
}

// under reports whether path is under one of roots; "" matches every path.
func under(path string, roots []string) bool {
	for _, r := range roots {
		if r == "" || Under(path, r) {
			return true
		}
	}
	return false
}

func TestImportRules(t *testing.T) {
	pkgs := list(t)
	for _, r := range rules {
		for _, p := range pkgs {
			if !under(p.Path, r.from) {
				continue
			}
			for _, imp := range p.Imports {
				if under(imp, r.deny) && !under(imp, r.allow) {
					t.Errorf("%s imports %s: %s", p.Path, imp, r.name)
				}
			}
		}
	}
}

// exampleOf returns the example an examples/ path belongs to
// ("examples/compute-miner" for "examples/compute-miner/cmd/compute-miner").
func exampleOf(path string) string {
	rest, ok := strings.CutPrefix(path, "examples/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return "examples/" + name
}

func TestExamplesAreLeaves(t *testing.T) {
	for _, p := range list(t) {
		for _, imp := range p.Imports {
			ex := exampleOf(imp)
			if ex == "" || exampleOf(p.Path) == ex {
				continue
			}
			t.Errorf("%s imports %s: examples are leaves that only their own commands import; move what is shared into a package", p.Path, imp)
		}
	}
}
