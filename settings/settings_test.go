package settings_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/settings"
)

// level is a TextUnmarshaler setting.
type level int

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return errors.New("want low or high")
	}
	return nil
}

func (l level) MarshalText() ([]byte, error) { return []byte([]string{"", "low", "high"}[l]), nil }

type appSettings struct {
	Name    string            `json:"name" help:"the app's name"`
	Port    uint16            `json:"port" help:"port to listen on"`
	Verbose bool              `json:"verbose" help:"say more"`
	Retries int               `json:"retries" help:"how many times to retry"`
	Ratio   float64           `json:"ratio" help:"a ratio"`
	Timeout settings.Duration `json:"timeout" help:"how long to wait"`
	Peers   []string          `json:"peers" help:"peers, comma-separated"`
	Level   level             `json:"level" help:"low or high"`
	Skipped string            `json:"-"`
}

func defaults() appSettings {
	return appSettings{Name: "app", Port: 8080, Timeout: settings.Duration(5 * time.Second), Level: 1}
}

func load(t *testing.T, args []string, env map[string]string) (appSettings, error) {
	t.Helper()
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	src := settings.New(defaults(), "APP_")
	src.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return appSettings{}, err
	}
	return src.Load(func(k string) string { return env[k] })
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "app.json")
	if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, `{"name": "fromfile", "port": 1, "retries": 3, "timeout": 2, "peers": ["a"], "level": "high"}`)
	env := map[string]string{"APP_CONFIG": file, "APP_PORT": "2", "APP_RATIO": "0.5", "APP_PEERS": "x, y", "APP_SKIPPED": "no"}
	s, err := load(t, []string{"--port", "3", "--verbose", "--timeout=250ms"}, env)
	if err != nil {
		t.Fatal(err)
	}
	want := appSettings{Name: "fromfile", Port: 3, Verbose: true, Retries: 3, Ratio: 0.5,
		Timeout: settings.Duration(250 * time.Millisecond), Peers: []string{"x", "y"}, Level: 2}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got %+v\nwant %+v", s, want)
	}
}

func TestFlagsAndHelp(t *testing.T) {
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	settings.New(defaults(), "APP_").Flags(fs)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name+"="+f.DefValue) })
	got := strings.Join(names, " ")
	const want = "config= level=low name=app peers= port=8080 ratio= retries= timeout=5s verbose="
	if got != want {
		t.Fatalf("flags %q, want %q", got, want)
	}
	types := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		if tv, ok := f.Value.(interface{ Type() string }); ok {
			types[f.Name] = tv.Type()
		}
	})
	for name, typ := range map[string]string{"level": "value", "port": "uint", "timeout": "duration", "peers": "strings", "verbose": "bool"} {
		if types[name] != typ {
			t.Errorf("--%s has type %q, want %q", name, types[name], typ)
		}
	}
}

func TestErrors(t *testing.T) {
	bad := writeFile(t, `{"name": "a", "nmae": "b"}`)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown key in file", []string{"--config", bad}, nil, `unknown field "nmae"`},
		{"missing file", []string{"--config", filepath.Join(t.TempDir(), "nope.json")}, nil, "read config file"},
		{"file from the environment", nil, map[string]string{"APP_CONFIG": bad}, `unknown field "nmae"`},
		{"port out of range", nil, map[string]string{"APP_PORT": "70000"}, "APP_PORT"},
		{"bad duration", nil, map[string]string{"APP_TIMEOUT": "5"}, "use a form such as"},
		{"bad bool", nil, map[string]string{"APP_VERBOSE": "yes please"}, "not true or false"},
		{"bad text value", nil, map[string]string{"APP_LEVEL": "medium"}, "want low or high"},
		{"bad flag", []string{"--retries", "x"}, nil, "not an integer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNoFlags(t *testing.T) {
	s, err := settings.New(defaults(), "APP_").Load(func(k string) string {
		return map[string]string{"APP_NAME": "env"}[k]
	})
	if err != nil || s.Name != "env" || s.Port != 8080 {
		t.Fatalf("%+v %v", s, err)
	}
}

func FuzzParseFile(f *testing.F) {
	for _, s := range []string{`{}`, `{"port": 7, "timeout": "3s"}`, `{"timeout": 1e308}`, `{"peers": ["a", 1]}`,
		`{"timeout": "-5s"}`, `[]`, `{"port": 70000}`, `{"timeout": "5"}`, `{"level": "low"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := defaults()
		_ = settings.ParseFile(data, &s) // any outcome but a panic
	})
}

func Example() {
	type config struct {
		Listen  string            `json:"listen" help:"address to listen on"`
		Timeout settings.Duration `json:"timeout" help:"how long a request may take"`
	}
	fs := flag.NewFlagSet("app", flag.ExitOnError)
	src := settings.New(config{Listen: ":8080", Timeout: settings.Duration(time.Second)}, "APP_")
	src.Flags(fs) // --listen, --timeout, --config
	fs.Parse([]string{"--timeout", "3s"})
	env := map[string]string{"APP_LISTEN": ":9000"}
	cfg, err := src.Load(func(k string) string { return env[k] })
	fmt.Println(cfg.Listen, cfg.Timeout, err)
	// Output: :9000 3s <nil>
}
