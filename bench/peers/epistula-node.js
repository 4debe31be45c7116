// epistula-node.js: the Node peer of the serve load harness. A node:http
// miner that does what minerkit's guard does on every request, the way a
// careful JavaScript subnet would write it with @polkadot/util-crypto:
//
//   body under 1 MiB (413), Epistula v2 headers (400), timestamp window both
//   ways (401), Signed-For equal to its own hotkey (401), the caller in the
//   validator table with a permit and enough stake (403), sr25519Verify of
//   "{sha256hex(body)}.{uuid}.{timestamp}.{signed_for}" raw then <Bytes>-
//   wrapped (401), and a replay set of (signed_by, uuid) kept for twice the
//   window (401; full: 503). Then a small JSON answer.
//
// stdin (JSON, read to its end):
//   {"self": "<miner SS58>", "window_ms": 8000, "min_stake": <rao>,
//    "validators": {"<SS58>": {"stake": <rao>, "permit": true}, ...}}
// stdout: one line {"addr": "127.0.0.1:PORT"} once listening. It serves until
// SIGTERM or SIGINT. Loopback only.
//
// Packages come from interop/ (the lockfile there pins them); nothing else
// is installed for the harness.
'use strict';
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const { createRequire } = require('node:module');

const interop = createRequire(path.join(__dirname, '..', '..', 'interop', 'package.json'));
// MINERKIT_PEER_CRYPTO picks the sr25519: "util-crypto-13" (13.5.x, Rust
// schnorrkel in wasm, the fastest a Node miner can use, ready after
// cryptoWaitReady()) or "@polkadot/util-crypto" (14, pure JavaScript).
const cryptoPkg = process.env.MINERKIT_PEER_CRYPTO || '@polkadot/util-crypto';
const { sr25519Verify, decodeAddress, cryptoWaitReady } = interop(cryptoPkg);

const MAX_BODY = 1 << 20;
const REPLAY_CAPACITY = 1 << 19;

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function refuse(res, status, reason, error) {
  const b = JSON.stringify({ error, reason }) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(b) });
  res.end(b);
}

function one(req, name) {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

const TS = /^[0-9]{1,19}$/;
const SIG = /^(0x)?[0-9a-fA-F]{128}$/;

function main(cfg) {
  const self = cfg.self;
  const window = BigInt(cfg.window_ms || 8000);
  const minStake = BigInt(cfg.min_stake || 0);
  const validators = new Map();
  for (const [addr, v] of Object.entries(cfg.validators || {})) {
    validators.set(addr, { stake: BigInt(v.stake), permit: !!v.permit, pub: null });
  }
  // (signed_by, uuid) -> expiry (ms), evicted by a sweep.
  const seen = new Map();
  const ttl = Number(window) * 2;
  setInterval(() => {
    const now = Date.now();
    for (const [k, exp] of seen) if (exp <= now) seen.delete(k);
  }, Math.max(1000, ttl / 4)).unref();

  const check = (req, body) => {
    if (one(req, 'epistula-version') !== '2') return [400, 'malformed', 'Epistula-Version must be 2'];
    const ts = one(req, 'epistula-timestamp');
    const uuid = one(req, 'epistula-uuid');
    const by = one(req, 'epistula-signed-by');
    const sig = one(req, 'epistula-request-signature');
    const forWhom = one(req, 'epistula-signed-for') || '';
    if (!ts || !TS.test(ts)) return [400, 'malformed', 'Epistula-Timestamp must be Unix milliseconds'];
    if (!uuid || uuid.length > 64) return [400, 'malformed', 'Epistula-Uuid missing'];
    if (!by || by.length > 64) return [400, 'malformed', 'Epistula-Signed-By missing'];
    if (!sig || !SIG.test(sig)) return [400, 'malformed', 'Epistula-Request-Signature must be 64 bytes of hex'];
    const now = BigInt(Date.now());
    const t = BigInt(ts);
    if (now - t > window) return [401, 'stale', 'request older than the window'];
    if (t - now > window) return [401, 'from_the_future', 'request timestamp ahead of the window'];
    if (forWhom !== self) return [401, 'wrong_receiver', 'Epistula-Signed-For is not this miner'];
    const v = validators.get(by);
    if (!v) return [403, 'not_registered', 'caller not in the metagraph'];
    if (!v.permit) return [403, 'no_validator_permit', 'caller has no validator permit'];
    if (v.stake < minStake) return [403, 'stake_too_low', 'caller stake below the minimum'];
    if (v.pub === null) {
      try {
        v.pub = decodeAddress(by);
      } catch (e) {
        return [400, 'malformed', 'Epistula-Signed-By is not an SS58 address'];
      }
    }
    const hash = crypto.createHash('sha256').update(body).digest('hex');
    const msg = Buffer.from(`${hash}.${uuid}.${ts}.${forWhom}`, 'utf8');
    const sigBytes = Buffer.from(sig.startsWith('0x') ? sig.slice(2) : sig, 'hex');
    let ok = sr25519Verify(msg, sigBytes, v.pub);
    if (!ok) {
      ok = sr25519Verify(Buffer.concat([Buffer.from('<Bytes>'), msg, Buffer.from('</Bytes>')]), sigBytes, v.pub);
    }
    if (!ok) return [401, 'bad_signature', 'signature does not verify'];
    const key = by + ' ' + uuid;
    const exp = seen.get(key);
    if (exp !== undefined && exp > Date.now()) return [401, 'replayed', 'request already seen'];
    if (seen.size >= REPLAY_CAPACITY) return [503, 'unavailable', 'replay cache full'];
    seen.set(key, Number(t) + ttl);
    return null;
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    let over = false;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        over = true;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (over) return refuse(res, 413, 'body_too_large', 'body over 1 MiB');
      const body = Buffer.concat(chunks);
      let bad;
      try {
        bad = check(req, body);
      } catch (e) {
        bad = [400, 'malformed', String(e.message || e)];
      }
      if (bad) return refuse(res, bad[0], bad[1], bad[2]);
      const out = JSON.stringify({ ok: true, caller: one(req, 'epistula-signed-by'), len: body.length }) + '\n';
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.stdout.write(JSON.stringify({ addr: `${a.address}:${a.port}` }) + '\n');
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

readStdin()
  .then(async (s) => {
    if (cryptoWaitReady) await cryptoWaitReady(); // load the wasm before serving
    return main(JSON.parse(s));
  })
  .catch((e) => {
    process.stderr.write(`epistula-node: ${e.stack || e}\n`);
    process.exit(1);
  });
