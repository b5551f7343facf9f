// proxy.test.mjs - Gauge behind a load balancer, end to end through lighttpd
// with TLS.  The stack trusts 127.0.0.1/32 (http.trusted_proxies), so the
// test runner connecting from 127.0.0.1 is the balancer, and a client bound
// to 127.0.0.2 is anyone else: same server, same config, another sender.
// Traffic stays on loopback.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { makeClient } from '../stack/https.mjs';
import { startStack } from '../stack/stack.mjs';
import { WebClient, csrfOf } from './web-client.mjs';

let stack;
let varDir;
let acct;           // { account_key, ... }
let balancer;       // requests from 127.0.0.1: a trusted proxy
let stranger;       // requests from 127.0.0.2: not one

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-proxy-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, demo: false,
    trustedProxies: ['127.0.0.1/32'] });
  acct = stack.ctl(['create-account', '--name', 'Proxied Co']);
  balancer = makeClient({ port: stack.httpsPort, caFile: stack.tls.cert });
  stranger = makeClient({ port: stack.httpsPort, caFile: stack.tls.cert, localAddress: '127.0.0.2' });
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

const device = (name) => stack.ctl(['create-device', '--account', String(acct.id), '--name', name]);

// An anonymous API call (counted per client address); its RateLimit-Remaining.
async function anonymousRemaining(client, headers) {
  const r = await client('GET', '/api/v1/account', { headers });
  assert.equal(r.status, 401, r.text);
  return Number(r.headers['ratelimit-remaining']);
}

// Waits for a fresh rate-limit window when the current one is about to end,
// so that a run of requests is counted in one window.
async function inOneWindow() {
  const r = await balancer('GET', '/api/v1/account');
  const reset = Number(r.headers['ratelimit-reset']);
  if (reset < 8) await sleep((reset + 1) * 1000);
}

// A browser that reaches Gauge through `client` with extra headers on every request.
class BrowserVia extends WebClient {
  constructor(client, headers) {
    super(stack);
    this.request = client;
    this.extra = headers;
  }

  send(method, p, opts = {}) {
    return super.send(method, p, { ...opts, headers: { ...this.extra, ...opts.headers } });
  }

  async failSignIn(email) {
    const token = csrfOf((await this.get('/login')).text);
    return (await this.send('POST', '/login', { form: { csrf: token, email, password: 'not the password' } })).status;
  }
}

// A key's last-used address, as its account sees it.
async function lastUsedFrom(dev) {
  const list = await balancer('GET', `/api/v1/devices/${dev.id}/keys`,
    { headers: { authorization: `Bearer ${acct.account_key}` } });
  assert.equal(list.status, 200, list.text);
  return list.json.keys[0].last_used_from;
}

async function postReading(client, dev, headers) {
  const r = await client('POST', `/api/v1/devices/${dev.id}/readings`, {
    headers: { authorization: `Bearer ${dev.key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ts: new Date().toISOString(), values: { temp: 20.5 } }) });
  assert.equal(r.status, 201, r.text);
}

function fcgiLogLine(id) {
  const log = fs.readFileSync(path.join(stack.dirs.log, 'gauge-fcgi.log'), 'utf8');
  return log.split('\n').find((l) => l.includes(`req=${id} `));
}

const auditIps = (email) => stack.sql(
  `SELECT ip FROM audit_log WHERE action = 'login.failed' AND actor_label = '${email}' ORDER BY id`).map(([ip]) => ip);

describe('behind a load balancer', () => {
  test('X-Forwarded-For from a trusted proxy sets the client address for rate limits, the audit log and key last use', async () => {
    // Rate limits: each client behind the balancer has its own counter.
    await inOneWindow();
    const a = { 'x-forwarded-for': '198.51.100.1, 203.0.113.10' };
    const b = { 'x-forwarded-for': '203.0.113.11' };
    const a1 = await anonymousRemaining(balancer, a);
    const a2 = await anonymousRemaining(balancer, a);
    const b1 = await anonymousRemaining(balancer, b);
    assert.equal(a2, a1 - 1, 'one client, one counter');
    assert.equal(b1, a1, 'another client behind the same balancer starts afresh');

    // Sign-in throttling: five failures lock out that email from that client only.
    const email = 'ops@proxied.example';
    const fromA = new BrowserVia(balancer, { 'x-forwarded-for': '203.0.113.20' });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await fromA.failSignIn(email));
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429], 'the client is locked out after 5 failures');
    const fromB = new BrowserVia(balancer, { 'x-forwarded-for': '203.0.113.21' });
    assert.equal(await fromB.failSignIn(email), 401, 'another client behind the balancer is not');
    assert.deepEqual(
      stack.sql(`SELECT subject FROM login_throttle WHERE scope = 'ip' ORDER BY subject`).map(([s]) => s),
      ['203.0.113.20', '203.0.113.21'], 'failures are counted per client address, never the balancer\'s');

    // The audit log's "from".
    assert.deepEqual(auditIps(email), [...Array(5).fill('203.0.113.20'), '203.0.113.21'],
      'a locked-out attempt is refused before it is audited');

    // A key's last use.
    const dev = device('Behind LB');
    await postReading(balancer, dev, { 'x-forwarded-for': '2001:DB8::7, 127.0.0.1' });
    assert.equal(await lastUsedFrom(dev), '2001:db8::7', 'IPv6 clients too, in canonical form');

    // The request log names the client and the balancer it came through.
    const r = await balancer('GET', '/healthz', { headers: { 'x-forwarded-for': '203.0.113.22' } });
    await sleep(100);
    assert.match(fcgiLogLine(r.headers['x-request-id']), / 203\.0\.113\.22 GET \/healthz 200 .* via=127\.0\.0\.1$/);
  });

  test('X-Forwarded-For from anyone else is ignored', async () => {
    // Rate limits: whatever it claims, the sender is counted as itself.
    await inOneWindow();
    const s1 = await anonymousRemaining(stranger, { 'x-forwarded-for': '203.0.113.30' });
    const s2 = await anonymousRemaining(stranger, { 'x-forwarded-for': '203.0.113.31' });
    const s3 = await anonymousRemaining(stranger, {});
    assert.deepEqual([s2, s3], [s1 - 1, s1 - 2], 'one sender, one counter');

    // Sign-in throttling and the audit log.
    const email = 'admin@proxied.example';
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(await new BrowserVia(stranger, { 'x-forwarded-for': `203.0.113.${40 + i}` }).failSignIn(email));
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429], 'a new address per attempt does not escape the lock');
    assert.deepEqual(auditIps(email), Array(5).fill('127.0.0.2'));
    assert.equal(stack.sql(`SELECT COUNT(*) FROM login_throttle WHERE subject LIKE '203.0.113.4%'`)[0][0], '0');

    // A key's last use.
    const dev = device('Direct');
    await postReading(stranger, dev, { 'x-forwarded-for': '203.0.113.50' });
    assert.equal(await lastUsedFrom(dev), '127.0.0.2');

    // A malformed header from the balancer itself is ignored, never an error.
    const dev2 = device('Garbled');
    await postReading(balancer, dev2, { 'x-forwarded-for': '203.0.113.51, not-an-address' });
    assert.equal(await lastUsedFrom(dev2), '127.0.0.1');
    const log = fs.readFileSync(path.join(stack.dirs.log, 'gauge-fcgi.log'), 'utf8');
    assert.match(log, /X-Forwarded-For from 127\.0\.0\.1 ignored: an entry is not an IP address/);
  });

  test('the balancer\'s X-Request-Id is used from a trusted proxy only', async () => {
    const id = 'lb-7F000001:8296_7F000001:01BB_68A1C2D3_0042:1F2E';
    const ok = await balancer('GET', '/healthz', { headers: { 'x-request-id': id } });
    assert.equal(ok.headers['x-request-id'], id, 'echoed in the response header');
    const err = await balancer('GET', '/api/v1/no-such-thing', { headers: { 'x-request-id': id } });
    assert.equal(err.status, 404);
    assert.equal(err.json.request_id, id, 'and in error bodies');
    const page = await balancer('GET', '/no-such-page', { headers: { 'x-request-id': id, accept: 'text/html' } });
    assert.equal(page.status, 404);
    assert.ok(page.text.includes(`<code>${id}</code>`), 'and on error pages');
    await sleep(100);
    assert.ok(fcgiLogLine(id), 'and in the request log');

    const own = /^[0-9a-f]{16}$/;
    const fromStranger = await stranger('GET', '/healthz', { headers: { 'x-request-id': id } });
    assert.match(fromStranger.headers['x-request-id'], own, 'anyone else gets an id of our own');
    for (const bad of ['has space', 'x'.repeat(65), 'quote"d', '<b>', '']) {
      const r = await balancer('GET', '/healthz', { headers: { 'x-request-id': bad } });
      assert.match(r.headers['x-request-id'], own, `an unsafe id (${JSON.stringify(bad)}) is replaced`);
    }
  });
});
