package activity_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/activity"
	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

const testBlockTime = 20 * time.Millisecond

func startChain(t testing.TB) (*devnet.Node, *subtensor.Client) {
	t.Helper()
	n, err := devnet.Start(context.Background(), devnet.Config{BlockTime: testBlockTime, Genesis: devnettest.Genesis()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	c, err := subtensor.Dial(ctxT(t), subtensor.Network{Name: "devnet", Endpoints: []string{n.URL()}, BlockTime: testBlockTime}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return n, c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func key(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDevnetEnsureSetsUpAndRepairs(t *testing.T) {
	_, c := startChain(t)
	ctx := ctxT(t)
	cold, hot := key(t, "//Bob"), key(t, "//Bob//gh")
	coldkey := func() (keys.Signer, error) { return cold, nil }
	cfg := activity.EnsureConfig{NetUID: 1, Hotkey: hot, GitHub: "Alice-Dev", Coldkey: coldkey}

	// Setup from nothing: registers, commits, reads back.
	rep, err := activity.Ensure(ctx, c, cfg)
	if err != nil {
		t.Fatalf("ensure: %v\n%+v", err, rep)
	}
	if len(rep.Checks) != 2 || !rep.Checks[0].Repaired || !rep.Checks[1].Repaired || rep.UID == nil || len(rep.Txs) != 2 {
		t.Fatalf("first ensure: %+v", rep)
	}
	t.Logf("first: %+v", rep.Checks)
	cm, err := c.Commitment(ctx, 1, hot.Public())
	if err != nil {
		t.Fatal(err)
	}
	if u, at := activity.IdentityOf(cm); u != "alice-dev" || at != 0 || cm.Text() != "gh:alice-dev" {
		t.Fatalf("commitment read back: %q field %d (%+v)", u, at, cm)
	}

	// Again: nothing to do, nothing sent.
	if rep, err = activity.Ensure(ctx, c, cfg); err != nil || len(rep.Txs) != 0 || rep.Checks[0].Repaired || rep.Checks[1].Repaired {
		t.Fatalf("second ensure: %+v %v", rep, err)
	}

	// The subnet's own data replaces the commitment: the identity field is
	// missing, ensure adds it after the subnet's field (no coldkey needed).
	if _, err := c.CommitText(ctx, hot, 1, "https://203.0.113.7:8091", subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := activity.ReadStatus(ctx, c, 1, hot.Public(), "alice-dev")
	if err != nil || st.Identity.Present || st.Identity.Matches {
		t.Fatalf("status with the identity gone: %+v %v", st, err)
	}
	cfg.Coldkey = nil
	rep, err = activity.Ensure(ctx, c, cfg)
	if err != nil || !rep.Checks[1].Repaired || !strings.Contains(rep.Checks[1].Detail, "was missing") {
		t.Fatalf("repair: %+v %v", rep, err)
	}
	t.Logf("repair: %s", rep.Checks[1].Detail)
	cm, _ = c.Commitment(ctx, 1, hot.Public())
	if len(cm.Fields) != 2 || string(cm.Fields[0].Bytes) != "https://203.0.113.7:8091" || string(cm.Fields[1].Bytes) != "gh:alice-dev" {
		t.Fatalf("after repair: %+v", cm)
	}
	st, err = activity.ReadStatus(ctx, c, 1, hot.Public(), "alice-dev")
	if err != nil || !st.Identity.Matches || st.Identity.Field != 1 {
		t.Fatalf("status after repair: %+v %v", st.Identity, err)
	}

	// Another user committed: ensure puts the right one back in place.
	if _, err := c.SetCommitment(ctx, hot, 1, mustFields(t, "https://203.0.113.7:8091", "gh:mallory"), subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if st, _ = activity.ReadStatus(ctx, c, 1, hot.Public(), "alice-dev"); st.Identity.Matches || !strings.Contains(st.Identity.String(), "MISMATCH: gh:mallory") {
		t.Fatalf("mismatch: %s", st.Identity)
	}
	if rep, err = activity.Ensure(ctx, c, cfg); err != nil || !strings.Contains(rep.Checks[1].Detail, "was gh:mallory") {
		t.Fatalf("mismatch repair: %+v %v", rep, err)
	}

	// A published proof is checked too.
	p, err := activity.NewProof(hot, "alice-dev", 1, activity.ProofOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Proof = []byte(p.Text())
	if rep, err = activity.Ensure(ctx, c, cfg); err != nil || len(rep.Checks) != 3 || !rep.Checks[2].OK {
		t.Fatalf("with proof: %+v %v", rep, err)
	}

	// What it cannot fix: an unregistered hotkey without a coldkey, and a
	// proof for another subnet. The error lists both.
	stranger := key(t, "//Dave//gh")
	p2, _ := activity.NewProof(stranger, "dave", 2, activity.ProofOptions{})
	rep, err = activity.Ensure(ctx, c, activity.EnsureConfig{NetUID: 1, Hotkey: stranger, GitHub: "dave", Proof: []byte(p2.Text())})
	if !errors.Is(err, activity.ErrUnfixed) || len(rep.Failed()) != 3 {
		t.Fatalf("unfixable: %+v %v", rep, err)
	}
	for _, want := range []string{"registration: not registered on netuid 1; give ensure a coldkey and a burn limit", "identity commitment: not checked", "identity proof: activity: proof is for another subnet"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error lacks %q:\n%v", want, err)
		}
	}
	t.Logf("unfixable:\n%v", err)
}

func mustFields(t *testing.T, texts ...string) []subtensor.Data {
	var out []subtensor.Data
	for _, s := range texts {
		d, err := subtensor.RawData([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// TestDevnetStatusAndExporter gives a miner incentive with a validator's
// weights, then checks that ReadStatus, the metagraph snapshot and the
// exporter's scrape agree.
func TestDevnetStatusAndExporter(t *testing.T) {
	node, c := startChain(t)
	ctx := ctxT(t)
	alice, bob := key(t, "//Alice"), key(t, "//Bob")
	vali, miner, idle, nobody := key(t, "//Alice//validator"), key(t, "//Bob//miner"), key(t, "//Bob//idle"), key(t, "//Bob//nobody")
	reg := func(cold, hot *keys.Keypair) uint16 {
		res, err := c.BurnedRegister(ctx, cold, hot.Public(), 1, subtensor.RegisterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return res.UID
	}
	reg(alice, vali)
	minerUID := reg(bob, miner)
	reg(bob, idle)
	if _, err := c.AddStake(ctx, alice, vali.Public(), 1, subtensor.TAO(1000), subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := activity.Ensure(ctx, c, activity.EnsureConfig{NetUID: 1, Hotkey: miner, GitHub: "minerbob"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, node, 40, func() bool {
		st, err := c.Status(ctx, 1, vali.Public())
		return err == nil && st.ValidatorPermit
	})
	// The devnet starts subnets with commit-reveal on (as subtensor does);
	// the owner, //Alice, turns it off so weights can be set directly.
	alice, err := keys.FromSURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetCommitReveal(ctx, alice, 1, false, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetWeights(ctx, vali, 1, []uint16{minerUID}, []uint16{65535}, 0, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, node, 40, func() bool {
		st, err := c.Status(ctx, 1, miner.Public())
		return err == nil && st.Incentive > 0 && st.EmissionPerTempo > 0
	})

	hotkeys := []keys.PublicKey{miner.Public(), idle.Public(), vali.Public(), nobody.Public()}
	e := activity.NewExporter(c, 1, hotkeys)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	if m := scrape(t, srv.URL); m["minerkit_metagraph_syncs_total"] != 0 || m[`minerkit_neuron_incentive{`+miner.Address()] != 0 {
		t.Fatalf("before the first sync: %v", m)
	}

	// Status and snapshot read at the same block (retry if a block came
	// between the two reads).
	var (
		sts  []*activity.Status
		figs []activity.Figures
	)
	for try := 0; ; try++ {
		if err := e.Syncer.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		figs, _ = e.Figures()
		sts = sts[:0]
		same := true
		for _, h := range hotkeys {
			st, err := activity.ReadStatus(ctx, c, 1, h, "")
			if err != nil {
				t.Fatal(err)
			}
			same = same && st.Block == figs[0].Block
			sts = append(sts, st)
		}
		if same {
			break
		}
		if try == 20 {
			t.Fatal("status and metagraph never read at the same block")
		}
	}
	snap := e.Syncer.Current()
	for i, st := range sts {
		f := figs[i]
		if st.Registered != f.Registered {
			t.Fatalf("%s registered: status %v, metagraph %v", st.Hotkey, st.Registered, f.Registered)
		}
		if !st.Registered {
			continue
		}
		n, _ := snap.LookupKey(hotkeys[i])
		got := []any{st.UID, st.Rank, st.Miners, st.Incentive, st.EmissionPerTempo, st.EmissionPerDay, st.Stake, st.RegisteredAt, st.ImmunityLeft, st.Tempo, st.Identity.Committed}
		want := []any{f.UID, f.Rank, f.Miners, f.Incentive, f.EmissionPerTempo, f.EmissionPerDay, f.Stake, f.RegisteredAt, f.ImmunityLeft, f.Tempo, f.Identity}
		for j := range got {
			if got[j] != want[j] {
				t.Fatalf("%s field %d: status %v, exporter figures %v\nstatus %+v\nfigures %+v", st.Hotkey, j, got[j], want[j], st.MinerStatus, f)
			}
		}
		if n.UID != st.UID || n.Incentive != st.Incentive || subtensor.Rao(n.Emission) != st.EmissionPerTempo || subtensor.Rao(n.Stake) != st.Stake {
			t.Fatalf("%s: status %+v, snapshot neuron %+v", st.Hotkey, st.MinerStatus, n)
		}
	}
	if figs[0].Incentive == 0 || figs[0].Rank != 1 || figs[0].Identity != "minerbob" || figs[1].Rank != 2 || !figs[2].ValidatorPermit {
		t.Fatalf("figures: %+v", figs)
	}
	t.Logf("miner: %+v", sts[0].MinerStatus)

	// The scrape serves the same numbers.
	m := scrape(t, srv.URL)
	mk := miner.Address()
	for name, want := range map[string]float64{
		"minerkit_neuron_registered{" + mk:                     1,
		"minerkit_neuron_registered{" + nobody.Address():       0,
		"minerkit_neuron_incentive{" + mk:                      sts[0].Incentive,
		"minerkit_neuron_emission_per_tempo_tao{" + mk:         sts[0].EmissionPerTempo.Float(),
		"minerkit_neuron_emission_per_day_tao{" + mk:           sts[0].EmissionPerDay.Float(),
		"minerkit_neuron_rank{" + mk:                           1,
		"minerkit_neuron_rank{" + idle.Address():               2,
		"minerkit_neuron_stake_tao{" + mk:                      sts[0].Stake.Float(),
		"minerkit_neuron_stake_weight_alpha{" + mk:             sts[0].Stake.Float(),
		"minerkit_neuron_emission_per_tempo_alpha{" + mk:       sts[0].EmissionPerTempo.Float(),
		"minerkit_neuron_registered_at_block{" + mk:            float64(sts[0].RegisteredAt),
		"minerkit_neuron_immunity_left_blocks{" + mk:           float64(sts[0].ImmunityLeft),
		"minerkit_neuron_identity_committed{" + mk:             1,
		"minerkit_neuron_identity_committed{" + idle.Address(): 0,
		"minerkit_neuron_validator_permit{" + vali.Address():   1,
		"minerkit_metagraph_block":                             float64(sts[0].Block),
		"minerkit_subnet_neurons":                              3,
		"minerkit_subnet_miners":                               2,
		"minerkit_subnet_tempo_blocks":                         float64(sts[0].Tempo),
		"minerkit_metagraph_reachable":                         1,
	} {
		got, ok := m[name]
		if !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	if _, ok := m["minerkit_neuron_incentive{"+nobody.Address()]; ok {
		t.Errorf("an unregistered hotkey has an incentive series")
	}

	// Run follows the chain: the served block moves on.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.Syncer.Interval = 1
	done := make(chan error, 1)
	go func() { done <- e.Run(rctx) }()
	first := m["minerkit_metagraph_block"]
	for i := 0; ; i++ {
		<-e.Syncer.Notify()
		if b := scrape(t, srv.URL)["minerkit_metagraph_block"]; b > first {
			break
		}
		if i == 50 {
			t.Fatal("the exporter's block does not move")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// scrape fetches url and returns each sample by "name{hotkey" (for series
// with a hotkey label) or name.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("scrape: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		series, val, _ := strings.Cut(l, " ")
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("scrape line %q: %v", l, err)
		}
		name, labels, _ := strings.Cut(series, "{")
		if _, hk, ok := strings.Cut(labels, `hotkey="`); ok {
			hk, _, _ = strings.Cut(hk, `"`)
			name += "{" + hk
		}
		out[name] = v
	}
	return out
}

func waitFor(t *testing.T, n *devnet.Node, blocks int, cond func() bool) {
	t.Helper()
	for range blocks {
		if cond() {
			return
		}
		if err := n.WaitBlocks(ctxT(t), 1); err != nil {
			t.Fatal(err)
		}
	}
	if !cond() {
		t.Fatalf("condition not met within %d blocks", blocks)
	}
}

// On a subnet with two mechanisms the exporter serves each mechanism's
// emission share and each hotkey's incentive and rank in it.
func TestDevnetExporterMechanisms(t *testing.T) {
	g := devnet.DevGenesis()
	g.Runtime = devnet.RuntimeHEAD // spec 218 has no mechanisms
	g.SubnetDefaults.MaxAllowedUids = 128
	n, err := devnet.Start(context.Background(), devnet.Config{BlockTime: testBlockTime, Genesis: g})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	c, err := subtensor.Dial(ctxT(t), subtensor.Network{Name: "devnet", Endpoints: []string{n.URL()}, BlockTime: testBlockTime}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := ctxT(t)
	miner := key(t, "//Bob//miner")
	if _, err := c.BurnedRegister(ctx, key(t, "//Bob"), miner.Public(), 1, subtensor.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetMechanismCount(ctx, key(t, "//Alice"), 1, 2, subtensor.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	e := activity.NewExporter(c, 1, []keys.PublicKey{miner.Public()})
	if err := e.Syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	figs, _ := e.Figures()
	if len(figs) != 1 || len(figs[0].Mechanisms) != 2 || figs[0].Mechanisms[1].Share != 0.5 || figs[0].Mechanisms[1].Rank != 1 {
		t.Fatalf("figures: %+v", figs)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`minerkit_subnet_mechanism_emission_share{mechanism="1",netuid="1"} 0.5`,
		`minerkit_neuron_mechanism_incentive{hotkey="` + miner.Address() + `",mechanism="1",netuid="1",uid="0"} 0`,
		`minerkit_neuron_mechanism_rank{hotkey="` + miner.Address() + `",mechanism="0",netuid="1",uid="0"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}
