package miner

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/settings"
	"github.com/minerkit/minerkit/subtensor"
)

func TestLoadConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "miner.json")
	if err := os.WriteFile(file, []byte(`{"netuid": 7, "listen": ":9000", "min_stake_tao": 50, "read_timeout": "3s", "idle_timeout": 90, "allow": ["5A"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"MINERKIT_CONFIG":        file,
		"MINERKIT_LISTEN":        ":9100",
		"MINERKIT_RATE_PER_SEC":  "2.5",
		"MINERKIT_DENY":          "5X, 5Y",
		"MINERKIT_ADMIN_LISTEN":  "127.0.0.1:0",
		"MINERKIT_SYNC_INTERVAL": "6",
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cs := ConfigFlags(fs)
	if err := fs.Parse([]string{"--listen", ":9200", "--register", "--block-time=250ms"}); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(cs, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"netuid from file", c.NetUID, uint16(7)},
		{"min stake from file", c.MinStakeTAO, subtensor.TAO(50)},
		{"duration string from file", c.ReadTimeout.D(), 3 * time.Second},
		{"duration seconds from file", c.IdleTimeout.D(), 90 * time.Second},
		{"allow from file", strings.Join(c.Allow, ","), "5A"},
		{"env over default", c.RatePerSec, 2.5},
		{"env list", strings.Join(c.Deny, ","), "5X,5Y"},
		{"env uint", c.SyncInterval, uint64(6)},
		{"flag over env over file", c.Listen, ":9200"},
		{"bool flag", c.Register, true},
		{"duration flag", c.BlockTime.D(), 250 * time.Millisecond},
		{"default kept", c.RateBurst, 20},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"listen": ":1", "lisen": ":2"}`), 0o600)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown key in file", []string{"--config", bad}, nil, `unknown field "lisen"`},
		{"missing file", []string{"--config", filepath.Join(dir, "nope.json")}, nil, "read config file"},
		{"bad env", nil, map[string]string{"MINERKIT_NETUID": "70000"}, "MINERKIT_NETUID"},
		{"bad env duration", nil, map[string]string{"MINERKIT_READ_TIMEOUT": "5"}, "use a form such as"},
		{"invalid value", []string{"--rate-burst", "0"}, nil, "rate_burst"},
		{"bad log format", nil, map[string]string{"MINERKIT_LOG_FORMAT": "xml"}, "log_format"},
		{"negative timeout", []string{"--write-timeout", "-1s"}, nil, "write_timeout must not be negative"},
		{"negative max burn", nil, map[string]string{"MINERKIT_MAX_BURN_TAO": "-1"}, "MINERKIT_MAX_BURN_TAO"},
		{"max burn below a rao", nil, map[string]string{"MINERKIT_MAX_BURN_TAO": "0.0000000001"}, "at most 9 decimals"},
		{"stake as a float exponent", []string{"--config", amountFile(t, dir, `{"min_stake": 1e3}`)}, nil, "without an exponent"},
		{"negative stake in file", []string{"--config", amountFile(t, dir, `{"min_stake": -5}`)}, nil, `bad amount "-5"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			cs := ConfigFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(cs, func(k string) string { return tc.env[k] })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	ConfigFlags(fs)
	if err := fs.Parse([]string{"--netuid", "x"}); err == nil {
		t.Fatal("bad flag value accepted at parse time")
	}
}

func amountFile(t *testing.T, dir, body string) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "amount-*.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(body); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// Amounts (max burn, min stake) are read exactly, in TAO or α, from
// flags, the environment and JSON numbers or strings alike.
func TestConfigAmountsExact(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want func(Config) bool
	}{
		{"env", nil, map[string]string{"MINERKIT_MAX_BURN_TAO": "1.000000001"}, func(c Config) bool { return c.MaxBurnTAO == 1_000_000_001 }},
		{"flag", []string{"--min-stake", "0.1"}, nil, func(c Config) bool { return c.MinStake == 100_000_000 }},
		{"json number", []string{"--config", amountFile(t, dir, `{"min_stake": 0.3, "max_burn_tao": 2}`)}, nil,
			func(c Config) bool { return c.MinStake == 300_000_000 && c.MaxBurnTAO == subtensor.TAO(2) }},
		{"json string in rao", []string{"--config", amountFile(t, dir, `{"min_stake": "1500rao"}`)}, nil, func(c Config) bool { return c.MinStake == 1500 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			cs := ConfigFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(cs, func(k string) string { return tc.env[k] })
			if err != nil || !tc.want(c) {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}
}

func TestDefaultConfigChecks(t *testing.T) {
	c := DefaultConfig()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
}

func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{`{}`, `{"netuid": 7, "read_timeout": "3s"}`, `{"idle_timeout": 1e308}`, `{"allow": ["a", 1]}`,
		`{"block_time": "-5s"}`, `[]`, `{"netuid": 70000}`, `{"read_timeout": "5"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := DefaultConfig()
		if err := settings.ParseFile(data, &c); err != nil {
			return
		}
		_ = c.Check() // any outcome but a panic
	})
}
