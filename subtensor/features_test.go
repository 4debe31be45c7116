package subtensor

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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

// Our commitment encoding decodes, with the real runtime's own type
// registry, into the same fields (Data's Raw0…Raw128 and hash variants).
func TestCommitmentEncodingMatchesRealRegistry(t *testing.T) {
	for _, file := range []string{"mainnet.js", "testnet.js"} {
		md := realMetadata(t, file)
		for _, d := range []Data{
			{Kind: DataRaw, Bytes: []byte("https://203.0.113.7:8091")},
			{Kind: DataRaw},
			{Kind: DataRaw, Bytes: make([]byte, 128)},
			{Kind: DataSha256, Bytes: make([]byte, 32)},
			{Kind: DataNone},
		} {
			c := &Commitment{Deposit: 7, Block: 99, Fields: []Data{d}}
			v, err := md.DecodeStorageValue("Commitments", "CommitmentOf", c.AppendSCALE(nil))
			if err != nil {
				t.Fatalf("%s %s: %v", file, d.Kind, err)
			}
			want := d.Kind.String()
			if d.Kind == DataRaw {
				want = "Raw" + strconv.Itoa(len(d.Bytes))
			}
			// A BoundedVec of one element prints as ((Variant…)).
			if !strings.Contains(v.String(), "(("+want) {
				t.Fatalf("%s: our %s does not decode as %s with the real registry: %s", file, d.Kind, want, v)
			}
			if blk, _ := v.Field("block"); blk.String() != "99" {
				t.Fatalf("%s: block %s", file, blk)
			}
		}
	}
}
