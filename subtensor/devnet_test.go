package subtensor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/substrate"
	"github.com/minerkit/minerkit/substrate/rpc"
	"github.com/minerkit/minerkit/subtensor"
)

// The devnet helpers are shared with the other packages' tests.
type chain = devnettest.Chain

const testBlockTime = devnettest.BlockTime

var (
	startChain = devnettest.Start
	key        = devnettest.Key
	ctxT       = devnettest.Ctx
	register   = devnettest.Register
	fullSubnet = devnettest.FullSubnet
)

func TestDevnetRegister(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	bob, hot := key(t, "//Bob"), key(t, "//Bob//miner")
	before, err := ch.Client.Balance(ctx, bob.Public())
	if err != nil {
		t.Fatal(err)
	}
	// 1 τ at genesis; HEAD decays it a little every block (BurnHalfLife).
	price, err := ch.Client.BurnPrice(ctx, 1)
	if err != nil || price > subtensor.TAO(1) || price < subtensor.Rao(900_000_000) {
		t.Fatalf("burn price %v %v, want 0.9–1 τ", price, err)
	}
	asked := 0
	res, err := ch.Client.BurnedRegister(ctx, bob, hot.Public(), 1, subtensor.RegisterOptions{
		MaxBurn: subtensor.TAO(2),
		Confirm: func(p subtensor.Rao, b subtensor.Balance) bool {
			asked++
			price = p
			return p <= subtensor.TAO(1) && b.Free == before.Free
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if asked != 1 || res.AlreadyRegistered || res.Price != price || res.Tx == nil || res.Tx.Block == 0 {
		t.Fatalf("first registration: asked %d, %+v", asked, res)
	}
	t.Logf("registered: uid %d, block %d, fee %s (known %v), events %v", res.UID, res.Tx.Block, res.Tx.Fee, res.Tx.FeeKnown, res.Tx.Events)
	if _, ok := res.Tx.Event("SubtensorModule", "NeuronRegistered"); !ok {
		t.Fatalf("no NeuronRegistered event in %v", res.Tx.Events)
	}
	uid, ok, err := ch.Client.UID(ctx, 1, hot.Public())
	if err != nil || !ok || uid != res.UID {
		t.Fatalf("UID = %d %v %v, registration said %d", uid, ok, err, res.UID)
	}
	after, _ := ch.Client.Balance(ctx, bob.Public())
	// The burn decays every block (HEAD BurnHalfLife): the chain charges the
	// price of the block that included the registration, at most the price
	// shown a block or two earlier.
	if paid := before.Free - after.Free; paid > price+res.Tx.Fee || paid < price*95/100 || !res.Tx.FeeKnown {
		t.Fatalf("paid %s for price %s, fee %s (known %v)", paid, price, res.Tx.Fee, res.Tx.FeeKnown)
	}

	// Again: nothing asked, nothing paid, same UID.
	again, err := ch.Client.BurnedRegister(ctx, bob, hot.Public(), 1, subtensor.RegisterOptions{
		Confirm: func(subtensor.Rao, subtensor.Balance) bool { t.Error("asked again"); return false },
	})
	if err != nil || !again.AlreadyRegistered || again.UID != res.UID || again.Tx != nil {
		t.Fatalf("second registration: %+v %v", again, err)
	}
	if b, _ := ch.Client.Balance(ctx, bob.Public()); b.Free != after.Free {
		t.Fatalf("second registration cost %s", after.Free-b.Free)
	}

	// Declined: nothing sent.
	other := key(t, "//Bob//other")
	_, err = ch.Client.BurnedRegister(ctx, bob, other.Public(), 1, subtensor.RegisterOptions{Confirm: func(subtensor.Rao, subtensor.Balance) bool { return false }})
	if !errors.Is(err, subtensor.ErrDeclined) {
		t.Fatalf("declined: %v", err)
	}
	// Above the limit: the error carries the price and the limit.
	_, err = ch.Client.BurnedRegister(ctx, bob, other.Public(), 1, subtensor.RegisterOptions{MaxBurn: price - 1})
	var pe *subtensor.PriceAboveLimitError
	if !errors.Is(err, subtensor.ErrPriceAboveLimit) || !errors.As(err, &pe) || pe.Limit != price-1 || pe.Price <= pe.Limit || !strings.Contains(err.Error(), "above the limit") {
		t.Fatalf("max burn: %v", err)
	}
	// No such subnet.
	if _, err := ch.Client.BurnedRegister(ctx, bob, other.Public(), 77, subtensor.RegisterOptions{}); !errors.Is(err, subtensor.ErrNoSubnet) {
		t.Fatalf("netuid 77: %v", err)
	}
}

func TestDevnetRegisterNotEnoughBalance(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	alice, poor := key(t, "//Alice"), key(t, "//Poor")
	if _, err := ch.Client.Transfer(ctx, alice, poor.Public(), subtensor.RaoPerTAO/2, false, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := ch.Client.BurnedRegister(ctx, poor, key(t, "//Poor//hot").Public(), 1, subtensor.RegisterOptions{})
	if !errors.Is(err, subtensor.ErrNotEnoughBalance) {
		t.Fatalf("got %v", err)
	}
	if want := regexp.MustCompile(`not enough balance: need (1|0\.9[0-9]*) τ, have 0\.5 τ`); !want.MatchString(err.Error()) {
		t.Fatalf("error %q does not match %q", err, want)
	}
}

func TestDevnetCommitments(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	hot := key(t, "//Charlie//miner")
	// Not registered yet: a clear error and nothing sent.
	_, err := ch.Client.CommitText(ctx, hot, 1, "http://203.0.113.5:8091", subtensor.TxOptions{})
	if !errors.Is(err, subtensor.ErrNotRegistered) || !strings.Contains(err.Error(), "minerkit register") {
		t.Fatalf("unregistered commit: %v", err)
	}
	register(t, ch, key(t, "//Charlie"), hot.Public())
	tx, err := ch.Client.CommitURL(ctx, hot, 1, "http://203.0.113.5:8091", subtensor.TxOptions{})
	if err != nil || tx.Skipped || tx.Block == 0 {
		t.Fatalf("commit: %+v %v", tx, err)
	}
	if tx.FeeKnown && tx.Fee != 0 {
		t.Errorf("set_commitment charged %s; it is free on finney", tx.Fee)
	}
	got, err := ch.Client.Commitment(ctx, 1, hot.Public())
	if err != nil || got == nil || got.Text() != "http://203.0.113.5:8091" || uint64(got.Block) != tx.Block {
		t.Fatalf("read back: %+v %v (tx block %d)", got, err, tx.Block)
	}
	// Same data again: no transaction.
	again, err := ch.Client.CommitText(ctx, hot, 1, "http://203.0.113.5:8091", subtensor.TxOptions{})
	if err != nil || !again.Skipped {
		t.Fatalf("unchanged commit: %+v %v", again, err)
	}
	// Long data goes into one BigRaw field; every commitment is listed.
	// Spec 218 has no BigRaw: a clear error, nothing sent.
	long := strings.Repeat("x", 300)
	if devnettest.Runtime() == devnet.RuntimeSpec218 {
		if _, err := ch.Client.CommitText(ctx, hot, 1, long, subtensor.TxOptions{}); err == nil || !strings.Contains(err.Error(), "need a newer runtime") {
			t.Fatalf("BigRaw on spec 218: %v", err)
		}
		return
	}
	if _, err := ch.Client.CommitText(ctx, hot, 1, long, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	all, err := ch.Client.Commitments(ctx, 1)
	if err != nil || len(all) != 1 || all[hot.Public()].Text() != long || all[hot.Public()].Fields[0].Kind != subtensor.DataBigRaw {
		t.Fatalf("all commitments: %v %v", all, err)
	}
}

func TestDevnetServeAxon(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	hot := key(t, "//Dave//miner")
	register(t, ch, key(t, "//Dave"), hot.Public())

	// 127.0.0.1 is refused before anything is sent, in words.
	_, err := ch.Client.ServeAxon(ctx, hot, 1, netip.MustParseAddr("127.0.0.1"), 8091, subtensor.ServeOptions{})
	if err == nil || !strings.Contains(err.Error(), "pass your public IP") {
		t.Fatalf("loopback: %v", err)
	}
	// Forced through, the chain refuses it too, and the error says why.
	_, err = ch.Client.ServeAxon(ctx, hot, 1, netip.MustParseAddr("127.0.0.1"), 8091, subtensor.ServeOptions{Force: true})
	var ce *subtensor.ChainError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "pass your public IP") {
		t.Fatalf("forced loopback: %v", err)
	}
	t.Logf("forced loopback: %v", err)

	ip := netip.MustParseAddr("203.0.113.9")
	tx, err := ch.Client.ServeAxon(ctx, hot, 1, ip, 8091, subtensor.ServeOptions{})
	if err != nil || tx.Skipped {
		t.Fatalf("serve: %+v %v", tx, err)
	}
	ax, err := ch.Client.Axon(ctx, 1, hot.Public())
	if err != nil || ax == nil || ax.Endpoint() != "203.0.113.9:8091" || ax.Protocol != 4 {
		t.Fatalf("axon: %+v %v", ax, err)
	}
	// Unchanged: nothing sent (and no ServingRateLimitExceeded).
	if tx, err := ch.Client.ServeAxon(ctx, hot, 1, ip, 8091, subtensor.ServeOptions{}); err != nil || !tx.Skipped {
		t.Fatalf("unchanged serve: %+v %v", tx, err)
	}
}

func TestDevnetMetagraphEqualsStorage(t *testing.T) {
	// The reads below happen at successive blocks; an epoch between them
	// would pay emission as stake and make them disagree. No epoch runs
	// during this test.
	g := devnet.DevGenesis()
	for i := range g.Subnets {
		p := g.SubnetDefaults
		if g.Subnets[i].Params != nil {
			p = *g.Subnets[i].Params
		}
		p.Tempo = 10000
		g.Subnets[i].Params = &p
	}
	ch := startChain(t, g)
	ctx := ctxT(t)
	var hots []*keys.Keypair
	for i := range 3 {
		h := key(t, fmt.Sprintf("//Eve//m%d", i))
		register(t, ch, key(t, "//Eve"), h.Public())
		hots = append(hots, h)
	}
	if _, err := ch.Client.ServeAxon(ctx, hots[1], 1, netip.MustParseAddr("198.51.100.4"), 9000, subtensor.ServeOptions{}); err != nil {
		t.Fatal(err)
	}
	staked, err := ch.Client.AddStake(ctx, key(t, "//Eve"), hots[2].Public(), 1, subtensor.TAO(5), subtensor.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// HEAD swaps TAO for alpha through the subnet's pool: StakeAdded carries
	// both amounts, and they differ (the devnet's price is 0.5 τ per α).
	tao, bought, ok := subtensor.StakeMoved(staked)
	if !ok || tao != subtensor.TAO(5) || bought <= tao || bought >= 2*tao {
		t.Fatalf("StakeAdded: tao %s alpha %s ok %v (events %v)", tao, bought, ok, staked.Events)
	}
	// The devnet serves v15 metadata: get_metagraph's type there must match
	// the field list DecodeMetagraph reads (else MetagraphAPI is false).
	if f := ch.Client.Features(); devnettest.Runtime() == devnet.RuntimeSpec218 {
		if f.MetagraphAPI || !f.NeuronsLiteAPI || f.EpochEveryTempo || f.RegisterLimit || f.CommitmentBigRaw || f.SpecVersion != 218 || f.NeuronLiteLayout.ByName() {
			t.Fatalf("devnet features (spec 218): %+v", f)
		}
	} else if !f.MetagraphAPI || f.MetadataVersion != 15 || !f.DynamicTAO || !f.AddStakeNetuid || f.CommitmentMaxFields != 3 || !f.CommitmentBigRaw ||
		!f.NeuronLiteLayout.ByName() || len(f.NeuronLiteLayout.Missing()) != 0 {
		t.Fatalf("devnet features: %+v", f)
	}
	// SubnetMetagraph: get_metagraph on HEAD, get_neurons_lite and storage
	// on spec 218.
	m, err := ch.Client.SubnetMetagraph(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	spec218 := devnettest.Runtime() == devnet.RuntimeSpec218
	ns, err := ch.Client.NeuronsLite(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.N() != 3 || len(ns) != 3 || m.NetUID != 1 || m.Burn < subtensor.Rao(500_000_000) || m.Burn > subtensor.Rao(2_100_000_000) || m.Tempo == 0 {
		t.Fatalf("metagraph: n=%d lite=%d netuid=%d burn=%s tempo=%d", m.N(), len(ns), m.NetUID, m.Burn, m.Tempo)
	}
	for i, h := range hots {
		uid, ok, err := ch.Client.UID(ctx, 1, h.Public())
		if err != nil || !ok {
			t.Fatal(err)
		}
		if m.Hotkeys[uid] != h.Public() || ns[uid].Hotkey != h.Public() || m.Coldkeys[uid] != key(t, "//Eve").Public() {
			t.Fatalf("uid %d: hotkey differs", uid)
		}
		ax, _ := ch.Client.Axon(ctx, 1, h.Public())
		want := subtensor.AxonInfo{}
		if ax != nil {
			want = *ax
		}
		if m.Axons[uid] != want || ns[uid].Axon != want {
			t.Fatalf("uid %d axon: metagraph %+v, lite %+v, storage %+v", uid, m.Axons[uid], ns[uid].Axon, want)
		}
		stake, _ := ch.Client.Stake(ctx, 1, h.Public())
		if subtensor.GetRao(m.AlphaStake, int(uid)) != stake || !spec218 && ns[uid].TotalStake() != stake {
			t.Fatalf("hotkey %d uid %d stake: metagraph %s, lite %s, storage %s", i, uid, subtensor.GetRao(m.AlphaStake, int(uid)), ns[uid].TotalStake(), stake)
		}
	}
	if subtensor.GetRao(m.AlphaStake, int(m.UIDOf(hots[2].Public()))) != bought {
		t.Fatal("add_stake not visible in the metagraph")
	}
}

func TestDevnetWeightsMoveIncentive(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	alice := key(t, "//Alice")
	vali, miner, idle := key(t, "//Alice//validator"), key(t, "//Bob//miner"), key(t, "//Bob//idle")
	register(t, ch, alice, vali.Public())
	minerUID := register(t, ch, key(t, "//Bob"), miner.Public())
	register(t, ch, key(t, "//Bob"), idle.Public())
	if _, err := ch.Client.AddStake(ctx, alice, vali.Public(), 1, subtensor.TAO(1000), subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	before, err := ch.Client.Status(ctx, 1, miner.Public())
	if err != nil || !before.Registered || before.UID != minerUID {
		t.Fatalf("status: %+v %v", before, err)
	}
	if before.Incentive != 0 || before.EmissionPerTempo != 0 {
		t.Fatalf("incentive before any weights: %+v", before)
	}
	// The validator needs a permit, which an epoch grants by stake.
	tempo := int(before.Tempo) + 1
	waitFor(t, ch, 3*tempo, func() bool {
		st, err := ch.Client.Status(ctx, 1, vali.Public())
		return err == nil && st.ValidatorPermit
	})
	// Commit-reveal is on by default (HEAD): direct weights are refused
	// until the owner turns it off.
	if _, err := ch.Client.SetWeights(ctx, vali, 1, []uint16{minerUID}, []uint16{65535}, 0, subtensor.TxOptions{}); err == nil ||
		!strings.Contains(err.Error(), "CommitRevealEnabled") {
		t.Fatalf("set_weights under commit-reveal: %v, want CommitRevealEnabled", err)
	}
	if _, err := ch.Client.SetCommitReveal(ctx, alice, 1, false, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	tx, err := ch.Client.SetWeights(ctx, vali, 1, []uint16{minerUID}, []uint16{65535}, 0, subtensor.TxOptions{})
	if err != nil {
		t.Fatalf("set_weights: %v", err)
	}
	if tx.FeeKnown && tx.Fee != 0 {
		t.Errorf("set_weights charged %s; it is free on finney", tx.Fee)
	}
	var after *subtensor.MinerStatus
	waitFor(t, ch, 3*tempo, func() bool {
		after, err = ch.Client.Status(ctx, 1, miner.Public())
		return err == nil && after.Incentive > 0 && after.EmissionPerTempo > 0
	})
	t.Logf("miner after weights: %+v", after)
	if after.Rank != 1 || after.EmissionPerDay <= after.EmissionPerTempo {
		t.Fatalf("after weights: %+v", after)
	}
	idleSt, _ := ch.Client.Status(ctx, 1, idle.Public())
	if idleSt.Incentive != 0 || idleSt.Rank <= 1 {
		t.Fatalf("idle miner: %+v", idleSt)
	}
}

// waitFor polls cond once per block for at most blocks blocks.
func waitFor(t *testing.T, ch *chain, blocks int, cond func() bool) {
	t.Helper()
	for range blocks {
		if cond() {
			return
		}
		if err := ch.Node.WaitBlocks(ctxT(t), 1); err != nil {
			t.Fatal(err)
		}
	}
	if !cond() {
		t.Fatalf("condition not met within %d blocks", blocks)
	}
}

func TestDevnetTransferAndStake(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	alice, bob := key(t, "//Alice"), key(t, "//Bob")
	b0, _ := ch.Client.Balance(ctx, bob.Public())
	tx, err := ch.Client.Transfer(ctx, alice, bob.Public(), subtensor.TAO(3), false, subtensor.TxOptions{WaitFinalization: true})
	if err != nil || !tx.Finalized {
		t.Fatalf("transfer: %+v %v", tx, err)
	}
	if b1, _ := ch.Client.Balance(ctx, bob.Public()); b1.Free != b0.Free+subtensor.TAO(3) {
		t.Fatalf("bob got %s", b1.Free-b0.Free)
	}
	if _, ok := tx.Event("Balances", "Transfer"); !ok {
		t.Fatalf("events %v", tx.Events)
	}
	// More than the balance: refused before sending, in words.
	dave := key(t, "//Dave")
	_, err = ch.Client.Transfer(ctx, dave, bob.Public(), subtensor.TAO(5000), false, subtensor.TxOptions{})
	if !errors.Is(err, subtensor.ErrNotEnoughBalance) || !strings.Contains(err.Error(), "need 5000.0000005 τ, have 2000 τ") {
		t.Fatalf("overdraft: %v", err)
	}
	_, err = ch.Client.AddStake(ctx, dave, dave.Public(), 1, subtensor.TAO(5000), subtensor.TxOptions{})
	if !errors.Is(err, subtensor.ErrNotEnoughBalance) {
		t.Fatalf("stake overdraft: %v", err)
	}
}

// bumpTransport passes calls to a real node but can raise the spec_version
// the node reports, as a runtime upgrade would, and counts metadata loads.
type bumpTransport struct {
	rpc.Transport
	bump      atomic.Uint32
	metaLoads atomic.Int32
}

func (b *bumpTransport) Request(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	raw, err := b.Transport.Request(ctx, method, params...)
	if err != nil {
		return raw, err
	}
	switch method {
	case "state_getMetadata":
		b.metaLoads.Add(1)
	case "state_call":
		if len(params) > 0 && params[0] == "Metadata_metadata_at_version" {
			b.metaLoads.Add(1)
		}
	case "state_getRuntimeVersion":
		var v map[string]any
		if json.Unmarshal(raw, &v) == nil {
			v["specVersion"] = v["specVersion"].(float64) + float64(b.bump.Load())
			return json.Marshal(v)
		}
	}
	return raw, nil
}

// Subscribe refuses the runtime version subscription: its first
// notification (the real, unbumped version) could otherwise arrive after the
// bump under load and take the client back; the check before signing is
// what this test is about.
func (b *bumpTransport) Subscribe(ctx context.Context, method, unsubscribe string, params ...any) (*rpc.Subscription, error) {
	if method == "state_subscribeRuntimeVersion" {
		return nil, errors.New("test: no runtime version subscription")
	}
	return b.Transport.Subscribe(ctx, method, unsubscribe, params...)
}

func TestRuntimeUpgradeReloadsMetadata(t *testing.T) {
	n, err := devnet.Start(context.Background(), devnet.Config{BlockTime: testBlockTime})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx := ctxT(t)
	ws, err := rpc.DialWebSocket(ctx, rpc.Options{}, n.URL())
	if err != nil {
		t.Fatal(err)
	}
	bt := &bumpTransport{Transport: ws}
	c, err := subtensor.NewClient(ctx, rpc.NewClient(bt), subtensor.Network{Name: "devnet"}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	spec, loads := c.Features().SpecVersion, bt.metaLoads.Load()
	// Same version: signing does not reload.
	alice := key(t, "//Alice")
	call, err := c.NewCall("System", "remark", substrate.Named("remark", substrate.Bytes([]byte("hi"))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sign(ctx, alice, call, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if bt.metaLoads.Load() != loads {
		t.Fatal("metadata reloaded without a runtime upgrade")
	}
	bt.bump.Store(1)
	if _, err := c.Sign(ctx, alice, call, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if bt.metaLoads.Load() == loads || c.Features().SpecVersion != spec+1 {
		t.Fatalf("after the upgrade: %d metadata loads (was %d), spec %d (was %d)", bt.metaLoads.Load(), loads, c.Features().SpecVersion, spec)
	}
}

// The first endpoint is down: the client fails over to the next one.
func TestDialFailover(t *testing.T) {
	n, err := devnet.Start(context.Background(), devnet.Config{BlockTime: testBlockTime})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	net, err := subtensor.ResolveNetwork(subtensor.NetworkConfig{Network: "ws://127.0.0.1:1," + n.URL()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := subtensor.Dial(ctxT(t), net, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if b, err := c.Balance(ctxT(t), key(t, "//Alice").Public()); err != nil || b.Free == 0 {
		t.Fatalf("balance through the second endpoint: %+v %v", b, err)
	}
}

// A call the chain executes and rejects comes back as a *ChainError named
// from the metadata, with its docs and what to do.
func TestDevnetModuleErrorInWords(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	bob, hot := key(t, "//Bob"), key(t, "//Bob//twice")
	register(t, ch, bob, hot.Public())
	call, err := ch.Client.NewCall("SubtensorModule", "burned_register",
		substrate.Named("netuid", substrate.U64(1)), substrate.Named("hotkey", substrate.Bytes(pk(hot))))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ch.Client.Submit(ctx, bob, call, subtensor.TxOptions{})
	var ce *subtensor.ChainError
	if !errors.As(err, &ce) || ce.Name != "HotKeyAlreadyRegisteredInSubNet" || ce.Pallet != "SubtensorModule" || ce.Block == 0 || ce.Advice == "" {
		t.Fatalf("got %v (%+v)", err, ce)
	}
	if res == nil || res.Block != ce.Block {
		t.Fatalf("result %+v", res)
	}
	t.Log(err)
}

// Over plain HTTP (no subscriptions) calls still wait for their block.
func TestSubmitOverHTTP(t *testing.T) {
	n, err := devnet.Start(context.Background(), devnet.Config{BlockTime: testBlockTime})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx := ctxT(t)
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{n.HTTPURL()}}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tx, err := c.Transfer(ctx, key(t, "//Alice"), key(t, "//Bob").Public(), subtensor.TAO(1), false, subtensor.TxOptions{})
	if err != nil || tx.Block == 0 || !tx.FeeKnown {
		t.Fatalf("transfer over HTTP: %+v %v", tx, err)
	}
	if _, ok := tx.Event("Balances", "Transfer"); !ok {
		t.Fatalf("events %v", tx.Events)
	}
}

// Without get_metagraph (or with an unknown layout) the metagraph and status
// come from get_neurons_lite and storage, with the same values.
func TestDevnetNeuronsLiteFallback(t *testing.T) {
	// HEAD with get_metagraph hidden or garbled (spec 218 has none to hide).
	g := devnet.DevGenesis()
	g.Runtime = devnet.RuntimeHEAD
	ch := startChain(t, g)
	ctx := ctxT(t)
	hot := key(t, "//Eve//lite")
	register(t, ch, key(t, "//Eve"), hot.Public())
	if _, err := ch.Client.ServeAxon(ctx, hot, 1, netip.MustParseAddr("198.51.100.7"), 9001, subtensor.ServeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Client.CommitText(ctx, hot, 1, "lite", subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	want, err := ch.Client.Status(ctx, 1, hot.Public())
	if err != nil {
		t.Fatal(err)
	}
	for _, lt := range []*devnettest.LiteTransport{{Hide: true}, {Garble: true}} {
		ws, err := rpc.DialWebSocket(ctx, rpc.Options{}, ch.Node.URL())
		if err != nil {
			t.Fatal(err)
		}
		lt.Transport = ws
		c, err := subtensor.NewClient(ctx, rpc.NewClient(lt), subtensor.Network{Name: "devnet"}, subtensor.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Features().MetagraphAPI == lt.Hide {
			t.Fatalf("hide=%v: MetagraphAPI %v", lt.Hide, c.Features().MetagraphAPI)
		}
		got, err := c.Status(ctx, 1, hot.Public())
		if err != nil {
			t.Fatalf("hide=%v: %v", lt.Hide, err)
		}
		if got.UID != want.UID || got.RegisteredAt != want.RegisteredAt || got.Tempo != want.Tempo || got.Axon != want.Axon ||
			got.Commitment != "lite" || got.ImmunityLeft == 0 || got.Rank != want.Rank {
			t.Fatalf("hide=%v: lite status %+v, metagraph status %+v", lt.Hide, got, want)
		}
		m, err := c.SubnetMetagraph(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		// The records the Metagraph was assembled from: what metagraph.ChainSource
		// turns into Snapshot neurons.
		lite, uid := m.NeuronsLite(), m.UIDOf(hot.Public())
		if uid < 0 || len(lite) != m.N() || lite[uid].Hotkey != hot.Public() ||
			lite[uid].Axon.Addr() != netip.MustParseAddr("198.51.100.7") || lite[uid].Axon.Port != 9001 {
			t.Fatalf("hide=%v: uid %d in %d lite records of %d neurons", lt.Hide, uid, len(lite), m.N())
		}
		cm, err := c.Commitment(ctx, 1, hot.Public())
		if err != nil || string(cm.Payload()) != "lite" {
			t.Fatalf("hide=%v: commitment %+v (%v)", lt.Hide, cm, err)
		}
		c.Close()
	}
}

// Stake weight counts root stake × TaoWeight; the figure is the same from
// get_metagraph and, on runtimes without it, computed from storage.
func TestDevnetStakeWeightWithRoot(t *testing.T) {
	ch := startChain(t, nil)
	ctx := ctxT(t)
	cold := key(t, "//Eve")
	hot := key(t, "//Eve//weight")
	register(t, ch, cold, hot.Public())
	for netuid, tao := range map[uint16]uint64{1: 900, 0: 500} {
		if _, err := ch.Client.AddStake(ctx, cold, hot.Public(), netuid, subtensor.TAO(tao), subtensor.TxOptions{}); err != nil {
			t.Fatalf("add_stake on %d: %v", netuid, err)
		}
	}
	tw, ok, err := ch.Client.TaoWeight(ctx, 1)
	if err != nil || !ok || tw == 0 {
		t.Fatalf("TaoWeight %d %v %v", tw, ok, err)
	}
	alpha, err := ch.Client.Stake(ctx, 1, hot.Public())
	if err != nil {
		t.Fatal(err)
	}
	root, err := ch.Client.Stake(ctx, 0, hot.Public())
	if err != nil {
		t.Fatal(err)
	}
	want := subtensor.StakeWeightOf(uint64(alpha), uint64(root), tw)
	if root == 0 || want <= uint64(alpha) {
		t.Fatalf("alpha %d root %d weight %d: root stake not counted", alpha, root, want)
	}
	for _, lt := range []*devnettest.LiteTransport{nil, {Hide: true}} {
		c := ch.Client
		if lt != nil {
			ws, err := rpc.DialWebSocket(ctx, rpc.Options{}, ch.Node.URL())
			if err != nil {
				t.Fatal(err)
			}
			lt.Transport = ws
			if c, err = subtensor.NewClient(ctx, rpc.NewClient(lt), subtensor.Network{Name: "devnet"}, subtensor.Options{}); err != nil {
				t.Fatal(err)
			}
			defer c.Close()
		}
		m, err := c.SubnetMetagraph(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		uid := m.UIDOf(hot.Public())
		if got := subtensor.GetRao(m.TotalStake, uid); uint64(got) != want {
			t.Errorf("lite=%v: total stake %d, want %d", lt != nil, got, want)
		}
		if a, r := subtensor.GetRao(m.AlphaStake, uid), subtensor.GetRao(m.TaoStake, uid); a != alpha || r != root {
			t.Errorf("lite=%v: alpha %d root %d, want %d %d", lt != nil, a, r, alpha, root)
		}
		if lt != nil && (m.Tempo == 0 || m.WeightsRateLimit == 0 || m.ImmunityPeriod == 0) {
			t.Errorf("lite: parameters not read: tempo %d, weights rate limit %d, immunity %d (missing %v)",
				m.Tempo, m.WeightsRateLimit, m.ImmunityPeriod, m.Missing)
		}
	}
}

// A commitment inside the rate limit says when to retry (spec 218 rate
// limits commitments; HEAD budgets their space per tempo instead).
func TestDevnetCommitmentRateLimitSaysWhen(t *testing.T) {
	g := devnet.DevGenesis()
	g.Runtime = devnet.RuntimeSpec218
	g.CommitmentRateLimit = 50
	ch := startChain(t, g)
	ctx := ctxT(t)
	hot := key(t, "//Eve//commit")
	register(t, ch, key(t, "//Eve"), hot.Public())
	first, err := ch.Client.CommitText(ctx, hot, 1, "one", subtensor.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Client.CommitText(ctx, hot, 1, "two", subtensor.TxOptions{})
	want := fmt.Sprintf("committed at block %d; the chain takes one commitment per 50 blocks: retry at block %d", first.Block, first.Block+50)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("second commitment: %v, want %q", err, want)
	}
}

// A subnet with two mechanisms (HEAD): status and the mechagraph report
// each mechanism's incentive, from the validator's weights on each.
func TestDevnetMechanisms(t *testing.T) {
	g := devnet.DevGenesis()
	g.Runtime = devnet.RuntimeHEAD // spec 218 has no mechanisms
	g.SubnetDefaults.CommitRevealWeightsEnabled = false
	g.SubnetDefaults.MaxAllowedUids = 128 // × 2 mechanisms within the chain's 256
	ch := startChain(t, g)
	ctx := ctxT(t)
	alice, bob := key(t, "//Alice"), key(t, "//Bob")
	vali, a, b := key(t, "//Alice//v"), key(t, "//Bob//a"), key(t, "//Bob//b")
	register(t, ch, alice, vali.Public())
	uidA := register(t, ch, bob, a.Public())
	uidB := register(t, ch, bob, b.Public())
	if _, err := ch.Client.AddStake(ctx, alice, vali.Public(), 1, subtensor.TAO(1000), subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Client.SetMechanismCount(ctx, alice, 1, 2, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Client.SetMechanismEmissionSplit(ctx, alice, 1, []uint16{49151, 16384}, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if n, err := ch.Client.MechanismCount(ctx, 1); err != nil || n != 2 {
		t.Fatalf("mechanism count %d %v", n, err)
	}
	waitFor(t, ch, 40, func() bool {
		st, err := ch.Client.Status(ctx, 1, vali.Public())
		return err == nil && st.ValidatorPermit
	})
	if _, err := ch.Client.SetMechanismWeights(ctx, vali, 1, 0, []uint16{uidA}, []uint16{65535}, 0, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Client.SetMechanismWeights(ctx, vali, 1, 1, []uint16{uidB}, []uint16{65535}, 0, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Client.SetMechanismWeights(ctx, vali, 1, 2, []uint16{uidB}, []uint16{65535}, 0, subtensor.TxOptions{}); err == nil {
		t.Fatal("weights on mechanism 2 of 2 accepted")
	}
	var stB *subtensor.MinerStatus
	waitFor(t, ch, 40, func() bool {
		var err error
		stB, err = ch.Client.Status(ctx, 1, b.Public())
		return err == nil && len(stB.Mechanisms) == 2 && stB.Mechanisms[1].Incentive > 0
	})
	if stB.Incentive != 0 || stB.Mechanisms[0].Incentive != 0 || stB.Mechanisms[1].Incentive != 1 || stB.Mechanisms[1].Rank != 1 ||
		stB.Mechanisms[0].Share < 0.74 || stB.Mechanisms[0].Share > 0.76 || stB.EmissionPerTempo == 0 {
		t.Fatalf("miner B: %+v", stB)
	}
	stA, err := ch.Client.Status(ctx, 1, a.Public())
	if err != nil || stA.Incentive != 1 || stA.Mechanisms[0].Incentive != 1 || stA.Mechanisms[1].Incentive != 0 || stA.EmissionPerTempo <= stB.EmissionPerTempo {
		t.Fatalf("miner A: %+v %v", stA, err)
	}
	m1, err := ch.Client.Mechagraph(ctx, 1, 1)
	if err != nil || m1.NetUID != subtensor.MechanismIndex(1, 1) || subtensor.GetU16(m1.Incentives, int(uidB)) != 65535 || subtensor.GetU16(m1.Incentives, int(uidA)) != 0 {
		t.Fatalf("mechagraph 1: %v %+v", err, m1)
	}
	if _, err := ch.Client.Mechagraph(ctx, 1, 2); !errors.Is(err, subtensor.ErrNoSubnet) {
		t.Fatalf("mechagraph 2: %v", err)
	}
}
