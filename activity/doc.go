// Package activity is minerkit's Pattern C: miners paid for work done
// elsewhere (GitHub contributions on Gittensor, subnet 74) who run no
// server. They register, link their identity, and watch incentive and
// emission. The package links identity verifiably without handing anyone
// a secret, re-checks and repairs the setup (Ensure), reports the miner's
// standing (ReadStatus) and exports it to Prometheus (Exporter).
//
// # Identity link
//
// The link has two halves that point at each other:
//
//   - On chain, the hotkey's commitment on the subnet (Commitments
//     .set_commitment, free, signed by the hotkey) holds a field
//     "gh:<user>" with the lowercase GitHub user name. The chain allows up
//     to MaxFields fields (3 on finney); a subnet that needs its own data in
//     the commitment keeps it in the other fields (IdentityFields keeps the
//     current ones, or takes them from --extra) and the identity field
//     comes last, or where a "gh:" field already is. Readers find it by its
//     prefix (IdentityOf), not by position.
//   - Off chain, a proof the user publishes where only the account owner
//     can write (the profile README github.com/<user>/<user>, or a gist).
//
// The proof block (NewProof, Proof.Text) reads:
//
//	-----BEGIN MINERKIT IDENTITY PROOF-----
//	minerkit identity proof v1
//	I control Bittensor hotkey 5F… and I am GitHub user alice (subnet 74).
//	hotkey: 5F…
//	github: alice
//	netuid: 74
//	date: 2026-11-27T08:00:00Z
//	nonce: 9c1f0e7a2b3d4c5e
//	signature: 0x<64 bytes in hex>
//	-----END MINERKIT IDENTITY PROOF-----
//
// The signature is the hotkey's sr25519 signature (substrate context) over
// the lines from "minerkit identity proof v1" to the nonce line joined with
// "\n" (Proof.Message); a signature of the same bytes wrapped in
// <Bytes>…</Bytes> (wallet extensions' signRaw) is accepted too.
// The statement line is derived from the fields and must match them.
// VerifyProof checks it offline and says exactly what is wrong: no block,
// a malformed line, another hotkey, another user, another subnet, a date in
// the future, or a signature that does not match the text.
//
// A validator links the two: the commitment says which account the hotkey
// claims, and the published proof shows that the account owner holds the
// hotkey (the proof lives where only that account can write).
//
// # Metrics
//
// Exporter serves, for each hotkey (labels netuid, hotkey, and uid once
// registered):
//
//	minerkit_neuron_registered{netuid,hotkey}               1 or 0
//	minerkit_neuron_incentive{netuid,hotkey,uid}            fraction of 1
//	minerkit_neuron_dividends{netuid,hotkey,uid}            fraction of 1
//	minerkit_neuron_emission_per_tempo_tao{…}               TAO earned in the last epoch
//	minerkit_neuron_emission_per_day_tao{…}                 the same extrapolated to 24 h
//	minerkit_neuron_rank{…}                                 place among miners by incentive, 1 = best
//	minerkit_neuron_stake_tao{…}                            deprecated: stake weight (in α, mislabelled)
//	minerkit_neuron_stake_weight_alpha{…}                   stake weight, in α
//	minerkit_neuron_emission_per_tempo_alpha{…}             emission of the last epoch, in α
//	minerkit_neuron_emission_per_day_alpha{…}               the same extrapolated to 24 h
//	minerkit_neuron_validator_permit{…}, minerkit_neuron_active{…}   1 or 0
//	minerkit_neuron_registered_at_block{…}                  registration block
//	minerkit_neuron_immunity_left_blocks{…}                 0 once immunity is over
//	minerkit_neuron_identity_committed{…,github}            1 with the committed user, else 0
//
// and for the subnet (label netuid): minerkit_subnet_miners,
// minerkit_subnet_neurons, minerkit_subnet_tempo_blocks,
// minerkit_metagraph_block, minerkit_metagraph_age_seconds,
// minerkit_metagraph_reachable, minerkit_metagraph_sync_failures and the
// counter minerkit_metagraph_syncs_total. These names are stable.
package activity
