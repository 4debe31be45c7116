// epistula.js: polkadot-js as an independent Epistula peer for minerkit's
// epistula package. It builds the signed messages itself (its own sha256 and
// string formatting) and signs / verifies with @polkadot/util-crypto sr25519.
//
// stdin:  {"op":"sign","items":[{"suri","body","receiver","timestamp","uuid","variant"}]}
//         -> {"headers":[{"Name":"value",...}]}
//         {"op":"verify","items":[{"headers":{"Name":"value"},"body"}]}
//         -> {"results":[{"ok":bool,"secretOk":bool|null,"message":"..."}]}
// body is base64. variant is "v2" (timestamp in Unix ms, uuid, 0x-hex
// signature) or "x" (timestamp in Unix ns, plain hex signature).
'use strict';
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady, sha256AsU8a, sr25519Verify, decodeAddress } = require('@polkadot/util-crypto');
const { u8aToHex, stringToU8a, hexToU8a } = require('@polkadot/util');

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

const bodyHash = (b64) => u8aToHex(sha256AsU8a(Buffer.from(b64, 'base64')), -1, false);

// The Python senders' secret-signature messages: interval = ceil(ts/1e4)*1e4
// printed as a float ("….0").
function secretMessages(ts, receiver) {
  const interval = BigInt(Math.ceil(Number(ts) / 1e4) * 1e4);
  return [-1n, 0n, 1n].map((d) => `${interval + d}.0.${receiver}`);
}

function v2Message(h, body) {
  return `${bodyHash(body)}.${h['Epistula-Uuid']}.${h['Epistula-Timestamp']}.${h['Epistula-Signed-For'] || ''}`;
}

function sign(pairs, keyring, it) {
  if (!pairs.has(it.suri)) pairs.set(it.suri, keyring.addFromUri(it.suri));
  const pair = pairs.get(it.suri);
  if (it.variant === 'x') {
    const msg = `${it.timestamp}.${bodyHash(it.body)}`;
    return {
      'X-Epistula-Timestamp': it.timestamp,
      'X-Epistula-Signature': u8aToHex(pair.sign(stringToU8a(msg)), -1, false),
      'X-Epistula-Hotkey': pair.address,
    };
  }
  const h = {
    'Epistula-Version': '2',
    'Epistula-Timestamp': it.timestamp,
    'Epistula-Uuid': it.uuid,
    'Epistula-Signed-By': pair.address,
  };
  if (it.receiver) h['Epistula-Signed-For'] = it.receiver;
  h['Epistula-Request-Signature'] = u8aToHex(pair.sign(stringToU8a(v2Message(h, it.body))));
  if (it.receiver) {
    secretMessages(it.timestamp, it.receiver).forEach((m, i) => {
      h[`Epistula-Secret-Signature-${i}`] = u8aToHex(pair.sign(stringToU8a(m)));
    });
  }
  return h;
}

function verify(it) {
  const h = it.headers;
  if (h['X-Epistula-Signature']) {
    const message = `${h['X-Epistula-Timestamp']}.${bodyHash(it.body)}`;
    const pub = decodeAddress(h['X-Epistula-Hotkey']);
    const ok = sr25519Verify(stringToU8a(message), hexToU8a('0x' + h['X-Epistula-Signature']), pub);
    return { ok, secretOk: null, message };
  }
  const message = v2Message(h, it.body);
  const pub = decodeAddress(h['Epistula-Signed-By']);
  const ok = sr25519Verify(stringToU8a(message), hexToU8a(h['Epistula-Request-Signature']), pub);
  let secretOk = null;
  if (h['Epistula-Signed-For']) {
    secretOk = secretMessages(h['Epistula-Timestamp'], h['Epistula-Signed-For']).every((m, i) =>
      sr25519Verify(stringToU8a(m), hexToU8a(h[`Epistula-Secret-Signature-${i}`]), pub));
  }
  return { ok, secretOk, message };
}

async function main() {
  await cryptoWaitReady();
  const req = JSON.parse(await readStdin());
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  let out;
  const pairs = new Map();
  if (req.op === 'sign') out = { headers: req.items.map((it) => sign(pairs, keyring, it)) };
  else if (req.op === 'verify') out = { results: req.items.map(verify) };
  else throw new Error(`epistula.js: unknown op ${req.op}`);
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
