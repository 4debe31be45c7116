// events.js: polkadot-js's decoding of System.Events and of module errors,
// for minerkit's differential tests of package substrate.
//
// stdin: {"file": "mainnet.js"} or {"metadata": "0x..."}, with
//   "events": "0x..."                    (an encoded Vec<EventRecord>)
//   "dispatchErrorType": 42, "moduleErrors": ["0x...", ...]  (encoded DispatchError values)
// stdout: {"reencoded": "0x...", "records": [{"phase", "extrinsic", "section", "pallet", "method", "index", "data"}],
//          "moduleErrors": [{"section", "pallet", "name", "docs"}]}
'use strict';
const { TypeRegistry } = require('@polkadot/types');
const { Metadata } = require('@polkadot/types/metadata');
const { hexToU8a } = require('@polkadot/util');

function main() {
  const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  let hex = input.metadata;
  if (!hex) {
    const mod = require('@bitgo/sdk-coin-tao/dist/src/resources/' + input.file);
    hex = (mod.mainnetMaterial || mod.testnetMaterial || Object.values(mod)[0]).metadata;
  }
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, hex);
  registry.setMetadata(metadata, undefined, require('./subtensor_extensions'), true);
  // Pallet names as the metadata spells them (section is camelCased).
  const latest = metadata.version === 15 ? metadata.asV15 : metadata.asV14;
  const palletName = {};
  for (const p of latest.pallets) palletName[p.index.toNumber()] = p.name.toString();
  const out = { records: [], moduleErrors: [] };
  if (input.events) {
    const records = registry.createType('Vec<EventRecord>', hexToU8a(input.events));
    out.reencoded = records.toHex();
    for (const r of records) {
      out.records.push({
        phase: r.phase.type,
        extrinsic: r.phase.isApplyExtrinsic ? r.phase.asApplyExtrinsic.toNumber() : null,
        section: r.event.section,
        pallet: palletName[r.event.index[0]],
        method: r.event.method,
        index: r.event.index.toHex(),
        data: r.event.data.toHex(),
      });
    }
  }
  for (const e of input.moduleErrors || []) {
    const de = registry.createType('Lookup' + input.dispatchErrorType, hexToU8a(e));
    const meta = registry.findMetaError(de.asModule);
    out.moduleErrors.push({ section: meta.section, pallet: palletName[de.asModule.index.toNumber()], name: meta.name, docs: meta.docs.map((d) => d.trim()).filter((d) => d).join(' ') });
  }
  process.stdout.write(JSON.stringify(out));
}

main();
