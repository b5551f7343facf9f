// examples.test.mjs - the device examples under examples/ are run, not just
// shown: the Python client and the curl script send to a real stack, and
// what they stored is read back through the API.  Faults come from the stack
// itself where that is quick (MongoDB stopped: a real 503) and otherwise from
// a small HTTPS relay in front of it (relay() below) that can lose an answer
// after the stack has stored the readings, hold it until the client times
// out, or answer 429 with Retry-After.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort } from '../stack/proc.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';

const PYTHON = '/usr/bin/python3';   // Debian's, as a device's would be: no pip packages
const CLIENT = path.join(ROOT, 'examples/python/gauge_client.py');
const CURL_SCRIPT = path.join(ROOT, 'examples/curl/gauge-curl.sh');

let stack;
let varDir;
let account;

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-examples-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, demo: false });
  account = stack.ctl(['create-account', '--name', 'Examples Co']);
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

const newDevice = (name) => stack.ctl(['create-device', '--account', String(account.id), '--name', name]);

// Every reading the device has, read back with the account key.
async function storedReadings(dev) {
  const seen = [];
  let next = `/api/v1/devices/${dev.id}/readings?from=0&limit=1000&order=asc`;
  while (next) {
    const r = await stack.client('GET', next, { headers: { authorization: `Bearer ${account.account_key}` } });
    assert.equal(r.status, 200, r.text);
    seen.push(...r.json.readings);
    next = r.json.next;
  }
  return seen;
}

// Runs a command to its end; { code, stdout, stderr, json (last stdout line) }.
function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      const lines = stdout.trim().split('\n');
      let json;
      try { json = JSON.parse(lines[lines.length - 1]); } catch { /* not JSON */ }
      resolve({ code, stdout, stderr, json });
    });
  });
}

// The Python client for one device: a buffer file of its own.
function python(dev, { url, buffer, ca = stack.tls.cert, extra = [] } = {}) {
  const env = { GAUGE_KEY: dev.key, GAUGE_DEVICE: dev.id, GAUGE_URL: url ?? `https://localhost:${stack.httpsPort}`,
    GAUGE_BUFFER: buffer ?? path.join(varDir, `buffer-${dev.id}.db`), ...(ca ? { GAUGE_CA: ca } : {}) };
  return (...args) => run(PYTHON, [CLIENT, '--backoff', '0.1', '--backoff-max', '1', ...extra, ...args], env);
}

// An HTTPS relay to the stack with the stack's certificate, so clients
// verify it exactly as they verify the stack.  plan: one action per request,
// in order; then 'pass'.  'pass' forwards; 'drop' forwards and, once the
// stack has answered, resets the client's connection (the readings are
// stored, the client never learns it); 'hold' forwards and never answers (the
// client times out); '429' answers itself: rate limited, Retry-After 2.
async function relay() {
  const port = await freePort();
  const ca = fs.readFileSync(stack.tls.cert);
  const r = { port, url: `https://localhost:${port}`, plan: [], seen: [] };
  const upstream = (req, body) => new Promise((resolve, reject) => {
    const u = https.request({ host: '127.0.0.1', port: stack.httpsPort, servername: 'localhost', ca,
      method: req.method, path: req.url, headers: { ...req.headers, host: `localhost:${stack.httpsPort}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    u.on('error', reject);
    u.end(body);
  });
  r.server = https.createServer({ cert: fs.readFileSync(stack.tls.cert), key: fs.readFileSync(stack.tls.key) },
    (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        const action = r.plan.shift() ?? 'pass';
        r.seen.push({ at: Date.now(), action, body: body.toString() });
        if (action === '429') {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
          res.end('{"code":"rate_limited","message":"too many requests"}');
          return;
        }
        const up = await upstream(req, body);
        if (action === 'drop') { req.socket.destroy(); return; }
        if (action === 'hold') return;   // the client gives up first; closed with the server
        res.writeHead(up.status, up.headers);
        res.end(up.body);
      });
    });
  await new Promise((resolve) => r.server.listen(port, '127.0.0.1', resolve));
  r.close = () => new Promise((resolve) => { r.server.closeAllConnections(); r.server.close(resolve); });
  return r;
}

describe('Python client (examples/python)', () => {
  test('sends a reading, and batches what it buffered, each reading once', async () => {
    const dev = newDevice('Py basic');
    const py = python(dev);
    const one = await py('send', 'temp=21.5', 'rh=40');
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(one.json, { stored: 1, duplicates: 0, pending: 0, rejected: 0 });
    for (let i = 0; i < 5; i++) {
      const r = await py('record', `temp=${20 + i}`, '--ts', String(Date.UTC(2026, 0, 1) + i * 1000));
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal((await py('pending')).json.pending, 5);
    const flushed = await py('--batch', '2', 'flush');   // three requests: 2 + 2 + 1
    assert.deepEqual(flushed.json, { stored: 5, duplicates: 0, pending: 0, rejected: 0 }, flushed.stderr);
    const all = await storedReadings(dev);
    assert.equal(all.length, 6);
    assert.deepEqual(all.slice(0, 5).map((x) => x.values.temp), [20, 21, 22, 23, 24]);
    assert.equal(all[0].ts, '2026-01-01T00:00:00.000Z');
    assert.equal(new Set(all.map((x) => x.id)).size, 6, 'every reading has its own client id');
  });

  for (const [action, why] of [['drop', 'the connection reset after the stack stored the batch'],
    ['hold', 'no answer before the client timed out']]) {
    test(`a resend after a lost answer (${why}) stores nothing twice`, async () => {
      const dev = newDevice(`Py ${action}`);
      const proxy = await relay();
      try {
        const py = python(dev, { url: proxy.url, extra: ['--timeout', '2'] });
        for (let i = 0; i < 3; i++) assert.equal((await py('record', `p=${i}`)).code, 0);
        proxy.plan = [action];
        const r = await py('flush');
        assert.equal(r.code, 0, r.stderr);
        assert.equal(proxy.seen.length, 2, 'sent, then resent once');
        assert.equal(proxy.seen[0].body, proxy.seen[1].body, 'the resend is the same batch, with the same ids');
        assert.deepEqual(r.json, { stored: 0, duplicates: 3, pending: 0, rejected: 0 },
          'the first try had stored them: the resend finds only duplicates');
        assert.match(r.stderr, action === 'hold' ? /timed out/i : /Disconnected|reset|EOF/i);
        assert.equal((await storedReadings(dev)).length, 3);
      } finally {
        await proxy.close();
      }
    });
  }

  test('offline: readings wait in the buffer file across runs, then go out once', async () => {
    const dev = newDevice('Py offline');
    const buffer = path.join(varDir, 'offline.db');
    const nobody = `https://localhost:${await freePort()}`;   // nothing listens there
    const down = python(dev, { url: nobody, buffer, extra: ['--max-tries', '3'] });
    for (let i = 0; i < 3; i++) {
      const r = await down('send', `temp=${i}`);
      assert.equal(r.code, 75, `EX_TEMPFAIL while offline: ${r.stderr}`);
      assert.equal(r.json.pending, i + 1);
      assert.match(r.stderr, /Connection ?Refused/i);
    }
    assert.equal((await storedReadings(dev)).length, 0);
    const up = await python(dev, { buffer })('flush');
    assert.deepEqual(up.json, { stored: 3, duplicates: 0, pending: 0, rejected: 0 }, up.stderr);
    assert.deepEqual((await storedReadings(dev)).map((x) => x.values.temp), [0, 1, 2]);
  });

  test('429: waits as long as Retry-After says, then sends', async () => {
    const dev = newDevice('Py 429');
    const proxy = await relay();
    try {
      proxy.plan = ['429'];
      const r = await python(dev, { url: proxy.url })('send', 'temp=1');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(proxy.seen.length, 2);
      const waited = proxy.seen[1].at - proxy.seen[0].at;
      assert.ok(waited >= 1900, `waited ${waited} ms for Retry-After: 2`);
      assert.match(r.stderr, /429 rate_limited, Retry-After 2/);
      assert.equal((await storedReadings(dev)).length, 1);
    } finally {
      await proxy.close();
    }
  });

  test('503 while MongoDB is down: retried with backoff until it is back, stored once', async () => {
    const dev = newDevice('Py 503');
    await stack.stopMongo();
    let client;
    try {
      client = python(dev, { extra: ['--max-tries', '30'] })('send', 'temp=5');
      await sleep(1500);
    } finally {
      await stack.startMongo();
    }
    const r = await client;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /503 unavailable: try 2 of 30/);
    assert.deepEqual(r.json, { stored: 1, duplicates: 0, pending: 0, rejected: 0 });
    assert.equal((await storedReadings(dev)).length, 1);
  });

  test('TLS is verified: without the CA file the self-signed stack is refused, readings kept', async () => {
    const dev = newDevice('Py TLS');
    const r = await python(dev, { ca: null })('send', 'temp=1');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CERTIFICATE_VERIFY_FAILED/);
    assert.equal(r.json.pending, 1);
    assert.equal((await storedReadings(dev)).length, 0);
  });

  test('the key is taken from the environment only', async () => {
    const dev = newDevice('Py key');
    const r = await python({ ...dev, key: '' })('--key', dev.key, 'send', 'temp=1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--key: the key is read from GAUGE_KEY only/);
    const none = await python({ ...dev, key: '' })('send', 'temp=1');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /set GAUGE_KEY/);
  });
});

describe('curl script (examples/curl)', () => {
  const curlEnv = (dev, url) => ({ GAUGE_KEY: dev.key, GAUGE_DEVICE: dev.id, GAUGE_CA: stack.tls.cert,
    GAUGE_URL: url ?? `https://localhost:${stack.httpsPort}`, GAUGE_TIMEOUT: '3' });
  const answers = (stdout) => stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

  test('one reading, a batch, and the batch again: stored once', async () => {
    const dev = newDevice('Curl');
    const r = await run('sh', [CURL_SCRIPT], curlEnv(dev));
    assert.equal(r.code, 0, r.stderr);
    const [one, batch, again] = answers(r.stdout);
    assert.deepEqual([one.stored, batch.stored, batch.duplicates, again.stored, again.duplicates], [1, 3, 0, 0, 3]);
    const all = await storedReadings(dev);
    assert.equal(all.length, 4);
    assert.equal(all.filter((x) => x.id).length, 3);
  });

  test('an answer lost after the batch was stored: curl resends, nothing is stored twice', async () => {
    const dev = newDevice('Curl drop');
    const proxy = await relay();
    try {
      // The single reading is rate limited once; the batch's first answer is lost.
      proxy.plan = ['429', 'pass', 'drop'];
      const r = await run('sh', [CURL_SCRIPT], curlEnv(dev, proxy.url));
      assert.equal(r.code, 0, r.stderr);
      const waited = proxy.seen[1].at - proxy.seen[0].at;
      assert.ok(waited >= 1900, `curl waited ${waited} ms for Retry-After: 2`);
      assert.equal(proxy.seen.length, 5, '429 + resend, batch + resend, batch again');
      const [, batch, again] = answers(r.stdout);
      assert.deepEqual([batch.stored, batch.duplicates], [0, 3], 'the retry found the batch already stored');
      assert.deepEqual([again.stored, again.duplicates], [0, 3]);
      assert.equal((await storedReadings(dev)).length, 4);
    } finally {
      await proxy.close();
    }
  });

  test('a refused request (401) is not retried and fails the script', async () => {
    const dev = newDevice('Curl 401');
    const proxy = await relay();
    try {
      const r = await run('sh', [CURL_SCRIPT], { ...curlEnv(dev, proxy.url), GAUGE_KEY: 'gdk_wrong' });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /gauge-curl: HTTP 401/);
      assert.equal(JSON.parse(r.stdout).code, 'invalid_key');
      assert.equal(proxy.seen.length, 1);
    } finally {
      await proxy.close();
    }
  });

  test("the README's curl example stores its reading once, however often it is run", async () => {
    const dev = newDevice('Curl README');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = readme.match(/```sh\n(printf 'Authorization[^`]*?)```/)[1]
      .replaceAll('var/tls/cert.pem', stack.tls.cert)
      .replaceAll('https://localhost:8443', `https://localhost:${stack.httpsPort}`);
    const env = { GAUGE_KEY: dev.key, GAUGE_DEVICE: dev.id };
    const first = await run('sh', ['-c', block], env);
    assert.deepEqual([first.code, first.json?.stored, first.json?.duplicates], [0, 1, 0], first.stderr);
    const again = await run('sh', ['-c', block], env);
    assert.deepEqual([again.json?.stored, again.json?.duplicates], [0, 1]);
    assert.equal((await storedReadings(dev)).length, 1);
  });

  test('the key never reaches a command line', () => {
    const text = fs.readFileSync(CURL_SCRIPT, 'utf8');
    assert.doesNotMatch(text.replace(/^\s*#.*$/gm, ''), /curl[^\n]*\$\{?GAUGE_KEY/);
    assert.match(text, /-H @-/);
  });
});

describe('the examples that cannot run here', () => {
  test('the MicroPython example is valid Python syntax', () => {
    const f = path.join(ROOT, 'examples/micropython/main.py');
    execFileSync(PYTHON, ['-c', 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")', f]);
  });
});
