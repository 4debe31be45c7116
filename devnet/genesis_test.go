package devnet

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadGenesis reads a JSON genesis over the dev defaults: an account by
// SS58 address, a second subnet with its own tempo, changed defaults.
func TestLoadGenesis(t *testing.T) {
	dir := t.TempDir()
	eve := mustKey(t, "//Eve").Public()
	doc := map[string]any{
		"chain":           "custom",
		"accounts":        []map[string]any{{"account": eve.Address(), "balance": 7 * TAO}, {"account": "//Alice", "balance": 10 * TAO}},
		"subnet_defaults": map[string]any{"tempo": 5, "burn": 2 * TAO, "max_allowed_uids": 8, "max_allowed_validators": 4, "max_registrations_per_block": 1, "kappa": 32767, "max_weights_limit": 65535},
		"subnets":         []map[string]any{{"netuid": 1, "owner": "//Alice"}, {"netuid": 3, "owner": eve.Address(), "params": map[string]any{"tempo": 99, "burn": 5}}},
	}
	b, _ := json.Marshal(doc)
	path := filepath.Join(dir, "genesis.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := LoadGenesis(path)
	if err != nil {
		t.Fatal(err)
	}
	if g.ExistentialDeposit != 500 || g.Sudo != "//Alice" {
		t.Fatalf("defaults lost: %+v", g)
	}
	n, err := Start(t.Context(), Config{Manual: true, Genesis: g})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	s := headState(n)
	if s.account(eve).free != 7*TAO || s.u16(keyNet("Tempo", 1), 0) != 5 || s.u16(keyNet("Tempo", 3), 0) != 99 || s.u64(keyNet("Burn", 1), 0) != 2*TAO {
		t.Fatal("genesis not applied")
	}
	for _, bad := range []string{`{"accounts":[{"account":"nope","balance":1000}]}`, `{"subnets":[{"netuid":0,"owner":"//Alice"}]}`, `{"chain":`} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadGenesis(path); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// TestResolveMatchesFromSURI: the shared-root derivation gives the same keys
// as keys.FromSURI.
func TestResolveMatchesFromSURI(t *testing.T) {
	suris := []string{"//Alice", "//Alice//stash", "//Bob/soft", "//Eve///pw", "0x" + strings.Repeat("ab", 32) + "//x",
		"bottom drive obey lake curtain smoke basket hold race lonely fit walk//Charlie"}
	g := DevGenesis()
	g.Accounts = nil
	for _, s := range suris {
		g.Accounts = append(g.Accounts, GenesisAccount{Account: s, Balance: TAO})
	}
	alice := mustKey(t, "//Alice").Address()
	g.Accounts = append(g.Accounts, GenesisAccount{Account: alice, Balance: TAO})
	ids, err := g.resolve()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range suris {
		if want := mustKey(t, s).Public(); ids[s] != want {
			t.Errorf("%s: %s, want %s", s, ids[s].Address(), want.Address())
		}
	}
	if ids[alice].Address() != alice {
		t.Errorf("SS58 account resolved to %s", ids[alice].Address())
	}
}
