// callgrind.mjs - `make bench`'s instruction counts: what one gauge.fcgi
// worker executes per request, per kind of request, beside the hello-world
// responder's, plus system calls per request.  Instruction counts do not move
// with a neighbour's load on a shared machine the way CPU seconds do, so a
// change to the hot path can be judged from one run.
//
// Each responder runs as one worker under `valgrind --tool=callgrind`
// behind its own lighttpd (the stack's config, pointed at its socket);
// requests are sent one at a time, and `callgrind_control -d` dumps (and
// zeroes) the counters between phases, so each dump holds exactly one
// phase: warm-up, N single ingests, N batches, N GETs.  System calls are
// counted with `strace -c` on the same worker run natively.
//
// GAUGE_BENCH_CALLGRIND_KEEP=DIR keeps the dumps there, for
// `callgrind_annotate DIR/gauge.PID.2` (the single-ingest phase).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { makeClient } from '../stack/https.mjs';
import { freePort, startProcess, stopProcess, tcpConnects, unixConnects, waitFor } from '../stack/proc.mjs';
import { ROOT } from '../stack/stack.mjs';

const SINGLES = Number(process.env.GAUGE_BENCH_CG_SINGLES || 100);
const BATCHES = Number(process.env.GAUGE_BENCH_CG_BATCHES || 4);
const GETS = Number(process.env.GAUGE_BENCH_CG_GETS || 4);

// hello-fcgi's answers are no API answers: they are not checked against
// the OpenAPI document as makeClient's are.
function plainClient(port, caFile) {
  const agent = new https.Agent({ ca: fs.readFileSync(caFile), keepAlive: false });
  return (method, p, { headers = {}, body } = {}) => new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: p, agent, servername: 'localhost',
      headers: { ...headers, 'content-length': Buffer.byteLength(body ?? '') } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A lighttpd on its own port in front of sock, otherwise the stack's.
async function startFront(stack, name, sock, checked) {
  const port = await freePort();
  const conf = fs.readFileSync(path.join(stack.dirs.etc, 'lighttpd.conf'), 'utf8')
    .replace(/server\.port = \d+/, `server.port = ${port}`)
    .replace(/var\.gauge_https_port = "\d+"/, `var.gauge_https_port = "${port}"`)
    .replace(/server\.pid-file = "[^"]*"/, `server.pid-file = "${path.join(stack.dirs.run, `lighttpd-${name}.pid`)}"`)
    .replace(/var\.gauge_socket = "[^"]*"/, `var.gauge_socket = "${sock}"`);
  const confFile = path.join(stack.dirs.etc, `lighttpd-${name}.conf`);
  fs.writeFileSync(confFile, conf);
  const proc = startProcess({ name: `lighttpd-${name}`, cmd: 'lighttpd', args: ['-D', '-f', confFile],
    logDir: stack.dirs.log, runDir: stack.dirs.run });
  await waitFor(`lighttpd (${name})`, () => tcpConnects(port), { proc });
  return { proc, client: checked ? makeClient({ port, caFile: stack.tls.cert }) : plainClient(port, stack.tls.cert) };
}

// One worker that serves in its own process, under valgrind or not:
// valgrind's gdbserver (callgrind_control) does not follow a fork, so
// gauge.fcgi is started as a web server spawns it (the listening socket on
// fd 0, made by the python3 line) and hello-fcgi with 0 workers.
async function startResponder(stack, name, cmdArgs, sock, cgDir) {
  const vg = cgDir ? ['valgrind', '--tool=callgrind', `--callgrind-out-file=${path.join(cgDir, `${name}.%p`)}`,
    '--dump-instr=no', '--collect-jumps=no', '--vgdb=yes',
    // each dump self-contained, for callgrind_annotate
    '--compress-strings=no', '--compress-pos=no'] : [];
  const fd0 = ['/usr/bin/python3', '-c', 'import os, socket, sys; s = socket.socket(socket.AF_UNIX); ' +
    's.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(128); os.dup2(s.fileno(), 0); ' +
    'os.execvp(sys.argv[2], sys.argv[2:])', sock];
  const argv = name === 'gauge' ? [...fd0, ...vg, ...cmdArgs] : [...vg, ...cmdArgs];
  fs.rmSync(sock, { force: true });
  const proc = startProcess({ name: `${name}${cgDir ? '-cg' : ''}`, cmd: argv[0], args: argv.slice(1),
    logDir: stack.dirs.log, runDir: stack.dirs.run });
  await waitFor(name, () => unixConnects(sock), { proc, timeoutMs: 120000 });
  fs.chmodSync(sock, 0o666);
  return { proc, worker: proc.pid };
}

// Dumps (and zeroes) the worker's counters; returns the instructions since
// the previous dump.
function dump(cgDir, name, pid, n) {
  const r = spawnSync('callgrind_control', ['-d', String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`callgrind_control: ${r.stderr || r.stdout}`);
  const file = path.join(cgDir, `${name}.${pid}.${n}`);
  const text = fs.readFileSync(file, 'utf8');
  return Number(/^(?:totals|summary):\s+(\d+)/m.exec(text)?.[1] ?? NaN);
}

async function phase(count, send) {
  for (let i = 0; i < count; i++) {
    const r = await send(i);
    if (r.status >= 300) throw new Error(`callgrind phase: ${r.status} ${r.text.slice(0, 200)}`);
  }
}

// System calls per request: strace -c on the worker while count requests
// go through, divided by the accept(2)s it made (one per request).
async function syscalls(pid, count, send) {
  const out = `${fs.mkdtempSync('/tmp/gauge-strace-')}/strace`;
  const tracer = spawn('strace', ['-c', '-f', '-o', out, '-p', String(pid)], { stdio: 'ignore' });
  const done = new Promise((resolve) => tracer.once('exit', resolve));
  await sleep(500);
  await phase(count, send);
  await sleep(200);
  tracer.kill('SIGINT');
  await done;
  const text = fs.readFileSync(out, 'utf8');
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const calls = {};
  for (const m of text.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?(\w+)\s*$/gm))
    calls[m[3]] = Number(m[1]);
  const accepts = calls.accept ?? calls.accept4 ?? count;
  const total = Object.entries(calls).filter(([k]) => k !== 'total').reduce((s, [, v]) => s + v, 0);
  const top = Object.entries(calls).filter(([k, v]) => k !== 'total' && v / accepts >= 0.05).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${(v / accepts).toFixed(1).replace(/\.0$/, '')} ${k}`).join(', ');
  return { perRequest: total / accepts, top };
}

// figures: { dev: {id, key}, single: body, batch: body } -> lines printed by run.mjs.
export async function callgrindFigures(stack, account, single, batch) {
  const cgDir = process.env.GAUGE_BENCH_CALLGRIND_KEEP || fs.mkdtempSync(path.join(stack.dirs.var, 'callgrind-'));
  fs.mkdirSync(cgDir, { recursive: true });
  const dev = stack.ctl(['create-device', '--account', String(account.id), '--name', 'bench-callgrind']);
  const gsock = path.join(stack.dirs.run, 'gauge-cg.sock');
  const hsock = path.join(stack.dirs.run, 'hello-cg.sock');
  const gaugeCmd = [path.join(ROOT, 'build/bin/gauge.fcgi'), '-c', stack.conf];
  const helloCmd = [path.join(ROOT, 'build/bench/hello-fcgi'), hsock, '0'];
  const json = { authorization: `Bearer ${dev.key}`, 'content-type': 'application/json' };
  const url = `/api/v1/devices/${dev.id}/readings`;
  const lines = [];
  const procs = [];
  try {
    const gf = await startFront(stack, 'cg-gauge', gsock, true);
    const hf = await startFront(stack, 'cg-hello', hsock, false);
    procs.push(gf.proc, hf.proc);
    const postSingle = (c) => () => c('POST', url, { headers: json, body: single });
    const postBatch = () => gf.client('POST', url, { headers: json, body: batch });
    const get = () => gf.client('GET', `${url}?limit=1000`, { headers: { authorization: `Bearer ${dev.key}` } });

    // gauge.fcgi under callgrind.  The warm-up fills what a worker keeps
    // (MongoDB and MySQL connections, the key cache) and is not counted.
    let g = await startResponder(stack, 'gauge', gaugeCmd, gsock, cgDir);
    procs.push(g.proc);
    await phase(5, postSingle(gf.client));
    await phase(1, postBatch);
    await phase(1, get);
    dump(cgDir, 'gauge', g.worker, 1);
    const ir = {};
    await phase(SINGLES, postSingle(gf.client));
    ir.single = dump(cgDir, 'gauge', g.worker, 2) / SINGLES;
    await phase(BATCHES, postBatch);
    ir.batch = dump(cgDir, 'gauge', g.worker, 3) / BATCHES;
    await phase(GETS, get);
    ir.get = dump(cgDir, 'gauge', g.worker, 4) / GETS;
    await stopProcess(g.proc);

    const h = await startResponder(stack, 'hello', helloCmd, hsock, cgDir);
    procs.push(h.proc);
    await phase(5, postSingle(hf.client));
    dump(cgDir, 'hello', h.worker, 1);
    await phase(SINGLES, postSingle(hf.client));
    ir.hello = dump(cgDir, 'hello', h.worker, 2) / SINGLES;
    await stopProcess(h.proc);

    const k = (x) => `${(x / 1000).toFixed(1)}k`;
    lines.push(`callgrind instructions per request (one worker, ${SINGLES} single / ${BATCHES} batch / ${GETS} GET requests; dumps in ${cgDir}):`);
    lines.push(`         hello-fcgi ${k(ir.hello)}, single ingest ${k(ir.single)} (${(ir.single / ir.hello).toFixed(1)} x hello), ` +
      `batch of 1000 ${k(ir.batch)} (${k(ir.batch / 1000)} per reading), 1000-reading GET ${k(ir.get)}`);

    // System calls, the same worker natively.
    if (spawnSync('strace', ['-V']).status === 0) {
      g = await startResponder(stack, 'gauge', gaugeCmd, gsock, null);
      procs.push(g.proc);
      await phase(5, postSingle(gf.client));
      const gs = await syscalls(g.worker, 200, postSingle(gf.client));
      const gb = await syscalls(g.worker, BATCHES, postBatch);
      await stopProcess(g.proc);
      const hn = await startResponder(stack, 'hello', helloCmd, hsock, null);
      procs.push(hn.proc);
      await phase(5, postSingle(hf.client));
      const hs = await syscalls(hn.worker, 200, postSingle(hf.client));
      await stopProcess(hn.proc);
      lines.push(`syscalls per single ingest: gauge.fcgi ${gs.perRequest.toFixed(1)} (${gs.top}); hello-fcgi ${hs.perRequest.toFixed(1)} (${hs.top})`);
      lines.push(`syscalls per 1000-reading batch: gauge.fcgi ${gb.perRequest.toFixed(1)} (${gb.top})`);
    }
    ir.lines = lines;
    return ir;
  } finally {
    for (const p of procs.reverse()) await stopProcess(p);
    if (!process.env.GAUGE_BENCH_CALLGRIND_KEEP) fs.rmSync(cgDir, { recursive: true, force: true });
  }
}
