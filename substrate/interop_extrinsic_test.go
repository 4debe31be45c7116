package substrate

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
)

type pjsCase struct {
	Pallet string `json:"pallet"`
	Call   string `json:"call"`
	Args   []any  `json:"args"`
	Nonce  uint64 `json:"nonce"`
	Tip    string `json:"tip"`
	Era    *struct {
		Current uint64 `json:"current"`
		Period  uint64 `json:"period"`
	} `json:"era"`
	BlockHash string `json:"blockHash"`
	Signed    string `json:"signed"`
}

type pjsCaseResult struct {
	Call     string `json:"call"`
	Payload  string `json:"payload"`
	Era      string `json:"era"`
	Verified bool   `json:"verified"`
	Decoded  struct {
		Signer  string `json:"signer"`
		Nonce   uint64 `json:"nonce"`
		Tip     string `json:"tip"`
		Era     string `json:"era"`
		Method  string `json:"method"`
		Section string `json:"section"`
		Name    string `json:"name"`
	} `json:"decoded"`
	PjsSigned string `json:"pjsSigned"`
}

// currentFinneyExtensions is finney's transaction extension list today.
var currentFinneyExtensions = []string{"CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis",
	"CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment", "SudoTransactionExtension",
	"CheckShieldedTxValidity", "SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash"}

// withCurrentFinneyExtensions returns a copy of m whose extension list is
// finney's current one; the extensions the old runtime lacks get the
// zero-sized types of CheckNonZeroSender, as they have on chain.
func withCurrentFinneyExtensions(t *testing.T, m *Metadata) *Metadata {
	t.Helper()
	byName := map[string]SignedExtension{}
	for _, e := range m.Extrinsic.SignedExtensions {
		byName[e.Identifier] = e
	}
	empty := byName["CheckNonZeroSender"]
	var exts []SignedExtension
	for _, name := range currentFinneyExtensions {
		e, ok := byName[name]
		if !ok {
			e = SignedExtension{Identifier: name, Type: empty.Type, AdditionalSigned: empty.AdditionalSigned}
		}
		exts = append(exts, e)
	}
	cp := *m
	cp.Extrinsic.SignedExtensions = exts
	if err := cp.Index(); err != nil {
		t.Fatal(err)
	}
	return &cp
}

// TestInteropExtrinsics builds 50 random argument sets for each call miners
// use and checks, against @polkadot/types: the call bytes, the signing
// payload (fixed nonce, era, genesis, birth hash, tip), that polkadot-js
// decodes our signed extrinsic and verifies its signature, and that we
// decode and verify polkadot-js's own signed extrinsic, whose bytes equal
// ours but for the (randomized) signature.
func TestInteropExtrinsics(t *testing.T) {
	calls := [][2]string{
		{"SubtensorModule", "burned_register"}, {"SubtensorModule", "serve_axon"}, {"SubtensorModule", "set_weights"},
		{"SubtensorModule", "add_stake"}, {"Commitments", "set_commitment"},
	}
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, file string }{
		{"finney", "mainnet.js"}, {"testnet", "testnet.js"}, {"finney-current-extensions", "mainnet.js"},
		{"builder", "mainnet.js"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mat := loadMaterial(t, tc.file)
			m := loadMeta(t, tc.file)
			input := map[string]any{"file": tc.file}
			switch tc.name {
			case "builder":
				// Metadata built by MetadataBuilder, as the devnet serves it.
				m = testRuntime(t, 14)
				enc, err := EncodeMetadata(m)
				if err != nil {
					t.Fatal(err)
				}
				input = map[string]any{"metadata": "0x" + hex.EncodeToString(enc)}
			case "finney-current-extensions":
				m = withCurrentFinneyExtensions(t, m)
				enc, err := EncodeMetadata(m)
				if err != nil {
					t.Fatal(err)
				}
				input = map[string]any{"metadata": "0x" + hex.EncodeToString(enc)}
			}
			var genesis [32]byte
			gb, _ := hex.DecodeString(mat.GenesisHash[2:])
			copy(genesis[:], gb)
			spec, tx := uint32(atoi(t, mat.SpecVersion)), uint32(atoi(t, mat.TxVersion))
			input["specVersion"], input["txVersion"], input["genesisHash"] = spec, tx, mat.GenesisHash

			rng := rand.New(rand.NewPCG(7, uint64(len(tc.name))))
			var cases []pjsCase
			var opts []*SignOptions
			var ours [][]byte
			var callBytes [][]byte
			dataVariant := 0
			for _, pc := range calls {
				_, v, err := m.LookupCall(pc[0], pc[1])
				if err != nil && tc.name == "builder" {
					continue // the test runtime has a subset of the calls
				}
				if err != nil {
					t.Fatal(err)
				}
				for range 50 {
					args := make([]Value, len(v.Fields))
					js := make([]any, len(v.Fields))
					for i, f := range v.Fields {
						args[i] = randValue(m.Types, f.Type, rng, 0)
						if pc[1] == "set_commitment" && f.Name == "info" {
							args[i] = commitmentCoveringVariants(t, m, f.Type, rng, &dataVariant)
						}
						js[i] = pjsJSON(m.Types, f.Type, args[i])
					}
					call, err := m.NewCall(pc[0], pc[1], args...)
					if err != nil {
						t.Fatalf("%s.%s: %v", pc[0], pc[1], err)
					}
					o := &SignOptions{SpecVersion: spec, TxVersion: tx, GenesisHash: genesis, Nonce: rng.Uint64N(1 << 32)}
					if rng.IntN(3) == 0 {
						o.Tip = scale.U128From64(rng.Uint64())
					}
					c := pjsCase{Pallet: pc[0], Call: pc[1], Args: js, Nonce: o.Nonce, Tip: o.Tip.String()}
					if rng.IntN(5) != 0 {
						cur, per := rng.Uint64N(10_000_000), uint64(4)<<rng.IntN(14)
						o.Era = MortalEra(cur, per)
						for i := range o.BirthHash {
							o.BirthHash[i] = byte(rng.UintN(256))
						}
						c.Era = &struct {
							Current uint64 `json:"current"`
							Period  uint64 `json:"period"`
						}{cur, per}
						c.BlockHash = "0x" + hex.EncodeToString(o.BirthHash[:])
					}
					xt, err := m.SignExtrinsic(call.Bytes(), alice, o)
					if err != nil {
						t.Fatal(err)
					}
					c.Signed = "0x" + hex.EncodeToString(xt)
					cases = append(cases, c)
					opts = append(opts, o)
					ours = append(ours, xt)
					callBytes = append(callBytes, call.Bytes())
				}
			}
			input["cases"] = cases
			var out struct {
				Cases []pjsCaseResult `json:"cases"`
			}
			interoptest.RunJSON(t, "extrinsic.js", input, &out)
			if len(out.Cases) != len(cases) {
				t.Fatalf("polkadot-js returned %d results for %d cases", len(out.Cases), len(cases))
			}
			for i, res := range out.Cases {
				c, o := cases[i], opts[i]
				name := c.Pallet + "." + c.Call
				if got := "0x" + hex.EncodeToString(callBytes[i]); got != res.Call {
					t.Errorf("case %d %s: call\n ours %s\n pjs  %s\n args %v", i, name, got, res.Call, c.Args)
					continue
				}
				payload, err := m.SigningPayload(callBytes[i], o)
				if err != nil {
					t.Fatal(err)
				}
				if got := "0x" + hex.EncodeToString(payload); got != res.Payload {
					t.Errorf("case %d %s: payload\n ours %s\n pjs  %s", i, name, got, res.Payload)
				}
				if got := "0x" + hex.EncodeToString(o.Era.AppendSCALE(nil)); got != res.Era {
					t.Errorf("case %d: era ours %s, polkadot-js %s (%+v)", i, got, res.Era, c.Era)
				}
				if !res.Verified {
					t.Errorf("case %d %s: polkadot-js does not verify our signed extrinsic %s", i, name, c.Signed)
				}
				if res.Decoded.Signer != alice.Address() || res.Decoded.Nonce != o.Nonce || res.Decoded.Tip != o.Tip.String() ||
					res.Decoded.Method != res.Call {
					t.Errorf("case %d %s: polkadot-js decoded %+v", i, name, res.Decoded)
				}
				// polkadot-js's own signed extrinsic: we decode and verify it,
				// and it equals ours but for the signature.
				theirs, err := hex.DecodeString(res.PjsSigned[2:])
				if err != nil {
					t.Fatal(err)
				}
				x, err := m.DecodeExtrinsic(theirs)
				if err != nil {
					t.Errorf("case %d %s: decode polkadot-js extrinsic: %v", i, name, err)
					continue
				}
				if err := m.VerifyExtrinsic(x, o); err != nil {
					t.Errorf("case %d %s: %v", i, name, err)
				}
				if !bytes.Equal(maskSignature(theirs), maskSignature(ours[i])) {
					t.Errorf("case %d %s: extrinsic bytes differ beyond the signature\n ours %x\n pjs  %x", i, name, ours[i], theirs)
				}
			}
			t.Logf("%s: %d extrinsics agree with polkadot-js", tc.name, len(cases))
		})
	}
}

// maskSignature zeroes the sr25519 signature of a signed extrinsic
// (compact length, 0x84, 0x00 || account, 0x01 || signature).
func maskSignature(xt []byte) []byte {
	d := scale.NewDecoder(xt)
	if _, err := d.Compact(); err != nil {
		return xt
	}
	off := d.Offset() + 1 + 33 + 1
	out := append([]byte(nil), xt...)
	if off+64 <= len(out) {
		clear(out[off : off+64])
	}
	return out
}

// commitmentCoveringVariants returns a random CommitmentInfo whose fields
// walk through every Data variant across calls.
func commitmentCoveringVariants(t *testing.T, m *Metadata, info TypeID, rng *rand.Rand, next *int) Value {
	t.Helper()
	it, _ := m.Types.Type(info)
	if it.Kind != KindComposite || len(it.Fields) != 1 {
		t.Fatalf("CommitmentInfo is %s", m.Types.Name(info))
	}
	seq, _ := m.Types.Type(it.Fields[0].Type) // BoundedVec<Data>
	layers := 0
	for seq.Kind == KindComposite && len(seq.Fields) == 1 {
		seq, _ = m.Types.Type(seq.Fields[0].Type)
		layers++
	}
	data, _ := m.Types.Type(seq.Elem)
	if data.Kind != KindVariant {
		t.Fatalf("Data is %s", data.Kind)
	}
	var fields []Value
	for range 3 {
		vt := data.Variants[*next%len(data.Variants)]
		*next++
		fs := make([]NamedValue, len(vt.Fields))
		for i, f := range vt.Fields {
			fs[i] = NamedValue{Name: f.Name, Value: randValue(m.Types, f.Type, rng, 0)}
		}
		fields = append(fields, Value{Kind: ValVariant, Str: vt.Name, Fields: fs})
	}
	list := Tuple(fields...)
	for range layers {
		list = Tuple(list)
	}
	return Composite(Named(it.Fields[0].Name, list))
}

func atoi(t *testing.T, s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}
