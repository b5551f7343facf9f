// alerts.test.mjs - threshold alerts end to end: rules through the API,
// gauge-alertd evaluating readings, e-mail through the SES sink (SigV4
// checked there) and SMS through the Twilio sink (basic auth checked),
// verification codes, no floods, retries, no duplicates.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startStack } from '../stack/stack.mjs';
import { WebClient } from './web-client.mjs';

const PW = 'alarm bells ring 12';
let stack;
let varDir;
let acct;
let dev;

function api(method, p, key, json) {
  return stack.client(method, p, { headers: { authorization: `Bearer ${key}`,
    ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined });
}

function outbox(provider) {
  const dir = path.join(stack.dirs.outbox, provider);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).sort().map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

async function until(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const post = (d, values, ts) => api('POST', `/api/v1/devices/${d.id}/readings`, d.key, { values, ...(ts ? { ts } : {}) });

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-alerts-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, alertdPollMs: 200, alertdRetryMs: 300 });
  acct = stack.ctl(['create-account', '--name', 'Kilnworks']);
  dev = stack.ctl(['create-device', '--account', String(acct.id), '--name', 'Kiln 7']);
  stack.ctl(['create-user', '--account', String(acct.id), '--email', 'boss@kiln.example', '--role', 'admin', '--password-stdin'], `${PW}\n`);
  const admin = new WebClient(stack);
  assert.equal((await admin.signIn('boss@kiln.example', PW)).status, 303);
  const tw = await admin.post('/account', { action: 'twilio', sid: stack.secrets.twilioSid,
    token: stack.secrets.twilioToken, from: '+15005550006' });
  assert.equal(tw.status, 303);
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

describe('a crossing', () => {
  let rule;
  test('rules are validated on entry', async () => {
    const bad = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'x', device: dev.id, channel: 'temp',
      kind: 'above', threshold: 800, recipients: ['ops@kiln.example', '+0000'] });
    assert.equal(bad.status, 422);
    assert.match(bad.json.message, /\+0000/);
    const r = await api('POST', '/api/v1/alert-rules', acct.account_key, { name: 'Kiln too hot', device: dev.id,
      channel: 'temp', kind: 'above', threshold: 800, clear_threshold: 780,
      recipients: ['ops@kiln.example', '+14155550123'] });
    assert.equal(r.status, 201, r.text);
    rule = r.json.id;
    const list = await api('GET', '/api/v1/alert-rules', acct.account_key);
    assert.equal(list.json.rules[0].name, 'Kiln too hot');
  });

  test('produces exactly one e-mail and one SMS, each with a code /verify accepts', async () => {
    assert.equal((await post(dev, { temp: 700 })).status, 201);
    await sleep(600);
    assert.equal((await post(dev, { temp: 812.5 })).status, 201);
    const [mail] = await until('the e-mail', () => outbox('ses').length === 1 && outbox('ses'));
    const [sms] = await until('the SMS', () => outbox('twilio').length === 1 && outbox('twilio'));
    const text = JSON.stringify(mail);
    const code = /verify\/([0-9a-f]{32})/.exec(text)[1];
    assert.match(text, /812\.5/);
    assert.match(JSON.stringify(sms), new RegExp(code), 'the SMS carries the same code');
    assert.match(JSON.stringify(sms), /\+14155550123/);
    const v = await stack.client('GET', `/verify/${code}`);
    assert.equal(v.status, 200);
    assert.match(v.text, /This message was sent by Gauge/);
    assert.match(v.text, /Kiln 7/);
    assert.match(v.text, /o\*\*\*@kiln\.example/, 'recipients are masked');
    assert.doesNotMatch(v.text, /ops@kiln/);
    const fake = await stack.client('GET', `/verify/${'0'.repeat(32)}`);
    assert.equal(fake.status, 404);
    assert.match(fake.text, /never sent/);
    await sleep(1000);
    assert.equal(outbox('ses').length, 1, 'still exactly one');
    assert.equal(outbox('twilio').length, 1);
  });

  test('a value hovering at the limit produces no flood', async () => {
    for (let i = 0; i < 20; i++) await post(dev, { temp: i % 2 ? 801 : 799 });
    await sleep(1500);
    assert.equal(outbox('ses').length, 1, 'no new alarm while the value never fell to the clear threshold');
  });

  test('back to normal is reported once', async () => {
    await post(dev, { temp: 700 });
    await until('the back-to-normal mail', () => outbox('ses').length === 2);
    assert.match(JSON.stringify(outbox('ses')[1]), /Back to normal/);
    assert.ok(rule);
  });
});
