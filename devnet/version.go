package devnet

import (
	"encoding/hex"

	"github.com/minerkit/minerkit/scale"
	"golang.org/x/crypto/blake2b"
)

// blockHashCount is how many block hashes System.BlockHash keeps (the
// longest mortal era a transaction may use).
const blockHashCount = 4096

// runtimeAPI is one entry of RuntimeVersion.apis: the blake2b-64 hash of a
// runtime API's name and the version the devnet implements.
type runtimeAPI struct {
	name    string
	version uint32
}

// runtimeAPIs lists the runtime APIs the devnet declares. polkadot-js
// decorates api.call from this list (AccountNonceApi, TransactionPaymentApi,
// Metadata v2 for metadata_at_version).
var runtimeAPIs = []runtimeAPI{
	{"Core", 4},
	{"Metadata", 2},
	{"BlockBuilder", 6},
	{"TaggedTransactionQueue", 3},
	{"AccountNonceApi", 1},
	{"TransactionPaymentApi", 4},
	{"NeuronInfoRuntimeApi", 1},
	{"SubnetInfoRuntimeApi", 1},
}

// spec218APIs are the runtime APIs spec 218 declares that the devnet
// answers, at spec 218's versions (its state_getRuntimeVersion).
var spec218APIs = []runtimeAPI{
	{"Core", 5},
	{"Metadata", 2},
	{"BlockBuilder", 6},
	{"TaggedTransactionQueue", 3},
	{"AccountNonceApi", 1},
	{"TransactionPaymentApi", 4},
	{"NeuronInfoRuntimeApi", 1},
	{"SubnetInfoRuntimeApi", 1},
}

func apiID(name string) [8]byte {
	h, _ := blake2b.New(8, nil)
	_, _ = h.Write([]byte(name))
	var out [8]byte
	h.Sum(out[:0])
	return out
}

// runtimeVersionJSON is what state_getRuntimeVersion returns.
func (rt *runtime) runtimeVersionJSON() map[string]any {
	apis := make([][]any, len(rt.apis))
	for i, a := range rt.apis {
		id := apiID(a.name)
		apis[i] = []any{"0x" + hex.EncodeToString(id[:]), a.version}
	}
	return map[string]any{
		"specName":           specName,
		"implName":           specName,
		"authoringVersion":   1,
		"specVersion":        rt.version,
		"implVersion":        1,
		"apis":               apis,
		"transactionVersion": transactionVersion,
		"stateVersion":       1,
	}
}

// runtimeVersionSCALE is sp_version::RuntimeVersion encoded (Core_version,
// System.Version).
func (rt *runtime) runtimeVersionSCALE() []byte {
	b := scale.AppendString(nil, specName)
	b = scale.AppendString(b, specName)
	b = scale.AppendU32(b, 1)
	b = scale.AppendU32(b, rt.version)
	b = scale.AppendU32(b, 1)
	b = scale.AppendCompact(b, uint64(len(rt.apis)))
	for _, a := range rt.apis {
		id := apiID(a.name)
		b = append(b, id[:]...)
		b = scale.AppendU32(b, a.version)
	}
	b = scale.AppendU32(b, transactionVersion)
	return append(b, 1)
}
