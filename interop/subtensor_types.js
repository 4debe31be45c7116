// Encodes subtensor runtime-API results with @polkadot/types from the Rust
// struct definitions (NeuronInfoLite, Metagraph, CommitmentOf's Registration),
// so that minerkit's hand-written decoders are checked against an independent
// SCALE implementation. Input (stdin JSON): {seed, neurons}. Output: a list of
// {kind, hex, value} with every number as a decimal string.
'use strict';
const { TypeRegistry } = require('@polkadot/types');
const { u8aToHex } = require('@polkadot/util');

const types = {
  AxonInfo: { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ip_type: 'u8', protocol: 'u8', placeholder1: 'u8', placeholder2: 'u8' },
  PrometheusInfo: { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ip_type: 'u8' },
  NeuronInfoLite: {
    hotkey: 'AccountId32', coldkey: 'AccountId32', uid: 'Compact<u16>', netuid: 'Compact<u16>', active: 'bool',
    axon_info: 'AxonInfo', prometheus_info: 'PrometheusInfo', stake: 'Vec<(AccountId32, Compact<u64>)>',
    rank: 'Compact<u16>', emission: 'Compact<u64>', incentive: 'Compact<u16>', consensus: 'Compact<u16>',
    trust: 'Compact<u16>', validator_trust: 'Compact<u16>', dividends: 'Compact<u16>', last_update: 'Compact<u64>',
    validator_permit: 'bool', pruning_score: 'Compact<u16>',
  },
  SubnetIdentityV3: { subnet_name: 'Bytes', github_repo: 'Bytes', subnet_contact: 'Bytes', subnet_url: 'Bytes', discord: 'Bytes', description: 'Bytes', logo_url: 'Bytes', additional: 'Bytes' },
  ChainIdentityV2: { name: 'Bytes', url: 'Bytes', github_repo: 'Bytes', image: 'Bytes', discord: 'Bytes', description: 'Bytes', additional: 'Bytes' },
  Metagraph: {
    netuid: 'Compact<u16>', name: 'Vec<Compact<u8>>', symbol: 'Vec<Compact<u8>>', identity: 'Option<SubnetIdentityV3>',
    network_registered_at: 'Compact<u64>', owner_hotkey: 'AccountId32', owner_coldkey: 'AccountId32',
    block: 'Compact<u64>', tempo: 'Compact<u16>', last_step: 'Compact<u64>', blocks_since_last_step: 'Compact<u64>',
    subnet_emission: 'Compact<u64>', alpha_in: 'Compact<u64>', alpha_out: 'Compact<u64>', tao_in: 'Compact<u64>',
    alpha_out_emission: 'Compact<u64>', alpha_in_emission: 'Compact<u64>', tao_in_emission: 'Compact<u64>',
    pending_alpha_emission: 'Compact<u64>', pending_root_emission: 'Compact<u64>', subnet_volume: 'Compact<u128>',
    moving_price: 'i128', rho: 'Compact<u16>', kappa: 'Compact<u16>', min_allowed_weights: 'Compact<u16>',
    max_weights_limit: 'Compact<u16>', weights_version: 'Compact<u64>', weights_rate_limit: 'Compact<u64>',
    activity_cutoff: 'Compact<u64>', max_validators: 'Compact<u16>', num_uids: 'Compact<u16>', max_uids: 'Compact<u16>',
    burn: 'Compact<u64>', difficulty: 'Compact<u64>', registration_allowed: 'bool', pow_registration_allowed: 'bool',
    immunity_period: 'Compact<u16>', min_difficulty: 'Compact<u64>', max_difficulty: 'Compact<u64>',
    min_burn: 'Compact<u64>', max_burn: 'Compact<u64>', adjustment_alpha: 'Compact<u64>',
    adjustment_interval: 'Compact<u16>', target_regs_per_interval: 'Compact<u16>', max_regs_per_block: 'Compact<u16>',
    serving_rate_limit: 'Compact<u64>', commit_reveal_weights_enabled: 'bool', commit_reveal_period: 'Compact<u64>',
    liquid_alpha_enabled: 'bool', alpha_high: 'Compact<u16>', alpha_low: 'Compact<u16>', bonds_moving_avg: 'Compact<u64>',
    hotkeys: 'Vec<AccountId32>', coldkeys: 'Vec<AccountId32>', identities: 'Vec<Option<ChainIdentityV2>>',
    axons: 'Vec<AxonInfo>', active: 'Vec<bool>', validator_permit: 'Vec<bool>', pruning_score: 'Vec<Compact<u16>>',
    last_update: 'Vec<Compact<u64>>', emission: 'Vec<Compact<u64>>', dividends: 'Vec<Compact<u16>>',
    incentives: 'Vec<Compact<u16>>', consensus: 'Vec<Compact<u16>>', trust: 'Vec<Compact<u16>>', rank: 'Vec<Compact<u16>>',
    block_at_registration: 'Vec<Compact<u64>>', alpha_stake: 'Vec<Compact<u64>>', tao_stake: 'Vec<Compact<u64>>',
    total_stake: 'Vec<Compact<u64>>', tao_dividends_per_hotkey: 'Vec<(AccountId32, Compact<u64>)>',
    alpha_dividends_per_hotkey: 'Vec<(AccountId32, Compact<u64>)>',
  },
};

// mulberry32: a small seeded PRNG so that runs are reproducible.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let chunks = '';
process.stdin.on('data', (c) => { chunks += c; });
process.stdin.on('end', () => {
  const input = JSON.parse(chunks);
  const r = rng(input.seed);
  const reg = new TypeRegistry();
  reg.register(types);
  const int = (bits) => {
    // Mix small and full-width values so every compact mode is used.
    const pick = r();
    let v = 0n;
    const width = Math.min(bits, pick < 0.3 ? 6 : pick < 0.5 ? 14 : pick < 0.7 ? 30 : bits);
    for (let i = 0; i < width; i += 8) v = (v << 8n) | BigInt(Math.floor(r() * 256));
    return (v & ((1n << BigInt(width)) - 1n)).toString();
  };
  const acct = () => '0x' + Array.from({ length: 32 }, () => Math.floor(r() * 256).toString(16).padStart(2, '0')).join('');
  const bytes = (n) => '0x' + Array.from({ length: n }, () => Math.floor(r() * 256).toString(16).padStart(2, '0')).join('');
  const axon = () => ({ block: int(64), version: int(32), ip: int(128), port: int(16), ip_type: int(8), protocol: int(8), placeholder1: int(8), placeholder2: int(8) });
  const neuron = () => ({
    hotkey: acct(), coldkey: acct(), uid: int(16), netuid: int(16), active: r() < 0.5, axon_info: axon(),
    prometheus_info: { block: int(64), version: int(32), ip: int(128), port: int(16), ip_type: int(8) },
    stake: Array.from({ length: Math.floor(r() * 3) }, () => [acct(), int(64)]),
    rank: int(16), emission: int(64), incentive: int(16), consensus: int(16), trust: int(16), validator_trust: int(16),
    dividends: int(16), last_update: int(64), validator_permit: r() < 0.5, pruning_score: int(16),
  });
  const out = [];
  const ns = Array.from({ length: input.neurons }, neuron);
  const vec = reg.createType('Vec<NeuronInfoLite>', ns);
  out.push({ kind: 'neurons', hex: u8aToHex(vec.toU8a()), value: ns });

  const n = input.neurons;
  const list = (f) => Array.from({ length: n }, f);
  const ident = (k) => Object.fromEntries(Object.keys(types[k]).map((f) => [f, bytes(Math.floor(r() * 5))]));
  const m = {
    netuid: int(16), name: [97, 112, 101, 120], symbol: [206, 177], identity: r() < 0.5 ? null : ident('SubnetIdentityV3'),
    network_registered_at: int(64), owner_hotkey: acct(), owner_coldkey: acct(), block: int(64), tempo: int(16),
    last_step: int(64), blocks_since_last_step: int(64), subnet_emission: int(64), alpha_in: int(64), alpha_out: int(64),
    tao_in: int(64), alpha_out_emission: int(64), alpha_in_emission: int(64), tao_in_emission: int(64),
    pending_alpha_emission: int(64), pending_root_emission: int(64), subnet_volume: int(128), moving_price: int(64),
    rho: int(16), kappa: int(16), min_allowed_weights: int(16), max_weights_limit: int(16), weights_version: int(64),
    weights_rate_limit: int(64), activity_cutoff: int(64), max_validators: int(16), num_uids: int(16), max_uids: int(16),
    burn: int(64), difficulty: int(64), registration_allowed: r() < 0.5, pow_registration_allowed: r() < 0.5,
    immunity_period: int(16), min_difficulty: int(64), max_difficulty: int(64), min_burn: int(64), max_burn: int(64),
    adjustment_alpha: int(64), adjustment_interval: int(16), target_regs_per_interval: int(16), max_regs_per_block: int(16),
    serving_rate_limit: int(64), commit_reveal_weights_enabled: r() < 0.5, commit_reveal_period: int(64),
    liquid_alpha_enabled: r() < 0.5, alpha_high: int(16), alpha_low: int(16), bonds_moving_avg: int(64),
    hotkeys: list(acct), coldkeys: list(acct), identities: list(() => (r() < 0.8 ? null : ident('ChainIdentityV2'))),
    axons: list(axon), active: list(() => r() < 0.5), validator_permit: list(() => r() < 0.5), pruning_score: [],
    last_update: list(() => int(64)), emission: list(() => int(64)), dividends: list(() => int(16)),
    incentives: list(() => int(16)), consensus: list(() => int(16)), trust: [], rank: [],
    block_at_registration: list(() => int(64)), alpha_stake: list(() => int(64)), tao_stake: list(() => int(64)),
    total_stake: list(() => int(64)), tao_dividends_per_hotkey: list(() => [acct(), int(64)]),
    alpha_dividends_per_hotkey: list(() => [acct(), int(64)]),
  };
  const mg = reg.createType('Option<Metagraph>', m);
  out.push({ kind: 'metagraph', hex: u8aToHex(mg.toU8a()), value: m });
  out.push({ kind: 'metagraph-none', hex: u8aToHex(reg.createType('Option<Metagraph>', null).toU8a()), value: null });
  process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
});
