package conformance

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/activity"
	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/internal/interoptest"
	"github.com/minerkit/minerkit/internal/realchaintest"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/subtensor"
)

type pjsNeuron struct {
	UID        int     `json:"uid"`
	Alpha      string  `json:"alpha"`
	Root       string  `json:"root"`
	Weight     string  `json:"weight"`
	Permit     bool    `json:"permit"`
	Axon       string  `json:"axon"`
	Commitment *string `json:"commitment"`
}

type pjsReport struct {
	Spec      uint32               `json:"spec"`
	TaoWeight string               `json:"taoWeight"`
	Tempo     uint16               `json:"tempo"`
	Neurons   map[string]pjsNeuron `json:"neurons"`
	Balances  map[string]string    `json:"balances"`
}

// TestRealchainCommands runs the chain commands' library calls on the real
// runtime — transfer, balance, register (twice), stake on subnet 1 and on
// root, commit, serve_axon, metagraph, the guard's snapshot, status — and
// holds every figure against polkadot-js's reading of the same chain.
func TestRealchainCommands(t *testing.T) {
	if os.Getenv("MINERKIT_CONFORMANCE") == "" {
		t.Skip("set MINERKIT_CONFORMANCE=1 (make conformance) to run against the real runtime")
	}
	url := realchaintest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "custom", Endpoints: []string{url}, BlockTime: 12 * time.Second}, subtensor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f := c.Features()
	t.Logf("runtime %s spec %d: get_metagraph %v, dynamic TAO %v, register_limit %v", f.SpecName, f.SpecVersion, f.MetagraphAPI, f.DynamicTAO, f.RegisterLimit)
	checkSpec218Testdata(t, url)

	alice := devnettest.Key(t, "//Alice")
	hot := devnettest.Key(t, "//Alice//conformance")
	dest := devnettest.Key(t, "//Alice//conformance-dest")
	const netuid = 1

	// transfer → balance
	if _, err := c.Transfer(ctx, alice, dest.Public(), subtensor.TAO(3), false, subtensor.TxOptions{}); err != nil {
		t.Fatalf("transfer: %v", err)
	}
	bal, err := c.Balance(ctx, dest.Public())
	if err != nil || bal.Free != subtensor.TAO(3) {
		t.Fatalf("balance after transfer: %+v %v", bal, err)
	}
	reg, err := c.BurnedRegister(ctx, alice, hot.Public(), netuid, subtensor.RegisterOptions{})
	if err != nil {
		t.Fatalf("burned_register: %v", err)
	}
	again, err := c.BurnedRegister(ctx, alice, hot.Public(), netuid, subtensor.RegisterOptions{})
	if err != nil || !again.AlreadyRegistered || again.UID != reg.UID {
		t.Fatalf("second registration: %+v %v (first %+v)", again, err, reg)
	}
	tx, err := c.AddStake(ctx, alice, hot.Public(), netuid, subtensor.TAO(100), subtensor.TxOptions{})
	if err != nil {
		t.Fatalf("add_stake on subnet %d: %v", netuid, err)
	}
	tao, alpha, ok := subtensor.StakeMoved(tx)
	t.Logf("add_stake on subnet %d: block %d, events %v; StakeAdded tao %d alpha %d (%v)", netuid, tx.Block, tx.Events, tao, alpha, ok)
	if _, err := c.AddStake(ctx, alice, hot.Public(), 0, subtensor.TAO(50), subtensor.TxOptions{}); err != nil {
		t.Fatalf("add_stake on root: %v", err)
	}
	// commit → serve-axon (the runtime refuses loopback addresses: a public
	// documentation address)
	const endpoint = "http://198.51.100.9:8091"
	if _, err := c.CommitText(ctx, hot, netuid, endpoint, subtensor.TxOptions{}); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if _, err := c.ServeAxon(ctx, hot, netuid, netip.MustParseAddr("198.51.100.9"), 8091, subtensor.ServeOptions{}); err != nil {
		t.Fatalf("serve_axon: %v", err)
	}

	m, err := c.SubnetMetagraph(ctx, netuid)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, h := range m.Hotkeys {
		addrs = append(addrs, h.Address())
	}
	var pjs pjsReport
	interoptest.RunJSON(t, "realchain.js", map[string]any{"url": url, "netuid": netuid, "hotkeys": addrs,
		"accounts": []string{dest.Public().Address()}}, &pjs)
	if got := pjs.Balances[dest.Public().Address()]; got != fmt.Sprint(uint64(bal.Free)) {
		t.Errorf("balance: minerkit %d, polkadot-js %s", uint64(bal.Free), got)
	}
	if m.Tempo != pjs.Tempo || m.Tempo == 0 {
		t.Errorf("tempo: minerkit %d, polkadot-js %d", m.Tempo, pjs.Tempo)
	}
	t.Logf("polkadot-js: spec %d, TaoWeight %s, %d neurons; minerkit left out %v", pjs.Spec, pjs.TaoWeight, len(pjs.Neurons), m.Missing)

	snap, err := (&metagraph.ChainSource{Client: c}).Snapshot(ctx, netuid)
	if err != nil {
		t.Fatal(err)
	}
	rootSeen := false
	for uid, h := range m.Hotkeys {
		want := pjs.Neurons[h.Address()]
		if want.UID != uid {
			t.Errorf("%s: uid %d, polkadot-js %d", h.Address(), uid, want.UID)
		}
		got := fmt.Sprint(uint64(subtensor.GetRao(m.AlphaStake, uid)), uint64(subtensor.GetRao(m.TaoStake, uid)), uint64(subtensor.GetRao(m.TotalStake, uid)))
		if exp := strings.Join([]string{want.Alpha, want.Root, want.Weight}, " "); got != exp {
			t.Errorf("uid %d: alpha root weight %s, polkadot-js %s", uid, got, exp)
		}
		n, ok := snap.LookupKey(h)
		if !ok || fmt.Sprint(n.Stake) != want.Weight || n.ValidatorPermit != want.Permit {
			t.Errorf("uid %d: snapshot stake %d permit %v, polkadot-js %s %v", uid, n.Stake, n.ValidatorPermit, want.Weight, want.Permit)
		}
		if want.Root != "0" {
			rootSeen = true
		}
		if got := n.Axon.String(); got != want.Axon {
			t.Errorf("uid %d: axon %q, polkadot-js %q", uid, got, want.Axon)
		}
		if want.Commitment != nil && n.CommitmentText() != *want.Commitment {
			t.Errorf("uid %d: commitment %q, polkadot-js %q", uid, n.CommitmentText(), *want.Commitment)
		}
	}
	if !rootSeen {
		t.Error("no neuron has root stake: the root figure was not exercised")
	}
	st, err := c.Status(ctx, netuid, hot.Public())
	if err != nil {
		t.Fatal(err)
	}
	if want := pjs.Neurons[hot.Public().Address()]; fmt.Sprint(uint64(st.Stake)) != want.Weight || st.Tempo != pjs.Tempo ||
		st.Commitment != endpoint || want.Commitment == nil || *want.Commitment != endpoint {
		t.Errorf("status: stake %d tempo %d commitment %q; polkadot-js weight %s tempo %d commitment %v",
			st.Stake, st.Tempo, st.Commitment, want.Weight, pjs.Tempo, want.Commitment)
	}
	// The activity exporter's source: the same snapshot plus its extras
	// (tempo, registration blocks), also on a runtime without get_metagraph.
	asrc := &activity.Source{Client: c}
	asnap, err := asrc.Snapshot(ctx, netuid)
	if err != nil {
		t.Fatalf("activity source: %v", err)
	}
	ex := asrc.Extras(asnap)
	huid := m.UIDOf(hot.Public())
	if ex == nil || ex.Tempo != pjs.Tempo || huid < 0 || huid >= len(ex.RegisteredAt) || ex.RegisteredAt[huid] == 0 ||
		ex.RegisteredAt[huid] != st.RegisteredAt || ex.EpochsPerDay != st.EpochsPerDay {
		t.Errorf("exporter extras %+v; status registered at %d, epochs/day %v", ex, st.RegisteredAt, st.EpochsPerDay)
	}
	if an, ok := asnap.LookupKey(hot.Public()); !ok || fmt.Sprint(an.Stake) != pjs.Neurons[hot.Public().Address()].Weight {
		t.Errorf("exporter stake %d, polkadot-js %s", an.Stake, pjs.Neurons[hot.Public().Address()].Weight)
	}
	// Epochs per day follow the runtime's rule (spec 218: one every tempo + 1 blocks).
	if f.EpochEveryTempo || st.EpochsPerDay <= 0 {
		t.Errorf("spec %d: EpochEveryTempo %v, epochs per day %v", f.SpecVersion, f.EpochEveryTempo, st.EpochsPerDay)
	}
}

// checkSpec218Testdata holds the metadata the devnet's spec-218 shape is
// tested against (devnet/testdata/spec218-metadata.scale.gz) to what the
// real runtime serves: Metadata_metadata_at_version(15), byte for byte.
func checkSpec218Testdata(t *testing.T, wsURL string) {
	t.Helper()
	body := `{"id":1,"jsonrpc":"2.0","method":"state_call","params":["Metadata_metadata_at_version","0x0f000000"]}`
	resp, err := http.Post(strings.Replace(wsURL, "ws://", "http://", 1), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("metadata over HTTP: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Result string `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(strings.TrimPrefix(out.Result, "0x"))
	if err != nil || len(raw) < 8 || raw[0] != 1 {
		t.Fatalf("metadata_at_version(15): %d bytes, %v", len(raw), err)
	}
	d := scale.NewDecoder(raw[1:])
	live, err := d.ByteSlice()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../devnet/testdata/spec218-metadata.scale.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, live) {
		t.Fatalf("devnet/testdata/spec218-metadata.scale.gz (%d bytes) is not the metadata the real runtime serves (%d bytes)", len(stored), len(live))
	}
}
