package activity

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/subtensor"
)

func texts(fs []subtensor.Data) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Bytes))
	}
	return out
}

func commitment(ts ...string) *subtensor.Commitment {
	c := &subtensor.Commitment{}
	for _, s := range ts {
		d, _ := subtensor.RawData([]byte(s))
		c.Fields = append(c.Fields, d)
	}
	return c
}

func TestIdentityFields(t *testing.T) {
	cases := []struct {
		name    string
		current *subtensor.Commitment
		extra   []string
		max     int
		want    []string
		err     string
	}{
		{"empty", nil, nil, 3, []string{"gh:octocat"}, ""},
		{"keep subnet data", commitment("https://x:1"), nil, 3, []string{"https://x:1", "gh:octocat"}, ""},
		{"replace in place", commitment("gh:mallory", "https://x:1"), nil, 3, []string{"gh:octocat", "https://x:1"}, ""},
		{"already there", commitment("a", "gh:octocat"), nil, 3, []string{"a", "gh:octocat"}, ""},
		{"extra replaces", commitment("a", "b", "gh:x"), []string{"c"}, 3, []string{"c", "gh:octocat"}, ""},
		{"extra empty", commitment("a"), []string{}, 3, []string{"gh:octocat"}, ""},
		{"too many", commitment("a", "b", "c"), nil, 3, nil, "would have 4 fields and the chain allows 3"},
		{"extra with gh:", nil, []string{"gh:y"}, 3, nil, "marks the identity field"},
		{"extra too long", nil, []string{strings.Repeat("x", 600)}, 3, nil, "too long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := IdentityFields(tc.current, "OctoCat", tc.extra, tc.max)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(texts(got), tc.want) {
				t.Fatalf("got %q %v, want %q", texts(got), err, tc.want)
			}
		})
	}
	if _, err := IdentityFields(nil, "bad user", nil, 3); err == nil {
		t.Fatal("bad user accepted")
	}
}

func TestCheckIdentity(t *testing.T) {
	cases := []struct {
		cm       *subtensor.Commitment
		expected string
		want     IdentityStatus
		says     string
	}{
		{nil, "octocat", IdentityStatus{Field: -1, Expected: "octocat"}, "missing: no gh:octocat field"},
		{commitment("x"), "", IdentityStatus{Field: -1}, "missing: no gh: field"},
		{commitment("x", "gh:octocat"), "OctoCat", IdentityStatus{Committed: "octocat", Field: 1, Expected: "OctoCat", Present: true, Matches: true}, "matches"},
		{commitment("gh:octocat"), "", IdentityStatus{Committed: "octocat", Field: 0, Present: true, Matches: true}, "gh:octocat committed (field 0)"},
		{commitment("gh:mallory"), "octocat", IdentityStatus{Committed: "mallory", Field: 0, Expected: "octocat", Present: true}, "MISMATCH: gh:mallory"},
	}
	for _, tc := range cases {
		got := CheckIdentity(tc.cm, tc.expected)
		if got != tc.want || !strings.Contains(got.String(), tc.says) {
			t.Errorf("CheckIdentity(%v, %q) = %+v %q, want %+v %q", tc.cm, tc.expected, got, got.String(), tc.want, tc.says)
		}
	}
}

func TestChanged(t *testing.T) {
	base := func() *Status {
		return &Status{MinerStatus: &subtensor.MinerStatus{Registered: true, UID: 3, Rank: 2, Miners: 5, Incentive: 0.25, Tempo: 360, EmissionPerTempo: 7, ImmunityLeft: 10}, Identity: IdentityStatus{Committed: "a", Present: true, Matches: true}}
	}
	a, b := base(), base()
	if c := Changed(nil, a); c != nil {
		t.Fatalf("first read: %v", c)
	}
	b.ImmunityLeft = 9
	if c := Changed(a, b); len(c) != 0 {
		t.Fatalf("immunity counting down marked: %v", c)
	}
	b.ImmunityLeft, b.Incentive, b.Rank, b.EmissionPerTempo = 0, 0.5, 1, 9
	if c := Changed(a, b); !reflect.DeepEqual(c, []string{"rank", "incentive", "emission", "immunity"}) {
		t.Fatalf("changed: %v", c)
	}
	b = base()
	b.Registered = false
	if c := Changed(a, b); !reflect.DeepEqual(c, []string{"registered"}) {
		t.Fatalf("deregistered: %v", c)
	}
}

// fixedSource serves one snapshot.
type fixedSource struct{ snap *metagraph.Snapshot }

func (f fixedSource) Snapshot(context.Context, uint16) (*metagraph.Snapshot, error) {
	return f.snap, nil
}

// benchExporter is an Exporter over a 256-UID snapshot with extras, no chain.
func benchExporter(tb testing.TB, hotkeys int) (*Exporter, []keys.PublicKey) {
	tb.Helper()
	var ns []metagraph.Neuron
	ex := &Extras{Tempo: 360, ImmunityPeriod: 5000, BlockTime: 12 * time.Second, EpochsPerDay: 20, Identity: map[keys.PublicKey]string{}}
	var hks []keys.PublicKey
	for i := range 256 {
		var pk keys.PublicKey
		copy(pk[:], fmt.Sprintf("hotkey-%03d", i))
		ns = append(ns, metagraph.Neuron{UID: uint16(i), HotkeyPub: pk, Incentive: float64(i%17) / 17, Emission: uint64(i) * 1000, ValidatorPermit: i%32 == 0, Stake: uint64(i)})
		ex.RegisteredAt = append(ex.RegisteredAt, uint64(i))
		if i < hotkeys {
			hks = append(hks, pk)
			ex.Identity[pk] = fmt.Sprintf("user%d", i)
		}
	}
	snap, err := metagraph.NewSnapshot(1, 10_000, time.Now(), ns)
	if err != nil {
		tb.Fatal(err)
	}
	ex.snap = snap
	e := &Exporter{Source: &Source{}, Syncer: metagraph.NewSyncer(fixedSource{snap}, 1), Hotkeys: hks}
	e.Source.store(ex)
	if err := e.Syncer.Sync(context.Background()); err != nil {
		tb.Fatal(err)
	}
	e.reg = newRegistry(e)
	return e, hks
}

func TestExporterWithoutChain(t *testing.T) {
	e, hks := benchExporter(t, 3)
	figs, _ := e.Figures()
	// Ranked as Status ranks (subtensor.MinerRank): the miners are the 248
	// permit-less UIDs, the 7 permit holders with incentive, and UID 0 itself,
	// which holds a permit and has no incentive. It comes after the 240 UIDs
	// with incentive (i%17 != 0).
	if f := figs[0]; f.Rank != 241 || !f.ValidatorPermit || f.Miners != 256 {
		t.Fatalf("uid 0: %+v", f)
	}
	if f := figs[2]; f.ImmunityLeft != 0 || f.RegisteredAt != 2 || f.Identity != "user2" || f.EmissionPerDay == 0 {
		t.Fatalf("uid 2: %+v", f)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := fmt.Sprintf(`minerkit_neuron_identity_committed{github="user1",hotkey=%q,netuid="1",uid="1"} 1`, hks[1].Address())
	if !strings.Contains(string(body), want) || !strings.Contains(string(body), "minerkit_subnet_miners{netuid=\"1\"} 248") {
		t.Fatalf("scrape lacks %s:\n%s", want, body)
	}
}

func BenchmarkFiguresOf(b *testing.B) {
	e, hks := benchExporter(b, 1)
	snap := e.Syncer.Current()
	ex := e.Source.Extras(snap)
	b.ReportAllocs()
	for b.Loop() {
		_ = FiguresOf(snap, ex, hks[0])
	}
}

func BenchmarkScrape(b *testing.B) {
	e, _ := benchExporter(b, 8)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	c := srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Get(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func BenchmarkVerifyProof(b *testing.B) {
	hot := mustKey(b, "//Alice//miner")
	p, _ := NewProof(hot, "octocat", 74, ProofOptions{})
	text := []byte("# README\n\nlots of text\n\n" + p.Text())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyProof(text, hot.Public(), "octocat", VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSourceKeepsTwoExtras(t *testing.T) {
	var s Source
	var snaps []*metagraph.Snapshot
	for i := range 3 {
		snap, _ := metagraph.NewSnapshot(1, uint64(i), time.Now(), nil)
		snaps = append(snaps, snap)
		s.store(&Extras{snap: snap, Tempo: uint16(i)})
	}
	if s.Extras(snaps[0]) != nil || s.Extras(snaps[1]).Tempo != 1 || s.Extras(snaps[2]).Tempo != 2 || s.Extras(nil) != nil {
		t.Fatal("extras of the two latest snapshots expected")
	}
}
