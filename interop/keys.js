// keys.js: polkadot-js as an independent sr25519 / SS58 / SURI peer for
// minerkit's keys and wallet packages.
//
// stdin:  {"ops": [op, ...]}; stdout: {"results": [result, ...]} in order.
//   {"op":"generate","words":[12,24,...]}            -> {"mnemonics":[...]}
//   {"op":"validate","mnemonics":[...]}              -> {"valid":[bool,...]}
//   {"op":"derive","suris":[...]}                    -> {"keys":[{"publicKey","address","secretKey","native"} | {"error"}]}
//   {"op":"sign","suri":"...","messages":["<hex>"]}  -> {"signatures":[{"raw","wrapped"}]}
//   {"op":"verify","items":[{"publicKey","message","signature"}]}
//                                                    -> {"raw":[bool],"any":[bool]}
//   {"op":"fromPrivate","items":[{"privateKey","message"}]}
//                                                    -> {"keys":[{"publicKey","signature"}]}
//   {"op":"ss58","items":[{"publicKey","prefix"}]}   -> {"addresses":[...]}
//   {"op":"decode","addresses":[...]}                -> {"keys":[{"publicKey","prefix"} | {"error"}]}
// All bytes are 0x-hex. "secretKey" is polkadot-js's 64-byte form (scalar*8 ||
// nonce, the ed25519-expanded layout); "native" is schnorrkel's own
// (scalar || nonce), the form btcli keyfiles store as privateKey.
'use strict';
const { Keyring } = require('@polkadot/keyring');
const {
  cryptoWaitReady, mnemonicGenerate, mnemonicValidate, mnemonicToMiniSecret, keyExtractSuri,
  keyFromPath, sr25519PairFromSeed, sr25519Sign, sr25519Verify, signatureVerify, encodeAddress,
  decodeAddress, base58Decode,
} = require('@polkadot/util-crypto');
const { u8aToHex, hexToU8a, u8aWrapBytes, isHex } = require('@polkadot/util');
// @scure/sr25519 is util-crypto's own sr25519 implementation; resolve it from
// there so that it is the exact version the lockfile pins for util-crypto.
const { getPublicKey } = require(require.resolve('@scure/sr25519', { paths: [require.resolve('@polkadot/util-crypto')] }));

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

// Scalars as little-endian 32-byte integers; the two layouts differ by the
// cofactor 8 (a 3-bit shift).
function leToBig(b) { return BigInt('0x' + Buffer.from(b).reverse().toString('hex') || '0'); }
function bigToLe(n) {
  const hex = (n & ((1n << 256n) - 1n)).toString(16).padStart(64, '0');
  return Uint8Array.from(Buffer.from(hex, 'hex').reverse());
}
function toNative(secretKey) {
  const out = new Uint8Array(64);
  out.set(bigToLe(leToBig(secretKey.subarray(0, 32)) >> 3n), 0);
  out.set(secretKey.subarray(32), 32);
  return out;
}
function fromNative(native) {
  const out = new Uint8Array(64);
  out.set(bigToLe(leToBig(native.subarray(0, 32)) << 3n), 0);
  out.set(native.subarray(32), 32);
  return out;
}

// derivePair follows the SURI through polkadot-js's own primitives, to get
// the secret key that Keyring keeps private.
const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

// withDevPhrase completes "//Alice" and "/Alice" as Substrate does (Keyring
// itself only completes the "//" form).
function withDevPhrase(suri) { return suri.startsWith('/') ? DEV_PHRASE + suri : suri; }

function derivePair(suri) {
  const { phrase, password, path } = keyExtractSuri(suri);
  const seed = isHex(phrase, 256) ? hexToU8a(phrase) : mnemonicToMiniSecret(phrase, password);
  return keyFromPath(sr25519PairFromSeed(seed), path, 'sr25519');
}

function noThrow(f) {
  try {
    return f();
  } catch (e) {
    return false;
  }
}

const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });

function run(op) {
  switch (op.op) {
    case 'generate':
      return { mnemonics: op.words.map((n) => mnemonicGenerate(n)) };
    case 'validate':
      return { valid: op.mnemonics.map((m) => mnemonicValidate(m)) };
    case 'derive':
      return {
        keys: op.suris.map((s) => {
          try {
            const suri = withDevPhrase(s);
            const kr = keyring.addFromUri(suri);
            const pair = derivePair(suri);
            if (u8aToHex(pair.publicKey) !== u8aToHex(kr.publicKey)) throw new Error('keyring and util-crypto disagree');
            return {
              publicKey: u8aToHex(kr.publicKey),
              address: kr.address,
              secretKey: u8aToHex(pair.secretKey),
              native: u8aToHex(toNative(pair.secretKey)),
            };
          } catch (e) {
            return { error: e.message };
          }
        }),
      };
    case 'sign': {
      const pair = keyring.addFromUri(withDevPhrase(op.suri));
      return {
        signatures: op.messages.map((m) => {
          const msg = hexToU8a(m);
          return { raw: u8aToHex(pair.sign(msg)), wrapped: u8aToHex(pair.sign(u8aWrapBytes(msg))) };
        }),
      };
    }
    case 'verify':
      // A signature whose R is not a valid point makes the verifiers throw:
      // that is a rejection.
      return {
        raw: op.items.map((it) => noThrow(() => sr25519Verify(hexToU8a(it.message), hexToU8a(it.signature), hexToU8a(it.publicKey)))),
        any: op.items.map((it) => noThrow(() => signatureVerify(hexToU8a(it.message), hexToU8a(it.signature), hexToU8a(it.publicKey)).isValid)),
      };
    case 'fromPrivate':
      return {
        keys: op.items.map((it) => {
          const secretKey = fromNative(hexToU8a(it.privateKey));
          const publicKey = getPublicKey(secretKey);
          return { publicKey: u8aToHex(publicKey), signature: u8aToHex(sr25519Sign(hexToU8a(it.message), { publicKey, secretKey })) };
        }),
      };
    case 'ss58':
      return { addresses: op.items.map((it) => encodeAddress(hexToU8a(it.publicKey), it.prefix)) };
    case 'decode':
      return {
        keys: op.addresses.map((a) => {
          try {
            const publicKey = u8aToHex(decodeAddress(a));
            const raw = base58Decode(a);
            const prefix = raw[0] < 64 ? raw[0] : ((raw[0] & 0x3f) << 2) | (raw[1] >> 6) | ((raw[1] & 0x3f) << 8);
            return { publicKey, prefix };
          } catch (e) {
            return { error: e.message };
          }
        }),
      };
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
