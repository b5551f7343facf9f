// api-provisioning.test.mjs - provisioning over the API, end to end through
// lighttpd with TLS: devices and groups made, read, changed and deleted with
// an account key, the account key rotated with a grace period, epoch-second
// timestamps for small devices; every change audited like its dashboard
// twin, every refused request leaving the account exactly as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startStack } from '../stack/stack.mjs';
import { WebClient } from './web-client.mjs';

const PW = 'correct horse battery staple 42';
let stack;
let varDir;
let A;   // account A: key, group "Plant 1", device a1 in it, a viewer signed in
let B;   // account B: key, device b1, group

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-prov-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
  const acct = (name) => stack.ctl(['create-account', '--name', name]);
  const dev = (account, name, group) => stack.ctl(['create-device', '--account', String(account.id),
    '--name', name, ...(group ? ['--group', group] : [])]);
  const a = acct('Acme');
  A = { account: a, key: a.account_key, a1: dev(a, 'Boiler', 'Plant 1') };
  const b = acct('Other Co');
  B = { account: b, key: b.account_key, b1: dev(b, 'Furnace', 'Their plant') };
  stack.ctl(['create-user', '--account', String(a.id), '--email', 'viewer@acme.example', '--role', 'viewer',
    '--password-stdin'], `${PW}\n`);
  A.viewer = new WebClient(stack);
  assert.equal((await A.viewer.signIn('viewer@acme.example', PW)).status, 303);
  A.group = (await api('GET', '/api/v1/groups', { key: A.key })).json.groups.find((g) => g.name === 'Plant 1');
  B.group = (await api('GET', '/api/v1/groups', { key: B.key })).json.groups[0];
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

function api(method, p, { key, json, form, body, headers = {} } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  let payload = body;
  if (json !== undefined) { payload = JSON.stringify(json); h['content-type'] = 'application/json'; }
  if (form !== undefined) {
    payload = new URLSearchParams(form).toString();
    h['content-type'] = 'application/x-www-form-urlencoded';
  }
  return stack.client(method, p, { headers: h, body: payload });
}

const ingest = (dev, key, q = '', json = { values: { t: 1 } }) =>
  api('POST', `/api/v1/devices/${dev.id ?? dev}/readings${q}`, { key, json });

// What a refused request must leave untouched: every device and group of
// the account as the API lists them, the account keys, and the audit log.
async function state(acct) {
  const [devices, groups, keys] = await Promise.all(['/api/v1/devices', '/api/v1/groups', '/api/v1/account/keys']
    .map((p) => api('GET', p, { key: acct.key })));
  for (const r of [devices, groups, keys]) assert.equal(r.status, 200, r.text);
  const audit = stack.sql(`SELECT COUNT(*) FROM audit_log WHERE account_id = ${acct.account.id}`)[0][0];
  return { devices: devices.json, groups: groups.json, keys: keys.json.keys.map((k) => [k.id, k.status]), audit };
}

// Sends each request, checks status, code and pointer, and that nothing changed.
async function refusedAll(acct, cases) {
  const before = await state(acct);
  for (const [method, p, opts, status, code, pointer] of cases) {
    const r = await api(method, p, { key: acct.key, ...opts });
    const what = `${method} ${p} ${JSON.stringify(opts)}`;
    assert.equal(r.status, status, `${what}: ${r.text}`);
    assert.equal(r.json.code, code, what);
    if (pointer !== undefined) assert.equal(r.json.pointer, pointer, what);
    assert.deepEqual(await state(acct), before, `${what} changed nothing`);
  }
}

const auditOf = (target) => stack.sql(
  `SELECT action, actor_label, detail FROM audit_log WHERE target_id = '${target}' ORDER BY id`);

describe('devices', () => {
  test('create, get, patch, list, delete: one device through its whole life', async () => {
    const made = await api('POST', '/api/v1/devices', { key: A.key, json: { name: 'Kiln', group: A.group.id } });
    assert.equal(made.status, 201, made.text);
    const { device, key } = made.json;
    assert.match(device.id, /^dev_[A-Za-z0-9_-]{16}$/);
    assert.deepEqual({ ...device, id: undefined }, { id: undefined, name: 'Kiln',
      group: { id: A.group.id, name: 'Plant 1' }, public: false, last_seen: null, latest: null, retention_days: null });
    assert.match(key.key, /^gdk_/);
    assert.equal(key.prefix, key.key.slice(0, 12));

    assert.equal((await ingest(device, key.key)).status, 201, 'its key works at once');
    const got = await api('GET', `/api/v1/devices/${device.id}`, { key: A.key });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.json.latest.values, { t: 1 });
    assert.equal(got.json.name, 'Kiln');
    assert.equal(JSON.stringify(got.json).includes(key.key), false, 'the key is never shown again');

    const patched = await api('PATCH', `/api/v1/devices/${device.id}`,
      { key: A.key, json: { name: 'Kiln 2', group: null, public: true } });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual([patched.json.name, patched.json.group, patched.json.public], ['Kiln 2', null, true]);
    const back = await api('PATCH', `/api/v1/devices/${device.id}`, { key: A.key, json: { group: A.group.id } });
    assert.deepEqual(back.json.group, { id: A.group.id, name: 'Plant 1' });

    const list = await api('GET', '/api/v1/devices', { key: A.key });
    const listed = list.json.devices.find((d) => d.id === device.id);
    assert.deepEqual(listed, (await api('GET', `/api/v1/devices/${device.id}`, { key: A.key })).json,
      'one device reads as the list shows it');

    const del = await api('DELETE', `/api/v1/devices/${device.id}`, { key: A.key });
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(del.json, { deleted: device.id, readings_deleted: 1 });
    assert.equal((await api('GET', `/api/v1/devices/${device.id}`, { key: A.key })).status, 404);
    assert.equal((await api('DELETE', `/api/v1/devices/${device.id}`, { key: A.key })).status, 404);
    assert.equal((await api('GET', '/api/v1/devices', { key: A.key })).json.devices.some((d) => d.id === device.id), false);

    const audit = auditOf(device.id);
    assert.deepEqual(audit.map((r) => r[0]), ['device.create', 'device.rename', 'device.move', 'device.public_on',
      'device.move', 'device.delete'], 'audited with the dashboard\'s action names');
    assert.ok(audit.every((r) => r[1] === A.key.slice(0, 12)), 'the actor is the account key');
    assert.deepEqual(JSON.parse(audit.at(-1)[2]), { readings_deleted: 1 });
  });

  // Workers remember keys for a second (key_cache.h): the delete answers only
  // once no worker still accepts the device's keys.
  test('a deleted device\'s key is refused by every worker the moment the delete answers', async () => {
    const { device, key } = (await api('POST', '/api/v1/devices', { key: A.key, json: { name: 'Doomed' } })).json;
    const burst = () => Promise.all(Array.from({ length: 24 }, () => ingest(device, key.key)));
    assert.deepEqual(new Set((await burst()).map((r) => r.status)), new Set([201]));
    assert.equal((await api('DELETE', `/api/v1/devices/${device.id}`, { key: A.key })).status, 200);
    assert.deepEqual(new Set((await burst()).map((r) => r.status)), new Set([401]));
  });

  test('a device without a group, and an empty PATCH that changes nothing', async () => {
    const made = await api('POST', '/api/v1/devices', { key: A.key, json: { name: 'Loner', group: null } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.device.group, null);
    const before = await state(A);
    const r = await api('PATCH', `/api/v1/devices/${made.json.device.id}`, { key: A.key, json: {} });
    assert.equal(r.status, 200);
    assert.deepEqual(await state(A), before);
  });

  test('bad device requests are refused with the dashboard\'s words and change nothing', async () => {
    const a1 = `/api/v1/devices/${A.a1.id}`;
    const NAME = 'A device name is 1 to 100 characters of text.';
    await refusedAll(A, [
      ['POST', '/api/v1/devices', { json: {} }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/devices', { json: { name: '' } }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/devices', { json: { name: ' padded' } }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/devices', { json: { name: 'x'.repeat(101) } }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/devices', { json: { name: 'bell\u0007' } }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/devices', { json: { name: 42 } }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/devices', { json: { name: 'Ok', group: 'grp_AAAAAAAAAAAAAAAA' } }, 422, 'invalid_field', '/group'],
      ['POST', '/api/v1/devices', { json: { name: 'Ok', group: 'not an id' } }, 422, 'invalid_field', '/group'],
      ['POST', '/api/v1/devices', { json: { name: 'Ok', group: B.group.id } }, 422, 'invalid_field', '/group'],
      ['POST', '/api/v1/devices', { json: { name: 'Ok', group: 7 } }, 422, 'invalid_field', '/group'],
      ['POST', '/api/v1/devices', { json: { name: 'Ok', group: '' } }, 422, 'invalid_field', '/group'],
      ['POST', '/api/v1/devices', { json: { name: 'Ok', colour: 'red' } }, 400, 'unknown_field', '/colour'],
      ['POST', '/api/v1/devices', { json: { name: 'Ok', 'a/b': 1 } }, 400, 'unknown_field', '/a~1b'],
      ['POST', '/api/v1/devices', { json: ['Ok'] }, 400, 'malformed_json'],
      ['POST', '/api/v1/devices', { body: '{"name": "a", "name": "b"}', headers: { 'content-type': 'application/json' } }, 400, 'malformed_json'],
      ['POST', '/api/v1/devices', { body: '{"name": "Ok"', headers: { 'content-type': 'application/json' } }, 400, 'malformed_json'],
      ['POST', '/api/v1/devices', { form: { name: 'Ok' } }, 415, 'unsupported_media_type'],
      ['PATCH', a1, { json: { name: '' } }, 422, 'invalid_field', '/name'],
      ['PATCH', a1, { json: { name: 'Renamed', public: 'yes' } }, 422, 'invalid_field', '/public'],
      ['PATCH', a1, { json: { name: 'Renamed', group: 'grp_AAAAAAAAAAAAAAAA' } }, 422, 'invalid_field', '/group'],
      ['PATCH', a1, { json: { name: 'Renamed', nme: 'typo' } }, 400, 'unknown_field', '/nme'],
      ['PATCH', `/api/v1/devices/${B.b1.id}`, { json: { name: 'Mine now' } }, 404, 'not_found'],
      ['PATCH', '/api/v1/devices/dev_AAAAAAAAAAAAAAAA', { json: { name: 'Ghost' } }, 404, 'not_found'],
      ['DELETE', `/api/v1/devices/${B.b1.id}`, {}, 404, 'not_found'],
      ['DELETE', '/api/v1/devices/nonsense', {}, 404, 'not_found'],
      ['GET', `/api/v1/devices/${B.b1.id}`, {}, 404, 'not_found'],
    ]);
    const r = await api('POST', '/api/v1/devices', { key: A.key, json: { name: '' } });
    assert.equal(r.json.message, NAME, 'the dashboard\'s words');
    const g = await api('POST', '/api/v1/devices', { key: A.key, json: { name: 'Ok', group: 'grp_AAAAAAAAAAAAAAAA' } });
    assert.equal(g.json.message, 'There is no such group in your account.');
    const u = await api('POST', '/api/v1/devices', { key: A.key, json: { name: 'Ok', colour: 'red' } });
    assert.match(u.json.message, /'colour'.*name, group/);
    assert.equal((await api('GET', `/api/v1/devices/${B.b1.id}`, { key: B.key })).json.name, 'Furnace',
      'the other account\'s device is untouched');
  });
});

describe('groups', () => {
  test('create, rename, delete: its devices stay, ungrouped', async () => {
    const made = await api('POST', '/api/v1/groups', { key: A.key, json: { name: 'Line 2' } });
    assert.equal(made.status, 201, made.text);
    assert.match(made.json.id, /^grp_/);
    assert.deepEqual({ ...made.json, id: 0 }, { id: 0, name: 'Line 2', devices: 0 });
    const gid = made.json.id;
    const dev = (await api('POST', '/api/v1/devices', { key: A.key, json: { name: 'Press', group: gid } })).json.device;
    const renamed = await api('PATCH', `/api/v1/groups/${gid}`, { key: A.key, json: { name: 'Line Two' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual(renamed.json, { id: gid, name: 'Line Two', devices: 1 });
    assert.deepEqual((await api('GET', `/api/v1/groups/${gid}/latest`, { key: A.key })).json.devices.map((d) => d.id), [dev.id]);
    const del = await api('DELETE', `/api/v1/groups/${gid}`, { key: A.key });
    assert.deepEqual([del.status, del.json], [200, { deleted: gid }]);
    const after = await api('GET', `/api/v1/devices/${dev.id}`, { key: A.key });
    assert.deepEqual([after.status, after.json.group], [200, null], 'the device stays, ungrouped');
    assert.equal((await api('GET', '/api/v1/groups', { key: A.key })).json.groups.some((g) => g.id === gid), false);
    assert.equal((await api('DELETE', `/api/v1/groups/${gid}`, { key: A.key })).status, 404);
    assert.deepEqual(auditOf(gid).map((r) => r[0]), ['group.create', 'group.rename', 'group.delete']);
    assert.ok(auditOf(gid).every((r) => r[1] === A.key.slice(0, 12)));
  });

  test('bad group requests are refused with the dashboard\'s words and change nothing', async () => {
    const other = (await api('POST', '/api/v1/groups', { key: A.key, json: { name: 'Spare' } })).json;
    const g = `/api/v1/groups/${A.group.id}`;
    await refusedAll(A, [
      ['POST', '/api/v1/groups', { json: {} }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/groups', { json: { name: '' } }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/groups', { json: { name: null } }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/groups', { json: { name: 'y'.repeat(101) } }, 422, 'invalid_field', '/name'],
      ['POST', '/api/v1/groups', { json: { name: 'Plant 1' } }, 409, 'duplicate_name', '/name'],
      ['POST', '/api/v1/groups', { json: { name: 'New', devices: [] } }, 400, 'unknown_field', '/devices'],
      ['POST', '/api/v1/groups', { form: { name: 'New' } }, 415, 'unsupported_media_type'],
      ['PATCH', g, { json: { name: 'Spare' } }, 409, 'duplicate_name', '/name'],
      ['PATCH', g, { json: { name: '\t' } }, 422, 'invalid_field', '/name'],
      ['PATCH', g, { json: { name: 'Plant One', id: 'grp_x' } }, 400, 'unknown_field', '/id'],
      ['PATCH', `/api/v1/groups/${B.group.id}`, { json: { name: 'Mine' } }, 404, 'not_found'],
      ['PATCH', '/api/v1/groups/grp_AAAAAAAAAAAAAAAA', { json: { name: 'Ghost' } }, 404, 'not_found'],
      ['DELETE', `/api/v1/groups/${B.group.id}`, {}, 404, 'not_found'],
      ['DELETE', '/api/v1/groups/nonsense', {}, 404, 'not_found'],
    ]);
    const dup = await api('POST', '/api/v1/groups', { key: A.key, json: { name: 'Plant 1' } });
    assert.equal(dup.json.message, 'A group with this name already exists.');
    const bad = await api('POST', '/api/v1/groups', { key: A.key, json: { name: '' } });
    assert.equal(bad.json.message, 'A group name is 1 to 100 characters of text.');
    assert.equal((await api('DELETE', `/api/v1/groups/${other.id}`, { key: A.key })).status, 200);
  });
});

describe('account key', () => {
  test('rotation with grace: the old key works until the grace ends; the keys list says so', async () => {
    const c = stack.ctl(['create-account', '--name', 'Rotating Co']);
    const r = await api('POST', '/api/v1/account/key/rotate', { key: c.account_key, json: { grace_seconds: 2 } });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.key, /^gak_/);
    assert.equal(r.json.grace_seconds, 2);
    assert.equal((await api('GET', '/api/v1/account', { key: c.account_key })).status, 200, 'old key in grace');
    const keys = await api('GET', '/api/v1/account/keys', { key: r.json.key });
    assert.equal(keys.status, 200, keys.text);
    const [newest, old] = keys.json.keys;
    assert.deepEqual([newest.id, newest.prefix, newest.status, newest.active], [r.json.id, r.json.prefix, 'active', true]);
    assert.deepEqual([old.prefix, old.status], [c.account_key.slice(0, 12), 'active']);
    assert.ok(Date.parse(old.expires_at) > Date.now(), 'the old key shows when it ends');
    assert.deepEqual(Object.keys(old).sort(), ['active', 'created_at', 'expires_at', 'id', 'last_used_at',
      'last_used_from', 'prefix', 'revoked_at', 'status'], 'the device keys list\'s fields');
    await sleep(2500);
    assert.equal((await api('GET', '/api/v1/account', { key: c.account_key })).status, 401, 'old key after grace');
    assert.equal((await api('GET', '/api/v1/account', { key: r.json.key })).status, 200);
    const later = (await api('GET', '/api/v1/account/keys', { key: r.json.key })).json.keys;
    assert.deepEqual(later.map((k) => k.status), ['active', 'expired']);
    const [row] = stack.sql(`SELECT action, actor_label, detail FROM audit_log WHERE account_id = ${c.id}
      AND action = 'key.account_regenerate'`);
    assert.equal(row[1], c.account_key.slice(0, 12));
    assert.deepEqual(JSON.parse(row[2]), { new_key: r.json.prefix, grace_seconds: 2 });
  });

  test('rotation without grace: the calling key itself stops at once', async () => {
    const c = stack.ctl(['create-account', '--name', 'Abrupt Co']);
    const r = await api('POST', '/api/v1/account/key/rotate', { key: c.account_key });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.grace_seconds, 0);
    assert.equal((await api('GET', '/api/v1/account', { key: c.account_key })).status, 401);
    assert.equal((await api('GET', '/api/v1/account', { key: r.json.key })).status, 200);
  });

  test('bad rotations are refused with the device rotation\'s limits and change nothing', async () => {
    const rotate = '/api/v1/account/key/rotate';
    await refusedAll(A, [
      ['POST', rotate, { json: { grace_seconds: -1 } }, 422, 'invalid_field', '/grace_seconds'],
      ['POST', rotate, { json: { grace_seconds: 30 * 86400 + 1 } }, 422, 'invalid_field', '/grace_seconds'],
      ['POST', rotate, { json: { grace_seconds: 1.5 } }, 422, 'invalid_field', '/grace_seconds'],
      ['POST', rotate, { json: { grace_seconds: '60' } }, 422, 'invalid_field', '/grace_seconds'],
      ['POST', rotate, { json: { grace: 60 } }, 400, 'unknown_field', '/grace'],
      ['POST', rotate, { form: { grace_seconds: '60' } }, 415, 'unsupported_media_type'],
    ]);
    const dev = `/api/v1/devices/${A.a1.id}/keys/rotate`;
    for (const json of [{ grace_seconds: 30 * 86400 + 1 }, { grace_seconds: -1 }]) {
      const a = await api('POST', rotate, { key: A.key, json });
      const d = await api('POST', dev, { key: A.key, json });
      assert.deepEqual([a.status, a.json.message], [d.status, d.json.message], 'one rule for both kinds of key');
    }
  });
});

describe('who may provision', () => {
  const routes = () => [
    ['POST', '/api/v1/devices', { json: { name: 'Sneaky' } }],
    ['GET', `/api/v1/devices/${A.a1.id}`, {}],
    ['PATCH', `/api/v1/devices/${A.a1.id}`, { json: { name: 'Sneaky' } }],
    ['DELETE', `/api/v1/devices/${A.a1.id}`, {}],
    ['POST', '/api/v1/groups', { json: { name: 'Sneaky' } }],
    ['PATCH', `/api/v1/groups/${A.group.id}`, { json: { name: 'Sneaky' } }],
    ['DELETE', `/api/v1/groups/${A.group.id}`, {}],
    ['POST', '/api/v1/account/key/rotate', { json: { grace_seconds: 0 } }],
    ['GET', '/api/v1/account/keys', {}],
  ];

  test('a device key is refused (403 forbidden), and changes nothing', async () => {
    const before = await state(A);
    for (const [method, p, opts] of routes()) {
      const r = await api(method, p, { key: A.a1.key, ...opts });
      assert.deepEqual([r.status, r.json.code], [403, 'forbidden'], `${method} ${p}`);
    }
    assert.deepEqual(await state(A), before);
    assert.equal((await ingest(A.a1, A.a1.key)).status, 201, 'the device key still works for its data');
  });

  test('another device\'s key and another account\'s key find no such device (404)', async () => {
    for (const key of [B.b1.key, B.key]) {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const r = await api(method, `/api/v1/devices/${A.a1.id}`, { key, json: method === 'PATCH' ? { name: 'x' } : undefined });
        assert.deepEqual([r.status, r.json.code], [404, 'not_found'], `${method} with ${key.slice(0, 4)}`);
      }
    }
    assert.equal((await api('PATCH', `/api/v1/groups/${A.group.id}`, { key: B.key, json: { name: 'x' } })).status, 404);
  });

  test('without a key, a viewer\'s session included, nothing is reachable (401)', async () => {
    const before = await state(A);
    for (const [method, p, opts] of routes()) {
      const r = await api(method, p, opts);
      assert.deepEqual([r.status, r.json.code], [401, 'missing_key'], `${method} ${p}`);
      const cookie = [...A.viewer.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const v = await api(method, p, { ...opts, headers: { cookie } });
      assert.equal(v.status, 401, `${method} ${p} with a viewer's session`);
    }
    assert.deepEqual(await state(A), before);
  });
});

describe('timestamps for small devices: precision=s|ms', () => {
  const T = 1790000000;   // 2026-09-21T14:13:20Z in epoch seconds
  const latest = async (dev) => (await api('GET', `/api/v1/devices/${dev.id}/latest`, { key: dev.key })).json.reading;
  let dev;
  before(async () => {
    dev = stack.ctl(['create-device', '--account', String(A.account.id), '--name', 'Tiny sensor']);
  });

  test('precision=s reads a JSON or form ts as whole epoch seconds, exactly', async () => {
    assert.equal((await ingest(dev, dev.key, '?precision=s', { ts: T, values: { t: 1 } })).status, 201);
    assert.equal((await latest(dev)).ts, '2026-09-21T14:13:20.000Z');
    const form = await api('POST', `/api/v1/devices/${dev.id}/readings?precision=s`,
      { form: { api_key: dev.key, ts: String(T + 1), t: '2' } });
    assert.equal(form.status, 201, form.text);
    assert.equal((await latest(dev)).ts, '2026-09-21T14:13:21.000Z');
    const batch = await ingest(dev, dev.key, '?precision=s', { readings: [{ ts: T + 2, values: { t: 3 } },
      { ts: '2026-09-21T14:13:23.250Z', values: { t: 4 } }] });
    assert.equal(batch.status, 201, batch.text);
    assert.equal((await latest(dev)).ts, '2026-09-21T14:13:23.250Z', 'ISO 8601 keeps working, to the millisecond');
  });

  test('the default, and precision=ms, is epoch milliseconds; nothing is guessed from the size', async () => {
    assert.equal((await ingest(dev, dev.key, '?precision=ms', { ts: (T + 10) * 1000 + 5, values: { t: 5 } })).status, 201);
    assert.equal((await latest(dev)).ts, '2026-09-21T14:13:30.005Z');
    assert.equal((await ingest(dev, dev.key, '', { ts: (T + 11) * 1000, values: { t: 6 } })).status, 201);
    assert.equal((await latest(dev)).ts, '2026-09-21T14:13:31.000Z');
    const seconds = await ingest(dev, dev.key, '', { ts: T + 12, values: { t: 7 } });
    assert.equal(seconds.status, 422, 'seconds without precision=s are not taken for milliseconds');
    assert.match(seconds.json.message, /precision=s/);
    const millis = await ingest(dev, dev.key, '?precision=s', { ts: (T + 12) * 1000, values: { t: 7 } });
    assert.equal(millis.status, 422, 'milliseconds with precision=s are far in the future');
  });

  test('a bad precision, a fraction or an overflow is refused and stores nothing', async () => {
    const count = async () => (await api('GET', `/api/v1/devices/${dev.id}/readings?limit=1000`, { key: dev.key })).json.readings.length;
    const n = await count();
    for (const q of ['?precision=us', '?precision=S', '?precision=', '?precision=seconds', '?precision=s&precision=ms']) {
      const r = await ingest(dev, dev.key, q, { ts: T, values: { t: 1 } });
      assert.equal(r.status, 400, q);
      assert.match(r.json.message, /precision/, `${q}: the error names the parameter`);
    }
    const form = await api('POST', `/api/v1/devices/${dev.id}/readings?precision=sec`, { form: { api_key: dev.key, t: '1' } });
    assert.deepEqual([form.status, form.json.code], [400, 'bad_param']);
    for (const ts of [T + 0.5, 9223372036854775807n, '1790000000.5']) {
      const body = `{"ts": ${typeof ts === 'string' ? JSON.stringify(ts) : ts.toString()}, "values": {"t": 1}}`;
      const r = await api('POST', `/api/v1/devices/${dev.id}/readings?precision=s`,
        { key: dev.key, body, headers: { 'content-type': 'application/json' } });
      assert.deepEqual([r.status, r.json.pointer], [422, '/ts'], body);
    }
    assert.equal(await count(), n);
  });
});
