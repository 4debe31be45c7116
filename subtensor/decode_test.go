package subtensor

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
)

func testKey(i int, tag byte) keys.PublicKey {
	var k keys.PublicKey
	k[0] = tag
	binary.LittleEndian.PutUint32(k[1:], uint32(i))
	return k
}

func testNeurons(n int) []NeuronInfoLite {
	out := make([]NeuronInfoLite, n)
	for i := range out {
		ip, typ := IPToU128(netip.AddrFrom4([4]byte{203, 0, 113, byte(i)}))
		out[i] = NeuronInfoLite{
			Hotkey: testKey(i, 'h'), Coldkey: testKey(i, 'c'), UID: uint16(i), NetUID: 1, Active: i%3 != 0,
			Axon:       AxonInfo{Block: uint64(100 + i), Version: 1, IP: ip, Port: uint16(8000 + i), IPType: typ, Protocol: 4},
			Prometheus: PrometheusInfo{Block: 7, Version: 2, IP: scale.Uint128{Lo: 1}, Port: 9, IPType: 4},
			Stake:      []StakeEntry{{Coldkey: testKey(i, 'c'), Amount: Rao(i) * RaoPerTAO}},
			Rank:       uint16(i * 3), Emission: Rao(i * 1000), Incentive: uint16(i * 250), Consensus: uint16(i),
			Trust: 5, ValidatorTrust: 6, Dividends: uint16(65535 - i), LastUpdate: uint64(1 << 40),
			ValidatorPermit: i < 64, PruningScore: 65535,
		}
	}
	return out
}

func encodeNeurons(ns []NeuronInfoLite) []byte {
	b := scale.AppendCompact(nil, uint64(len(ns)))
	for i := range ns {
		b = ns[i].AppendSCALE(b)
	}
	return b
}

func TestDecodeNeuronsLiteRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 256} {
		want := testNeurons(n)
		enc := encodeNeurons(want)
		got, err := DecodeNeuronsLite(enc)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if len(got) != n || (n > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("n=%d: round trip differs", n)
		}
		// The older runtimes' form: the same bytes wrapped in a Vec<u8>.
		wrapped := scale.AppendBytes(nil, enc)
		got, err = DecodeNeuronsLite(wrapped)
		if err != nil || len(got) != n || (n > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("n=%d wrapped: %v", n, err)
		}
	}
}

func TestDecodeNeuronsLiteErrors(t *testing.T) {
	enc := encodeNeurons(testNeurons(3))
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"truncated", enc[:len(enc)-1]},
		{"trailing", append(append([]byte{}, enc...), 0)},
		{"huge length", []byte{0xff, 0xff, 0xff, 0xff, 0x7f}},
		{"bad bool", func() []byte {
			b := append([]byte{}, enc...)
			b[1+64+2] = 7 // active of neuron 0 (uid, netuid are one-byte compacts)
			return b
		}()},
	} {
		if _, err := DecodeNeuronsLite(tc.in); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestDecodeNeuronLite(t *testing.T) {
	n := testNeurons(5)[4]
	some := n.AppendSCALE([]byte{1})
	got, err := DecodeNeuronLite(some)
	if err != nil || got == nil || !reflect.DeepEqual(*got, n) {
		t.Fatalf("Some: %v %+v", err, got)
	}
	got, err = DecodeNeuronLite([]byte{0})
	if err != nil || got != nil {
		t.Fatalf("None: %v %+v", err, got)
	}
	if _, err := DecodeNeuronLite([]byte{2}); err == nil {
		t.Fatal("bad option tag accepted")
	}
	// Spec 218 answers a Vec<u8> holding the bare struct (no Option tag):
	// UID 0 of subnet 1 on ../shared/realchain, as state_call returned it.
	real, _ := hex.DecodeString("55020000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000c621f6d800000000000001feff0300")
	got, err = DecodeNeuronLite(real)
	if err != nil || got == nil || got.UID != 0 || got.NetUID != 1 || !got.Active {
		t.Fatalf("spec 218: %v %+v", err, got)
	}
	wrapped := scale.AppendBytes(nil, n.AppendSCALE(nil))
	if got, err = DecodeNeuronLite(wrapped); err != nil || got == nil || !reflect.DeepEqual(*got, n) {
		t.Fatalf("spec 218 shape: %v %+v", err, got)
	}
}

func testMetagraph(n int) *Metagraph {
	ns := testNeurons(n)
	m := &Metagraph{
		NetUID: 1, Name: "apex", Symbol: "α", Identity: &SubnetIdentity{Fields: []string{"apex", "https://github.com/x", "", "", "", "d", "", ""}},
		NetworkRegisteredAt: 10, OwnerHotkey: testKey(0, 'o'), OwnerColdkey: testKey(1, 'o'),
		Block: 123456, Tempo: 360, LastStep: 123400, BlocksSinceLastStep: 56,
		AlphaIn: 1, AlphaOut: 2, TaoIn: 3, AlphaOutEmission: 4, AlphaInEmission: 5, TaoInEmission: 6,
		PendingAlphaEmis: 7, PendingRootEmis: 8, SubnetVolume: scale.Uint128{Hi: 1, Lo: 2}, MovingPrice: scale.Int128{Lo: 3 << 32},
		Rho: 10, Kappa: 32767, MinAllowedWeights: 1, MaxWeightsLimit: 65535, WeightsVersion: 1 << 50, WeightsRateLimit: 100,
		ActivityCutoff: 5000, MaxValidators: 64, NumUIDs: uint16(n), MaxUIDs: 256, Burn: RaoPerTAO, Difficulty: 1 << 60,
		RegistrationAllowed: true, ImmunityPeriod: 5000, MinBurn: 500_000, MaxBurn: 100 * RaoPerTAO, AdjustmentAlpha: 1 << 63,
		AdjustmentInterval: 360, TargetRegsPerIntvl: 1, MaxRegsPerBlock: 1, ServingRateLimit: 50, CommitRevealEnabled: true,
		CommitRevealPeriod: 1, AlphaHigh: 58982, AlphaLow: 45875, BondsMovingAvg: 900000,
	}
	for i, x := range ns {
		m.Hotkeys = append(m.Hotkeys, x.Hotkey)
		m.Coldkeys = append(m.Coldkeys, x.Coldkey)
		var id *ChainIdentity
		if i%50 == 1 {
			id = &ChainIdentity{Fields: []string{"name", "url", "gh", "img", "dc", "desc", "add"}}
		}
		m.Identities = append(m.Identities, id)
		m.Axons = append(m.Axons, x.Axon)
		m.Active = append(m.Active, x.Active)
		m.ValidatorPermit = append(m.ValidatorPermit, x.ValidatorPermit)
		m.LastUpdate = append(m.LastUpdate, x.LastUpdate)
		m.Emission = append(m.Emission, x.Emission)
		m.Dividends = append(m.Dividends, x.Dividends)
		m.Incentives = append(m.Incentives, x.Incentive)
		m.Consensus = append(m.Consensus, x.Consensus)
		m.BlockAtRegistration = append(m.BlockAtRegistration, uint64(1000+i))
		m.AlphaStake = append(m.AlphaStake, x.TotalStake())
		m.TaoStake = append(m.TaoStake, Rao(i))
		m.TotalStake = append(m.TotalStake, x.TotalStake()+Rao(i))
		m.AlphaDividends = append(m.AlphaDividends, HotkeyAmount{Hotkey: x.Hotkey, Amount: Rao(i)})
		m.TaoDividends = append(m.TaoDividends, HotkeyAmount{Hotkey: x.Hotkey})
	}
	// Rank, Trust and PruningScore stay empty, as on 2026 runtimes.
	return m
}

func TestDecodeMetagraphRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 256} {
		want := testMetagraph(n)
		enc := appendMetagraph(nil, want, MetagraphLayout{})
		got, err := DecodeMetagraph(enc, MetagraphLayout{})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("n=%d: round trip differs:\n got %+v\nwant %+v", n, got, want)
		}
	}
	if m, err := DecodeMetagraph([]byte{0}, MetagraphLayout{}); m != nil || err != nil {
		t.Fatalf("None: %v %v", m, err)
	}
	m := testMetagraph(2)
	if got := m.MovingPriceFloat(); got != 3 {
		t.Fatalf("MovingPriceFloat = %v, want 3", got)
	}
	if GetU16(m.Rank, 1) != 0 || GetRao(m.Emission, 1) != 1000 || !GetBool(m.Active, 1) || m.UIDOf(m.Hotkeys[1]) != 1 {
		t.Fatal("accessors")
	}
}

func TestDecodeMetagraphOldIdentity(t *testing.T) {
	l := MetagraphLayout{SubnetIdentityFields: 7}
	want := testMetagraph(3)
	want.Identity.Fields = want.Identity.Fields[:7]
	got, err := DecodeMetagraph(appendMetagraph(nil, want, l), l)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%v", err)
	}
}

func TestDecodeMetagraphErrorNamesField(t *testing.T) {
	enc := appendMetagraph(nil, testMetagraph(4), MetagraphLayout{})
	_, err := DecodeMetagraph(enc[:len(enc)-40], MetagraphLayout{})
	if err == nil || !(errors.Is(err, scale.ErrShort) || errors.Is(err, scale.ErrInvalid)) || !strings.Contains(err.Error(), "alpha_dividends_per_hotkey") {
		t.Fatalf("truncated: %v", err)
	}
}

func TestAxonEndpoint(t *testing.T) {
	for _, tc := range []struct {
		addr string
		port uint16
		want string
	}{
		{"203.0.113.7", 8091, "203.0.113.7:8091"},
		{"2001:db8::1", 443, "[2001:db8::1]:443"},
	} {
		ip, typ := IPToU128(netip.MustParseAddr(tc.addr))
		a := AxonInfo{IP: ip, IPType: typ, Port: tc.port}
		if got := a.Endpoint(); got != tc.want {
			t.Errorf("%s: %q", tc.addr, got)
		}
	}
	if (AxonInfo{}).Endpoint() != "" {
		t.Error("unserved axon has an endpoint")
	}
	// 1.2.3.4 as the chain stores it: 0x01020304.
	if a := (AxonInfo{IP: scale.Uint128{Lo: 0x01020304}, IPType: 4, Port: 1}); a.Addr().String() != "1.2.3.4" {
		t.Errorf("got %s", a.Addr())
	}
}

func FuzzDecodeNeuronsLite(f *testing.F) {
	f.Add(encodeNeurons(testNeurons(2)))
	f.Add(scale.AppendBytes(nil, encodeNeurons(testNeurons(1))))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ns, err := DecodeNeuronsLite(b)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to a form that decodes the same.
		again, err := DecodeNeuronsLite(encodeNeurons(ns))
		if err != nil || len(again) != len(ns) {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

func FuzzDecodeMetagraph(f *testing.F) {
	f.Add(appendMetagraph(nil, testMetagraph(2), MetagraphLayout{}))
	f.Add([]byte{0})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMetagraph(b, MetagraphLayout{})
		if err != nil || m == nil {
			return
		}
		again, err := DecodeMetagraph(appendMetagraph(nil, m, MetagraphLayout{}), MetagraphLayout{})
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

func BenchmarkDecodeNeuronsLite256(b *testing.B) {
	enc := encodeNeurons(testNeurons(256))
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeNeuronsLite(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeMetagraph256(b *testing.B) {
	enc := appendMetagraph(nil, testMetagraph(256), MetagraphLayout{})
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeMetagraph(enc, MetagraphLayout{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMinerRank(t *testing.T) {
	m := &Metagraph{
		Hotkeys:         make([]keys.PublicKey, 5),
		ValidatorPermit: []bool{true, true, false, false, true},
		Incentives:      []uint16{0, 500, 100, 900, 0},
	}
	for _, tc := range []struct{ uid, rank, miners int }{
		{3, 1, 3}, // miners: 1 (permit, but incentive), 2 and 3
		{1, 2, 3},
		{2, 3, 3},
		{0, 4, 4}, // a validator asking about itself counts itself, last
		{4, 4, 4},
	} {
		r, n := minerRank(m, tc.uid)
		if r != tc.rank || n != tc.miners {
			t.Errorf("uid %d: rank %d of %d, want %d of %d", tc.uid, r, n, tc.rank, tc.miners)
		}
	}
}
