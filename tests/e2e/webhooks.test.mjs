// webhooks.test.mjs - alerts POSTed to https:// URLs, end to end: the
// sinks' webhook receiver checks every Gauge-Signature against the account
// secret it was told; retries on 5xx, a 4xx failing for good with its status
// in the alert log, secret rotation, private addresses refused after DNS
// when allow_private is off, URLs checked on entry, and the README's Python
// and Node verification snippets run against a request Gauge really sent.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ROOT, startStack } from '../stack/stack.mjs';
import { outboxOf, until } from './alert-sinks.mjs';
import { WebClient } from './web-client.mjs';

const PW = 'hooks and signatures 7';
let stack;
let varDir;
let acct;
let secret;

function api(method, p, key, json) {
  return stack.client(method, p, { headers: { authorization: `Bearer ${key}`,
    ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined });
}

const hooks = (suffix) => outboxOf(stack, 'webhook').filter((m) => m.message.path === `/webhook/${suffix}`);
const requests = (suffix) => fs.readFileSync(path.join(stack.dirs.outbox, 'requests.log'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.path === `/webhook/${suffix}`);
const hookUrl = (suffix) => `${stack.sinksUrl}/webhook/${suffix}`;

// A device with a rule "temp above 800" sending to one webhook.
async function watched(suffix) {
  const dev = stack.ctl(['create-device', '--account', String(acct.id), '--name', `Kiln ${suffix}`]);
  const r = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: `Hot ${suffix}`, device: dev.id,
    channel: 'temp', kind: 'above', threshold: 800, clear_threshold: 780, recipients: [hookUrl(suffix)] });
  assert.equal(r.status, 201, r.text);
  return { dev, rule: r.json.id };
}

async function reading(dev, temp) {
  const r = await api('POST', `/api/v1/devices/${dev.id}/readings`, dev.key, { values: { temp } });
  assert.equal(r.status, 201, r.text);
}

async function alarm(dev) {
  await reading(dev, 700);
  await sleep(400);
  await reading(dev, 900);
}

const outboxRow = (suffix) => stack.sql(`SELECT status, attempts, COALESCE(last_error, '') FROM alert_outbox `
  + `WHERE transport = 'webhook' AND recipient LIKE '%/webhook/${suffix}' ORDER BY id`);

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-webhooks-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, alertdPollMs: 200, alertdRetryMs: 300,
    sendLeaseS: 3, alertBudget: 50, demo: false });
  acct = stack.ctl(['create-account', '--name', 'Hookworks']);
  stack.ctl(['create-user', '--account', String(acct.id), '--email', 'boss@hook.example', '--role', 'admin',
    '--password-stdin'], `${PW}\n`);
});

after(async () => {
  await stack?.stop();
  if (process.env.GAUGE_KEEP_VAR) console.log(`kept ${varDir}`);
  else fs.rmSync(varDir, { recursive: true, force: true });
});

test('webhook URLs are checked on entry, and a refusal changes nothing', async () => {
  const dev = stack.ctl(['create-device', '--account', String(acct.id), '--name', 'Entry']);
  const rule = (recipients) => api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'Entry', device: dev.id,
    channel: 'temp', kind: 'above', threshold: 1, recipients });
  for (const [url, why] of [
    ['http://hooks.example.com/x', /https:\/\//],
    ['https://user:pass@hooks.example.com/x', /user name or password/],
    [`https://hooks.example.com/${'a'.repeat(2030)}`, /2048/],
    ['https://bad_host.example/x', /no valid host/],
  ]) {
    const r = await rule(['ops@hook.example', url]);
    assert.equal(r.status, 422, url);
    assert.equal(r.json.code, 'invalid_rule');
    assert.match(r.json.message, why);
  }
  const noSecret = await rule([hookUrl('entry')]);
  assert.equal(noSecret.status, 422, 'a webhook needs the account secret first');
  assert.match(noSecret.json.message, /no webhook secret yet/);
  assert.equal((await api('GET', '/api/v1/alert-rules', acct.account_key)).json.rules.length, 0, 'nothing was saved');
  const web = new WebClient(stack);
  assert.equal((await web.signIn('boss@hook.example', PW)).status, 303);
  const page = await web.post('/alerts', { action: 'create', name: 'Entry', device: dev.id, channel: 'temp',
    kind: 'above', threshold: '1', recipients: 'http://hooks.example.com/x' });
  assert.equal(page.status, 400, 'the dashboard refuses the same URL');
  assert.match(page.text, /must start with https:\/\//);
});

test('the secret is generated, shown once, stored sealed and audited', async () => {
  const r = await api('POST', '/api/v1/account/webhook-secret', acct.account_key);
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  secret = r.json.secret;
  const bad = await api('POST', '/api/v1/account/webhook-secret', acct.account_key, { length: 64 });
  assert.equal(bad.status, 400, 'unknown fields are refused');
  const [[hex]] = stack.sql(`SELECT HEX(webhook_secret_enc) FROM accounts WHERE id = ${acct.id}`);
  assert.ok(!Buffer.from(hex, 'hex').includes(secret.slice(6)), 'not stored in the clear');
  assert.deepEqual(stack.sql(`SELECT COUNT(*) FROM audit_log WHERE account_id = ${acct.id} `
    + "AND action = 'webhook.secret_rotate'"), [['1']]);
  stack.webhookSecrets([secret]);
});

let signed;
test('an alarm and its clear are POSTed signed, with the facts and the verification link', async () => {
  const { dev, rule } = await watched('plant');
  await alarm(dev);
  const [first] = await until('the alarm webhook', () => hooks('plant').length === 1 && hooks('plant'));
  await reading(dev, 700);
  const [, second] = await until('the clear webhook', () => hooks('plant').length === 2 && hooks('plant'));
  for (const m of [first, second]) {
    assert.equal(m.message.signature.signature_checked, true);
    assert.equal(m.message.signature.secret_index, 0, 'signed with the account secret');
  }
  const p = first.message.payload;
  assert.equal(p.event, 'alarm');
  assert.deepEqual(p.rule, { id: rule, name: 'Hot plant' });
  assert.deepEqual(p.device, { id: dev.id, name: 'Kiln plant' });
  assert.equal(p.channel, 'temp');
  assert.equal(p.value, 900);
  assert.match(p.reading_at, /^\d{4}-\d\d-\d\dT/);
  assert.match(p.verification.code, /^[0-9a-f]{32}$/);
  assert.equal(p.verification.url, `https://localhost:${stack.httpsPort}/verify/${p.verification.code}`);
  assert.equal(first.message.gauge_event, 'alarm');
  assert.equal(String(p.delivery_id), first.message.gauge_delivery);
  assert.equal(second.message.payload.event, 'clear');
  const v = await stack.client('GET', `/verify/${p.verification.code}`);
  assert.equal(v.status, 200);
  assert.match(v.text, /This message was sent by Gauge/);
  assert.ok(!v.text.includes('/webhook/plant'), 'the verify page masks the webhook path');
  signed = first;
});

// The README's code blocks, as a reader copies them.
function readmeBlock(marker) {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(text);
  assert.ok(m, `README has the ${marker} block`);
  return m[1];
}

test("the README's Python and Node snippets verify a real request, and refuse a tampered one", async () => {
  assert.ok(signed, 'needs the delivered alarm');
  const header = signed.request.headers['gauge-signature'];
  const body = signed.request.body;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-verify-'));
  try {
    fs.writeFileSync(path.join(dir, 'body'), body);
    fs.writeFileSync(path.join(dir, 'verify.py'), `${readmeBlock('webhook-verify-python')}
import sys
body = open(sys.argv[3], "rb").read() + sys.argv[4].encode()
print(gauge_verified(sys.argv[1], sys.argv[2], body))
`);
    fs.writeFileSync(path.join(dir, 'verify.cjs'), `${readmeBlock('webhook-verify-node')}
const body = Buffer.concat([require('node:fs').readFileSync(process.argv[4]), Buffer.from(process.argv[5])]);
console.log(gaugeVerified(process.argv[2], process.argv[3], body) ? 'True' : 'False');
`);
    const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    for (const [cmd, script] of [['/usr/bin/python3', 'verify.py'], [process.execPath, 'verify.cjs']]) {
      const file = path.join(dir, script);
      assert.equal(run(cmd, [file, secret, header, path.join(dir, 'body'), '']), 'True', `${script}: genuine`);
      assert.equal(run(cmd, [file, secret, header, path.join(dir, 'body'), ' ']), 'False', `${script}: body changed`);
      assert.equal(run(cmd, [file, `${secret}x`, header, path.join(dir, 'body'), '']), 'False', `${script}: other secret`);
      const old = header.replace(/t=\d+/, 't=1000000000');
      assert.equal(run(cmd, [file, secret, old, path.join(dir, 'body'), '']), 'False', `${script}: replayed`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a 500 answer is retried, then delivered once', async () => {
  const { dev } = await watched('retry');
  stack.failPlan({ webhook: [500] });
  await alarm(dev);
  await until('the retried webhook', () => hooks('retry').length === 1);
  const seen = requests('retry').map((r) => r.status);
  assert.deepEqual(seen, [500, 200]);
  await until('sent', () => outboxRow('retry')[0]?.[0] === 'sent');
  assert.equal(outboxRow('retry')[0][1], '2', 'two attempts');
});

test('a 404 answer fails for good, with the status in the alert log', async () => {
  const { dev } = await watched('gone');
  stack.failPlan({ webhook: [404] });
  await alarm(dev);
  await until('failed', () => outboxRow('gone')[0]?.[0] === 'failed');
  const [[, attempts, error]] = outboxRow('gone');
  assert.equal(attempts, '1', 'not retried');
  assert.match(error, /HTTP 404/);
  await sleep(1000);
  assert.equal(requests('gone').length, 1, 'no second request');
  const web = new WebClient(stack);
  assert.equal((await web.signIn('boss@hook.example', PW)).status, 303);
  const log = await web.get('/alerts/log');
  assert.match(log.text, /webhook\/gone: failed \(HTTP 404 from the webhook receiver\)/);
  const ev = await api('GET', '/api/v1/alert-events?limit=50', acct.account_key);
  assert.equal(ev.status, 200);
  const d = ev.json.events.flatMap((e) => e.deliveries).find((x) => x.channel === 'webhook' && x.status === 'failed');
  assert.match(d.last_error, /HTTP 404/);
  assert.ok(!d.recipient.includes('/webhook/gone'), 'the API masks the path');
});

test('after a rotation in the dashboard the receiver sees the new signature', async () => {
  const web = new WebClient(stack);
  assert.equal((await web.signIn('boss@hook.example', PW)).status, 303);
  const r = await web.post('/account', { action: 'webhook_secret' });
  assert.equal(r.status, 201);
  const fresh = /whsec_[A-Za-z0-9_-]{43}/.exec(r.text)?.[0];
  assert.ok(fresh && fresh !== secret, 'a new secret, shown');
  assert.ok(!(await web.get('/account')).text.includes(fresh), 'shown once');
  stack.webhookSecrets([fresh]);
  const { dev } = await watched('rotated');
  await alarm(dev);
  const [m] = await until('the webhook after rotation', () => hooks('rotated').length === 1 && hooks('rotated'));
  assert.equal(m.message.signature.secret_index, 0);
  const [, t, v1] = /t=(\d+),v1=([0-9a-f]{64})/.exec(m.request.headers['gauge-signature']);
  const mac = (k) => crypto.createHmac('sha256', k).update(`${t}.${m.request.body}`).digest('hex');
  assert.equal(v1, mac(fresh));
  assert.notEqual(v1, mac(secret), 'the old secret no longer signs');
  assert.equal(requests('rotated').filter((x) => x.outcome === 'rejected').length, 0);
  secret = fresh;
});

test('with webhook_allow_private off, an address inside is refused after DNS, for good', async () => {
  await stack.stopAlertd();
  stack.startAlertd('alertd', { GAUGE_ALERTD_WEBHOOK_ALLOW_PRIVATE: '0' });
  try {
    // "localhost" is a name: the refusal comes from the address it resolves to.
    const dev = stack.ctl(['create-device', '--account', String(acct.id), '--name', 'Kiln private']);
    const url = `https://localhost:${new URL(stack.sinksUrl).port}/webhook/private`;
    const r = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'Hot private', device: dev.id,
      channel: 'temp', kind: 'above', threshold: 800, recipients: [url] });
    assert.equal(r.status, 201, 'allowed on entry: the address is decided at delivery');
    await alarm(dev);
    await until('refused', () => outboxRow('private')[0]?.[0] === 'failed', 20000);
    const [[, attempts, error]] = outboxRow('private');
    assert.equal(attempts, '1');
    assert.match(error, /refused: the host resolves to (127\.0\.0\.1|::1), a private, loopback or link-local address/);
    assert.equal(requests('private').length, 0, 'nothing reached the receiver');
  } finally {
    await stack.stopAlertd();
    stack.startAlertd();
  }
});
