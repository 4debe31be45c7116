// axon.js: a Bittensor SDK dendrite written from PROTOCOLS.md §6, signing
// with @polkadot/keyring sr25519, as an independent peer for minerkit's Axon
// server. It builds the body, the body hash (Python str() of each hash field,
// SHA3-256 hex, joined, SHA3-256 hex), the signed message and the headers
// itself, sends them with node:http, and reads the answer as the SDK's
// dendrite does: headers matched case-sensitively on "bt_header_axon_",
// integers parsed as Python's int() would (no decimal point), a 200 needing
// a JSON object whose axon.status_code is 200; anything it cannot parse is
// marked 422.
//
// stdin: {"url":"http://127.0.0.1:port","miner":"5…","calls":[{
//           "suri":"//V1", "synapse":"Dummy", "fields":{"dummy_input":21},
//           "hashFields":["dummy_input"], "floatFields":[],
//           "replay":false,          // resend the previous call's bytes
//           "nonceDeltaNs":"0",      // added to the nonce (older: negative)
//           "fromLastNonce":false}]} // ... added to the last nonce sent instead
// stdout: {"results":[{"status","message","synapse","axonHeaders":{…},
//           "rawHeaderNames":[…],"axonStatusCode","bodyHash","stream",
//           "axonSignatureValid"}]}
// ("axonSignatureValid": null when the answer carries no axon signature, else
// whether polkadot-js verifies it over "{axon nonce}.{dendrite hotkey}.{axon
// hotkey}.{axon uuid}", the nonce read exactly from bt_header_axon_nonce.)
// ("stream": the body of a text/event-stream answer, as received.)
// One dendrite uuid per signer for the whole run, as a Dendrite instance.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady, signatureVerify } = require('@polkadot/util-crypto');
const { u8aToHex, stringToU8a } = require('@polkadot/util');

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

// SHA3-256 (FIPS 202, not Keccak) from Node's OpenSSL.
const sha3hex = (s) => crypto.createHash('sha3-256').update(s, 'utf8').digest('hex');

// Python repr() of a str: single quotes unless it holds ' and no ";
// backslash escapes for the quote, \\, \t \n \r, other controls as \xhh.
// (Enough for the ASCII and printable Unicode the test sends.)
function pyReprStr(s) {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

// Python repr() of a float (shortest round trip, ".0" on integers,
// exponent form below 1e-4 and from 1e16 on).
function pyReprFloat(x) {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  let s = String(x); // JS: shortest round trip too; exponent from 1e21, below 1e-6
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    s = x.toExponential(); // 1e+16, 1.5e-7
    s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return s;
}

// Python str() of a value (top: a str is itself); floats are marked by
// the caller (JS numbers do not say int or float).
function pyStr(v, isFloat, top) {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return top ? v : pyReprStr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return isFloat ? pyReprFloat(v) : String(v);
  if (Array.isArray(v)) return '[' + v.map((x) => pyStr(x, isFloat, false)).join(', ') + ']';
  return '{' + Object.entries(v).map(([k, x]) => pyReprStr(k) + ': ' + pyStr(x, isFloat, false)).join(', ') + '}';
}

function bodyHash(fields, hashFields, floatFields) {
  return sha3hex(hashFields.map((f) => sha3hex(pyStr(fields[f], floatFields.includes(f), true))).join(''));
}

const terminal = (o) => Object.assign({
  status_code: null, status_message: null, process_time: null, ip: null, port: null,
  version: null, nonce: null, uuid: null, hotkey: null, signature: null,
}, o);

function send(url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The SDK's process_server_response, with its 422 for what does not parse.
function processResponse(res, text) {
  const out = { status: res.statusCode, message: null, synapse: null, axonHeaders: {}, rawHeaderNames: [] };
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    out.rawHeaderNames.push(raw[i]);
    if (raw[i].includes('bt_header_axon_')) out.axonHeaders[raw[i].split('bt_header_axon_')[1]] = raw[i + 1];
  }
  const fail = (why) => Object.assign(out, { status: 422, message: 'Failed to parse response: ' + why });
  // A streaming synapse: the body is the subnet's chunks; the terminal
  // headers still say how it went.
  if (res.statusCode === 200 && String(res.headers['content-type'] || '').startsWith('text/event-stream')) {
    out.stream = text;
    const code = out.axonHeaders.status_code;
    if (code === undefined || !/^[+-]?\d+$/.test(code.trim())) return fail('no integer bt_header_axon_status_code');
    out.axonStatusCode = Number(code);
    out.message = out.axonHeaders.status_message;
    return out;
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(e.message);
  }
  if (res.statusCode !== 200) {
    out.message = json.message;
    return out;
  }
  if (typeof json !== 'object' || json === null || typeof json.axon !== 'object') return fail('not a synapse');
  out.synapse = json;
  for (const k of ['status_code', 'port', 'version', 'nonce']) {
    const v = out.axonHeaders[k];
    if (v !== undefined && !/^[+-]?\d+$/.test(v.trim())) return fail(`header bt_header_axon_${k} ${v} is not an int`);
  }
  const code = out.axonHeaders.status_code !== undefined ? Number(out.axonHeaders.status_code) : json.axon.status_code;
  out.axonStatusCode = code;
  out.message = out.axonHeaders.status_message ?? json.axon.status_message;
  if (code !== 200) return fail('axon.status_code is ' + code);
  return out;
}

async function main() {
  const input = JSON.parse(await readStdin());
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const pairs = new Map();
  const uuids = new Map();
  const target = new URL(input.url);
  let last = null;
  let lastNonce = 0n;
  let lastSent = 0n;
  const results = [];
  for (const call of input.calls) {
    if (call.replay) {
      const { res, body } = await send(last.url, last.headers, last.body);
      results.push(processResponse(res, body));
      continue;
    }
    if (!pairs.has(call.suri)) {
      pairs.set(call.suri, keyring.addFromUri(call.suri));
      uuids.set(call.suri, crypto.randomUUID());
    }
    const pair = pairs.get(call.suri);
    let nonce = BigInt(Date.now()) * 1000000n;
    if (nonce <= lastNonce) nonce = lastNonce + 1n;
    lastNonce = nonce;
    if (call.fromLastNonce) nonce = lastSent;
    nonce += BigInt(call.nonceDeltaNs || '0');
    lastSent = nonce;
    const uuid = uuids.get(call.suri);
    const fields = call.fields || {};
    const hash = bodyHash(fields, call.hashFields || [], call.floatFields || []);
    const message = `${nonce}.${pair.address}.${input.miner}.${uuid}.${hash}`;
    const signature = u8aToHex(pair.sign(stringToU8a(message)));
    const dendrite = terminal({ ip: '127.0.0.1', version: 10002000, nonce: Number(nonce), uuid, hotkey: pair.address, signature });
    const axon = terminal({ ip: target.hostname, port: Number(target.port), hotkey: input.miner });
    // JSON numbers lose the nonce's last digits in a JS Number; write it
    // exactly, as Python's json.dumps would.
    const bodyObj = Object.assign({ name: call.synapse, timeout: 12.0, total_size: 0, header_size: 0, dendrite, axon, computed_body_hash: '' }, fields);
    const body = JSON.stringify(bodyObj).replace(`"nonce":${Number(nonce)}`, `"nonce":${nonce}`);
    const headers = {
      'content-type': 'application/json',
      name: call.synapse,
      timeout: '12.0',
      bt_header_axon_ip: axon.ip,
      bt_header_axon_port: String(axon.port),
      bt_header_axon_hotkey: input.miner,
      bt_header_dendrite_ip: '127.0.0.1',
      bt_header_dendrite_version: '10002000',
      bt_header_dendrite_nonce: String(nonce),
      bt_header_dendrite_uuid: uuid,
      bt_header_dendrite_hotkey: pair.address,
      bt_header_dendrite_signature: signature,
      header_size: '0',
      total_size: String(Buffer.byteLength(body)),
      computed_body_hash: hash,
    };
    const url = new URL('/' + call.synapse, input.url).toString();
    last = { url, headers, body };
    const { res, body: text } = await send(url, headers, body);
    const out = processResponse(res, text);
    out.axonSignatureValid = null;
    const ah = out.axonHeaders;
    if (ah.signature && ah.nonce && ah.uuid) {
      const msg = `${ah.nonce}.${pair.address}.${input.miner}.${ah.uuid}`;
      out.axonSignatureValid = signatureVerify(stringToU8a(msg), ah.signature, input.miner).isValid;
    }
    results.push(Object.assign(out, { bodyHash: hash }));
  }
  process.stdout.write(JSON.stringify({ results }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
