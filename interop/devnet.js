// devnet.js: polkadot-js (@polkadot/api) judges the minerkit devnet.
//
// stdin: {"url": "ws://127.0.0.1:PORT"}
// stdout: JSON with what polkadot-js saw: runtime and metadata facts,
// storage reads, and for each submitted extrinsic its final status,
// events and the state it left.
'use strict';

const { ApiPromise, WsProvider } = require('@polkadot/api');
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady } = require('@polkadot/util-crypto');

function readStdin() {
  return new Promise((resolve) => {
    let data = '';
    process.stdin.on('data', (c) => { data += c; });
    process.stdin.on('end', () => resolve(JSON.parse(data)));
  });
}

// send signs and submits tx, resolves at finalization with the events.
function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    const statuses = [];
    tx.signAndSend(signer, (result) => {
      statuses.push(result.status.type);
      if (result.status.isFinalized) {
        const events = result.events.map(({ event }) => `${event.section}.${event.method}`);
        let error = null;
        if (result.dispatchError) {
          if (result.dispatchError.isModule) {
            const d = api.registry.findMetaError(result.dispatchError.asModule);
            error = `${d.section}.${d.name}`;
          } else {
            error = result.dispatchError.toString();
          }
        }
        resolve({ statuses, events, error, blockHash: result.status.asFinalized.toHex() });
      }
      if (result.isError && !result.status.isFinalized) {
        reject(new Error(`extrinsic failed: ${result.status.type}`));
      }
    }).catch(reject);
  });
}

async function main() {
  const input = await readStdin();
  await cryptoWaitReady();
  const api = await ApiPromise.create({
    provider: new WsProvider(input.url), noInitWarn: true, throwOnConnect: true,
    signedExtensions: require('./subtensor_extensions'),
  });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');
  const dest = keyring.addFromUri('//MinerkitDest');
  const hot = keyring.addFromUri('//MinerkitHot');
  const out = {};

  out.specName = api.runtimeVersion.specName.toString();
  out.specVersion = api.runtimeVersion.specVersion.toNumber();
  out.chain = (await api.rpc.system.chain()).toString();
  out.genesisHash = api.genesisHash.toHex();
  out.metadataVersion = api.runtimeMetadata.version;
  out.pallets = api.runtimeMetadata.asLatest.pallets.map((p) => [p.name.toString(), p.index.toNumber()]);
  out.signedExtensions = api.registry.signedExtensions;
  out.existentialDeposit = api.consts.balances.existentialDeposit.toString();
  out.calls = {
    burnedRegister: api.tx.subtensorModule.burnedRegister.callIndex ? Array.from(api.tx.subtensorModule.burnedRegister.callIndex) : null,
    serveAxon: Array.from(api.tx.subtensorModule.serveAxon.callIndex),
    setCommitment: Array.from(api.tx.commitments.setCommitment.callIndex),
    transferKeepAlive: Array.from(api.tx.balances.transferKeepAlive.callIndex),
  };
  out.aliceFree = (await api.query.system.account(alice.address)).data.free.toString();
  out.tempo1 = (await api.query.subtensorModule.tempo(1)).toNumber();
  out.burn1 = (await api.query.subtensorModule.burn(1)).toString();

  // Balances.transfer_keep_alive
  const amount = 5n * 1000000000n;
  out.transfer = await send(api, api.tx.balances.transferKeepAlive(dest.address, amount), alice);
  out.destFree = (await api.query.system.account(dest.address)).data.free.toString();
  const info = await api.tx.balances.transferKeepAlive(dest.address, amount).paymentInfo(alice);
  out.partialFee = info.partialFee.toString();

  // SubtensorModule.burned_register(1, hot) by //Bob
  out.register = await send(api, api.tx.subtensorModule.burnedRegister(1, hot.address), bob);
  const uid = await api.query.subtensorModule.uids(1, hot.address);
  out.uid = uid.isSome ? uid.unwrap().toNumber() : null;
  out.owner = (await api.query.subtensorModule.owner(hot.address)).toString();

  // SubtensorModule.serve_axon by the hotkey (free: the hotkey holds no TAO)
  const ip = (10 << 24) + (1 << 8) + 2; // 10.0.1.2
  out.serve = await send(api, api.tx.subtensorModule.serveAxon(1, 7, ip, 8091, 4, 4, 0, 0), hot);
  const axon = await api.query.subtensorModule.axons(1, hot.address);
  out.axon = axon.isSome ? { ip: axon.unwrap().ip.toString(), port: axon.unwrap().port.toNumber() } : null;

  // 127.0.0.1 is refused in the pool with subtensor's custom error 11.
  try {
    await send(api, api.tx.subtensorModule.serveAxon(1, 7, 0x7f000001, 8092, 4, 4, 0, 0), hot);
    out.loopback = 'accepted';
  } catch (e) {
    out.loopback = e.message;
  }

  // Commitments.set_commitment by the hotkey
  out.commit = await send(api, api.tx.commitments.setCommitment(1, { fields: [{ Raw5: 'hello' }, { Sha256: '0x' + '11'.repeat(32) }] }), hot);
  const c = await api.query.commitments.commitmentOf(1, hot.address);
  out.commitment = c.isSome ? c.unwrap().info.fields.map((f) => f.toJSON()) : null;

  // A failing call: registering the same hotkey again.
  out.again = await send(api, api.tx.subtensorModule.burnedRegister(1, hot.address), bob);

  out.nonceBob = (await api.rpc.system.accountNextIndex(bob.address)).toNumber();

  // Sudo with a nested AdminUtils call, built from the metadata's RuntimeCall.
  out.sudo = await send(api, api.tx.sudo.sudo(api.tx.adminUtils.sudoSetWeightsSetRateLimit(1, 0)), alice);
  out.rateLimit = (await api.query.subtensorModule.weightsSetRateLimit(1)).toNumber();

  // A validator: register, stake, wait for its permit at the next epoch, set weights.
  const val = keyring.addFromUri('//MinerkitValidator');
  out.valRegister = await send(api, api.tx.subtensorModule.burnedRegister(1, val.address), alice);
  out.stake = await send(api, api.tx.subtensorModule.addStake(val.address, 1, 1000n * 1000000000n), alice);
  const valUid = (await api.query.subtensorModule.uids(1, val.address)).unwrap().toNumber();
  for (let i = 0; i < 200; i++) {
    const permits = await api.query.subtensorModule.validatorPermit(1);
    if (permits.length > valUid && permits[valUid].isTrue) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  out.weights = await send(api, api.tx.subtensorModule.setWeights(1, [out.uid], [65535], 0), val);
  out.storedWeights = (await api.query.subtensorModule.weights(1, valUid)).toJSON();

  // Runtime APIs, decoded by polkadot-js from the metadata v15 types.
  if (api.call.neuronInfoRuntimeApi) {
    const neurons = await api.call.neuronInfoRuntimeApi.getNeuronsLite(1);
    out.neurons = neurons.map((n) => ({ hotkey: n.hotkey.toString(), uid: n.uid.toNumber(), port: n.axonInfo.port.toNumber() }));
    const mg = await api.call.subnetInfoRuntimeApi.getMetagraph(1);
    out.metagraph = mg.isSome ? { netuid: mg.unwrap().netuid.toNumber(), hotkeys: mg.unwrap().hotkeys.map((h) => h.toString()),
      ports: mg.unwrap().axons.map((a) => a.port.toNumber()), tempo: mg.unwrap().tempo.toNumber() } : null;
  }
  await api.disconnect();
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
