package devnet

import (
	"errors"
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// exec1 submits one call, builds a block and returns the error name of
// its outcome ("" for success, "pool: <data>" for a pool rejection).
func exec1(t *testing.T, n *Node, kp *keys.Keypair, pallet, call string, args ...substrate.Value) string {
	t.Helper()
	if _, err := n.Submit(sign(t, n, kp, pallet, call, args...)); err != nil {
		var te *TxError
		if errors.As(err, &te) {
			return "pool: " + te.Data
		}
		t.Fatal(err)
	}
	n.NewBlock()
	res, err := n.rt.meta.FindExtrinsicResult(headEvents(t, n), 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		if res.Err.Name != "" {
			return res.Err.Name
		}
		return res.Err.Error()
	}
	for _, e := range res.Events {
		if e.Pallet == "Sudo" && e.Name == "Sudid" {
			if v, ok := e.Field("sudo_result"); ok && v.Str == "Err" {
				return "sudo: " + n.rt.meta.DecodeDispatchError(v.Fields[0].Value).Name
			}
		}
	}
	return ""
}

func serveArgs(netuid uint16, ip uint64, port uint16, ipType uint64) []substrate.Value {
	return []substrate.Value{u16V(netuid), substrate.U64(1), substrate.U128(scale.Uint128{Lo: ip}), u16V(port), substrate.U64(ipType), substrate.U64(4), substrate.U64(0), substrate.U64(0)}
}

func weightsArgs(netuid uint16, dests, weights []uint16, version uint64) []substrate.Value {
	d := make([]substrate.Value, len(dests))
	w := make([]substrate.Value, len(weights))
	for i := range dests {
		d[i] = u16V(dests[i])
	}
	for i := range weights {
		w[i] = u16V(weights[i])
	}
	return []substrate.Value{u16V(netuid), substrate.Tuple(d...), substrate.Tuple(w...), substrate.U64(version)}
}

func adminCall(name string, args ...substrate.Value) substrate.Value {
	return substrate.Enum("AdminUtils", substrate.Enum(name, args...))
}

// TestRuntimeRules runs each call rule against a fresh chain with a miner
// (//Bob//m, uid 0) and a staked validator (//Alice//v, uid 1).
func TestRuntimeRules(t *testing.T) {
	alice, bob, dave := mustKey(t, "//Alice"), mustKey(t, "//Bob"), mustKey(t, "//Dave")
	miner, val := mustKey(t, "//Bob//m"), mustKey(t, "//Alice//v")
	setup := func(t *testing.T) *Node {
		n := startManualDirectWeights(t)
		for _, s := range []struct {
			kp   *keys.Keypair
			call string
			args []substrate.Value
		}{
			{bob, "burned_register", []substrate.Value{u16V(1), accV(miner)}},
			{alice, "burned_register", []substrate.Value{u16V(1), accV(val)}},
			{alice, "add_stake", []substrate.Value{accV(val), u16V(1), substrate.U64(100 * TAO)}},
		} {
			if got := exec1(t, n, s.kp, "SubtensorModule", s.call, s.args...); got != "" {
				t.Fatalf("setup %s: %s", s.call, got)
			}
		}
		n.WaitBlocks(t.Context(), 12) // an epoch: the validator gets its permit
		return n
	}
	cases := []struct {
		name   string
		kp     *keys.Keypair
		pallet string
		call   string
		args   []substrate.Value
		want   string
	}{
		{"register on root", bob, "SubtensorModule", "burned_register", []substrate.Value{u16V(0), accV(mustKey(t, "//x"))}, "RegistrationNotPermittedOnRootSubnet"},
		{"register on missing subnet", bob, "SubtensorModule", "burned_register", []substrate.Value{u16V(9), accV(mustKey(t, "//x"))}, "SubnetNotExists"},
		{"register another's hotkey", dave, "SubtensorModule", "burned_register", []substrate.Value{u16V(1), accV(val)}, "HotKeyAlreadyRegisteredInSubNet"},
		{"serve axon", miner, "SubtensorModule", "serve_axon", serveArgs(1, 0x0a000001, 8091, 4), ""},
		{"serve prometheus", miner, "SubtensorModule", "serve_prometheus", []substrate.Value{u16V(1), substrate.U64(1), substrate.U128(scale.Uint128{Lo: 0x0a000001}), u16V(9100), substrate.U64(4)}, ""},
		{"serve prometheus loopback", miner, "SubtensorModule", "serve_prometheus", []substrate.Value{u16V(1), substrate.U64(1), substrate.U128(scale.Uint128{Lo: 0x7f000001}), u16V(9100), substrate.U64(4)}, "InvalidIpAddress"},
		{"serve ipv6", miner, "SubtensorModule", "serve_axon", serveArgs(1, 0x20010db8, 8091, 6), ""},
		{"serve port 0", miner, "SubtensorModule", "serve_axon", serveArgs(1, 0x0a000001, 0, 4), "pool: Custom error: 13"},
		{"serve ip 0", miner, "SubtensorModule", "serve_axon", serveArgs(1, 0, 80, 4), "pool: Custom error: 11"},
		{"serve bad ip type", miner, "SubtensorModule", "serve_axon", serveArgs(1, 0x0a000001, 80, 5), "pool: Custom error: 11"},
		{"serve unregistered", dave, "SubtensorModule", "serve_axon", serveArgs(1, 0x0a000001, 80, 4), "pool: Custom error: 10"},
		{"weights", val, "SubtensorModule", "set_weights", weightsArgs(1, []uint16{0}, []uint16{100}, 0), ""},
		{"weights self only without permit", miner, "SubtensorModule", "set_weights", weightsArgs(1, []uint16{0}, []uint16{1}, 0), ""},
		{"weights without permit", miner, "SubtensorModule", "set_weights", weightsArgs(1, []uint16{1}, []uint16{1}, 0), "NeuronNoValidatorPermit"},
		{"weights length mismatch", val, "SubtensorModule", "set_weights", weightsArgs(1, []uint16{0, 1}, []uint16{1}, 0), "WeightVecNotEqualSize"},
		{"weights duplicate", val, "SubtensorModule", "set_weights", weightsArgs(1, []uint16{0, 0}, []uint16{1, 1}, 0), "DuplicateUids"},
		{"weights bad uid", val, "SubtensorModule", "set_weights", weightsArgs(1, []uint16{7}, []uint16{1}, 0), "UidVecContainInvalidOne"},
		{"weights unregistered", dave, "SubtensorModule", "set_weights", weightsArgs(1, []uint16{0}, []uint16{1}, 0), "HotKeyNotRegisteredInSubNet"},
		{"stake on missing hotkey", dave, "SubtensorModule", "add_stake", []substrate.Value{accV(mustKey(t, "//nobody")), u16V(1), substrate.U64(TAO)}, "HotKeyAccountNotExists"},
		{"stake too much", dave, "SubtensorModule", "add_stake", []substrate.Value{accV(miner), u16V(1), substrate.U64(5000 * TAO)}, "NotEnoughBalanceToStake"},
		{"unstake", alice, "SubtensorModule", "remove_stake", []substrate.Value{accV(val), u16V(1), substrate.U64(TAO)}, ""},
		{"unstake too much", alice, "SubtensorModule", "remove_stake", []substrate.Value{accV(val), u16V(1), substrate.U64(10_000 * TAO)}, "NotEnoughStakeToWithdraw"},
		{"register network", dave, "SubtensorModule", "register_network", []substrate.Value{accV(mustKey(t, "//Dave//owner"))}, ""},
		{"commit", miner, "Commitments", "set_commitment", []substrate.Value{u16V(1), commitInfo(substrate.Enum("Raw4", substrate.Bytes([]byte("abcd"))))}, ""},
		{"commit big raw", miner, "Commitments", "set_commitment", []substrate.Value{u16V(1), commitInfo(substrate.Enum("BigRaw", substrate.Bytes(make([]byte, 300))))}, ""},
		{"commit timelock", miner, "Commitments", "set_commitment", []substrate.Value{u16V(1), commitInfo(
			substrate.EnumNamed("TimelockEncrypted", substrate.Named("encrypted", substrate.Bytes([]byte{1, 2})), substrate.Named("reveal_round", substrate.U64(9))))}, ""},
		{"commit too many fields", miner, "Commitments", "set_commitment", []substrate.Value{u16V(1), commitInfo(
			substrate.Enum("None"), substrate.Enum("None"), substrate.Enum("None"), substrate.Enum("ResetBondsFlag"))}, "TooManyFieldsInCommitmentInfo"},
		{"commit unregistered", dave, "Commitments", "set_commitment", []substrate.Value{u16V(1), commitInfo(substrate.Enum("None"))}, "AccountNotAllowedCommit"},
		{"sudo tempo", alice, "Sudo", "sudo", []substrate.Value{adminCall("sudo_set_tempo", u16V(1), u16V(20))}, ""},
		{"sudo by non-sudo", bob, "Sudo", "sudo", []substrate.Value{adminCall("sudo_set_tempo", u16V(1), u16V(20))}, "RequireSudo"},
		{"sudo bad validators", alice, "Sudo", "sudo", []substrate.Value{adminCall("sudo_set_max_allowed_validators", u16V(1), u16V(9999))}, "sudo: MaxValidatorsLargerThanMaxUIds"},
		{"owner sets serving rate", alice, "AdminUtils", "sudo_set_serving_rate_limit", []substrate.Value{u16V(1), substrate.U64(0)}, ""},
		{"non-owner sets serving rate", bob, "AdminUtils", "sudo_set_serving_rate_limit", []substrate.Value{u16V(1), substrate.U64(0)}, "BadOrigin"},
		{"owner cannot set tempo", alice, "AdminUtils", "sudo_set_tempo", []substrate.Value{u16V(1), u16V(3)}, "BadOrigin"},
		{"commit reveal on", alice, "AdminUtils", "sudo_set_commit_reveal_weights_enabled", []substrate.Value{u16V(1), substrate.Bool(true)}, ""},
		{"transfer below ED to new", dave, "Balances", "transfer_keep_alive", []substrate.Value{addrV(mustKey(t, "//new")), substrate.U64(10)}, "Token(BelowMinimum)"},
		{"transfer keep alive all", dave, "Balances", "transfer_keep_alive", []substrate.Value{addrV(bob), substrate.U64(2000 * TAO)}, "Token(FundsUnavailable)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := setup(t)
			if got := exec1(t, n, c.kp, c.pallet, c.call, c.args...); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func commitInfo(fields ...substrate.Value) substrate.Value {
	return substrate.Composite(substrate.Named("fields", substrate.Composite(substrate.Named("", substrate.Tuple(fields...)))))
}

// TestRateLimitsAndReplacement checks serving rate limits and which UID a
// registration on a full subnet replaces, on both runtime generations:
// spec 218 refuses when every neuron is immune and otherwise replaces the
// lowest pruning score; HEAD replaces an immune neuron when MinNonImmuneUids
// or fewer non-immune ones remain, but never the owner's immortal key.
func TestRateLimitsAndReplacement(t *testing.T) {
	for _, shape := range []string{RuntimeHEAD, RuntimeSpec218} {
		t.Run(shape, func(t *testing.T) {
			g := DevGenesis()
			g.Runtime = shape
			n := startManualGenesis(t, g)
			alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
			miner := mustKey(t, "//Bob//m")
			if got := exec1(t, n, bob, "SubtensorModule", "burned_register", u16V(1), accV(miner)); got != "" {
				t.Fatal(got)
			}
			if got := exec1(t, n, miner, "SubtensorModule", "serve_axon", serveArgs(1, 0x0a000001, 80, 4)...); got != "" {
				t.Fatal(got)
			}
			if got := exec1(t, n, miner, "SubtensorModule", "serve_axon", serveArgs(1, 0x0a000001, 81, 4)...); got != "pool: Custom error: 12" {
				t.Fatalf("second serve: %q", got)
			}
			n.NewBlock()
			if got := exec1(t, n, miner, "SubtensorModule", "serve_axon", serveArgs(1, 0x0a000001, 81, 4)...); got != "" {
				t.Fatalf("serve after the limit: %q", got)
			}
			if got := exec1(t, n, alice, "Sudo", "sudo", adminCall("sudo_set_max_allowed_uids", u16V(1), u16V(1))); got != "" {
				t.Fatal(got)
			}
			newHot := mustKey(t, "//Alice//new")
			want := ""
			if shape == RuntimeSpec218 {
				want = "NoNeuronIdAvailable"
			}
			if got := exec1(t, n, alice, "SubtensorModule", "burned_register", u16V(1), accV(newHot)); got != want {
				t.Fatalf("register into a full immune subnet: %q, want %q", got, want)
			}
			if shape == RuntimeSpec218 {
				if got := exec1(t, n, alice, "AdminUtils", "sudo_set_immunity_period", u16V(1), u16V(0)); got != "" {
					t.Fatal(got)
				}
				if got := exec1(t, n, alice, "SubtensorModule", "burned_register", u16V(1), accV(newHot)); got != "" {
					t.Fatalf("replacement: %q", got)
				}
			}
			x := &exec{rt: n.rt, s: headState(n)}
			if uid, ok := x.uidOf(1, newHot.Public()); !ok || uid != 0 {
				t.Fatalf("new hotkey uid %d %v", uid, ok)
			}
			if _, ok := x.uidOf(1, miner.Public()); ok {
				t.Fatal("replaced hotkey still registered")
			}
			if _, ok := headState(n).axon(1, miner.Public()); ok {
				t.Fatal("replaced hotkey's axon kept")
			}
		})
	}
}

// TestOwnerKeyIsImmortal: on HEAD a registration never replaces the subnet
// owner's hotkey (get_immune_owner_tuples), so a subnet holding only it is
// full for good.
func TestOwnerKeyIsImmortal(t *testing.T) {
	g := DevGenesis()
	g.Subnets[0].OwnerHotkey = "//Alice//owner"
	n := startManualGenesis(t, g)
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	if got := exec1(t, n, alice, "SubtensorModule", "burned_register", u16V(1), accV(mustKey(t, "//Alice//owner"))); got != "" {
		t.Fatal(got)
	}
	if got := exec1(t, n, alice, "Sudo", "sudo", adminCall("sudo_set_max_allowed_uids", u16V(1), u16V(1))); got != "" {
		t.Fatal(got)
	}
	if got := exec1(t, n, bob, "SubtensorModule", "burned_register", u16V(1), accV(mustKey(t, "//Bob//m"))); got != "NoNeuronIdAvailable" {
		t.Fatalf("got %q, want NoNeuronIdAvailable", got)
	}
}

// TestMortalAndFutureNonces checks mortal eras against the birth hash and
// that a future nonce waits in the pool until the gap is filled.
func TestMortalAndFutureNonces(t *testing.T) {
	n := startManual(t)
	n.WaitBlocks(t.Context(), 5)
	alice := mustKey(t, "//Alice")
	c, err := n.rt.meta.NewCall("System", "remark", substrate.Bytes([]byte("m")))
	if err != nil {
		t.Fatal(err)
	}
	era := substrate.MortalEra(5, 64)
	birth, _ := n.chain.blockByNumber(era.Birth(5))
	opts := &substrate.SignOptions{SpecVersion: n.rt.version, TxVersion: transactionVersion, GenesisHash: n.GenesisHash(), Era: era, BirthHash: birth.hash}
	good, _ := n.rt.meta.SignExtrinsic(c.Bytes(), alice, opts)
	wrong := *opts
	wrong.BirthHash = n.GenesisHash()
	bad, _ := n.rt.meta.SignExtrinsic(c.Bytes(), alice, &wrong)
	var te *TxError
	if _, err := n.Submit(bad); !errors.As(err, &te) || te.Data != msgBadSignature {
		t.Fatalf("wrong birth hash: %v", err)
	}
	if _, err := n.Submit(good); err != nil {
		t.Fatal(err)
	}
	// Nonce 2 before nonce 1: future, then both execute in order.
	if _, err := n.Submit(signNonce(t, n, alice, 2, "System", "remark", substrate.Bytes([]byte("b")))); err != nil {
		t.Fatal(err)
	}
	n.NewBlock()
	if got := headState(n).account(alice.Public()).nonce; got != 1 {
		t.Fatalf("nonce after first block %d", got)
	}
	if _, err := n.Submit(signNonce(t, n, alice, 1, "System", "remark", substrate.Bytes([]byte("a")))); err != nil {
		t.Fatal(err)
	}
	n.NewBlock()
	if got := headState(n).account(alice.Public()).nonce; got != 3 {
		t.Fatalf("nonce after filling the gap %d", got)
	}
	// An era that has expired no longer verifies.
	n.WaitBlocks(t.Context(), 70)
	late, _ := n.rt.meta.SignExtrinsic(c.Bytes(), alice, &substrate.SignOptions{SpecVersion: n.rt.version, TxVersion: transactionVersion,
		GenesisHash: n.GenesisHash(), Era: era, BirthHash: birth.hash, Nonce: 3})
	if _, err := n.Submit(late); !errors.As(err, &te) || te.Code != 1010 {
		t.Fatalf("expired era: %v", err)
	}
}

// TestMetadataRoundTrip decodes the served metadata and checks the names
// and indices clients rely on.
func TestMetadataRoundTrip(t *testing.T) {
	n := startManual(t)
	md, err := substrate.DecodeMetadata(n.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		pallet, call string
		pi, ci       uint8
	}{
		{"System", "remark", 0, 0}, {"Balances", "transfer_keep_alive", 5, 3}, {"Balances", "transfer_allow_death", 5, 0},
		{"SubtensorModule", "set_weights", 7, 0}, {"SubtensorModule", "add_stake", 7, 2}, {"SubtensorModule", "serve_axon", 7, 4},
		{"SubtensorModule", "burned_register", 7, 7}, {"SubtensorModule", "register_network", 7, 59},
		{"Sudo", "sudo", 12, 0}, {"Commitments", "set_commitment", 18, 0}, {"AdminUtils", "sudo_set_tempo", 19, 30},
	}
	for _, c := range calls {
		p, v, err := md.LookupCall(c.pallet, c.call)
		if err != nil || p.Index != c.pi || v.Index != c.ci {
			t.Errorf("%s.%s: %v", c.pallet, c.call, err)
		}
	}
	for _, s := range []struct{ pallet, item string }{{"System", "Account"}, {"SubtensorModule", "Uids"}, {"SubtensorModule", "Axons"},
		{"SubtensorModule", "TotalHotkeyAlpha"}, {"Commitments", "CommitmentOf"}, {"SubtensorModule", "Keys"}} {
		if _, _, err := md.LookupStorage(s.pallet, s.item); err != nil {
			t.Error(err)
		}
	}
	// Storage keys built from the metadata equal the runtime's own.
	alice := mustKey(t, "//Alice").Public()
	k, err := md.StorageKeyEncoded("System", "Account", alice[:])
	if err != nil || string(k) != keyAccount(alice) {
		t.Errorf("System.Account key: %v", err)
	}
	k, err = md.StorageKeyEncoded("SubtensorModule", "Uids", scale.AppendU16(nil, 1), alice[:])
	if err != nil || string(k) != keyNetHot("Uids", 1, alice) {
		t.Errorf("Uids key: %v", err)
	}
	k, err = md.StorageKeyEncoded("Commitments", "CommitmentOf", scale.AppendU16(nil, 1), alice[:])
	if err != nil || string(k) != keyCommit("CommitmentOf", 1, alice) {
		t.Errorf("CommitmentOf key: %v", err)
	}
	k, err = md.StorageKeyEncoded("SubtensorModule", "TotalHotkeyAlpha", alice[:], scale.AppendU16(nil, 1))
	if err != nil || string(k) != keyHotNet("TotalHotkeyAlpha", alice, 1) {
		t.Errorf("TotalHotkeyAlpha key: %v", err)
	}
	if !md.HasSignedExtension("CheckMetadataHash") {
		t.Error("no CheckMetadataHash")
	}
}

// TestTipReplacement: a transaction with the same nonce and a higher tip
// replaces the pending one; an equal tip is refused with 1014.
func TestTipReplacement(t *testing.T) {
	n := startManual(t)
	alice := mustKey(t, "//Alice")
	c, err := n.rt.meta.NewCall("System", "remark", substrate.Bytes([]byte("r")))
	if err != nil {
		t.Fatal(err)
	}
	signTip := func(tip uint64) []byte {
		ext, err := n.rt.meta.SignExtrinsic(c.Bytes(), alice, &substrate.SignOptions{SpecVersion: n.rt.version, TxVersion: transactionVersion,
			GenesisHash: n.GenesisHash(), Tip: scale.Uint128{Lo: tip}})
		if err != nil {
			t.Fatal(err)
		}
		return ext
	}
	var statuses []string
	first := signTip(1)
	if _, err := n.chain.submit(first, func(s txStatus) { statuses = append(statuses, s.kind) }); err != nil {
		t.Fatal(err)
	}
	var te *TxError
	if _, err := n.Submit(signTip(1)); !errors.As(err, &te) || te.Code != 1014 {
		t.Fatalf("same tip: %v", err)
	}
	if _, err := n.Submit(signTip(5)); err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 2 || statuses[1] != "usurped" {
		t.Fatalf("first transaction statuses %v", statuses)
	}
	n.NewBlock()
	if len(n.chain.head().extrinsics) != 2 || headState(n).account(alice.Public()).nonce != 1 {
		t.Fatal("replacement not included")
	}
}

// TestCommitmentSpace: each account may commit MaxSpace bytes per tempo.
func TestCommitmentSpace(t *testing.T) {
	n := startManual(t)
	bob, miner := mustKey(t, "//Bob"), mustKey(t, "//Bob//m")
	if got := exec1(t, n, bob, "SubtensorModule", "burned_register", u16V(1), accV(miner)); got != "" {
		t.Fatal(got)
	}
	for (n.BestNumber()+1)%11 != 0 { // start at an epoch boundary (tempo 10)
		n.NewBlock()
	}
	big := substrate.Enum("BigRaw", substrate.Bytes(make([]byte, 512)))
	for i, want := range []string{"", "", "SpaceLimitExceeded"} {
		if got := exec1(t, n, miner, "Commitments", "set_commitment", u16V(1), commitInfo(big, big, big)); got != want {
			t.Fatalf("commit %d: %q, want %q", i, got, want)
		}
	}
}

// HEAD starts every subnet with commit-reveal on: set_weights then fails with
// CommitRevealEnabled until the owner turns it off.
func TestSetWeightsRefusedUnderCommitReveal(t *testing.T) {
	n := startManual(t)
	if e := exec1(t, n, mustKey(t, "//Alice"), "SubtensorModule", "set_weights", weightsArgs(1, []uint16{0}, []uint16{1}, 0)...); e != "CommitRevealEnabled" {
		t.Fatalf("set_weights under commit-reveal: %q, want CommitRevealEnabled", e)
	}
}

// Spec 218 caps registrations per block (MaxRegistrationsPerBlock); HEAD
// (subnets/registration.rs do_register) only counts them.
func TestRegistrationsPerBlock(t *testing.T) {
	for _, tc := range []struct {
		shape, second string
	}{{RuntimeHEAD, ""}, {RuntimeSpec218, "TooManyRegistrationsThisBlock"}} {
		t.Run(tc.shape, func(t *testing.T) {
			g := DevGenesis()
			g.Runtime = tc.shape
			g.SubnetDefaults.MaxRegistrationsPerBlock = 1
			n := startManualGenesis(t, g)
			alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
			for _, s := range []struct {
				cold *keys.Keypair
				hot  string
			}{{alice, "//Alice//r1"}, {bob, "//Bob//r2"}} {
				if _, err := n.Submit(sign(t, n, s.cold, "SubtensorModule", "burned_register", u16V(1), accV(mustKey(t, s.hot)))); err != nil {
					t.Fatal(err)
				}
			}
			n.NewBlock()
			evs := headEvents(t, n)
			var got []string
			for i := uint32(1); i <= 2; i++ {
				res, err := n.rt.meta.FindExtrinsicResult(evs, i)
				if err != nil {
					t.Fatal(err)
				}
				name := ""
				if res.Err != nil {
					name = res.Err.Name
				}
				got = append(got, name)
			}
			if got[0] != "" || got[1] != tc.second {
				t.Fatalf("two registrations in one block: %q, want \"\" and %q", got, tc.second)
			}
		})
	}
}
