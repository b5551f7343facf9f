// server-errors.test.mjs - under /api/ every error is the JSON error body,
// also the errors the web server makes itself (issue 9, item 6), through the
// shipped etc/lighttpd/gauge.conf and etc/apache/gauge.conf unchanged.
//
// The app's own limit (http.max_body) is set above lighttpd's
// server.max-request-size here, so that a huge body meets lighttpd's limit
// first.  Apache does not apply LimitRequestBody to requests it proxies, so
// behind it the app's limit is the one that answers.  Requests a normal
// client library will not send (a broken request line, a bad chunked body)
// go over a raw TLS socket.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort, waitFor } from '../stack/proc.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';

const MiB = 1024 * 1024;
const SERVER_LIMIT = 4 * MiB;   // lighttpd's server.max-request-size
const APP_LIMIT = 6 * MiB;      // http.max_body in this file's stack

let stack;
let varDir;
let apachePort;
let apache;

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-e2e-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, maxBody: APP_LIMIT });
  apachePort = await freePort();
  apache = await stack.startApache(apachePort);
});

after(async () => {
  await stack?.stop();
  if (process.env.GAUGE_KEEP_VAR) console.log(`kept ${varDir}`);
  else fs.rmSync(varDir, { recursive: true, force: true });
});

// One HTTP/1.1 exchange over TLS, bytes exactly as given.  `body` (a Buffer)
// is written after the head in 64 KiB pieces; a server that answers early and
// closes is fine.  Resolves with the parsed response.
function raw(port, head, body) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'localhost',
      ca: fs.readFileSync(stack.tls.cert), ALPNProtocols: ['http/1.1'] });
    sock.setTimeout(30000, () => sock.destroy(new Error('no answer in 30 s')));
    sock.on('data', (c) => chunks.push(c));
    let failure;
    sock.on('error', (e) => { failure = e; });
    sock.on('close', finish);
    sock.once('secureConnect', async () => {
      // A server that answers early closes while we still write: EPIPE or
      // ECONNRESET then is expected, and the answer already read is what counts.
      try {
        sock.write(head);
        // Stop sending once the server has answered, as a client would.
        for (let off = 0; body && off < body.length && sock.writable && !chunks.length; off += 65536) {
          if (!sock.write(body.subarray(off, off + 65536))) {
            await Promise.race([new Promise((r) => sock.once('drain', r)), new Promise((r) => sock.once('close', r))]);
          }
        }
      } catch (e) {
        failure = e;
      }
    });
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) {
        reject(failure ?? new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const b = /chunked/i.test(headers['transfer-encoding'] ?? '') ? dechunk(text.slice(end + 4)) : text.slice(end + 4);
      let json;
      try { json = JSON.parse(b); } catch { /* not JSON */ }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: b, json });
    }
  });
}

function dechunk(s) {
  let out = '';
  for (let i = 0; ;) {
    const eol = s.indexOf('\r\n', i);
    const n = parseInt(s.slice(i, eol), 16);
    if (!(n > 0)) return out;
    out += s.slice(eol + 2, eol + 2 + n);
    i = eol + 2 + n + 2;
  }
}

function assertJsonError(r, status, code) {
  assert.equal(r.status, status, r.text.slice(0, 300));
  assert.match(r.headers['content-type'] ?? '', /^application\/json/, r.text.slice(0, 300));
  assert.ok(r.json, `a JSON body: ${r.text.slice(0, 300)}`);
  assert.equal(r.json.code, code);
  assert.ok(r.json.message.length > 0);
}

function assertHtmlError(r, status) {
  assert.equal(r.status, status, r.text.slice(0, 300));
  assert.match(r.headers['content-type'] ?? '', /^text\/html/);
}

const big = Buffer.alloc(SERVER_LIMIT + MiB, 'x');
const chunked = (buf) => {
  const parts = [];
  for (let off = 0; off < buf.length; off += MiB / 4) {
    const piece = buf.subarray(off, off + MiB / 4);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
};
const readingsPath = () => `/api/v1/devices/${stack.demo.device.id}/readings`;
// With the device's key, so that the app would wait for the whole body.
const post = (p, extra) => `POST ${p} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n` +
  `Authorization: Bearer ${stack.demo.device.key}\r\nContent-Type: application/json\r\n${extra}\r\n`;

// `refusedPath` is a path this server refuses itself, before the app sees it;
// `limitedBy` whose body limit a huge body meets first.
function webServerErrors(name, port, { refusedPath, limitedBy }) {
  describe(`${name}'s own errors`, () => {
    const huge = limitedBy === 'server' ? big : Buffer.alloc(APP_LIMIT + MiB, 'x');
    const who = limitedBy === 'server' ? `${name}'s own limit` : `the app's limit behind ${name}`;
    const assertTooLarge = (r) => {
      assertJsonError(r, 413, 'body_too_large');
      // The app names its request; the web server has none to name.
      if (limitedBy === 'server') assert.equal(r.json.request_id, undefined);
      else assert.equal(r.json.request_id, r.headers['x-request-id']);
    };

    test(`under /api/ a body over ${who} is a JSON 413`, async () => {
      // lighttpd answers on the announced length alone, before the body:
      // sending all of it would only race its answer against a reset
      // connection.  Apache hands the app the whole body first.
      assertTooLarge(await raw(port(), post(readingsPath(), `Content-Length: ${huge.length}\r\n`),
        limitedBy === 'server' ? huge.subarray(0, 1024) : huge));
    });

    test(`under /api/ a chunked body over ${who} is a JSON 413`, async () => {
      assertTooLarge(await raw(port(), post(readingsPath(), 'Transfer-Encoding: chunked\r\n'), chunked(huge)));
    });

    test('under /api/ a malformed chunked body is a JSON 400', async () => {
      const r = await raw(port(), post(readingsPath(), 'Transfer-Encoding: chunked\r\n'),
        Buffer.from('zz\r\n{}\r\n0\r\n\r\n'));
      assertJsonError(r, 400, 'bad_request');
    });

    test(`an /api/ path ${name} refuses itself is a JSON 400`, async () => {
      const r = await raw(port(), `GET ${refusedPath} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      assertJsonError(r, 400, 'bad_request');
    });

    // Before the server has read the headers it matches no path, so these
    // are JSON everywhere: only API clients send such requests.
    test('a request line or header the server cannot parse is a JSON 400', async () => {
      for (const head of [
        'GET /api/v1/devices HTTX/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        'GET /api/v1/devices HTTP/1.1\r\nHost: localhost\r\nno colon here\r\nConnection: close\r\n\r\n',
      ]) {
        assertJsonError(await raw(port(), head), 400, 'bad_request');
      }
    });

    test('pages keep the web server\'s HTML error page once it knows the path', async () => {
      const bad = await raw(port(), 'POST /devices HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n', Buffer.from('zz\r\n{}\r\n0\r\n\r\n'));
      assertHtmlError(bad, 400);
      assertHtmlError(await raw(port(), 'GET /static/no-such.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'), 404);
    });

    test('the app\'s own API errors pass through unchanged, with their request id', async () => {
      const r = await raw(port(), 'GET /api/v1/no-such-thing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      assertJsonError(r, 404, 'not_found');
      assert.equal(r.json.request_id, r.headers['x-request-id']);
    });

    test('the error files are JSON when fetched directly too', async () => {
      const r = await raw(port(), 'GET /static/errors/api-503.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.equal(r.json.code, 'unavailable');
    });
  });
}

webServerErrors('lighttpd', () => stack.httpsPort, { refusedPath: '/api/v1/devices/a%01b', limitedBy: 'server' });
webServerErrors('Apache', () => apachePort, { refusedPath: '/api/v1/devices/a%zz', limitedBy: 'app' });

describe('gauge.fcgi down or broken off', () => {
  const servers = () => [['lighttpd', stack.client], ['Apache', apache]];

  test('a worker killed in the middle of a request: the API answers a JSON 5xx', async () => {
    if (!stack.procs.mongo) return;   // an external MongoDB cannot be paused from here
    const { device } = stack.demo;
    for (const [name, client] of servers()) {
      await waitFor(`${name}: two workers`, () => stack.fcgiWorkers().length === 2, { timeoutMs: 10000 });
      process.kill(stack.procs.mongo.pid, 'SIGSTOP');
      let pending;
      try {
        pending = client('POST', `/api/v1/devices/${device.id}/readings`, { headers: {
          authorization: `Bearer ${device.key}`, 'content-type': 'application/json' }, body: '{"values":{"t":2}}' });
        await sleep(1000);   // the worker now waits for MongoDB
        for (const pid of stack.fcgiWorkers()) process.kill(pid, 'SIGKILL');
      } finally {
        process.kill(stack.procs.mongo.pid, 'SIGCONT');
      }
      const r = await pending;
      assert.ok([500, 502, 503].includes(r.status), `${name}: ${r.status}`);
      assert.match(r.headers['content-type'], /^application\/json/, name);
      assert.equal(r.json.code, { 500: 'internal', 502: 'bad_gateway', 503: 'unavailable' }[r.status], name);
    }
  });

  test('gauge.fcgi stopped: the API is a JSON 503 "unavailable", pages an HTML 503', async () => {
    await stack.stopFcgi();
    try {
      for (const [name, client] of servers()) {
        for (const [method, p] of [['GET', '/api/v1/devices'], ['POST', readingsPath()]]) {
          const r = await client(method, p, method === 'POST'
            ? { headers: { 'content-type': 'application/json' }, body: '{"values":{"t":3}}' } : {});
          assert.equal(r.status, 503, `${name} ${method} ${p}`);
          assert.match(r.headers['content-type'], /^application\/json/, `${name} ${method} ${p}`);
          assert.equal(r.json.code, 'unavailable');
          assert.equal(r.json.request_id, undefined, 'the web server has no request id to give');
        }
        const page = await client('GET', '/devices', { headers: { accept: 'text/html' } });
        assert.equal(page.status, 503, name);
        assert.match(page.headers['content-type'], /^text\/html/, name);
      }
    } finally {
      await stack.startFcgi();
    }
    // Both servers try the socket again at once (Apache: retry=0), not
    // after a minute's penalty.
    for (const [name, client] of servers()) {
      const t0 = Date.now();
      await waitFor(`${name} to reach gauge.fcgi again`,
        async () => (await client('GET', '/healthz')).status === 200, { timeoutMs: 5000 });
      assert.ok(Date.now() - t0 < 5000, name);
    }
  });
});

test('every error file is a JSON error body with a stable code', () => {
  const dir = path.join(ROOT, 'htdocs/errors');
  const files = fs.readdirSync(dir);
  assert.ok(files.length >= 10);
  for (const f of files) {
    assert.match(f, /^api-\d{3}\.html$/, 'named <prefix><status>.html for lighttpd');
    const o = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    assert.deepEqual(Object.keys(o), ['code', 'message'], f);
    assert.match(o.code, /^[a-z_]+$/, f);
  }
  // Every file is named by both configs, and nothing else is.
  const statuses = files.map((f) => f.slice(4, 7)).sort();
  const apacheConf = fs.readFileSync(path.join(ROOT, 'etc/apache/gauge.conf'), 'utf8');
  const apiBlock = apacheConf.slice(apacheConf.lastIndexOf('<Location "/api/">'));
  const inApache = [...apiBlock.slice(0, apiBlock.indexOf('</Location>'))
    .matchAll(/ErrorDocument (\d{3}) \/static\/errors\/api-\1\.html/g)].map((m) => m[1]).sort();
  assert.deepEqual(inApache, statuses, 'Apache: one ErrorDocument per file under /api/');
  const lighttpdConf = fs.readFileSync(path.join(ROOT, 'etc/lighttpd/gauge.conf'), 'utf8');
  const inLighttpd = [...lighttpdConf.matchAll(/"api-(\d{3})\.html" => "application\/json"/g)].map((m) => m[1]).sort();
  assert.deepEqual(inLighttpd, statuses, 'lighttpd: every file typed application/json');
});
