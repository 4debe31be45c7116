package devnet

import (
	"testing"

	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// TestRuntimeAPIsMatchV15Types decodes every runtime API answer with the
// output type the devnet's metadata v15 declares for it (substrate's
// decoder, which must consume every byte), after a second coldkey stakes
// on a miner.
func TestRuntimeAPIsMatchV15Types(t *testing.T) {
	n := startManual(t)
	bob, charlie := mustKey(t, "//Bob"), mustKey(t, "//Charlie")
	miner := mustKey(t, "//Bob//m")
	for _, ext := range []func() []byte{
		func() []byte { return sign(t, n, bob, "SubtensorModule", "burned_register", u16V(1), accV(miner)) },
		func() []byte {
			return sign(t, n, charlie, "SubtensorModule", "add_stake", accV(miner), u16V(1), substrate.U64(3*TAO))
		},
		func() []byte {
			return sign(t, n, bob, "SubtensorModule", "add_stake", accV(miner), u16V(1), substrate.U64(2*TAO))
		},
	} {
		if _, err := n.Submit(ext()); err != nil {
			t.Fatal(err)
		}
	}
	n.WaitBlocks(t.Context(), 12)
	md, err := substrate.DecodeMetadata(n.rt.metaV15)
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		api, method string
		in          []byte
	}{
		{"NeuronInfoRuntimeApi", "get_neurons_lite", scale.AppendU16(nil, 1)},
		{"NeuronInfoRuntimeApi", "get_neuron_lite", scale.AppendU16(scale.AppendU16(nil, 1), 0)},
		{"NeuronInfoRuntimeApi", "get_neuron_lite", scale.AppendU16(scale.AppendU16(nil, 1), 9)},
		{"SubnetInfoRuntimeApi", "get_metagraph", scale.AppendU16(nil, 1)},
		{"SubnetInfoRuntimeApi", "get_metagraph", scale.AppendU16(nil, 77)},
		{"AccountNonceApi", "account_nonce", func() []byte { p := bob.Public(); return p[:] }()},
		{"Core", "version", nil},
		{"TaggedTransactionQueue", "validate_transaction", append(append([]byte{2}, sign(t, n, bob, "System", "remark", substrate.Bytes(nil))...), make([]byte, 32)...)},
		{"TaggedTransactionQueue", "validate_transaction", append(append([]byte{2}, signNonce(t, n, bob, 0, "System", "remark", substrate.Bytes(nil))...), make([]byte, 32)...)},
		{"Metadata", "metadata_versions", nil},
		{"Metadata", "metadata_at_version", scale.AppendU32(nil, 15)},
	}
	var validity []string
	for _, c := range calls {
		m, err := md.LookupRuntimeAPI(c.api, c.method)
		if err != nil {
			t.Fatal(err)
		}
		out, err := n.runtimeCall(c.api+"_"+c.method, c.in, n.chain.head())
		if err != nil {
			t.Fatalf("%s_%s: %v", c.api, c.method, err)
		}
		v, err := md.Types.DecodeValue(m.Output, out)
		if err != nil {
			t.Fatalf("%s_%s: output does not match its v15 type: %v", c.api, c.method, err)
		}
		if c.method == "validate_transaction" {
			validity = append(validity, v.Str)
		}
		if c.method == "get_neurons_lite" {
			// HEAD get_neuron_lite: one entry, the owner coldkey with
			// TotalHotkeyAlpha, however many coldkeys stake.
			stake, _ := v.Fields[0].Value.Field("stake")
			if stake.Len() != 1 {
				t.Errorf("stake of the miner: %v, want one (owner coldkey, total alpha) entry", stake)
			}
		}
	}
	if len(validity) != 2 || validity[0] != "Ok" || validity[1] != "Err" {
		t.Errorf("validate_transaction: fresh nonce, stale nonce = %v, want [Ok Err]", validity)
	}
}
