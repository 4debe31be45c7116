package devnettest

import (
	"context"
	"encoding/hex"
	"encoding/json"

	"github.com/minerkit/minerkit/substrate/rpc"
	"golang.org/x/crypto/blake2b"
)

// LiteTransport makes a node look like a runtime without get_metagraph
// (Hide) or with a get_metagraph layout the client does not know (Garble),
// to test the get_neurons_lite fallbacks.
type LiteTransport struct {
	rpc.Transport
	Hide, Garble bool
}

// Request forwards to the node and edits what the runtime seems to offer.
func (l *LiteTransport) Request(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if l.Garble && method == "state_call" && len(params) > 0 && params[0] == "SubnetInfoRuntimeApi_get_metagraph" {
		return json.RawMessage(`"0x01ff"`), nil
	}
	if l.Hide && method == "state_call" && len(params) > 0 && params[0] == "Metadata_metadata_at_version" {
		return json.RawMessage(`"0x00"`), nil // no v15: runtime APIs come from the version's list
	}
	raw, err := l.Transport.Request(ctx, method, params...)
	if err != nil || !l.Hide || method != "state_getRuntimeVersion" {
		return raw, err
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		return raw, nil
	}
	apis, _ := v["apis"].([]any)
	hidden := "0x" + apiID("SubnetInfoRuntimeApi")
	kept := apis[:0]
	for _, a := range apis {
		if pair, ok := a.([]any); !ok || len(pair) == 0 || pair[0] != hidden {
			kept = append(kept, a)
		}
	}
	v["apis"] = kept
	return json.Marshal(v)
}

// apiID is a runtime API's identifier in the runtime version: the first 8
// bytes of blake2b of its name, in hex.
func apiID(name string) string {
	h, _ := blake2b.New(8, nil)
	h.Write([]byte(name))
	return hex.EncodeToString(h.Sum(nil))
}
