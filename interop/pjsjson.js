// pjsjson.js: polkadot-js Keyring account backups (pair.toJson) for
// minerkit's wallet package to restore.
//
// stdin:  {"ops": [op, ...]}; stdout: {"results": [result, ...]} in order.
//   {"op":"export","items":[{"words":12,"path":"//hard/soft","suri":"//Alice","password":"pw",
//                            "ss58Format":42,"params":{"N":32768,"p":1,"r":8}}]}
//     -> {"backups":[{"suri","json","publicKey","address"}]}
// Each item uses "suri" if given, else a random mnemonic of "words" words
// followed by "path". No "password" (or "") exports unencrypted. Without
// "params" the backup is pair.toJson(password) with polkadot-js's own scrypt
// parameters; with them it is the same encoding (scryptToU8a || nonce ||
// secretbox of pair.encodePkcs8()) under those parameters, as older
// polkadot-js releases wrote.
'use strict';
const { Keyring } = require('@polkadot/keyring');
const {
  cryptoWaitReady, mnemonicGenerate, scryptEncode, scryptToU8a, naclEncrypt, jsonEncryptFormat, randomAsU8a,
} = require('@polkadot/util-crypto');
const { u8aToHex, u8aConcat } = require('@polkadot/util');

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function exportItem(it) {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: it.ss58Format === undefined ? 42 : it.ss58Format });
  const suri = it.suri || mnemonicGenerate(it.words || 12) + (it.path || '');
  const pair = keyring.addFromUri(suri, { name: 'interop', whenCreated: Date.now() });
  let json;
  if (!it.params) {
    json = pair.toJson(it.password || undefined);
  } else {
    const { params, password, salt } = scryptEncode(it.password, randomAsU8a(), it.params);
    const { encrypted, nonce } = naclEncrypt(pair.encodePkcs8(), password.subarray(0, 32));
    json = {
      ...jsonEncryptFormat(u8aConcat(scryptToU8a(salt, params), nonce, encrypted), ['pkcs8', 'sr25519'], true),
      address: pair.address,
      meta: pair.meta,
    };
  }
  if (it.params) {
    // The hand-made backup must open in polkadot-js itself.
    const check = new Keyring({ type: 'sr25519' }).createFromJson(json);
    check.decodePkcs8(it.password);
    if (u8aToHex(check.publicKey) !== u8aToHex(pair.publicKey)) throw new Error('backup does not reopen in polkadot-js');
  }
  return { suri, json, publicKey: u8aToHex(pair.publicKey), address: pair.address };
}

function run(op) {
  switch (op.op) {
    case 'export':
      return { backups: op.items.map(exportItem) };
    default:
      throw new Error('unknown op ' + op.op);
  }
}

(async () => {
  await cryptoWaitReady();
  const input = JSON.parse(await readStdin());
  process.stdout.write(JSON.stringify({ results: input.ops.map(run) }));
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
