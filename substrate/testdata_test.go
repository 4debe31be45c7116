package substrate

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
)

// realMaterial is the chain material @bitgo/sdk-coin-tao ships: real finney
// (mainnet.js) and testnet (testnet.js) metadata with their genesis hashes
// and versions.
type realMaterial struct {
	Name        string
	Metadata    []byte
	GenesisHash string
	SpecVersion string
	TxVersion   string
}

var (
	materialOnce sync.Map // file name -> *realMaterial
	metaRe       = regexp.MustCompile(`metadata:\s*'0x([0-9a-fA-F]+)'`)
	genesisRe    = regexp.MustCompile(`genesisHash:\s*'(0x[0-9a-fA-F]+)'`)
	specRe       = regexp.MustCompile(`specVersion:\s*'?(\d+)'?`)
	txRe         = regexp.MustCompile(`txVersion:\s*'?(\d+)'?`)
)

func loadMaterial(t testing.TB, file string) *realMaterial {
	t.Helper()
	if m, ok := materialOnce.Load(file); ok {
		return m.(*realMaterial)
	}
	path := filepath.Join(interoptest.Dir(t), "node_modules", "@bitgo", "sdk-coin-tao", "dist", "src", "resources", file)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (run make interop-deps)", path, err)
	}
	mm := metaRe.FindSubmatch(src)
	if mm == nil {
		t.Fatalf("%s: no metadata hex found", path)
	}
	raw, err := hex.DecodeString(string(mm[1]))
	if err != nil {
		t.Fatalf("%s: metadata hex: %v", path, err)
	}
	m := &realMaterial{Name: file, Metadata: raw}
	if g := genesisRe.FindSubmatch(src); g != nil {
		m.GenesisHash = string(g[1])
	}
	if s := specRe.FindSubmatch(src); s != nil {
		m.SpecVersion = string(s[1])
	}
	if s := txRe.FindSubmatch(src); s != nil {
		m.TxVersion = string(s[1])
	}
	materialOnce.Store(file, m)
	return m
}

func loadMeta(t testing.TB, file string) *Metadata {
	t.Helper()
	m, err := DecodeMetadata(loadMaterial(t, file).Metadata)
	if err != nil {
		t.Fatalf("DecodeMetadata(%s): %v", file, err)
	}
	return m
}
