package subtensor

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
	"github.com/minerkit/minerkit/substrate"
)

// realMetadata reads the finney or testnet metadata that @bitgo/sdk-coin-tao
// ships (real chain material, pinned by package-lock.json).
func realMetadata(t *testing.T, file string) *substrate.Metadata {
	t.Helper()
	path := filepath.Join(interoptest.Dir(t), "node_modules", "@bitgo", "sdk-coin-tao", "dist", "src", "resources", file)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (run make interop-deps)", path, err)
	}
	m := regexp.MustCompile(`metadata:\s*'0x([0-9a-fA-F]+)'`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s: no metadata", path)
	}
	raw, err := hex.DecodeString(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	md, err := substrate.DecodeMetadata(raw)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func TestDetectFeaturesRealMetadata(t *testing.T) {
	for _, tc := range []struct {
		file       string
		dynamicTAO bool
	}{
		{"mainnet.js", false}, // finney spec 219: before dynamic TAO
		{"testnet.js", true},  // testnet: dynamic TAO
	} {
		md := realMetadata(t, tc.file)
		f := detectFeatures(md, "node-subtensor", 219, 1, nil)
		if f.DynamicTAO != tc.dynamicTAO || f.AddStakeNetuid != tc.dynamicTAO {
			t.Errorf("%s: dynamic TAO %v, add_stake netuid %v; want %v", tc.file, f.DynamicTAO, f.AddStakeNetuid, tc.dynamicTAO)
		}
		if f.CommitmentMaxFields < 1 || f.TransferKeepAlive != "transfer_keep_alive" || f.TransferAllowDeath != "transfer_allow_death" {
			t.Errorf("%s: %+v", tc.file, f)
		}
		if f.RegisterLimit || f.CommitmentBigRaw {
			t.Errorf("%s: these old runtimes have neither register_limit nor BigRaw: %+v", tc.file, f)
		}
		// Runtime APIs come from the runtime version's list on v14.
		core := runtimeAPIID("Core")
		if f := detectFeatures(md, "", 0, 0, [][]byte{core[:]}); f.MetagraphAPI || f.NeuronsLiteAPI {
			t.Errorf("%s: runtime APIs found that the version does not list", tc.file)
		}
		si, ni := runtimeAPIID("SubnetInfoRuntimeApi"), runtimeAPIID("NeuronInfoRuntimeApi")
		if f := detectFeatures(md, "", 0, 0, [][]byte{si[:], ni[:]}); !f.MetagraphAPI || !f.NeuronsLiteAPI {
			t.Errorf("%s: listed runtime APIs not found", tc.file)
		}
	}
}

func TestRuntimeAPIID(t *testing.T) {
	// Substrate's well-known id of the Core API.
	if id := runtimeAPIID("Core"); hex.EncodeToString(id[:]) != "df6acb689907609b" {
		t.Fatalf("Core = %x", id)
	}
}
