package devnet

import (
	"testing"

	"github.com/minerkit/minerkit/substrate"
)

// FuzzSubmit feeds arbitrary bytes to the extrinsic intake: decoding,
// signature checks and pool validation must reject garbage without
// panicking, and a block built afterwards must still be produced.
func FuzzSubmit(f *testing.F) {
	n := startManual(f)
	alice := mustKey(f, "//Alice")
	f.Add(sign(f, n, alice, "Balances", "transfer_keep_alive", addrV(mustKey(f, "//Bob")), substrate.U64(TAO)))
	f.Add(sign(f, n, alice, "SubtensorModule", "burned_register", u16V(1), accV(mustKey(f, "//Bob//x"))))
	f.Add(sign(f, n, alice, "Sudo", "sudo", substrate.Enum("AdminUtils", substrate.Enum("sudo_set_tempo", u16V(1), u16V(5)))))
	f.Add([]byte{0x10, 0x04, 0x00, 0x00, 0x00})
	f.Add([]byte{0xfd, 0xff, 0xff, 0xff, 0x84})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = n.Submit(b)
		if len(n.chain.pool.arrival) > 64 {
			n.NewBlock()
		}
	})
}

// FuzzRuntimeCall feeds arbitrary state_call inputs to every runtime API.
func FuzzRuntimeCall(f *testing.F) {
	n := startManual(f)
	f.Add(uint8(0), []byte{1, 0})
	f.Add(uint8(3), []byte{0x0e, 0})
	f.Add(uint8(5), []byte{1, 0, 0, 0})
	methods := []string{"Core_version", "Metadata_metadata_at_version", "AccountNonceApi_account_nonce", "TransactionPaymentApi_query_info",
		"NeuronInfoRuntimeApi_get_neurons_lite", "NeuronInfoRuntimeApi_get_neuron_lite", "SubnetInfoRuntimeApi_get_metagraph", "Metadata_metadata_versions"}
	f.Fuzz(func(t *testing.T, m uint8, in []byte) {
		_, _ = n.runtimeCall(methods[int(m)%len(methods)], in, n.chain.head())
	})
}

// FuzzRPC feeds arbitrary JSON-RPC messages to the server's dispatcher.
func FuzzRPC(f *testing.F) {
	n := startManual(f)
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"state_getKeysPaged","params":["0x",10]}`))
	f.Add([]byte(`[{"jsonrpc":"2.0","id":1,"method":"chain_getBlockHash","params":["0x0"]}]`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"state_queryStorageAt","params":[["0x00"]]}`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["0x00"]}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if out := n.srv.handleMessage(nil, msg); out == nil && len(msg) > 0 && msg[0] != '[' {
			t.Fatalf("no reply to %q", msg)
		}
	})
}
