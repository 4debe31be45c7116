package devnet

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/substrate"
)

// loadSpec218 reads the metadata (v15) of the real node-subtensor spec 218,
// as ../shared/realchain/start.sh serves it (state_call
// Metadata_metadata_at_version(15), 2026-12-04).
func loadSpec218(t testing.TB) *substrate.Metadata {
	t.Helper()
	f, err := os.Open("testdata/spec218-metadata.scale.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	md, err := substrate.DecodeMetadata(raw)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// compat reports how type o of registry ro fails to read and write the
// same bytes as type r of registry rr ("" when it does not): like shape,
// but an enum of ours only needs its own variants, at the same index with
// compatible fields, so a devnet that implements part of a runtime's calls
// or events is held against the whole.
func compat(ro *substrate.Registry, o substrate.TypeID, rr *substrate.Registry, r substrate.TypeID, depth int) string {
	if depth > 12 {
		return ""
	}
	ot, ok1 := ro.Type(o)
	rt, ok2 := rr.Type(r)
	if !ok1 || !ok2 {
		return "unknown type"
	}
	for ot.Kind == substrate.KindComposite && len(ot.Fields) == 1 {
		o = ot.Fields[0].Type
		ot, _ = ro.Type(o)
	}
	for rt.Kind == substrate.KindComposite && len(rt.Fields) == 1 {
		r = rt.Fields[0].Type
		rt, _ = rr.Type(r)
	}
	if ot.Kind != rt.Kind {
		return fmt.Sprintf("%s, real %s", ro.Shape(o), rr.Shape(r))
	}
	switch ot.Kind {
	case substrate.KindVariant:
		for _, v := range ot.Variants {
			w, ok := rt.VariantByName(v.Name)
			if !ok {
				return "variant " + v.Name + " missing"
			}
			if w.Index != v.Index {
				return fmt.Sprintf("variant %s index %d, real %d", v.Name, v.Index, w.Index)
			}
			if len(v.Fields) != len(w.Fields) {
				return fmt.Sprintf("variant %s has %d fields, real %d", v.Name, len(v.Fields), len(w.Fields))
			}
			for i := range v.Fields {
				if d := compat(ro, v.Fields[i].Type, rr, w.Fields[i].Type, depth+1); d != "" {
					return v.Name + ": " + d
				}
			}
		}
		return ""
	case substrate.KindComposite:
		if len(ot.Fields) != len(rt.Fields) {
			return fmt.Sprintf("%s, real %s", ro.Shape(o), rr.Shape(r))
		}
		for i := range ot.Fields {
			if ot.Fields[i].Name != rt.Fields[i].Name {
				return fmt.Sprintf("field %q, real %q", ot.Fields[i].Name, rt.Fields[i].Name)
			}
			if d := compat(ro, ot.Fields[i].Type, rr, rt.Fields[i].Type, depth+1); d != "" {
				return ot.Fields[i].Name + ": " + d
			}
		}
		return ""
	case substrate.KindTuple:
		if len(ot.Tuple) != len(rt.Tuple) {
			return fmt.Sprintf("%s, real %s", ro.Shape(o), rr.Shape(r))
		}
		for i := range ot.Tuple {
			if d := compat(ro, ot.Tuple[i], rr, rt.Tuple[i], depth+1); d != "" {
				return d
			}
		}
		return ""
	case substrate.KindSequence, substrate.KindCompact:
		return compat(ro, ot.Elem, rr, rt.Elem, depth+1)
	case substrate.KindArray:
		if ot.Len != rt.Len {
			return fmt.Sprintf("array of %d, real %d", ot.Len, rt.Len)
		}
		return compat(ro, ot.Elem, rr, rt.Elem, depth+1)
	}
	if a, b := ro.Shape(o), rr.Shape(r); a != b {
		return a + ", real " + b
	}
	return ""
}

// metadataDiff lists every way in which ours, the devnet's metadata,
// disagrees with real about what ours declares: pallet indices, calls,
// events and errors (by name: index and fields), storage (hashers, key and
// value types, modifier), constants, the extension list and the runtime
// APIs' methods. What the real runtime has beyond ours is not a difference.
func metadataDiff(ours, real *substrate.Metadata) []string {
	var out []string
	add := func(f string, a ...any) { out = append(out, fmt.Sprintf(f, a...)) }
	ro, rr := ours.Types, real.Types
	variants := func(what, pallet string, o, r *substrate.TypeID) {
		if o == nil {
			return
		}
		if r == nil {
			add("%s %s: the real runtime has none", what, pallet)
			return
		}
		ot, _ := ro.Type(*o)
		rt, _ := rr.Type(*r)
		for _, v := range ot.Variants {
			w, ok := rt.VariantByName(v.Name)
			switch {
			case !ok:
				add("%s %s.%s: not in the real runtime", what, pallet, v.Name)
				continue
			case w.Index != v.Index:
				add("%s %s.%s: index %d, real %d", what, pallet, v.Name, v.Index, w.Index)
			case len(w.Fields) != len(v.Fields):
				add("%s %s.%s: %d fields, real %d", what, pallet, v.Name, len(v.Fields), len(w.Fields))
				continue
			}
			for i := range v.Fields {
				if d := compat(ro, v.Fields[i].Type, rr, w.Fields[i].Type, 0); d != "" {
					add("%s %s.%s field %d: %s", what, pallet, v.Name, i, d)
				}
			}
		}
	}
	for _, p := range ours.Pallets {
		q, ok := real.Pallet(p.Name)
		if !ok {
			add("pallet %s: not in the real runtime", p.Name)
			continue
		}
		if p.Index != q.Index {
			add("pallet %s: index %d, real %d", p.Name, p.Index, q.Index)
		}
		variants("call", p.Name, p.Calls, q.Calls)
		variants("event", p.Name, p.Events, q.Events)
		variants("error", p.Name, p.Errors, q.Errors)
		if p.Storage != nil {
			for _, e := range p.Storage.Entries {
				f, ok := q.StorageEntry(e.Name)
				if !ok {
					add("storage %s.%s: not in the real runtime", p.Name, e.Name)
					continue
				}
				if fmt.Sprint(e.Hashers) != fmt.Sprint(f.Hashers) || e.Plain != f.Plain {
					add("storage %s.%s: hashers %v, real %v", p.Name, e.Name, e.Hashers, f.Hashers)
				} else if !e.Plain {
					if d := compat(ro, e.KeyType, rr, f.KeyType, 0); d != "" {
						add("storage %s.%s key: %s", p.Name, e.Name, d)
					}
				}
				if d := compat(ro, e.ValueType, rr, f.ValueType, 0); d != "" {
					add("storage %s.%s value: %s", p.Name, e.Name, d)
				}
				if e.Modifier != f.Modifier {
					add("storage %s.%s: modifier %v, real %v", p.Name, e.Name, e.Modifier, f.Modifier)
				}
			}
		}
		for _, c := range p.Constants {
			d, ok := q.Constant(c.Name)
			if !ok {
				add("constant %s.%s: not in the real runtime", p.Name, c.Name)
				continue
			}
			if diff := compat(ro, c.Type, rr, d.Type, 0); diff != "" {
				add("constant %s.%s: %s", p.Name, c.Name, diff)
			}
		}
	}
	oe, re := ours.Extrinsic.SignedExtensions, real.Extrinsic.SignedExtensions
	ids := func(es []substrate.SignedExtension) string {
		s := make([]string, len(es))
		for i, e := range es {
			s[i] = e.Identifier
		}
		return strings.Join(s, " ")
	}
	if ids(oe) != ids(re) {
		add("extensions: %s\n  real: %s", ids(oe), ids(re))
	} else {
		for i := range oe {
			if d := compat(ro, oe[i].Type, rr, re[i].Type, 0); d != "" {
				add("extension %s: %s", oe[i].Identifier, d)
			}
			if d := compat(ro, oe[i].AdditionalSigned, rr, re[i].AdditionalSigned, 0); d != "" {
				add("extension %s (signed only): %s", oe[i].Identifier, d)
			}
		}
	}
	for _, api := range ours.APIs {
		rapi, ok := real.RuntimeAPI(api.Name)
		if !ok {
			add("runtime API %s: not in the real runtime", api.Name)
			continue
		}
		for _, m := range api.Methods {
			n, ok := rapi.Method(m.Name)
			if !ok {
				add("runtime API %s_%s: not in the real runtime", api.Name, m.Name)
				continue
			}
			if len(m.Inputs) != len(n.Inputs) {
				add("runtime API %s_%s: %d inputs, real %d", api.Name, m.Name, len(m.Inputs), len(n.Inputs))
				continue
			}
			for i := range m.Inputs {
				if d := compat(ro, m.Inputs[i].Type, rr, n.Inputs[i].Type, 0); d != "" {
					add("runtime API %s_%s input %d: %s", api.Name, m.Name, i, d)
				}
			}
			if d := compat(ro, m.Output, rr, n.Output, 0); d != "" {
				add("runtime API %s_%s output: %s", api.Name, m.Name, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestSpec218MetadataHeldAgainstReal holds everything the devnet's
// spec-218 runtime declares (pallets, calls, events, errors, storage,
// constants, extensions, runtime APIs) against the real spec 218 metadata.
func TestSpec218MetadataHeldAgainstReal(t *testing.T) {
	real := loadSpec218(t)
	g := DevGenesis()
	g.Runtime = RuntimeSpec218
	rt, err := newRuntime(g, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := substrate.DecodeMetadata(rt.metaV15)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range metadataDiff(ours, real) {
		t.Error(d)
	}
}
