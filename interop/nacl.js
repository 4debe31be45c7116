// nacl.js: btcli $NACL keyfile encryption done by libsodium, the library
// bittensor-wallet itself uses (through sodiumoxide), as an independent peer
// for minerkit's wallet package.
//
// stdin:  {"ops": [{"op": "encrypt", "password": "...", "plaintext": "<hex>"},
//                  {"op": "decrypt", "password": "...", "data": "<hex>"},
//                  {"op": "key", "password": "..."}]}
// stdout: {"results": [{"data": "<hex>"} | {"plaintext": "<hex>"} | {"error": "..."} | {"key": "<hex>"}]}
//
// Key = crypto_pwhash(32, password, salt, argon2i OPSLIMIT_SENSITIVE (8),
// argon2i MEMLIMIT_SENSITIVE (512 MiB), ALG_ARGON2I13): the Argon2i limits,
// not the generic crypto_pwhash_*_SENSITIVE ones (those are Argon2id's).
'use strict';
const sodium = require('libsodium-wrappers-sumo');

const SALT = Uint8Array.from([0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1]);
const PREFIX = Buffer.from('$NACL');

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function deriveKey(password) {
  return sodium.crypto_pwhash(
    sodium.crypto_secretbox_KEYBYTES,
    Buffer.from(password, 'utf8'),
    SALT,
    sodium.crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE,
    sodium.crypto_pwhash_argon2i_MEMLIMIT_SENSITIVE,
    sodium.crypto_pwhash_ALG_ARGON2I13,
  );
}

function run(op) {
  switch (op.op) {
    case 'key':
      return { key: Buffer.from(deriveKey(op.password)).toString('hex') };
    case 'encrypt': {
      const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
      const box = sodium.crypto_secretbox_easy(Buffer.from(op.plaintext, 'hex'), nonce, deriveKey(op.password));
      return { data: Buffer.concat([PREFIX, Buffer.from(nonce), Buffer.from(box)]).toString('hex') };
    }
    case 'decrypt': {
      const data = Buffer.from(op.data, 'hex');
      if (!data.subarray(0, PREFIX.length).equals(PREFIX)) return { error: 'no $NACL prefix' };
      const nonce = data.subarray(PREFIX.length, PREFIX.length + sodium.crypto_secretbox_NONCEBYTES);
      const box = data.subarray(PREFIX.length + sodium.crypto_secretbox_NONCEBYTES);
      try {
        const pt = sodium.crypto_secretbox_open_easy(box, nonce, deriveKey(op.password));
        return { plaintext: Buffer.from(pt).toString('hex') };
      } catch (e) {
        return { error: 'secretbox open failed: ' + e.message };
      }
    }
    default:
      throw new Error('unknown op ' + op.op);
  }
}

(async () => {
  await sodium.ready;
  const input = JSON.parse(await readStdin());
  process.stdout.write(JSON.stringify({ results: input.ops.map(run) }));
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
