// Package devnet is an embedded subtensor-compatible chain that speaks real
// Substrate JSON-RPC. It starts in milliseconds, in process (Start) or as
// `minerkit devnet`, and every minerkit test uses it as its chain: over a
// real WebSocket, with real metadata, real signed extrinsics and real
// storage keys. polkadot-js (interop/devnet.js) checks it from outside.
//
// # What it runs
//
// A runtime whose metadata (v14 and v15) is built from Go definitions mirroring
// finney's names, indices, hashers and types, with substrate's metadata
// builder (the same codec the minerkit client decodes with):
//
//   - System (0): Account, Number, ParentHash, BlockHash, Events, remark.
//   - Timestamp (2): Now, set by the inherent every block starts with;
//     MinimumPeriod is half the block time.
//   - Balances (5): transfer_allow_death, transfer_keep_alive, transfer_all,
//     force_set_balance; existential deposit 500 rao.
//   - TransactionPayment (6): TransactionFeePaid events; a fixed fee.
//   - SubtensorModule (7): set_weights (0), add_stake (2), remove_stake (3),
//     serve_axon (4), serve_prometheus (5), burned_register (7),
//     register_network (59), the
//     storage items miners and validators read, and the Yuma epoch.
//   - Sudo (12): sudo, set_key. Commitments (18): set_commitment.
//   - AdminUtils (19): serving and weights rate limits, weights version
//     key, immunity period, max UIDs and validators, tempo, commit-reveal.
//
// Transactions are validated as a node's pool does (signature over the
// payload of the metadata's signed extensions, nonce, mortality and birth
// hash, spec and transaction versions, genesis, fees) and rejected with
// Substrate's RPC codes (1010 Invalid Transaction with subtensor's custom
// codes, 1011, 1013, 1014). Execution failures are System.ExtrinsicFailed
// with DispatchError::Module errors named in the metadata.
//
// Runtime APIs through state_call: Core_version, Metadata_metadata,
// Metadata_metadata_versions, Metadata_metadata_at_version,
// AccountNonceApi_account_nonce, TransactionPaymentApi_query_info,
// TaggedTransactionQueue_validate_transaction,
// NeuronInfoRuntimeApi_get_neurons_lite and get_neuron_lite, and
// SubnetInfoRuntimeApi_get_metagraph.
//
// # Where it differs from finney
//
//   - Stake is 1:1 TAO to alpha (no dynamic-TAO pools); the burn price is
//     fixed per subnet (no adjustment); emission is EmissionPerBlock per
//     subnet per block, split each epoch 18 % to the owner coldkey (free
//     balance), 41 % to miners by incentive and 41 % to validators by
//     dividends (by stake before any bonds exist), paid as stake.
//   - Yuma runs in float64 (subtensor uses fixed point); no liquid alpha,
//     no commit-reveal, no root network emission, no weights masking by
//     bonds penalty.
//   - Fees are FeeBase + FeePerByte × length (+ tip), burned; serve_axon,
//     set_weights and set_commitment are free as on finney.
//   - One block author, instant finality by default: each block is final
//     when produced, so finalized heads equal new heads and submitAndWatch
//     sends inBlock and finalized together (polkadot-js then reports only
//     Finalized). Config.FinalityLag makes finality trail the head. Headers carry no digest logs; the only inherent is
//     Timestamp.set (extrinsic 0 of every block), as on finney without
//     Aura/Grandpa.
//   - The state and extrinsics roots are hashes of the block's changes
//     and body, not trie roots: no storage proofs.
//   - Events use current subtensor's SubtensorModule event indices; call
//     signatures follow current subtensor (add_stake with netuid,
//     register_network with a hotkey); error indices follow finney's.
//   - state_getMetadata serves v14; Metadata_metadata_at_version(15) serves
//     v15 with the runtime API section (types of the APIs above), as finney
//     does. Other runtime APIs of subtensor are not declared.
//
// # Testing with it
//
// Config.Manual makes the chain deterministic: blocks come only from
// NewBlock and WaitBlocks. Otherwise blocks come every BlockTime (250 ms by
// default), the first one at once.
package devnet
