package devnet

import (
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
)

// TestMechanisms: a subnet with two mechanisms (HEAD subnets/mechanism.rs)
// runs one epoch per mechanism on its own weights, keeps each mechanism's
// incentive under its index, and splits the emission as set.
func TestMechanisms(t *testing.T) {
	n := startManualDirectWeights(t)
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	vali, minerA, minerB := mustKey(t, "//Alice//v"), mustKey(t, "//Bob//a"), mustKey(t, "//Bob//b")
	for _, c := range []struct {
		kp   *keys.Keypair
		hot  *keys.Keypair
		want string
	}{{alice, vali, ""}, {bob, minerA, ""}, {bob, minerB, ""}} {
		if got := exec1(t, n, c.kp, "SubtensorModule", "burned_register", u16V(1), accV(c.hot)); got != c.want {
			t.Fatal(got)
		}
	}
	if got := exec1(t, n, alice, "SubtensorModule", "add_stake", accV(vali), u16V(1), substrate.U64(1000*TAO)); got != "" {
		t.Fatal(got)
	}
	none := substrate.Enum("None")
	split := func(parts ...uint16) substrate.Value {
		vs := make([]substrate.Value, len(parts))
		for i, p := range parts {
			vs[i] = u16V(p)
		}
		return substrate.Enum("Some", substrate.Tuple(vs...))
	}
	for _, c := range []struct {
		name string
		kp   *keys.Keypair
		call string
		args []substrate.Value
		want string
	}{
		{"256 UIDs × 2 is over the chain's 256", alice, "sudo_set_mechanism_count", []substrate.Value{u16V(1), substrate.U64(2)}, "TooManyUIDsPerMechanism"},
		{"max uids 128", alice, "sudo_set_max_allowed_uids", nil, ""},
		{"three is over MaxMechanismCount", alice, "sudo_set_mechanism_count", []substrate.Value{u16V(1), substrate.U64(3)}, "InvalidValue"},
		{"not the owner", bob, "sudo_set_mechanism_count", []substrate.Value{u16V(1), substrate.U64(2)}, "BadOrigin"},
		{"two", alice, "sudo_set_mechanism_count", []substrate.Value{u16V(1), substrate.U64(2)}, ""},
		{"split not adding up", alice, "sudo_set_mechanism_emission_split", []substrate.Value{u16V(1), split(100, 100)}, "InvalidValue"},
		{"split for three", alice, "sudo_set_mechanism_emission_split", []substrate.Value{u16V(1), split(21845, 21845, 21845)}, "InvalidValue"},
		{"reset split", alice, "sudo_set_mechanism_emission_split", []substrate.Value{u16V(1), none}, ""},
		{"split 3:1", alice, "sudo_set_mechanism_emission_split", []substrate.Value{u16V(1), split(49151, 16384)}, ""},
	} {
		var got string
		if c.args == nil {
			got = exec1(t, n, alice, "Sudo", "sudo", adminCall("sudo_set_max_allowed_uids", u16V(1), u16V(128)))
		} else {
			got = exec1(t, n, c.kp, "AdminUtils", c.call, c.args...)
		}
		if got != c.want {
			t.Fatalf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	x := &exec{rt: n.rt, s: headState(n)}
	if x.mechanismCount(1) != 2 {
		t.Fatalf("mechanism count %d", x.mechanismCount(1))
	}
	if got := x.splitEmission(1, 1000); got[0] != 750 || got[1] != 250 {
		t.Fatalf("split of 1000: %v", got)
	}
	// A permit at the next epoch; then weights on each mechanism.
	for range 12 {
		n.NewBlock()
	}
	mech := func(m uint64, dest uint16) []substrate.Value {
		return []substrate.Value{u16V(1), substrate.U64(m), substrate.Tuple(u16V(dest)), substrate.Tuple(u16V(65535)), substrate.U64(0)}
	}
	if got := exec1(t, n, vali, "SubtensorModule", "set_mechanism_weights", mech(2, 1)...); got != "MechanismDoesNotExist" {
		t.Fatalf("mechanism 2: %q", got)
	}
	if got := exec1(t, n, vali, "SubtensorModule", "set_mechanism_weights", mech(0, 1)...); got != "" {
		t.Fatalf("mechanism 0: %q", got)
	}
	if got := exec1(t, n, vali, "SubtensorModule", "set_mechanism_weights", mech(1, 2)...); got != "" {
		t.Fatalf("mechanism 1: %q", got)
	}
	for range 12 {
		n.NewBlock()
	}
	st := headState(n)
	inc0, inc1 := st.vecU16(keyNet("Incentive", 1)), st.vecU16(keyNet("Incentive", mechIndex(1, 1)))
	if len(inc0) != 3 || len(inc1) != 3 || inc0[1] != 65535 || inc0[2] != 0 || inc1[2] != 65535 || inc1[1] != 0 {
		t.Fatalf("incentive: mechanism 0 %v, mechanism 1 %v", inc0, inc1)
	}
	em := st.vecU64(keyNet("Emission", 1))
	if em[1] == 0 || em[2] == 0 || em[1] < 2*em[2] || em[1] > 4*em[2] {
		t.Fatalf("emission %v: miner A (¾ of the miners' share) should earn about 3× miner B", em)
	}
	// The mechagraph of mechanism 1 carries its own incentive.
	out, err := n.runtimeCall("SubnetInfoRuntimeApi_get_mechagraph", []byte{1, 0, 1}, n.chain.head())
	if err != nil || len(out) < 2 || out[0] != 1 {
		t.Fatalf("get_mechagraph: %x %v", out, err)
	}
	if out, err := n.runtimeCall("SubnetInfoRuntimeApi_get_mechagraph", []byte{1, 0, 2}, n.chain.head()); err != nil || len(out) != 1 || out[0] != 0 {
		t.Fatalf("get_mechagraph of a missing mechanism: %x %v", out, err)
	}
	// Back to one: mechanism 1's state goes.
	if got := exec1(t, n, alice, "AdminUtils", "sudo_set_mechanism_count", u16V(1), substrate.U64(1)); got != "" {
		t.Fatal(got)
	}
	if st := headState(n); st.vecU16(keyNet("Incentive", mechIndex(1, 1))) != nil || len(st.pairs(keyNetUID("Weights", mechIndex(1, 1), 0))) != 0 {
		t.Fatal("mechanism 1's incentive or weights kept")
	}
}
