// run.mjs - `make bench`: figures for DESIGN.md's performance targets,
// measured in one run on this machine, printed, never asserted.
//
//   ceiling   hello-world FastCGI responder through the same lighttpd config
//   ingest    single-reading POSTs through lighttpd -> gauge.fcgi -> MongoDB
//   mqtt      single-reading QoS 1 publishes through Mosquitto + gauge_mosquitto.so
//             -> MongoDB, alternating with ingest; then batches of 1000
//   batch     1000-reading POSTs: readings/s and the workers' CPU per reading
//   query     p50/p99 latency of a 1000-reading GET
//   memory    worker resident memory after >= 100,000 requests
//   callgrind instructions per request of one worker (callgrind.mjs), printed
//             beside the CPU figures
//   dbload    queries/s on MariaDB and on MongoDB, idle and during a trickle
//             of readings (mostly gauge-alertd's polling)
//   alerts    ingest acknowledged -> SES request, p50/p99
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { callgrindFigures } from './callgrind.mjs';
import { freePort, startProcess, stopProcess, tcpConnects, unixConnects, waitFor } from '../stack/proc.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';
import { insertCeiling, mqttLoad } from './mqtt.mjs';

// Ingest workers mostly wait for journaled writes, so the pool is sized
// well past the core count (README: "The FastCGI workers"); the ceiling
// gets the same number.
const WORKERS = Number(process.env.GAUGE_BENCH_WORKERS || 16);
const SECONDS = Number(process.env.GAUGE_BENCH_SECONDS || 5);
const ROUNDS = Number(process.env.GAUGE_BENCH_ROUNDS || 3);
const CONNS = Number(process.env.GAUGE_BENCH_CONNECTIONS || 32);
// GAUGE_BENCH_ONLY=ingest stops after the ceiling and single-reading ingest,
// for quick rounds while working on the hot path; =callgrind stops after the
// instruction counts, which GAUGE_BENCH_CALLGRIND=0 skips; GAUGE_BENCH_ONLY=alerts
// runs only the database load at idle and the alert latency.
const ONLY = process.env.GAUGE_BENCH_ONLY || '';
const HERE = path.dirname(new URL(import.meta.url).pathname);

const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-bench-'));
const stack = await startStack({ varDir, workers: WORKERS, rateLimit: 1000000, demo: false, logLevel: 'warn',
  alertBudget: 10000 });
let hello;
let helloLighttpd;
let totalRequests = 0;

function wrk(url, script, env, { seconds = SECONDS, conns = CONNS } = {}) {
  const r = spawnSync('wrk', ['-t2', `-c${conns}`, `-d${seconds}s`, '--latency', '-s', path.join(HERE, script), url],
    { env: { ...process.env, ...env }, encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  const total = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
  const bad = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(r.stdout)?.[1];
  if (bad > 0 || errors) console.log(`  warning: ${bad} non-2xx responses${errors ? `, socket errors: ${errors}` : ''}`);
  totalRequests += total;
  return { rps, total, bad };
}

// MQTT load (tests/bench/mqtt.mjs), counted like wrk's requests.
async function mqtt(port, dev, payloadFile, { seconds = SECONDS, conns = CONNS, inflight = 1 } = {}) {
  const r = await mqttLoad(stack, port, dev, payloadFile, { seconds, conns, inflight });
  totalRequests += r.total;
  return r;
}

function cpuTicks(pids, { system = true } = {}) {
  let t = 0;
  for (const pid of pids) {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    t += Number(f[11]) + (system ? Number(f[12]) : 0);   // utime + stime
  }
  return t;
}

// CPU ticks of each stack component (workers summed), to show who was busy.
function componentTicks() {
  const w = stack.fcgiWorkers();
  // The user-space share apart: the rest is the kernel's (system calls,
  // waking up for MongoDB's answer), which instruction counts do not see.
  const out = { workers: cpuTicks(w), 'workers in user space': cpuTicks(w, { system: false }) };
  for (const [name, p] of Object.entries(stack.procs)) {
    try { out[name] = cpuTicks([p.pid]); } catch { /* not running */ }
  }
  return out;
}

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

async function startHello() {
  const sock = path.join(stack.dirs.run, 'hello.sock');
  const bin = path.join(ROOT, 'build/bench/hello-fcgi');
  hello = startProcess({ name: 'hello-fcgi', cmd: bin, args: [sock, String(WORKERS)], logDir: stack.dirs.log, runDir: stack.dirs.run });
  await waitFor('hello-fcgi', () => unixConnects(sock), { proc: hello });
  fs.chmodSync(sock, 0o666);
  const port = await freePort();
  const conf = fs.readFileSync(path.join(stack.dirs.etc, 'lighttpd.conf'), 'utf8')
    .replace(/server\.port = \d+/, `server.port = ${port}`)
    .replace(/var\.gauge_https_port = "\d+"/, `var.gauge_https_port = "${port}"`)
    .replace(/server\.pid-file = "[^"]*"/, `server.pid-file = "${path.join(stack.dirs.run, 'lighttpd-hello.pid')}"`)
    .replace(/var\.gauge_socket = "[^"]*"/, `var.gauge_socket = "${sock}"`);
  const confFile = path.join(stack.dirs.etc, 'lighttpd-hello.conf');
  fs.writeFileSync(confFile, conf);
  helloLighttpd = startProcess({ name: 'lighttpd-hello', cmd: 'lighttpd', args: ['-D', '-f', confFile], logDir: stack.dirs.log, runDir: stack.dirs.run });
  await waitFor('lighttpd (hello)', () => tcpConnects(port), { proc: helloLighttpd });
  return port;
}

// Alert latency: a crossing is posted, the 201 noted, and the SES sink's
// arrival time of the matching e-mail compared with it.  Alarms are paced
// so the figure is latency, not queueing.
async function alertLatency(account) {
  const ALERTS = Number(process.env.GAUGE_BENCH_ALERTS || 300);
  const d = stack.ctl(['create-device', '--account', String(account.id), '--name', 'bench-alerts']);
  const rule = await stack.client('POST', '/api/v1/alert-rules', { headers: { authorization: `Bearer ${account.account_key}`,
    'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', device: d.id, channel: 'temp', kind: 'above',
    threshold: 100, notify_clear: false, recipients: ['bench@gauge.example'] }) });
  if (rule.status !== 201) throw new Error(`alert rule: ${rule.text}`);
  await new Promise((r) => setTimeout(r, 1500));
  const send = (v) => stack.client('POST', `/api/v1/devices/${d.id}/readings`, { headers: { authorization: `Bearer ${d.key}`,
    'content-type': 'application/json' }, body: JSON.stringify({ values: { temp: v } }) });
  const acked = [];
  for (let i = 0; i < ALERTS; i++) {
    const r = await send(150);
    acked.push(Date.now());
    if (r.status !== 201) throw new Error(`ingest ${r.status}`);
    await send(50);
    await new Promise((res) => setTimeout(res, 60));
  }
  const dir = path.join(stack.dirs.outbox, 'ses');
  const deadline = Date.now() + 30000;
  let files = [];
  while (Date.now() < deadline) {
    files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    if (files.length >= ALERTS) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  const arrived = files.map((f) => Date.parse(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).received_at));
  const lat = arrived.slice(0, ALERTS).map((t, i) => t - acked[i]).sort((x, y) => x - y);
  console.log(`alerts   ingest acknowledged -> SES request:   p50 ${pct(lat, 50)} ms, p99 ${pct(lat, 99)} ms over ${lat.length} alerts (target p99 < 250 ms)`);
  if (lat.length < ALERTS) console.log(`  warning: only ${lat.length} of ${ALERTS} alert e-mails arrived`);
  totalRequests += 2 * ALERTS;
}

// Queries/s the databases answered over ms: MariaDB's Questions (statements
// from clients) and MongoDB's serverStatus opcounters, less the statements
// this measurement itself sends (calibrated by two readings back to back).
async function mariadbQuestions() {
  return Number(stack.sql("SHOW GLOBAL STATUS LIKE 'Questions'")[0][1]);
}
async function mongoOps(db) {
  const o = (await db.command({ serverStatus: 1 })).opcounters;
  return { query: Number(o.query), getmore: Number(o.getmore), command: Number(o.command),
    insert: Number(o.insert), delete: Number(o.delete), update: Number(o.update) };
}
async function dbLoad(label, ms, during = async () => {}) {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(stack.mongoTcpUri, { heartbeatFrequencyMS: 3600e3 });
  try {
    const admin = client.db('admin');
    const q0 = await mariadbQuestions();
    const q1 = await mariadbQuestions();
    const own = q1 - q0;   // what one reading costs (the client's own statements)
    const m0 = await mongoOps(admin);
    const m1 = await mongoOps(admin);
    const t0 = Date.now();
    await Promise.all([during(), new Promise((r) => setTimeout(r, ms))]);
    const secs = (Date.now() - t0) / 1000;
    const m2 = await mongoOps(admin);
    const q2 = await mariadbQuestions();
    const maria = (q2 - q1 - own) / secs;
    const delta = Object.fromEntries(Object.keys(m2).map((k) => [k, m2[k] - m1[k] - (k === 'command' ? m1.command - m0.command : 0)]));
    const mongo = Object.values(delta).reduce((a, b) => a + b, 0) / secs;
    const parts = Object.entries(delta).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${(v / secs).toFixed(1)}`).join(', ');
    console.log(`dbload   ${label.padEnd(34)} MariaDB ${maria.toFixed(1)} q/s, MongoDB ${mongo.toFixed(1)} ops/s${parts ? ` (${parts})` : ''}`);
  } finally {
    await client.close();
  }
}

// The databases' load from gauge-alertd: at idle (one enabled rule, no
// readings for a while) and while one reading a second arrives.
async function alertLoad(account) {
  const d = stack.ctl(['create-device', '--account', String(account.id), '--name', 'bench-trickle']);
  const rule = await stack.client('POST', '/api/v1/alert-rules', { headers: { authorization: `Bearer ${account.account_key}`,
    'content-type': 'application/json' }, body: JSON.stringify({ name: 'trickle', device: d.id, channel: 'temp', kind: 'above',
    threshold: 1000, recipients: ['trickle@gauge.example'] }) });
  if (rule.status !== 201) throw new Error(`alert rule: ${rule.text}`);
  const IDLE_MS = Number(process.env.GAUGE_BENCH_IDLE_S || 20) * 1000;
  await new Promise((r) => setTimeout(r, 2000));
  await dbLoad('idle:', IDLE_MS);
  const trickle = async () => {
    for (let i = 0; i < IDLE_MS / 1000; i++) {
      const r = await stack.client('POST', `/api/v1/devices/${d.id}/readings`, { headers: { authorization: `Bearer ${d.key}`,
        'content-type': 'application/json' }, body: JSON.stringify({ values: { temp: 20 + i } }) });
      if (r.status !== 201) throw new Error(`ingest ${r.status}`);
      await new Promise((res) => setTimeout(res, 1000));
    }
  };
  await dbLoad('one reading a second:', 0, trickle);
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

try { figures: {
  const account = stack.ctl(['create-account', '--name', 'Bench']);
  const dev = stack.ctl(['create-device', '--account', String(account.id), '--name', 'bench-1']);
  const base = `https://127.0.0.1:${stack.httpsPort}`;
  const single = path.join(varDir, 'single.json');
  fs.writeFileSync(single, JSON.stringify({ values: { temp: 21.5, rh: 40.2 } }));
  const now = Date.now();
  const batch = path.join(varDir, 'batch.json');
  fs.writeFileSync(batch, JSON.stringify({ readings: Array.from({ length: 1000 }, (_, i) => ({
    ts: now - 3600000 + i, values: { temp: 20 + (i % 50) / 10, rh: 40 + (i % 7) } })) }));
  const env = { GAUGE_KEY: dev.key, GAUGE_BODY_FILE: single };

  if (ONLY === 'alerts') {
    console.log(`Gauge benchmark (alerts only): ${os.cpus().length} cores, MongoDB: ${stack.mongoKind}`);
    await alertLoad(account);
    await alertLatency(account);
    break figures;
  }
  console.log(`Gauge benchmark: ${os.cpus().length} cores, ${WORKERS} workers, ${CONNS} connections, ${ROUNDS} rounds of ${SECONDS} s, MongoDB: ${stack.mongoKind}`);
  // Instructions first, while the readings store is small; printed beside
  // each CPU figure below.
  const cg = process.env.GAUGE_BENCH_CALLGRIND === '0' ? null
    : await callgrindFigures(stack, account, fs.readFileSync(single, 'utf8'), fs.readFileSync(batch, 'utf8'));
  const k = (x) => `${(x / 1000).toFixed(1)}k`;
  if (cg) for (const l of cg.lines) console.log(l);
  if (ONLY === 'callgrind') break figures;
  // Ceiling and ingest alternate, round after round, and the medians are
  // compared: a neighbour's burst on a shared host then skews one round,
  // not the ratio.
  const helloPort = await startHello();
  const helloPids = () => fs.readFileSync(`/proc/${hello.pid}/task/${hello.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const ceilingTicks = () => ({ 'hello-fcgi': cpuTicks(helloPids()),
    'hello-fcgi in user space': cpuTicks(helloPids(), { system: false }), lighttpd: cpuTicks([helloLighttpd.pid]) });
  const rounds = [];
  const cpu = { ceiling: {}, ingest: {}, mqtt: {} };
  const requests = { ceiling: 0, ingest: 0, mqtt: 0 };
  const addTicks = (into, before, after) => {
    for (const k of Object.keys(after)) into[k] = (into[k] ?? 0) + after[k] - (before[k] ?? 0);
  };
  for (let i = 0; i < ROUNDS; i++) {
    let t0 = ceilingTicks();
    const ceiling = wrk(`https://127.0.0.1:${helloPort}/api/v1/devices/${dev.id}/readings`, 'post.lua', env);
    addTicks(cpu.ceiling, t0, ceilingTicks());
    t0 = componentTicks();
    const ingest = wrk(`${base}/api/v1/devices/${dev.id}/readings`, 'post.lua', env);
    addTicks(cpu.ingest, t0, componentTicks());
    t0 = componentTicks();
    const mq = await mqtt(stack.mqttPort, dev, single);
    addTicks(cpu.mqtt, t0, componentTicks());
    requests.ceiling += ceiling.total;
    requests.ingest += ingest.total;
    requests.mqtt += mq.total;
    rounds.push({ ceiling: ceiling.rps, ingest: ingest.rps, ratio: ingest.rps / ceiling.rps, mqtt: mq.rps,
      mqttRatio: mq.rps / ingest.rps });
  }
  await stopProcess(helloLighttpd);
  await stopProcess(hello);
  const median = (k) => rounds.map((r) => r[k]).sort((x, y) => x - y)[Math.floor(rounds.length / 2)];
  const perRequest = (ticks, n) => Object.entries(ticks).filter(([, t]) => t > 5).sort((x, y) => y[1] - x[1])
    .map(([k, t]) => `${k} ${((t / 100 / n) * 1e6).toFixed(0)} us`).join(', ');
  console.log(`ceiling  hello-world FastCGI via lighttpd:  ${median('ceiling').toFixed(0)} req/s (median; rounds ${rounds.map((r) => r.ceiling.toFixed(0)).join(', ')})`);
  console.log(`         CPU per request:                   ${perRequest(cpu.ceiling, requests.ceiling)}`);
  if (cg) console.log(`         instructions per request:          hello-fcgi ${k(cg.hello)} (callgrind)`);
  console.log(`ingest   single reading via gauge.fcgi:     ${median('ingest').toFixed(0)} req/s (median; rounds ${rounds.map((r) => r.ingest.toFixed(0)).join(', ')})`);
  console.log(`ratio    ingest / ceiling:                  ${median('ratio').toFixed(2)}   (target >= 0.60; rounds ${rounds.map((r) => r.ratio.toFixed(2)).join(', ')})`);
  console.log(`         CPU per request:                   ${perRequest(cpu.ingest, requests.ingest)}`);
  const workerUs = (t, n) => (t / 100 / n) * 1e6;
  const ceilUs = workerUs(cpu.ceiling['hello-fcgi'], requests.ceiling);
  const ingUs = workerUs(cpu.ingest.workers, requests.ingest);
  console.log(`         gauge.fcgi / hello-fcgi CPU:       ${(ingUs / ceilUs).toFixed(2)} x (${ingUs.toFixed(0)} / ${ceilUs.toFixed(0)} us; target <= 2.0)`);
  if (cg) console.log(`         instructions per request:          gauge.fcgi ${k(cg.single)}, ${(cg.single / cg.hello).toFixed(2)} x hello-fcgi's (callgrind)`);
  console.log(`mqtt     single reading, QoS 1, ${CONNS} conns:    ${median('mqtt').toFixed(0)} readings/s (median; rounds ${rounds.map((r) => r.mqtt.toFixed(0)).join(', ')})`);
  console.log(`ratio    mqtt / https single ingest:        ${median('mqttRatio').toFixed(2)}   (target >= 2; rounds ${rounds.map((r) => r.mqttRatio.toFixed(2)).join(', ')})`);
  console.log(`         CPU per reading:                   ${perRequest(cpu.mqtt, requests.mqtt)}`);
  {
    const t0 = componentTicks();
    const piped = await mqtt(stack.mqttPort, dev, single, { inflight: 10 });
    const ticks = {};
    addTicks(ticks, t0, componentTicks());
    console.log(`mqtt     single, 10 in flight a conn:       ${piped.rps.toFixed(0)} readings/s; CPU per reading: ${perRequest(ticks, piped.total)}`);
  }
  {
    const c = await insertCeiling(stack);
    console.log(`mongo    journaled inserts alone:           ${c[1].toFixed(0)}/s from 1 writer, ${c[16].toFixed(0)}/s from 16   (Node driver, its own cost included; one broker is one writer)`);
  }
  {
    // The broker stores synchronously, one journaled insert at a time: more
    // brokers give the database concurrent inserts, as HTTPS's workers do.
    const BROKERS = Number(process.env.GAUGE_BENCH_BROKERS || 8);
    const ports = [stack.mqttPort];
    for (let i = 2; i <= BROKERS; i++) ports.push(await stack.startMosquitto(`mosquitto-${i}`, await freePort()));
    const devs = ports.map((_, i) => stack.ctl(['create-device', '--account', String(account.id), '--name', `bench-mqtt-${i}`]));
    const t0 = componentTicks();
    const runs = await Promise.all(ports.map((port, i) => mqtt(port, devs[i], single,
      { conns: Math.max(1, Math.floor(CONNS / BROKERS)) })));
    const many = { rps: runs.reduce((a, r) => a + r.rps, 0), total: runs.reduce((a, r) => a + r.total, 0) };
    const ticks = {};
    addTicks(ticks, t0, componentTicks());
    console.log(`mqtt     single, ${BROKERS} brokers on this host:      ${many.rps.toFixed(0)} readings/s (${(many.rps / median('ingest')).toFixed(2)} x https); CPU per reading: ${perRequest(ticks, many.total)}`);
    for (let i = 2; i <= BROKERS; i++) await stack.stopMosquitto('SIGTERM', `mosquitto-${i}`);
  }

  if (ONLY === 'ingest') break figures;
  const workers = stack.fcgiWorkers();
  const cpu0 = cpuTicks(workers);
  const b = wrk(`${base}/api/v1/devices/${dev.id}/readings`, 'post.lua', { ...env, GAUGE_BODY_FILE: batch }, { conns: 8 });
  const cpuSec = (cpuTicks(workers) - cpu0) / 100;
  const readings = (b.total - b.bad) * 1000;
  console.log(`batch    1000 readings a request:           ${(b.rps * 1000).toFixed(0)} readings/s   (target >= 100000 with a real mongod)`);
  console.log(`         gauge.fcgi CPU per reading:        ${((cpuSec / readings) * 1e6).toFixed(2)} us  (${cpuSec.toFixed(2)} CPU-s for ${readings} readings; target <= 1.5 us)`);
  if (cg) console.log(`         instructions per reading:          ${k(cg.batch / 1000)} (callgrind)`);
  {
    const bd = stack.ctl(['create-device', '--account', String(account.id), '--name', 'bench-mqtt-batch']);
    const t0 = componentTicks();
    const mb = await mqtt(stack.mqttPort, bd, batch, { conns: 8 });
    const ticks = {};
    addTicks(ticks, t0, componentTicks());
    const perReading = Object.entries(ticks).filter(([, t]) => t > 5).sort((x, y) => y[1] - x[1])
      .map(([k, t]) => `${k} ${((t / 100 / (mb.total * 1000)) * 1e6).toFixed(2)} us`).join(', ');
    console.log(`mqtt     1000 readings a publish, QoS 1:    ${(mb.rps * 1000).toFixed(0)} readings/s`);
    console.log(`         CPU per reading:                   ${perReading}`);
  }

  const q = stack.ctl(['create-device', '--account', String(account.id), '--name', 'bench-query']);
  await stack.client('POST', `/api/v1/devices/${q.id}/readings`, { headers: { authorization: `Bearer ${q.key}`,
    'content-type': 'application/json' }, body: fs.readFileSync(batch) });
  const lat = [];
  const qcpu0 = cpuTicks(workers);
  for (let i = 0; i < 200; i++) {
    const t = process.hrtime.bigint();
    const r = await stack.client('GET', `/api/v1/devices/${q.id}/readings?limit=1000`, { headers: { authorization: `Bearer ${q.key}` } });
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200 || r.json.readings.length !== 1000) throw new Error(`query returned ${r.status}`);
  }
  lat.sort((x, y) => x - y);
  const qcpu = (cpuTicks(workers) - qcpu0) / 100;
  console.log(`query    1000-reading GET (200 runs):       p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms`);
  console.log(`         gauge.fcgi CPU per GET:            ${((qcpu / 200) * 1e3).toFixed(2)} ms  (target <= 1.5 ms)`);
  if (cg) console.log(`         instructions per GET:              ${k(cg.get)} (callgrind)`);
  totalRequests += 200;

  await alertLoad(account);
  await alertLatency(account);

  // The rest of the 100,000 requests read the newest reading of a device with
  // a thousand.  (bench-1 holds every ingested reading by now, and the
  // stand-in, having no ordered index, scans them all for "newest": a real
  // mongod answers from the {d, t} index.)
  const latest = `${base}/api/v1/devices/${q.id}/latest`;
  while (totalRequests < 100000) wrk(latest, 'get.lua', { ...env, GAUGE_KEY: q.key }, { seconds: 5 });
  const rss = stack.fcgiWorkers().map(rssKiB);
  console.log(`memory   worker RSS after ${totalRequests} requests: max ${(Math.max(...rss) / 1024).toFixed(1)} MB (${rss.map((k) => (k / 1024).toFixed(1)).join(', ')})   (target < 16 MB)`);
} } finally {
  if (helloLighttpd) await stopProcess(helloLighttpd);
  if (hello) await stopProcess(hello);
  await stack.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
}
