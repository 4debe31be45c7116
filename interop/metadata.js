// metadata.js: polkadot-js's view of runtime metadata, for minerkit's
// differential tests of package substrate.
//
// stdin: {"file": "mainnet.js"} (a @bitgo/sdk-coin-tao resource) or
//        {"metadata": "0x..."}, plus optional
//        "keys": [{"pallet": "SubtensorModule", "item": "Uids", "args": [...]}]
// stdout: {"version", "pallets": [...], "signedExtensions": [...], "keys": ["0x..."]}
'use strict';
const { TypeRegistry } = require('@polkadot/types');
const { Metadata, expandMetadata } = require('@polkadot/types/metadata');
const { u8aToHex, compactStripLength } = require('@polkadot/util');

function readStdin() {
  return JSON.parse(require('fs').readFileSync(0, 'utf8'));
}

function loadMetadata(input) {
  let hex = input.metadata;
  if (!hex) {
    const mod = require('@bitgo/sdk-coin-tao/dist/src/resources/' + input.file);
    const material = mod.mainnetMaterial || mod.testnetMaterial || Object.values(mod)[0];
    hex = material.metadata;
  }
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, hex);
  registry.setMetadata(metadata, undefined, require('./subtensor_extensions'), true);
  return { registry, metadata };
}

function variants(lookup, opt) {
  if (opt.isNone) return null;
  const def = lookup.getSiType(opt.unwrap().type).def;
  return def.asVariant.variants.map((v) => ({ name: v.name.toString(), index: v.index.toNumber(), fields: v.fields.length }));
}

function main() {
  const input = readStdin();
  const { registry, metadata } = loadMetadata(input);
  // asLatest is v16 in this polkadot-js; read the version the chain sent.
  const latest = metadata.version === 15 ? metadata.asV15 : metadata.asV14;
  const lookup = latest.lookup;
  const pallets = latest.pallets.map((p) => ({
    name: p.name.toString(),
    index: p.index.toNumber(),
    calls: variants(lookup, p.calls),
    events: variants(lookup, p.events),
    errors: variants(lookup, p.errors),
    storage: p.storage.isSome ? p.storage.unwrap().items.map((s) => ({
      name: s.name.toString(),
      modifier: s.modifier.toString(),
      hashers: s.type.isMap ? s.type.asMap.hashers.map((h) => h.toString()) : [],
      key: s.type.isMap ? s.type.asMap.key.toNumber() : null,
      value: s.type.isMap ? s.type.asMap.value.toNumber() : s.type.asPlain.toNumber(),
      default: s.fallback.toHex(),
    })) : null,
    constants: p.constants.map((c) => ({ name: c.name.toString(), type: c.type.toNumber(), value: c.value.toHex() })),
  }));
  const out = {
    version: metadata.version,
    types: lookup.types.length,
    pallets,
    signedExtensions: latest.extrinsic.signedExtensions.map((e) => ({
      identifier: e.identifier.toString(), type: e.type.toNumber(), additionalSigned: e.additionalSigned.toNumber(),
    })),
    keys: [],
  };
  if (input.keys && input.keys.length) {
    const decorated = expandMetadata(registry, metadata);
    const lc = (s) => s.charAt(0).toLowerCase() + s.slice(1);
    for (const k of input.keys) {
      const fn = decorated.query[lc(k.pallet)][lc(k.item)];
      const args = k.args || [];
      const key = args.length === 0 ? fn() : fn(...args);
      out.keys.push(u8aToHex(compactStripLength(key)[1]));
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main();
