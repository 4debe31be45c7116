// extrinsic.js: polkadot-js's calls, signing payloads and signature checks,
// for minerkit's differential tests of package substrate.
//
// stdin: {"file": "mainnet.js"} or {"metadata": "0x..."}, with
//   "specVersion", "txVersion", "genesisHash", and "cases": [{
//     "pallet", "call", "args": [...],         (polkadot-js JSON forms)
//     "nonce", "tip", "era": {"current", "period"} | null, "blockHash",
//     "signed": "0x..."                          (minerkit's signed extrinsic)
//   }]
// stdout: {"cases": [{"call", "payload", "verified", "decoded", "pjsSigned"}]}
// Every case is also signed by polkadot-js with //Alice (pjsSigned) so that
// minerkit can decode and verify what polkadot-js produces.
'use strict';
const { TypeRegistry } = require('@polkadot/types');
const { Metadata, expandMetadata } = require('@polkadot/types/metadata');
const { u8aToHex, stringCamelCase } = require('@polkadot/util');
const { cryptoWaitReady, blake2AsU8a, signatureVerify } = require('@polkadot/util-crypto');
const { Keyring } = require('@polkadot/keyring');

function loadMetadata(input) {
  let hex = input.metadata;
  if (!hex) {
    const mod = require('@bitgo/sdk-coin-tao/dist/src/resources/' + input.file);
    hex = (mod.mainnetMaterial || mod.testnetMaterial || Object.values(mod)[0]).metadata;
  }
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, hex);
  registry.setMetadata(metadata, undefined, require('./subtensor_extensions'), true);
  return { registry, metadata };
}

function payloadBytes(registry, fields) {
  const payload = registry.createType('ExtrinsicPayload', fields, { version: 4 });
  const u8a = payload.toU8a({ method: true });
  return u8a.length > 256 ? blake2AsU8a(u8a, 256) : u8a;
}

async function main() {
  const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  await cryptoWaitReady();
  const { registry, metadata } = loadMetadata(input);
  const decorated = expandMetadata(registry, metadata);
  const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
  const out = [];
  for (const c of input.cases) {
    const fn = decorated.tx[stringCamelCase(c.pallet)][stringCamelCase(c.call)];
    const call = fn(...c.args);
    const era = c.era ? registry.createType('ExtrinsicEra', { current: c.era.current, period: c.era.period }) : registry.createType('ExtrinsicEra', '0x00');
    const blockHash = c.era ? c.blockHash : input.genesisHash;
    const common = {
      specVersion: input.specVersion, transactionVersion: input.txVersion, genesisHash: input.genesisHash, blockHash,
    };
    const payload = payloadBytes(registry, { method: call.toHex(), era, nonce: c.nonce, tip: c.tip, mode: 0, ...common });

    const res = { call: call.toHex(), payload: u8aToHex(payload), era: u8aToHex(era.toU8a()) };
    if (c.signed) {
      const ext = registry.createType('Extrinsic', c.signed);
      const again = payloadBytes(registry, {
        method: ext.method.toHex(), era: ext.era, nonce: ext.nonce, tip: ext.tip, mode: 0, ...common,
      });
      res.verified = ext.isSigned && signatureVerify(again, ext.signature.toU8a(), ext.signer.toString()).isValid;
      res.decoded = {
        signer: ext.signer.toString(), nonce: ext.nonce.toNumber(), tip: ext.tip.toString(),
        era: u8aToHex(ext.era.toU8a()), method: ext.method.toHex(), section: ext.method.section, name: ext.method.method,
      };
    }
    const mine = registry.createType('Extrinsic', call, { version: 4 });
    mine.sign(alice, {
      era, nonce: c.nonce, tip: c.tip, blockHash, genesisHash: input.genesisHash, mode: 0,
      runtimeVersion: { specVersion: input.specVersion, transactionVersion: input.txVersion },
      signedExtensions: registry.signedExtensions,
    });
    res.pjsSigned = mine.toHex();
    out.push(res);
  }
  process.stdout.write(JSON.stringify({ cases: out }));
}

main().catch((e) => { console.error(e); process.exit(1); });
