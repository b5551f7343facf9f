// retention.test.mjs - data retention, end to end through lighttpd with TLS:
// the account's default and a device's own window set by the API and the
// dashboard (one rule, one message, bad input changing nothing), and one
// `gaugectl prune` pass deleting exactly the readings older than the window
// that applies (by the reading's own time), in bounded batches, one pass at
// a time, each device it prunes written to the audit log by "retention".
// (The hourly schedule, gauge-prune.timer, is checked in units.test.mjs.)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ROOT, startStack } from '../stack/stack.mjs';
import { WebClient, flashOf } from './web-client.mjs';

const PW = 'correct horse battery staple 42';
const DAY = 86400e3;
const RULE = 'Retention is a whole number of days from 1 to 36500, or empty (null in the API) to keep readings forever.';
let stack;
let varDir;
let A;   // account A: key, admin signed in, devices own (own window), follows (the default), spare
let B;   // account B: no window anywhere, device keep

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-retention-'));
  // No scheduled pass: each test runs its own, so what it prints is its own.
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, demo: false, pruneIntervalMs: 0 });
  const acct = (name) => stack.ctl(['create-account', '--name', name]);
  const dev = (account, name) => stack.ctl(['create-device', '--account', String(account.id), '--name', name]);
  const a = acct('Acme');
  A = { account: a, key: a.account_key, own: dev(a, 'Boiler'), follows: dev(a, 'Chiller'), spare: dev(a, 'Pump') };
  const b = acct('Other Co');
  B = { account: b, key: b.account_key, keep: dev(b, 'Furnace') };
  stack.ctl(['create-user', '--account', String(a.id), '--email', 'admin@acme.example', '--role', 'admin',
    '--password-stdin'], `${PW}\n`);
  stack.ctl(['create-user', '--account', String(a.id), '--email', 'user@acme.example', '--role', 'user',
    '--password-stdin'], `${PW}\n`);
  A.admin = new WebClient(stack);
  assert.equal((await A.admin.signIn('admin@acme.example', PW)).status, 303);
  A.user = new WebClient(stack);
  assert.equal((await A.user.signIn('user@acme.example', PW)).status, 303);
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

function api(method, p, { key, json, body } = {}) {
  const h = {};
  if (key) h.authorization = `Bearer ${key}`;
  let payload = body;
  if (json !== undefined) { payload = JSON.stringify(json); h['content-type'] = 'application/json'; }
  if (body !== undefined) h['content-type'] = 'application/json';
  return stack.client(method, p, { headers: h, body: payload });
}

// `gaugectl prune` as the timer runs it: status, stdout, stderr.
function prune(...args) {
  const r = spawnSync(path.join(ROOT, 'build/bin/gaugectl'), ['-c', stack.conf, 'prune', ...args],
    { encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim() ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

const auditCount = (acct) =>
  Number(stack.sql(`SELECT COUNT(*) FROM audit_log WHERE account_id = ${acct.account.id}`)[0][0]);

// Every reading's time of a device, oldest first.
async function times(acct, dev) {
  const r = await api('GET', `/api/v1/devices/${dev.id}/readings?from=2000-01-01T00:00:00Z&limit=1000&order=asc`,
    { key: acct.key });
  assert.equal(r.status, 200, r.text);
  return r.json.readings.map((x) => Date.parse(x.ts));
}

async function ingest(dev, tsList) {
  const readings = tsList.map((ts) => ({ ts, values: { t: 1 } }));
  for (let i = 0; i < readings.length; i += 1000) {
    const r = await api('POST', `/api/v1/devices/${dev.id}/readings`,
      { key: dev.key, json: { readings: readings.slice(i, i + 1000) } });
    assert.equal(r.status, 201, r.text);
  }
}

// What a refused change must leave alone: both windows, the audit log.
async function state() {
  const [acct, own, follows] = await Promise.all([api('GET', '/api/v1/account', { key: A.key }),
    api('GET', `/api/v1/devices/${A.own.id}`, { key: A.key }),
    api('GET', `/api/v1/devices/${A.follows.id}`, { key: A.key })]);
  return { account: acct.json.retention_days, own: own.json.retention_days,
    follows: follows.json.retention_days, audit: auditCount(A) };
}

describe('retention settings', () => {
  test('bad input to every retention setting is refused, with one message for API and dashboard, and changes nothing', async () => {
    const before = await state();
    const bad = [0, -1, 36501, 1e12, 30.5, '30', '', true, [30], { days: 30 }];
    for (const [route, what] of [['/api/v1/account', 'account'], [`/api/v1/devices/${A.own.id}`, 'device']]) {
      for (const v of bad) {
        const r = await api('PATCH', route, { key: A.key, json: { retention_days: v } });
        assert.equal(r.status, 422, `${what} ${JSON.stringify(v)}: ${r.text}`);
        assert.equal(r.json.code, 'invalid_field');
        assert.equal(r.json.pointer, '/retention_days');
        assert.equal(r.json.message, RULE);
      }
      // A typo is never ignored, and 30.0 is not an integer.
      let r = await api('PATCH', route, { key: A.key, json: { retention_day: 30 } });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.code, 'unknown_field');
      r = await api('PATCH', route, { key: A.key, body: '{"retention_days": 30.0}' });
      assert.equal(r.status, 422, r.text);
    }
    // A device key cannot set either.
    const r = await api('PATCH', '/api/v1/account', { key: A.own.key, json: { retention_days: 5 } });
    assert.equal(r.status, 403, r.text);

    const forms = ['0', '36501', 'abc', '30.5', ' 30', '+30', '1e3', '-1', '999999999999'];
    for (const [page, what] of [['/account', 'account'], [`/devices/${A.own.id}/settings`, 'device']]) {
      for (const v of [...forms, undefined]) {
        const fields = { action: 'retention', ...(v === undefined ? {} : { retention_days: v }) };
        const res = await A.admin.post(page, fields);
        assert.equal(res.status, 400, `${what} ${JSON.stringify(v)}`);
        assert.equal(flashOf(res.text), RULE, `${what} ${JSON.stringify(v)}`);
      }
    }
    // Only administrators: a user is refused both forms.
    for (const page of ['/account', `/devices/${A.own.id}/settings`]) {
      const res = await A.user.post(page, { action: 'retention', retention_days: '5' }, { from: '/profile' });
      assert.equal(res.status, 403, page);
    }
    assert.deepEqual(await state(), before);
  });

  test('the account default and a device window are set by the API and the dashboard, shown, and audited', async () => {
    let r = await api('GET', '/api/v1/account', { key: A.key });
    assert.equal(r.json.retention_days, null, 'unset: keep forever');
    r = await api('PATCH', '/api/v1/account', { key: A.key, json: { retention_days: 30 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.retention_days, 30);
    r = await api('PATCH', '/api/v1/account', { key: A.key, json: {} });
    assert.equal(r.status, 200, 'an empty patch changes nothing');
    assert.equal(r.json.retention_days, 30);

    // The dashboard: a separate block on the account page, the same value.
    let page = await A.admin.get('/account');
    assert.match(page.text, /<h2>Data retention<\/h2>/);
    assert.match(page.text, /name="retention_days" value="30"/);
    let res = await A.admin.post('/account', { action: 'retention', retention_days: '7' });
    assert.equal(res.status, 303);
    page = await A.admin.get(res.headers.location);
    assert.match(flashOf(page.text), /Data retention saved/);
    assert.equal((await api('GET', '/api/v1/account', { key: A.key })).json.retention_days, 7);

    // A device's own window, by the API and by its settings page.
    r = await api('PATCH', `/api/v1/devices/${A.own.id}`, { key: A.key, json: { retention_days: 5, name: 'Boiler' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.retention_days, 5);
    res = await A.admin.post(`/devices/${A.own.id}/settings`, { action: 'retention', retention_days: '2' });
    assert.equal(res.status, 303);
    page = await A.admin.get(`/devices/${A.own.id}/settings`);
    assert.match(page.text, /name="retention_days" value="2"/);
    const list = (await api('GET', '/api/v1/devices', { key: A.key })).json.devices;
    assert.deepEqual(Object.fromEntries(list.map((d) => [d.name, d.retention_days])),
      { Boiler: 2, Chiller: null, Pump: null });
    page = await A.admin.get(`/devices/${A.follows.id}/settings`);
    assert.match(page.text, /account default<\/span> Readings older than <strong>7 days/);

    // Set and unset again: null (API) and empty (dashboard) both mean "none of its own".
    r = await api('PATCH', `/api/v1/devices/${A.spare.id}`, { key: A.key, json: { retention_days: 1 } });
    assert.equal(r.json.retention_days, 1);
    r = await api('PATCH', `/api/v1/devices/${A.spare.id}`, { key: A.key, json: { retention_days: null } });
    assert.equal(r.json.retention_days, null);
    res = await A.admin.post(`/devices/${A.spare.id}/settings`, { action: 'retention', retention_days: '3' });
    res = await A.admin.post(`/devices/${A.spare.id}/settings`, { action: 'retention', retention_days: '' });
    assert.equal(res.status, 303);
    assert.equal((await api('GET', `/api/v1/devices/${A.spare.id}`, { key: A.key })).json.retention_days, null);

    const audit = stack.sql(`SELECT action, actor_label, target_id, detail FROM audit_log
      WHERE account_id = ${A.account.id} AND action LIKE '%.retention' ORDER BY id`);
    const web = 'admin@acme.example';
    assert.deepEqual(audit.map((x) => [x[0], x[1] === web ? 'dashboard' : 'api', x[2], x[3]]), [
      ['account.retention', 'api', 'Acme', '{"retention_days":30}'],
      ['account.retention', 'dashboard', 'Acme', '{"retention_days":7}'],
      ['device.retention', 'api', A.own.id, '{"retention_days":5}'],
      ['device.retention', 'dashboard', A.own.id, '{"retention_days":2}'],
      ['device.retention', 'api', A.spare.id, '{"retention_days":1}'],
      ['device.retention', 'api', A.spare.id, '{"retention_days":null}'],
      ['device.retention', 'dashboard', A.spare.id, '{"retention_days":3}'],
      ['device.retention', 'dashboard', A.spare.id, '{"retention_days":null}'],
    ]);
    assert.ok(audit.every((x) => x[1] !== ''), 'each change names who made it');
  });
});

describe('gaugectl prune', () => {
  const now = Date.now();
  const ages = [10, 5, 3, 1, 0].map((d) => now - d * DAY - 60e3);

  test('one pass deletes readings older than the window that applies, by their own time, in batches; unset keeps forever', async () => {
    // Windows from the tests above: account A 7 days, Boiler 2 (its own), Chiller and Pump the
    // default; account B none.  Chiller also has a backlog of 25 readings 8 to 9 days old.
    const backlog = Array.from({ length: 25 }, (_, i) => now - 8 * DAY - i * 3600e3);
    await ingest(A.own, ages);
    await ingest(A.follows, [...ages, ...backlog]);
    await ingest(B.keep, ages);
    const auditBefore = auditCount(A);

    const r = prune('--batch', '10');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out.batch, 10);
    assert.equal(r.out.devices_with_retention, 3, 'Boiler, Chiller and Pump; not Furnace');
    assert.equal(r.out.devices_pruned, 2);
    assert.equal(r.out.deleted, 3 + 26);
    const by = Object.fromEntries(r.out.pruned.map((p) => [p.device, p]));
    assert.deepEqual(Object.keys(by).sort(), [A.own.id, A.follows.id].sort());
    assert.equal(by[A.own.id].retention_days, 2, 'the device\'s own window beats the default');
    assert.equal(by[A.own.id].deleted, 3);
    assert.equal(by[A.own.id].batches, 1);
    assert.equal(by[A.follows.id].retention_days, 7);
    assert.equal(by[A.follows.id].deleted, 26);
    assert.equal(by[A.follows.id].batches, 3, '26 readings, 10 at a time');
    assert.equal(Date.parse(by[A.follows.id].from), ages[0], 'from: the oldest reading deleted');
    assert.ok(Math.abs(Date.parse(by[A.follows.id].to) - (now - 7 * DAY)) < 120e3, 'to: the cutoff');

    assert.deepEqual(await times(A, A.own), ages.slice(3), 'Boiler keeps its last 2 days');
    assert.deepEqual(await times(A, A.follows), ages.slice(1), 'Chiller keeps 7 days');
    assert.deepEqual(await times(B, B.keep), ages, 'no window: everything stays');

    // One audit record per device pruned, by "retention", before the delete, with the count.
    const audit = stack.sql(`SELECT actor_label, action, target_type, target_id, detail, result
      FROM audit_log WHERE account_id = ${A.account.id} AND actor_label = 'retention' ORDER BY id`);
    assert.equal(auditCount(A), auditBefore + 2);
    assert.deepEqual(audit.map((x) => [x[0], x[1], x[2], x[3], x[5]]).sort(), [
      ['retention', 'readings.delete', 'device', A.own.id, '3'],
      ['retention', 'readings.delete', 'device', A.follows.id, '26'],
    ].sort());
    for (const x of audit) {
      const d = JSON.parse(x[4]);
      assert.deepEqual(Object.keys(d), ['from', 'to', 'retention_days']);
      assert.equal(d.from, by[x[3]].from);
      assert.equal(d.to, by[x[3]].to);
    }
    assert.equal(stack.sql(`SELECT COUNT(*) FROM audit_log WHERE account_id = ${B.account.id}
      AND actor_label = 'retention'`)[0][0], '0');

    // The next pass finds nothing due and writes nothing.
    const again = prune();
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.out.deleted, 0);
    assert.deepEqual(again.out.pruned, []);
    assert.equal(auditCount(A), auditBefore + 2);
  });

  test('one pass at a time: while another holds the lock, a pass does nothing and says so', async () => {
    await ingest(A.own, [now - 4 * DAY]);
    const mysqlSocket = stack.sql('SELECT @@socket')[0][0];
    const holder = spawn('mariadb', ['--no-defaults', `--socket=${mysqlSocket}`, '-uroot', '-N', '-B', 'gauge', '-e',
      "SELECT GET_LOCK('gauge.retention', 0); SELECT SLEEP(30)"], { stdio: 'ignore' });
    try {
      for (let i = 0; stack.sql("SELECT IS_USED_LOCK('gauge.retention') IS NULL")[0][0] === '1'; i++) {
        assert.ok(i < 100, 'the lock was taken');
        await sleep(50);
      }
      const r = prune();
      assert.equal(r.status, 0);
      assert.equal(r.out, null, 'nothing printed: nothing done');
      assert.match(r.stderr, /another prune is running/);
      assert.equal((await times(A, A.own)).length, 3, 'the due reading is still there');
    } finally {
      holder.kill();
    }
    await new Promise((resolve) => (holder.exitCode !== null ? resolve() : holder.once('exit', resolve)));
    for (let i = 0; stack.sql("SELECT IS_USED_LOCK('gauge.retention') IS NULL")[0][0] !== '1'; i++) {
      assert.ok(i < 100, 'the lock was freed');
      await sleep(50);
    }
    const r = prune();
    assert.equal(r.out.deleted, 1);
  });
});
