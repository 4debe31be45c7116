'use strict';
// A real socket.io 4.x orchestrator for minerkit's Pattern B tests.
//
// Reads its configuration as JSON on stdin, prints {"ready":true,"port":N}
// on stdout once listening, logs to stderr. It verifies the miner's sr25519
// credentials with polkadot-js (refusing stale, replayed and forged ones),
// dispatches jobs with acknowledgements, and persists every result it
// receives in a JSON-lines file so that a killed and restarted server still
// knows which jobs are done (and hands out only the others).
//
// Config (all optional): port, state (results file), jobs (number of jobs
// "job-0".."job-N-1" of type "inference" with payload {"n": i}), window (jobs
// in flight per connection), authStyle ("connect" | "event" | "any"), purpose,
// maxSkewSec, pingInterval, pingTimeout (ms), namespace, noRedelivery,
// maxPayload (bytes per message, Engine.IO maxHttpBufferSize).
//
// Control over HTTP on the same port:
//   GET  /control/stats                 counts, auth refusals, last heartbeat
//   POST /control/drop                  disconnect every miner now
//   POST /control/silence               stop pinging (the miner must detect a dead link)
//   POST /control/garbage               send malformed frames (the miner must skip them)
//   POST /control/config {...}          delayAckMs: delay acks of "results";
//                                       dropResults: N next "results" events are
//                                       neither recorded nor acked, the socket is dropped
//   POST /control/redeliver {"ids":[]}  send these jobs again, done or not
//   POST /control/cancel {"id":""}      emit "cancel" for a job
//   POST /control/dispatch {"jobs":[]}  add jobs ({id,type,payload}) to dispatch
// Plain WebSocket transport at /ws: {"event","data","id"} / {"ack","data"}.
const fs = require('fs');
const http = require('http');
const { Server } = require('socket.io');
const { WebSocketServer } = require('ws');
const { cryptoWaitReady, signatureVerify, decodeAddress } = require('@polkadot/util-crypto');

function readStdin() {
  try {
    const s = fs.readFileSync(0, 'utf8').trim();
    return s ? JSON.parse(s) : {};
  } catch (e) {
    process.stderr.write(`orchestrator.js: bad config on stdin: ${e.message}\n`);
    process.exit(2);
  }
}

const cfg = Object.assign({
  port: 0, state: '', jobs: 0, window: 32, authStyle: 'any', purpose: 'minerkit',
  maxSkewSec: 30, pingInterval: 25000, pingTimeout: 20000, namespace: '/', maxPayload: 16 << 20,
}, readStdin());
const log = (...a) => process.stderr.write(`[orchestrator ${process.pid}] ${a.join(' ')}\n`);

// ---- persistent results -------------------------------------------------
const results = new Map(); // id -> result
if (cfg.state && fs.existsSync(cfg.state)) {
  for (const line of fs.readFileSync(cfg.state, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try { const r = JSON.parse(line); results.set(r.id, r); } catch (_) { /* torn last line after a kill */ }
  }
}
const stateFd = cfg.state ? fs.openSync(cfg.state, 'a') : null;
const stats = {
  pid: process.pid, results: 0, loaded: results.size, duplicates: 0, mismatches: 0,
  viaAck: 0, viaResults: 0, connects: 0, refused: {}, heartbeats: 0, lastHeartbeat: null,
  redeliveredAnswers: [], cancelled: [],
};
function record(r, via) {
  if (!r || typeof r.id !== 'string') return;
  const prev = results.get(r.id);
  if (prev) {
    stats.duplicates++;
    if (JSON.stringify(prev.result) !== JSON.stringify(r.result) || prev.ok !== r.ok) stats.mismatches++;
    return;
  }
  results.set(r.id, r);
  stats.results++;
  stats[via]++;
  if (stateFd !== null) fs.writeSync(stateFd, JSON.stringify(r) + '\n');
}

// ---- jobs ---------------------------------------------------------------
const queue = []; // every job, in order
const byId = new Map();
let head = 0; // queue[head:] not handed out yet
const retry = []; // jobs taken back from lost connections
function addJob(j) { queue.push(j); byId.set(j.id, j); }
for (let i = 0; i < cfg.jobs; i++) addJob({ id: `job-${i}`, type: 'inference', payload: { n: i } });
const assigned = new Map(); // id -> peer
const peers = new Set();
let delayAckMs = 0;
let dropResults = 0;

function nextJob() {
  while (retry.length > 0) {
    const j = retry.pop();
    if (!results.has(j.id) && !assigned.has(j.id)) return j;
  }
  while (head < queue.length) {
    const j = queue[head++];
    if (!results.has(j.id) && !assigned.has(j.id)) return j;
  }
  return null;
}
function pump(peer) {
  while (peer.alive && peer.inflight < cfg.window) {
    const job = nextJob();
    if (!job) return;
    assigned.set(job.id, peer);
    peer.inflight++;
    peer.sendJob(job, (res) => {
      peer.inflight--;
      if (assigned.get(job.id) === peer) assigned.delete(job.id);
      record(res, 'viaAck');
      pump(peer);
    });
  }
}
function release(peer) {
  peer.alive = false;
  peers.delete(peer);
  // noRedelivery: jobs handed to a lost connection stay assigned, so only
  // the miner's "results" event can complete them.
  if (!cfg.noRedelivery) {
    for (const [id, p] of assigned) {
      if (p === peer) { assigned.delete(id); retry.push(byId.get(id)); }
    }
  }
  for (const p of peers) pump(p);
}

// ---- authentication -----------------------------------------------------
const seenSignatures = new Set();
function refuse(reason) { stats.refused[reason] = (stats.refused[reason] || 0) + 1; return reason; }
function checkCredentials(c) {
  if (!c || typeof c.hotkey !== 'string' || typeof c.nonce !== 'string' || typeof c.signature !== 'string') {
    return refuse('missing credentials');
  }
  if (!/^[0-9]{1,12}$/.test(c.nonce)) return refuse('bad nonce');
  if (Math.abs(Date.now() / 1000 - Number(c.nonce)) > cfg.maxSkewSec) return refuse('stale nonce');
  try { decodeAddress(c.hotkey); } catch (_) { return refuse('bad hotkey'); }
  if (seenSignatures.has(c.signature)) return refuse('replayed credentials');
  let ok = false;
  try { ok = signatureVerify(`${c.hotkey}:${c.nonce}:${cfg.purpose}`, c.signature, c.hotkey).isValid; } catch (_) { ok = false; }
  if (!ok) return refuse('bad signature');
  seenSignatures.add(c.signature);
  return null;
}

// ---- a connected, authenticated miner, whatever the transport ------------
function onEvent(peer, name, data, ack) {
  if (name === 'heartbeat') {
    stats.heartbeats++;
    stats.lastHeartbeat = data;
  } else if (name === 'results') {
    if (dropResults > 0) {
      dropResults--;
      log('dropping a results event unrecorded');
      peer.disconnect();
      return;
    }
    setTimeout(() => {
      for (const r of Array.isArray(data) ? data : []) record(r, 'viaResults');
      if (ack) ack({ ok: true });
      for (const p of peers) pump(p);
    }, delayAckMs);
  }
}
function started(peer) {
  stats.connects++;
  peers.add(peer);
  pump(peer);
}

// ---- socket.io ----------------------------------------------------------
const server = http.createServer((req, res) => control(req, res));
const io = new Server(server, {
  pingInterval: cfg.pingInterval, pingTimeout: cfg.pingTimeout, destroyUpgrade: false,
  maxHttpBufferSize: cfg.maxPayload,
});
const nsp = io.of(cfg.namespace);
nsp.use((socket, next) => {
  const auth = socket.handshake.auth;
  if (auth && Object.keys(auth).length > 0) {
    if (cfg.authStyle === 'event') return next(new Error(refuse('auth payload not accepted; emit authenticate')));
    const err = checkCredentials(auth);
    if (err) return next(new Error(err));
    socket.data.hotkey = auth.hotkey;
    return next();
  }
  if (cfg.authStyle === 'connect') return next(new Error(refuse('missing credentials')));
  next();
});
nsp.on('connection', (socket) => {
  const peer = {
    alive: true, inflight: 0, transport: 'socketio', socket,
    sendJob: (job, cb) => socket.emit('job', job, cb),
    emit: (name, data) => socket.emit(name, data),
    disconnect: () => socket.disconnect(true),
    garbage: () => {
      socket.conn.write('2["job"'); // truncated Socket.IO event
      socket.conn.write('9x'); // unknown Socket.IO packet type
      socket.conn.write(Buffer.from([1, 2, 3])); // binary frame
    },
    silence: () => {
      const c = socket.conn;
      c.schedulePing = () => {};
      clearTimeout(c.pingIntervalTimer);
      clearTimeout(c.pingTimeoutTimer);
    },
  };
  socket.on('disconnect', () => release(peer));
  socket.onAny((name, ...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    if (name === 'authenticate') {
      if (socket.data.hotkey) return;
      const err = checkCredentials(args[0]);
      if (err) {
        socket.emit('auth_failed', { message: err });
        setTimeout(() => socket.disconnect(true), 50);
        return;
      }
      socket.data.hotkey = args[0].hotkey;
      socket.emit('auth_success', { hotkey: args[0].hotkey });
      started(peer);
      return;
    }
    if (!socket.data.hotkey) return;
    onEvent(peer, name, args[0], ack);
  });
  if (socket.data.hotkey) started(peer);
});

// ---- plain WebSocket ----------------------------------------------------
const wss = new WebSocketServer({ noServer: true, maxPayload: cfg.maxPayload });
server.on('upgrade', (req, sock, head) => {
  if (new URL(req.url, 'http://x').pathname !== '/ws') return; // socket.io's
  wss.handleUpgrade(req, sock, head, (ws) => wsConnection(ws));
});
function wsConnection(ws) {
  let nextId = 1;
  const acks = new Map();
  const send = (m) => { if (ws.readyState === 1) ws.send(JSON.stringify(m)); };
  const send_raw = (t) => { if (ws.readyState === 1) ws.send(t); };
  const peer = {
    alive: true, inflight: 0, transport: 'ws', ws,
    sendJob: (job, cb) => { const id = nextId++; acks.set(id, cb); send({ event: 'job', data: job, id }); },
    emit: (name, data) => send({ event: name, data }),
    disconnect: () => ws.terminate(),
    garbage: () => { send_raw('{not json'); send_raw('{"data":1}'); },
    silence: () => ws.pause(), // stops reading, so the miner's pings go unanswered
  };
  let authed = false;
  ws.on('close', () => { if (authed) release(peer); });
  ws.on('message', (buf) => {
    let m;
    try { m = JSON.parse(buf.toString()); } catch (_) { return ws.close(1003, 'bad JSON'); }
    if (!authed) {
      if (m.event !== 'connect' && m.event !== 'authenticate') return;
      const [okName, failName] = m.event === 'connect' ? ['connect', 'connect_error'] : ['auth_success', 'auth_failed'];
      const err = checkCredentials(m.data);
      if (err) { send({ event: failName, data: { message: err } }); return setTimeout(() => ws.close(), 50); }
      authed = true;
      send({ event: okName, data: { hotkey: m.data.hotkey } });
      return started(peer);
    }
    if (typeof m.ack === 'number') {
      const cb = acks.get(m.ack);
      acks.delete(m.ack);
      if (cb) cb(m.data);
      return;
    }
    const ack = typeof m.id === 'number' ? (data) => send({ ack: m.id, data }) : null;
    onEvent(peer, m.event, m.data, ack);
  });
}

// ---- control ------------------------------------------------------------
function control(req, res) {
  const reply = (code, obj) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    let arg = {};
    try { arg = body ? JSON.parse(body) : {}; } catch (_) { return reply(400, { error: 'bad JSON' }); }
    switch (req.url) {
      case '/control/stats':
        return reply(200, Object.assign({}, stats, { done: results.size, peers: peers.size, assigned: assigned.size }));
      case '/control/drop': {
        const n = peers.size;
        for (const p of [...peers]) p.disconnect();
        return reply(200, { dropped: n });
      }
      case '/control/garbage':
        for (const p of peers) p.garbage();
        return reply(200, { sent: peers.size });
      case '/control/silence':
        for (const p of peers) p.silence();
        return reply(200, { silenced: peers.size });
      case '/control/config':
        if (typeof arg.delayAckMs === 'number') delayAckMs = arg.delayAckMs;
        if (typeof arg.dropResults === 'number') dropResults = arg.dropResults;
        return reply(200, { delayAckMs, dropResults });
      case '/control/dispatch':
        for (const j of arg.jobs || []) addJob(j);
        for (const p of peers) pump(p);
        return reply(200, { queued: queue.length });
      case '/control/cancel':
        for (const p of peers) p.emit('cancel', { id: arg.id });
        stats.cancelled.push(arg.id);
        return reply(200, {});
      case '/control/redeliver':
        for (const p of peers) {
          for (const id of arg.ids || []) {
            const job = byId.get(id) || { id, type: 'inference', payload: {} };
            p.sendJob(job, (r) => { stats.redeliveredAnswers.push(r); record(r, 'viaAck'); });
          }
        }
        return reply(200, { sent: (arg.ids || []).length * peers.size });
      default:
        return reply(404, { error: 'unknown control path' });
    }
  });
}

cryptoWaitReady().then(() => {
  server.listen(cfg.port, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ ready: true, port: server.address().port, loaded: results.size }) + '\n');
    log(`listening on 127.0.0.1:${server.address().port}, ${results.size} results loaded`);
  });
});
process.on('SIGTERM', () => process.exit(0));
