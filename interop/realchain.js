// realchain.js: polkadot-js reads a real subtensor runtime (shared/realchain)
// and computes the figures minerkit must show, on its own.
//
// stdin: {"url": "ws://127.0.0.1:PORT", "netuid": 1, "hotkeys": ["5..."]}
// stdout: {"spec": N, "taoWeight": "…", "neurons": {SS58: {"uid": N, "alpha": "…",
//          "root": "…", "weight": "…", "permit": bool}}}
// Stake weight follows subtensor's get_stake_weights_for_hotkey_on_subnet with
// U96F32 arithmetic in BigInt: alpha + floor(root × floor(tw × 2^32 / (2^64−1)) / 2^32).
'use strict';

const { ApiPromise, WsProvider } = require('@polkadot/api');

function readStdin() {
  return new Promise((resolve) => {
    let data = '';
    process.stdin.on('data', (c) => { data += c; });
    process.stdin.on('end', () => resolve(JSON.parse(data)));
  });
}

const MAX = (1n << 64n) - 1n;
const q32 = (v) => (BigInt(v) << 32n) / MAX;

async function main() {
  const input = await readStdin();
  const api = await ApiPromise.create({ provider: new WsProvider(input.url), noInitWarn: true });
  const sm = api.query.subtensorModule;
  const netuid = input.netuid;
  // TaoWeight: a map by netuid on spec 218, a plain value on later runtimes.
  const twEntry = sm.taoWeight;
  const tw = BigInt((twEntry.creator.meta.type.isPlain ? await twEntry() : await twEntry(netuid)).toString());
  const permits = (await sm.validatorPermit(netuid)).map((b) => b.isTrue);
  const out = { spec: api.runtimeVersion.specVersion.toNumber(), taoWeight: tw.toString(), neurons: {} };
  for (const hk of input.hotkeys) {
    const uid = await sm.uids(netuid, hk);
    const alpha = BigInt((await sm.totalHotkeyAlpha(hk, netuid)).toString());
    const root = BigInt((await sm.totalHotkeyAlpha(hk, 0)).toString());
    const children = sm.childKeys ? (await sm.childKeys(hk, netuid)).length : 0;
    const parents = sm.parentKeys ? (await sm.parentKeys(hk, netuid)).length : 0;
    if (children || parents) throw new Error(`${hk} has child/parent keys: not modelled by this reader`);
    let weight = alpha + ((root * q32(tw)) >> 32n);
    if (weight > MAX) weight = MAX;
    const u = uid.isSome ? uid.unwrap().toNumber() : -1;
    out.neurons[hk] = { uid: u, alpha: alpha.toString(), root: root.toString(), weight: weight.toString(), permit: u >= 0 && !!permits[u] };
  }
  process.stdout.write(JSON.stringify(out));
  await api.disconnect();
}

main().catch((e) => { console.error(e); process.exit(1); });
