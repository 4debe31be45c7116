package subtensor

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestResolveNetwork(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		name     string
		cfg      NetworkConfig
		env      map[string]string
		wantName string
		want     []string
		err      error
	}{
		{"default", NetworkConfig{}, nil, "finney", []string{FinneyEndpoint, LatentLiteEndpoint}, nil},
		{"test", NetworkConfig{Network: "test"}, nil, "test", []string{TestEndpoint}, nil},
		{"archive", NetworkConfig{Network: "archive"}, nil, "archive", []string{ArchiveEndpoint}, nil},
		{"local", NetworkConfig{Network: "local"}, nil, "local", []string{LocalEndpoint}, nil},
		{"devnet", NetworkConfig{Network: "devnet"}, nil, "devnet", []string{LocalEndpoint}, nil},
		{"url", NetworkConfig{Network: "ws://10.0.0.1:9944"}, nil, "custom", []string{"ws://10.0.0.1:9944"}, nil},
		{"loopback url", NetworkConfig{Network: "ws://127.0.0.1:1234"}, nil, "local", []string{"ws://127.0.0.1:1234"}, nil},
		{"several", NetworkConfig{Network: "wss://a.example:443, wss://b.example:443"}, nil, "custom", []string{"wss://a.example:443", "wss://b.example:443"}, nil},
		{"endpoint wins", NetworkConfig{Network: "test", ChainEndpoint: "ws://x.example:9944"}, nil, "test", []string{"ws://x.example:9944"}, nil},
		{"bare host", NetworkConfig{ChainEndpoint: "127.0.0.1:9945"}, nil, "finney", []string{"ws://127.0.0.1:9945"}, nil},
		{"env network", NetworkConfig{}, map[string]string{"BT_SUBTENSOR_NETWORK": "test"}, "test", []string{TestEndpoint}, nil},
		{"env local endpoint", NetworkConfig{Network: "local"}, map[string]string{"BT_SUBTENSOR_CHAIN_ENDPOINT": "ws://127.0.0.1:9000"}, "local", []string{"ws://127.0.0.1:9000"}, nil},
		{"unknown", NetworkConfig{Network: "nakamoto"}, nil, "", nil, ErrUnknownNetwork},
		{"bad scheme", NetworkConfig{Network: "ftp://x"}, nil, "", nil, errors.New("any")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env = tc.env
			tc.cfg.Getenv = getenv
			n, err := ResolveNetwork(tc.cfg)
			if tc.err != nil {
				if err == nil {
					t.Fatalf("got %+v, want an error", n)
				}
				if errors.Is(tc.err, ErrUnknownNetwork) && !errors.Is(err, ErrUnknownNetwork) {
					t.Fatalf("error %v does not wrap ErrUnknownNetwork", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.Name != tc.wantName || !reflect.DeepEqual(n.Endpoints, tc.want) {
				t.Fatalf("got %s %v, want %s %v", n.Name, n.Endpoints, tc.wantName, tc.want)
			}
			if n.BlockTime <= 0 {
				t.Fatalf("block time %v", n.BlockTime)
			}
		})
	}
}

func TestBlocksPerDay(t *testing.T) {
	n := Network{BlockTime: 12 * time.Second}
	if got := n.BlocksPerDay(); got != 7200 {
		t.Fatalf("BlocksPerDay = %v, want 7200", got)
	}
	if got := n.BlocksToDuration(5); got != time.Minute {
		t.Fatalf("BlocksToDuration(5) = %v", got)
	}
}

func FuzzResolveNetwork(f *testing.F) {
	for _, s := range []string{"finney", "ws://127.0.0.1:9944", "wss://a:443,wss://b:443", "127.0.0.1:9944", ",", "ws://", "::"} {
		f.Add(s, "")
		f.Add("test", s)
	}
	f.Fuzz(func(t *testing.T, network, endpoint string) {
		n, err := ResolveNetwork(NetworkConfig{Network: network, ChainEndpoint: endpoint})
		if err == nil && (len(n.Endpoints) == 0 || n.BlockTime <= 0 || n.Name == "") {
			t.Fatalf("%q %q: %+v", network, endpoint, n)
		}
	})
}

func FuzzDecodeNeuronLite(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = DecodeNeuronLite(b) })
}
