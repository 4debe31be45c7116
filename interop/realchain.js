// realchain.js: polkadot-js reads a real subtensor runtime (shared/realchain)
// and computes the figures minerkit must show, on its own.
//
// stdin: {"url": "ws://127.0.0.1:PORT", "netuid": 1, "hotkeys": ["5..."], "accounts": ["5..."]}
// stdout: {"spec": N, "taoWeight": "…", "tempo": N, "neurons": {SS58: {"uid": N, "alpha": "…",
//          "root": "…", "weight": "…", "permit": bool, "axon": "ip:port" | "", "commitment": "0x…" | null}},
//          "balances": {SS58: "free rao"}}
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
  const out = {
    spec: api.runtimeVersion.specVersion.toNumber(), taoWeight: tw.toString(),
    tempo: (await sm.tempo(netuid)).toNumber(), neurons: {}, balances: {},
  };
  for (const a of input.accounts || []) {
    out.balances[a] = (await api.query.system.account(a)).data.free.toString();
  }
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
    const ax = await sm.axons(netuid, hk);
    let axon = '';
    if (ax.isSome || (ax.port !== undefined)) {
      const a = ax.isSome ? ax.unwrap() : ax;
      const port = a.port.toNumber();
      if (port !== 0) {
        const ip = BigInt(a.ip.toString());
        axon = a.ipType.toNumber() === 4
          ? `${Number((ip >> 24n) & 255n)}.${Number((ip >> 16n) & 255n)}.${Number((ip >> 8n) & 255n)}.${Number(ip & 255n)}:${port}`
          : `v${a.ipType.toNumber()}:${ip.toString(16)}:${port}`;
      }
    }
    let commitment = null;
    if (api.query.commitments) {
      const c = await api.query.commitments.commitmentOf(netuid, hk);
      if (c.isSome) {
        // The first field's raw bytes (Data::RawN).
        const f = c.unwrap().info.fields[0];
        commitment = f ? f.toU8a().subarray(1) : null;
        commitment = commitment ? Buffer.from(commitment).toString('utf8') : null;
      }
    }
    out.neurons[hk] = {
      uid: u, alpha: alpha.toString(), root: root.toString(), weight: weight.toString(),
      permit: u >= 0 && !!permits[u], axon, commitment,
    };
  }
  process.stdout.write(JSON.stringify(out));
  await api.disconnect();
}

main().catch((e) => { console.error(e); process.exit(1); });
