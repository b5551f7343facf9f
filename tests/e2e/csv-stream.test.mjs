// csv-stream.test.mjs - a large CSV export is streamed by both shipped web
// server configs (lighttpd's etc/lighttpd/gauge.conf, Apache's
// etc/apache/gauge.conf), and Apache's plain-HTTP host only redirects.
//
// 200,000 readings go in through the API (batches of 1000); the export is
// then read through each server while the FastCGI workers' resident memory
// is sampled.  Streamed means: the first byte arrives long before the last,
// no Content-Length (the length is not known when the first byte leaves),
// and no worker grows by anything near the size of the file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { freePort } from '../stack/proc.mjs';
import { startStack } from '../stack/stack.mjs';

const TOTAL = 200000;
const BATCH = 1000;
const T0 = Date.UTC(2026, 0, 1);
let stack;
let varDir;
let device;
let apachePort;

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-csv-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, rateLimit: 100000 });
  apachePort = await freePort();
  await stack.startApache(apachePort);
  const account = stack.ctl(['create-account', '--name', 'Export Co']);
  device = stack.ctl(['create-device', '--account', String(account.id), '--name', 'Logger']);
  // Four batches in flight at a time: as a fleet of devices would send them.
  const batches = [];
  for (let start = 0; start < TOTAL; start += BATCH) batches.push(start);
  const send = async () => {
    for (let start = batches.shift(); start !== undefined; start = batches.shift()) {
      const readings = Array.from({ length: BATCH }, (_, i) => ({
        ts: T0 + (start + i) * 1000, values: { t: (start + i) / 10, p: 1000 + ((start + i) % 97) } }));
      const r = await stack.client('POST', `/api/v1/devices/${device.id}/readings`, {
        headers: { authorization: `Bearer ${device.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ readings }) });
      assert.equal(r.status, 201, r.text);
    }
  };
  const t0 = performance.now();
  await Promise.all([send(), send(), send(), send()]);
  console.log(`# ${TOTAL} readings stored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

after(async () => {
  await stack?.stop();
  if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
});

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;   // gone
  }
}

// GET through one server, counting bytes and lines without keeping the body;
// times in ms from the request, and each worker's largest RSS meanwhile.
// Bytes the workers have written so far (to the web server, mostly).
function wcharSum(pids) {
  let sum = 0;
  for (const pid of pids) {
    try { sum += Number(/wchar:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))[1]); } catch { /* gone */ }
  }
  return sum;
}

function exportCsv(port) {
  const workers = stack.fcgiWorkers();
  const base = new Map(workers.map((pid) => [pid, rssKb(pid)]));
  const peak = new Map(base);
  const written = [];   // [ms, bytes written by the workers since the start]
  const w0 = wcharSum(workers);
  const t0 = performance.now();
  const sample = setInterval(() => {
    for (const pid of workers) peak.set(pid, Math.max(peak.get(pid), rssKb(pid)));
    written.push([performance.now() - t0, wcharSum(workers) - w0]);
  }, 10);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, servername: 'localhost', method: 'GET',
      // channels= named: the app then starts sending at once, without first
      // looking for every channel in the range (an aggregation that takes the
      // MongoDB stand-in many seconds over 200,000 readings).
      path: `/api/v1/devices/${device.id}/readings?format=csv&order=asc&channels=t,p`,
      headers: { authorization: `Bearer ${device.key}` },
      ca: fs.readFileSync(stack.tls.cert), agent: false }, (res) => {
      let firstByteMs = null;
      let bytes = 0;
      let lines = 0;
      let head = '';
      let tail = '';
      res.on('data', (c) => {
        if (firstByteMs === null) firstByteMs = performance.now() - t0;
        if (head.length < 200) head += c.toString('latin1');
        bytes += c.length;
        for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++;
        tail = (tail + c.toString('latin1')).slice(-200);
      });
      res.on('end', () => {
        clearInterval(sample);
        const totalMs = performance.now() - t0;
        const growthKb = Math.max(...workers.map((pid) => peak.get(pid) - base.get(pid)));
        // When gauge.fcgi began sending rows, and when it had sent all but
        // the last 64 KiB.
        const sent = written.at(-1)?.[1] ?? 0;
        const appFirstMs = written.find(([, n]) => n > 65536)?.[0] ?? NaN;
        const appLastMs = written.find(([, n]) => n >= sent - 65536)?.[0] ?? NaN;
        resolve({ appFirstMs, appLastMs, status: res.statusCode, headers: res.headers, firstByteMs, totalMs, bytes, lines,
          head, tail, growthKb, workers: workers.length });
      });
      res.on('error', reject);
    });
    req.on('error', (e) => { clearInterval(sample); reject(e); });
    req.setTimeout(60000, () => req.destroy(new Error('CSV export timed out')));
    req.end();
  });
}

describe('CSV export of 200,000 readings streams through Apache and lighttpd alike', () => {
  for (const server of ['lighttpd', 'Apache']) {
    test(`through ${server}: first byte long before the last, no Content-Length, worker memory flat`, async () => {
      const port = server === 'lighttpd' ? stack.httpsPort : apachePort;
      const r = await exportCsv(port);
      const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
      console.log(`# ${server}: ${r.bytes} bytes; first byte after ${fmt(r.firstByteMs)}, last after ${fmt(r.totalMs)}; `
        + `gauge.fcgi wrote rows from ${fmt(r.appFirstMs)} to ${fmt(r.appLastMs)}; `
        + `largest worker RSS growth ${r.growthKb} kB (${r.workers} workers)`);
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'], /^text\/csv/);
      assert.equal(r.headers['content-length'], undefined, 'a streamed answer has no Content-Length');
      assert.equal(r.headers['transfer-encoding'], 'chunked');
      assert.equal(r.lines, TOTAL + 1, 'header row and every reading');
      assert.ok(r.head.startsWith('ts,received_at,id,t,p\r\n'), r.head);
      assert.ok(r.tail.includes(new Date(T0 + (TOTAL - 1) * 1000).toISOString()), 'ends with the last reading');
      // Before the first row the app waits for MongoDB's first batch (with
      // the stand-in, seconds: it sorts the whole range first), so the clock
      // for "long before the last" starts when gauge.fcgi starts writing:
      // buffered, the first byte would come only once it had written all.
      const window = r.appLastMs - r.appFirstMs;
      assert.ok(window > 200, `gauge.fcgi wrote for ${window} ms`);
      assert.ok(r.firstByteMs - r.appFirstMs < 0.25 * window,
        `first byte ${fmt(r.firstByteMs - r.appFirstMs)} after gauge.fcgi began, which took ${fmt(window)} to write it all`);
      assert.ok(r.workers > 0 && r.growthKb < Math.min(8192, r.bytes / 1024 / 2),
        `a worker grew by ${r.growthKb} kB while sending ${r.bytes} bytes`);
    });
  }
});

describe('Apache: plain HTTP', () => {
  test('only redirects to HTTPS, and credentials sent over it never reach the app', async () => {
    const r = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: stack.apacheHttpPort, method: 'POST',
        path: `/api/v1/devices/${device.id}/readings?plain=1`,
        headers: { host: 'localhost', authorization: `Bearer ${device.key}`, 'content-type': 'application/json' } },
      (res) => { let t = ''; res.on('data', (d) => { t += d; }); res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: t })); });
      req.on('error', reject);
      req.end(JSON.stringify({ values: { t: 1 } }));
    });
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, `https://localhost:${apachePort}/api/v1/devices/${device.id}/readings?plain=1`);
    assert.equal(r.headers['x-request-id'], undefined, 'answered by Apache, not by gauge.fcgi');
    await new Promise((resolve) => { setTimeout(resolve, 200); });
    const log = fs.readFileSync(path.join(stack.dirs.log, 'gauge-fcgi.log'), 'utf8');
    assert.ok(!log.includes('plain=1'), 'gauge.fcgi never saw the request');
  });
});
