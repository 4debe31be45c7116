package substrate

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/minerkit/minerkit/internal/interoptest"
)

type pjsVariant struct {
	Name   string `json:"name"`
	Index  int    `json:"index"`
	Fields int    `json:"fields"`
}

type pjsMetadata struct {
	Version int `json:"version"`
	Types   int `json:"types"`
	Pallets []struct {
		Name    string       `json:"name"`
		Index   int          `json:"index"`
		Calls   []pjsVariant `json:"calls"`
		Events  []pjsVariant `json:"events"`
		Errors  []pjsVariant `json:"errors"`
		Storage []struct {
			Name     string   `json:"name"`
			Modifier string   `json:"modifier"`
			Hashers  []string `json:"hashers"`
			Key      *int     `json:"key"`
			Value    int      `json:"value"`
			Default  string   `json:"default"`
		} `json:"storage"`
		Constants []struct {
			Name  string `json:"name"`
			Type  int    `json:"type"`
			Value string `json:"value"`
		} `json:"constants"`
	} `json:"pallets"`
	SignedExtensions []struct {
		Identifier       string `json:"identifier"`
		Type             int    `json:"type"`
		AdditionalSigned int    `json:"additionalSigned"`
	} `json:"signedExtensions"`
	Keys []string `json:"keys"`
}

type pjsKeyReq struct {
	Pallet string `json:"pallet"`
	Item   string `json:"item"`
	Args   []any  `json:"args"`
}

func compareVariants(t *testing.T, what string, r *Registry, id *TypeID, want []pjsVariant) {
	t.Helper()
	if id == nil {
		if want != nil {
			t.Errorf("%s: we have none, polkadot-js has %d", what, len(want))
		}
		return
	}
	typ, _ := r.Type(*id)
	if len(typ.Variants) != len(want) {
		t.Errorf("%s: %d variants, polkadot-js %d", what, len(typ.Variants), len(want))
		return
	}
	for i, v := range typ.Variants {
		if w := want[i]; v.Name != w.Name || int(v.Index) != w.Index || len(v.Fields) != w.Fields {
			t.Errorf("%s variant %d: %s/%d/%d, polkadot-js %s/%d/%d", what, i, v.Name, v.Index, len(v.Fields), w.Name, w.Index, w.Fields)
		}
	}
}

// TestInteropMetadataNames checks our decoding of real finney and testnet
// metadata against polkadot-js: every pallet, call, event, error, storage
// entry (hashers, key and value types, default) and constant, and the
// signed-extension list.
func TestInteropMetadataNames(t *testing.T) {
	for _, file := range []string{"mainnet.js", "testnet.js", "mainnet.js as v15", "builder v14", "builder v15"} {
		t.Run(file, func(t *testing.T) {
			var m *Metadata
			var pjs pjsMetadata
			if file == "builder v14" || file == "builder v15" {
				// What MetadataBuilder makes (the devnet's metadata).
				m = testRuntime(t, map[string]uint8{"builder v14": 14, "builder v15": 15}[file])
				enc, err := EncodeMetadata(m)
				if err != nil {
					t.Fatal(err)
				}
				interoptest.RunJSON(t, "metadata.js", map[string]any{"metadata": "0x" + hex.EncodeToString(enc)}, &pjs)
			} else if file == "mainnet.js as v15" {
				// Our v15 encoder, judged by polkadot-js's v15 decoder.
				m = asV15(t, loadMeta(t, "mainnet.js"))
				enc, err := EncodeMetadata(m)
				if err != nil {
					t.Fatal(err)
				}
				interoptest.RunJSON(t, "metadata.js", map[string]any{"metadata": "0x" + hex.EncodeToString(enc)}, &pjs)
			} else {
				m = loadMeta(t, file)
				interoptest.RunJSON(t, "metadata.js", map[string]any{"file": file}, &pjs)
			}
			if pjs.Version != int(m.Version) || pjs.Types != m.Types.Len() || len(pjs.Pallets) != len(m.Pallets) {
				t.Fatalf("version/types/pallets: ours %d/%d/%d, polkadot-js %d/%d/%d", m.Version, m.Types.Len(), len(m.Pallets), pjs.Version, pjs.Types, len(pjs.Pallets))
			}
			for i, p := range m.Pallets {
				w := pjs.Pallets[i]
				if p.Name != w.Name || int(p.Index) != w.Index {
					t.Errorf("pallet %d: %s/%d, polkadot-js %s/%d", i, p.Name, p.Index, w.Name, w.Index)
					continue
				}
				compareVariants(t, p.Name+" calls", m.Types, p.Calls, w.Calls)
				compareVariants(t, p.Name+" events", m.Types, p.Events, w.Events)
				compareVariants(t, p.Name+" errors", m.Types, p.Errors, w.Errors)
				var entries []*StorageEntry
				if p.Storage != nil {
					entries = p.Storage.Entries
				}
				if len(entries) != len(w.Storage) {
					t.Errorf("%s storage: %d entries, polkadot-js %d", p.Name, len(entries), len(w.Storage))
					continue
				}
				for j, e := range entries {
					ws := w.Storage[j]
					hs := fmt.Sprint(e.Hashers)
					if len(e.Hashers) == 0 {
						hs = "[]"
					}
					mod := map[StorageModifier]string{ModifierOptional: "Optional", ModifierDefault: "Default"}[e.Modifier]
					key := -1
					if ws.Key != nil {
						key = *ws.Key
					}
					ourKey := -1
					if !e.Plain {
						ourKey = int(e.KeyType)
					}
					if e.Name != ws.Name || mod != ws.Modifier || hs != fmt.Sprint(ws.Hashers) || ourKey != key ||
						int(e.ValueType) != ws.Value || "0x"+hex.EncodeToString(e.Default) != ws.Default {
						t.Errorf("%s.%s: ours %s %s %s key %d value %d default %x; polkadot-js %+v", p.Name, e.Name, e.Name, mod, hs, ourKey, e.ValueType, e.Default, ws)
					}
				}
				if len(p.Constants) != len(w.Constants) {
					t.Errorf("%s constants: %d, polkadot-js %d", p.Name, len(p.Constants), len(w.Constants))
					continue
				}
				for j, c := range p.Constants {
					wc := w.Constants[j]
					if c.Name != wc.Name || int(c.Type) != wc.Type || "0x"+hex.EncodeToString(c.Value) != wc.Value {
						t.Errorf("%s constant %s differs from polkadot-js %+v", p.Name, c.Name, wc)
					}
				}
			}
			if len(pjs.SignedExtensions) != len(m.Extrinsic.SignedExtensions) {
				t.Fatalf("signed extensions: %d, polkadot-js %d", len(m.Extrinsic.SignedExtensions), len(pjs.SignedExtensions))
			}
			for i, e := range m.Extrinsic.SignedExtensions {
				w := pjs.SignedExtensions[i]
				if e.Identifier != w.Identifier || int(e.Type) != w.Type || int(e.AdditionalSigned) != w.AdditionalSigned {
					t.Errorf("extension %d: %+v, polkadot-js %+v", i, e, w)
				}
			}
		})
	}
}

// TestInteropStorageKeys checks storage keys for random keys of the maps
// miners read against polkadot-js's decorated storage functions.
func TestInteropStorageKeys(t *testing.T) {
	items := [][2]string{
		{"SubtensorModule", "Uids"}, {"SubtensorModule", "Keys"}, {"SubtensorModule", "Axons"},
		{"SubtensorModule", "TotalHotkeyStake"}, {"SubtensorModule", "Burn"}, {"SubtensorModule", "SubnetworkN"},
		{"Commitments", "CommitmentOf"}, {"System", "Account"}, {"System", "Events"},
	}
	for _, file := range []string{"mainnet.js", "testnet.js"} {
		t.Run(file, func(t *testing.T) {
			m := loadMeta(t, file)
			rng := rand.New(rand.NewPCG(1, uint64(len(file))))
			var reqs []pjsKeyReq
			var want [][]byte
			found := map[string]bool{}
			for _, it := range items {
				_, e, err := m.LookupStorage(it[0], it[1])
				if err != nil {
					t.Logf("%s: %v", file, err)
					continue
				}
				found[it[0]+"."+it[1]] = true
				types, err := m.KeyTypes(e)
				if err != nil {
					t.Fatal(err)
				}
				for range 20 {
					var args []Value
					var js []any
					for _, ty := range types {
						v := randValue(m.Types, ty, rng, 0)
						args = append(args, v)
						js = append(js, pjsJSON(m.Types, ty, v))
					}
					k, err := m.StorageKey(it[0], it[1], args...)
					if err != nil {
						t.Fatalf("%s.%s: %v", it[0], it[1], err)
					}
					back, err := m.DecodeStorageKey(it[0], it[1], k)
					if err != nil || len(back) != len(args) {
						t.Fatalf("%s.%s: decode key: %v", it[0], it[1], err)
					}
					reqs = append(reqs, pjsKeyReq{Pallet: it[0], Item: it[1], Args: js})
					want = append(want, k)
				}
			}
			for _, must := range []string{"SubtensorModule.Uids", "SubtensorModule.Keys", "SubtensorModule.Axons", "Commitments.CommitmentOf", "System.Account"} {
				if !found[must] {
					t.Errorf("%s: storage %s missing", file, must)
				}
			}
			var pjs pjsMetadata
			interoptest.RunJSON(t, "metadata.js", map[string]any{"file": file, "keys": reqs}, &pjs)
			if len(pjs.Keys) != len(want) {
				t.Fatalf("polkadot-js returned %d keys, want %d", len(pjs.Keys), len(want))
			}
			for i, k := range want {
				if got := "0x" + hex.EncodeToString(k); got != pjs.Keys[i] {
					t.Errorf("%s.%s(%v): ours %s, polkadot-js %s", reqs[i].Pallet, reqs[i].Item, reqs[i].Args, got, pjs.Keys[i])
				}
			}
			t.Logf("%s: %d storage keys equal polkadot-js's", file, len(want))
		})
	}
}

// asV15 returns m as v15 metadata: outer enums found by path, one runtime
// API, no custom values.
func asV15(t *testing.T, m *Metadata) *Metadata {
	t.Helper()
	cp := *m
	cp.Version = 15
	for i, ty := range m.Types.Types {
		if len(ty.Path) == 2 && ty.Kind == KindVariant {
			switch ty.Path[1] {
			case "RuntimeEvent":
				cp.OuterEnums.EventType = TypeID(i)
			case "RuntimeError":
				cp.OuterEnums.ErrorType = TypeID(i)
			}
		}
	}
	u16, _ := findPrimitive(m.Types, PrimU16)
	bytesT, ok := findSequenceOfU8(m.Types)
	if !ok {
		t.Fatal("no Vec<u8> type")
	}
	cp.APIs = []*RuntimeAPI{{Name: "NeuronInfoRuntimeApi", Docs: []string{"neurons"}, Methods: []*RuntimeAPIMethod{
		{Name: "get_neurons_lite", Inputs: []RuntimeAPIParam{{Name: "netuid", Type: u16}}, Output: bytesT},
	}}}
	if err := cp.Index(); err != nil {
		t.Fatal(err)
	}
	got, err := func() (*Metadata, error) {
		enc, err := EncodeMetadata(&cp)
		if err != nil {
			return nil, err
		}
		return DecodeMetadata(enc)
	}()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.LookupRuntimeAPI("NeuronInfoRuntimeApi", "get_neurons_lite"); err != nil {
		t.Fatal(err)
	}
	return &cp
}

func findSequenceOfU8(r *Registry) (TypeID, bool) {
	for i, t := range r.Types {
		if t.Kind == KindSequence && r.isU8(t.Elem) {
			return TypeID(i), true
		}
	}
	return 0, false
}
