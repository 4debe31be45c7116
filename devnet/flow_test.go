package devnet

import (
	"errors"
	"slices"
	"testing"

	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// TestFlows submits the calls a miner and a validator make and checks
// events and state after each block.
func TestFlows(t *testing.T) {
	n := startManualDirectWeights(t)
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	hot, vhot := mustKey(t, "//Bob//hot"), mustKey(t, "//Alice//validator")

	type step struct {
		name   string
		ext    func() []byte
		events []string // must appear, in order
		failed string   // ExtrinsicFailed error name, or ""
	}
	ip := scale.Uint128{Lo: 10<<24 | 1}
	steps := []step{
		{"transfer", func() []byte {
			return sign(t, n, alice, "Balances", "transfer_keep_alive", addrV(mustKey(t, "//Fresh")), substrate.U64(5*TAO))
		}, []string{"Balances.Withdraw", "System.NewAccount", "Balances.Endowed", "Balances.Transfer", "TransactionPayment.TransactionFeePaid", "System.ExtrinsicSuccess"}, ""},
		{"register miner", func() []byte {
			return sign(t, n, bob, "SubtensorModule", "burned_register", u16V(1), accV(hot))
		}, []string{"SubtensorModule.NeuronRegistered", "System.ExtrinsicSuccess"}, ""},
		{"register validator", func() []byte {
			return sign(t, n, alice, "SubtensorModule", "burned_register", u16V(1), accV(vhot))
		}, []string{"SubtensorModule.NeuronRegistered", "System.ExtrinsicSuccess"}, ""},
		{"register again", func() []byte {
			return sign(t, n, bob, "SubtensorModule", "burned_register", u16V(1), accV(hot))
		}, []string{"System.ExtrinsicFailed"}, "HotKeyAlreadyRegisteredInSubNet"},
		{"stake", func() []byte {
			return sign(t, n, alice, "SubtensorModule", "add_stake", accV(vhot), u16V(1), substrate.U64(1000*TAO))
		}, []string{"SubtensorModule.StakeAdded", "System.ExtrinsicSuccess"}, ""},
		{"serve", func() []byte {
			return sign(t, n, hot, "SubtensorModule", "serve_axon", u16V(1), substrate.U64(1), substrate.U128(ip), u16V(8091), substrate.U64(4), substrate.U64(4), substrate.U64(0), substrate.U64(0))
		}, []string{"SubtensorModule.AxonServed", "System.ExtrinsicSuccess"}, ""},
		{"commit", func() []byte {
			info := substrate.Composite(substrate.Named("fields", substrate.Composite(substrate.Named("", substrate.Tuple(substrate.Enum("Raw3", substrate.Bytes([]byte("abc"))))))))
			return sign(t, n, hot, "Commitments", "set_commitment", u16V(1), info)
		}, []string{"Commitments.Commitment", "System.ExtrinsicSuccess"}, ""},
	}
	for _, s := range steps {
		if _, err := n.Submit(s.ext()); err != nil {
			t.Fatalf("%s: submit: %v", s.name, err)
		}
		n.NewBlock()
		evs := headEvents(t, n)
		names := eventNames(evs)
		i := 0
		for _, name := range names {
			if i < len(s.events) && name == s.events[i] {
				i++
			}
		}
		if i != len(s.events) {
			t.Fatalf("%s: events %v, want in order %v", s.name, names, s.events)
		}
		res, err := n.rt.meta.FindExtrinsicResult(evs, 1)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.failed == "" && res.Err != nil {
			t.Fatalf("%s: failed: %v", s.name, res.Err)
		}
		if s.failed != "" && (res.Err == nil || res.Err.Name != s.failed) {
			t.Fatalf("%s: error %v, want %s", s.name, res.Err, s.failed)
		}
	}
	st := headState(n)
	x := &exec{rt: n.rt, s: st, block: n.BestNumber()}
	if uid, ok := x.uidOf(1, hot.Public()); !ok || uid != 0 {
		t.Fatalf("miner uid = %d, %v", uid, ok)
	}
	if ax, ok := st.axon(1, hot.Public()); !ok || ax.port != 8091 || ax.ip != ip {
		t.Fatalf("axon = %+v", ax)
	}
	// 1000 τ through the pool (1e6 τ, 2e6 α): 2e6 × 1000 / (1e6 + 1000) α.
	if got := x.hotkeyStake(vhot.Public(), 1); got != 1998001998001 {
		t.Fatalf("stake = %d", got)
	}

	// The validator gets a permit at the next epoch and sets weights.
	for range 12 {
		n.NewBlock()
	}
	if !slices.Equal(headState(n).vecBool(keyNet("ValidatorPermit", 1)), []bool{false, true}) {
		t.Fatalf("permits = %v", headState(n).vecBool(keyNet("ValidatorPermit", 1)))
	}
	if _, err := n.Submit(sign(t, n, vhot, "SubtensorModule", "set_weights", u16V(1),
		substrate.Tuple(u16V(0)), substrate.Tuple(u16V(65535)), substrate.U64(0))); err != nil {
		t.Fatal(err)
	}
	n.NewBlock()
	if names := eventNames(headEvents(t, n)); !slices.Contains(names, "SubtensorModule.WeightsSet") {
		t.Fatalf("set_weights events %v", names)
	}
	for range 12 {
		n.NewBlock()
	}
	hs := headState(n)
	inc := hs.vecU16(keyNet("Incentive", 1))
	div := hs.vecU16(keyNet("Dividends", 1))
	em := hs.vecU64(keyNet("Emission", 1))
	if len(inc) != 2 || inc[0] != 65535 || div[1] != 65535 || em[0] == 0 || em[1] == 0 {
		t.Fatalf("incentive %v dividends %v emission %v", inc, div, em)
	}

	// Pool rejections.
	var te *TxError
	_, err := n.Submit(sign(t, n, hot, "SubtensorModule", "serve_axon", u16V(1), substrate.U64(1), substrate.U128(scale.Uint128{Lo: 0x7f000001}),
		u16V(8091), substrate.U64(4), substrate.U64(4), substrate.U64(0), substrate.U64(0)))
	if !errors.As(err, &te) || te.Code != 1010 || te.Data != "Custom error: 11" {
		t.Fatalf("loopback axon: %v", err)
	}
	stale := signNonce(t, n, alice, 0, "System", "remark", substrate.Bytes(nil))
	if _, err := n.Submit(stale); !errors.As(err, &te) || te.Data != msgStale {
		t.Fatalf("stale nonce: %v", err)
	}
	bad := sign(t, n, alice, "System", "remark", substrate.Bytes([]byte("x")))
	bad[len(bad)-40] ^= 1 // inside the signature
	if _, err := n.Submit(bad); !errors.As(err, &te) || te.Code != 1010 {
		t.Fatalf("bad signature: %v", err)
	}
	poor := mustKey(t, "//Poor")
	if _, err := n.Submit(sign(t, n, poor, "System", "remark", substrate.Bytes(nil))); !errors.As(err, &te) || te.Data != msgPayment {
		t.Fatalf("no funds: %v", err)
	}
}

// TestFeesAndClose checks that the fee charged equals what query_info
// quotes and that Close is idempotent.
func TestFeesAndClose(t *testing.T) {
	n := startManual(t)
	alice := mustKey(t, "//Alice")
	ext := sign(t, n, alice, "Balances", "transfer_keep_alive", addrV(mustKey(t, "//Bob")), substrate.U64(TAO))
	quoted, err := n.queryFee(ext)
	if err != nil {
		t.Fatal(err)
	}
	if quoted != n.genesis.FeeBase+n.genesis.FeePerByte*uint64(len(ext)) {
		t.Fatalf("quoted fee %d", quoted)
	}
	before := headState(n).account(alice.Public()).free
	if _, err := n.Submit(ext); err != nil {
		t.Fatal(err)
	}
	n.NewBlock()
	if paid := before - headState(n).account(alice.Public()).free - TAO; paid != quoted {
		t.Fatalf("paid %d, quoted %d", paid, quoted)
	}
	free := sign(t, n, alice, "SubtensorModule", "serve_axon", serveArgs(1, 0x0a000001, 80, 4)...)
	if fee, _ := n.queryFee(free); fee != 0 {
		t.Fatalf("serve_axon fee %d", fee)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
}
