// api.test.mjs - the device-data API, end to end through lighttpd with TLS:
// keys and access, ingest, reading back, downsampling, CSV, delete, rate
// limits.  Every expected value is computed here, independently of the app.
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startStack } from '../stack/stack.mjs';

const RATE_LIMIT = 400;
let stack;
let varDir;
let A;   // account A: key, devices a1 (in group), a2
let B;   // account B: device b1

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-api-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, plainHttp: true, rateLimit: RATE_LIMIT });
  const acct = (name) => stack.ctl(['create-account', '--name', name]);
  const dev = (account, name, group) => stack.ctl(['create-device', '--account', String(account.id),
    '--name', name, ...(group ? ['--group', group] : [])]);
  const a = acct('Acme');
  A = { account: a, key: a.account_key, a1: dev(a, 'Boiler', 'Plant 1'), a2: dev(a, 'Chiller'),
    a3: dev(a, 'Pump', 'Plant 1') };
  const b = acct('Other Co');
  B = { account: b, key: b.account_key, b1: dev(b, 'Furnace') };
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

// One API call: key in the Authorization header unless told otherwise.
function api(method, p, { key, json, form, body, headers = {}, accept } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  if (accept) h.accept = accept;
  let payload = body;
  if (json !== undefined) { payload = JSON.stringify(json); h['content-type'] = 'application/json'; }
  if (form !== undefined) {
    payload = new URLSearchParams(form).toString();
    h['content-type'] = 'application/x-www-form-urlencoded';
  }
  return stack.client(method, p, { headers: h, body: payload });
}

const readingsPath = (dev, q = '') => `/api/v1/devices/${dev.id}/readings${q}`;
const T0 = Date.UTC(2026, 9, 1, 0, 0, 0);   // 2026-10-01T00:00:00Z

async function followAll(first, key) {
  const seen = [];
  let next = first;
  while (next) {
    const r = await api('GET', next, { key });
    assert.equal(r.status, 200, r.text);
    seen.push(...r.json.readings);
    next = r.json.next;
  }
  return seen;
}

describe('ingest', () => {
  test('one JSON reading with a device key is stored: 201 with counts', async () => {
    const r = await api('POST', readingsPath(A.a1),
      { key: A.a1.key, json: { ts: '2026-10-01T00:00:00Z', values: { temp: 21.5, rh: 40 } } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.json.stored, r.json.duplicates], [1, 0]);
    const latest = await api('GET', `/api/v1/devices/${A.a1.id}/latest`, { key: A.a1.key });
    assert.equal(latest.json.reading.ts, '2026-10-01T00:00:00.000Z');
    assert.deepEqual(latest.json.reading.values, { temp: 21.5, rh: 40 });
    assert.ok(Date.parse(latest.json.reading.received_at) > Date.now() - 60000, 'received time recorded');
  });

  test('a simple device can post a form with api_key in the body', async () => {
    const r = await api('POST', readingsPath(A.a2), { form: { api_key: A.a2.key, temp: '19.25', rh: '55' } });
    assert.equal(r.status, 201, r.text);
    const latest = await api('GET', `/api/v1/devices/${A.a2.id}/latest`, { key: A.a2.key });
    assert.deepEqual(latest.json.reading.values, { temp: 19.25, rh: 55 });
  });

  test('a batch of 1000 readings is stored whole', async () => {
    const readings = Array.from({ length: 1000 }, (_, i) => ({ ts: T0 + 86400000 + i * 1000, values: { temp: i } }));
    const r = await api('POST', readingsPath(A.a3), { key: A.a3.key, json: { readings } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.stored, 1000);
  });

  test('a resent batch stores nothing twice (client ids, unique index)', async () => {
    const readings = Array.from({ length: 20 }, (_, i) => ({ id: `batch7-${i}`, ts: T0 + i, values: { p: i } }));
    const first = await api('POST', readingsPath(A.a2), { key: A.a2.key, json: { readings } });
    assert.deepEqual([first.status, first.json.stored, first.json.duplicates], [201, 20, 0]);
    const again = await api('POST', readingsPath(A.a2), { key: A.a2.key, json: { readings } });
    assert.deepEqual([again.status, again.json.stored, again.json.duplicates], [201, 0, 20]);
    const mixed = [...readings.slice(0, 5), { id: 'batch7-new', ts: T0 + 99, values: { p: 99 } }];
    const third = await api('POST', readingsPath(A.a2), { key: A.a2.key, json: { readings: mixed } });
    assert.deepEqual([third.json.stored, third.json.duplicates], [1, 5]);
    const all = await followAll(readingsPath(A.a2, `?from=${T0}&to=${T0 + 1000}&limit=1000`), A.a2.key);
    assert.equal(all.length, 21, 'each id is stored exactly once');
    // the same client id on another device is a different reading
    const other = await api('POST', readingsPath(A.a1), { key: A.a1.key, json: { id: 'batch7-0', values: { p: 1 } } });
    assert.equal(other.json.stored, 1);
  });

  test('a batch with one bad reading stores none of it and names the reading and field', async () => {
    const before = (await followAll(readingsPath(A.a1, '?limit=1000'), A.a1.key)).length;
    const readings = [{ values: { temp: 1 } }, { values: { temp: 2 } }, { values: { temp: 'hot' } }, { values: { temp: 4 } }];
    const r = await api('POST', readingsPath(A.a1), { key: A.a1.key, json: { readings } });
    assert.equal(r.status, 422);
    assert.equal(r.json.code, 'invalid_reading');
    assert.match(r.json.message, /reading 2: values\.temp/);
    const after = (await followAll(readingsPath(A.a1, '?limit=1000'), A.a1.key)).length;
    assert.equal(after, before);
  });

  test('readings too far in the future are refused', async () => {
    const r = await api('POST', readingsPath(A.a1), { key: A.a1.key, json: { ts: Date.now() + 3600000, values: { t: 1 } } });
    assert.equal(r.status, 422);
    assert.match(r.json.message, /future/);
  });

  test('there is no way to modify a stored reading', async () => {
    for (const method of ['PUT', 'PATCH']) {
      const r = await api(method, readingsPath(A.a1), { key: A.key, json: { values: { temp: 0 } } });
      assert.equal(r.status, 405, method);
      assert.doesNotMatch(r.headers.allow, /PUT|PATCH/);
    }
  });
});

describe('status codes', () => {
  test('400 malformed JSON, 413 too many readings, 415 wrong content type', async () => {
    const bad = await api('POST', readingsPath(A.a1), { key: A.a1.key, body: '{"values": {', headers: { 'content-type': 'application/json' } });
    assert.deepEqual([bad.status, bad.json.code], [400, 'malformed_json']);
    const big = await api('POST', readingsPath(A.a1), { key: A.a1.key,
      json: { readings: Array.from({ length: 1001 }, () => ({ values: { t: 1 } })) } });
    assert.deepEqual([big.status, big.json.code], [413, 'batch_too_large']);
    const text = await api('POST', readingsPath(A.a1), { key: A.a1.key, body: 'temp 21', headers: { 'content-type': 'text/plain' } });
    assert.deepEqual([text.status, text.json.code], [415, 'unsupported_media_type']);
  });

  test('401 without a key or with a wrong, revoked or malformed one', async () => {
    const none = await api('POST', readingsPath(A.a1), { json: { values: { t: 1 } } });
    assert.deepEqual([none.status, none.json.code], [401, 'missing_key']);
    assert.match(none.headers['www-authenticate'], /^Bearer/);
    const wrong = await api('POST', readingsPath(A.a1), { key: `gdk_${'A'.repeat(43)}`, json: { values: { t: 1 } } });
    assert.deepEqual([wrong.status, wrong.json.code], [401, 'invalid_key']);
    const junk = await api('POST', readingsPath(A.a1), { key: 'hunter2', json: { values: { t: 1 } } });
    assert.deepEqual([junk.status, junk.json.code], [401, 'invalid_key']);
    const basic = await api('GET', readingsPath(A.a1), { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    assert.equal(basic.status, 401);
  });

  test('400 for a key in the URL, so keys stay out of logs', async () => {
    const r = await api('GET', readingsPath(A.a1, `?api_key=${A.a1.key}`));
    assert.deepEqual([r.status, r.json.code], [400, 'key_in_url']);
  });

  test('403 for a device key on account endpoints and on deletes', async () => {
    for (const p of ['/api/v1/devices', '/api/v1/groups', '/api/v1/account']) {
      const r = await api('GET', p, { key: A.a1.key });
      assert.deepEqual([r.status, r.json.code], [403, 'forbidden'], p);
    }
    const del = await api('DELETE', readingsPath(A.a1, `?from=${T0}&to=${T0 + 1}`), { key: A.a1.key });
    assert.equal(del.status, 403);
  });

  test('404: a sibling device, another account\'s device and an unknown device look the same', async () => {
    const attempts = [
      [A.a1.key, A.a2], [A.a1.key, B.b1], [A.key, B.b1],
      [A.a1.key, { id: 'dev_doesNotExist000' }],
    ];
    const bodies = [];
    for (const [key, dev] of attempts) {
      for (const method of ['GET', 'POST']) {
        const r = await api(method, readingsPath(dev), { key, json: method === 'POST' ? { values: { t: 1 } } : undefined });
        assert.equal(r.status, 404, `${method} ${dev.id}`);
        bodies.push(JSON.stringify({ ...r.json, request_id: undefined }));
      }
    }
    assert.equal(new Set(bodies).size, 1, 'identical answers');
    const anon = await api('GET', readingsPath(B.b1));
    const anonUnknown = await api('GET', readingsPath({ id: 'dev_doesNotExist000' }));
    assert.equal(anon.status, 401);
    assert.equal(anonUnknown.status, 401, 'without a key, unknown and private look the same too');
  });

  test('credentials over plain HTTP are refused; the key is never looked up', async () => {
    const r = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: stack.plainHttpPort, method: 'POST',
        path: readingsPath(A.a1), headers: { authorization: `Bearer ${A.a1.key}`, 'content-type': 'application/json' } },
      (res) => { let t = ''; res.on('data', (d) => { t += d; }); res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(t) })); });
      req.on('error', reject);
      req.end(JSON.stringify({ values: { t: 1 } }));
    });
    assert.deepEqual([r.status, r.json.code], [403, 'https_required']);
  });

  test('503 while MongoDB is down, nothing stored, and service returns by itself', async () => {
    const count = async () => (await followAll(readingsPath(A.a2, '?limit=1000'), A.a2.key)).length;
    const before = await count();
    await stack.stopMongo();
    try {
      const r = await api('POST', readingsPath(A.a2), { key: A.a2.key, json: { values: { t: 1 } } });
      assert.deepEqual([r.status, r.json.code], [503, 'unavailable']);
    } finally {
      await stack.startMongo();
    }
    let after;
    for (let i = 0; i < 50; i++) {
      const r = await api('GET', readingsPath(A.a2, '?limit=1'), { key: A.a2.key });
      if (r.status === 200) { after = await count(); break; }
      await sleep(200);
    }
    assert.equal(after, before, 'the refused reading was not stored');
  });
});

describe('keys', () => {
  async function freshDevice(name) {
    return stack.ctl(['create-device', '--account', String(A.account.id), '--name', name]);
  }
  const post = (dev, key) => api('POST', readingsPath(dev), { key, json: { values: { t: 1 } } });

  test('an account key reaches every device of its account', async () => {
    for (const dev of [A.a1, A.a2, A.a3]) {
      assert.equal((await post(dev, A.key)).status, 201);
      assert.equal((await api('GET', readingsPath(dev, '?limit=1'), { key: A.key })).status, 200);
    }
  });

  test('rotation without grace: the old key stops at once, the new one works', async () => {
    const dev = await freshDevice('Rotor 1');
    const r = await api('POST', `/api/v1/devices/${dev.id}/keys/rotate`, { key: A.key });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.key, /^gdk_/);
    assert.equal((await post(dev, dev.key)).status, 401);
    assert.equal((await post(dev, r.json.key)).status, 201);
  });

  test('rotation with grace: both keys work until the grace period ends', async () => {
    const dev = await freshDevice('Rotor 2');
    const r = await api('POST', `/api/v1/devices/${dev.id}/keys/rotate`, { key: A.key, json: { grace_seconds: 2 } });
    assert.equal(r.status, 201, r.text);
    assert.equal((await post(dev, dev.key)).status, 201, 'old key in grace');
    assert.equal((await post(dev, r.json.key)).status, 201, 'new key');
    await sleep(2500);
    assert.equal((await post(dev, dev.key)).status, 401, 'old key after grace');
    assert.equal((await post(dev, r.json.key)).status, 201);
  });

  test('bad rotation requests change nothing', async () => {
    const dev = await freshDevice('Rotor 3');
    for (const json of [{ grace_seconds: -1 }, { grace_seconds: 'soon' }, { grace_seconds: 99999999 }]) {
      const r = await api('POST', `/api/v1/devices/${dev.id}/keys/rotate`, { key: A.key, json });
      assert.equal(r.status, 422, JSON.stringify(json));
    }
    const unknown = await api('POST', `/api/v1/devices/${dev.id}/keys/rotate`, { key: A.key, json: { grace: 5 } });
    assert.deepEqual([unknown.status, unknown.json.code, unknown.json.pointer], [400, 'unknown_field', '/grace']);
    assert.equal((await post(dev, dev.key)).status, 201, 'the key still works');
    const byDevice = await api('POST', `/api/v1/devices/${dev.id}/keys/rotate`, { key: dev.key });
    assert.equal(byDevice.status, 403, 'a device cannot rotate its own key');
  });

  test('revocation stops a key at once; keys list when and from where they were last used', async () => {
    const dev = await freshDevice('Revokee');
    assert.equal((await post(dev, dev.key)).status, 201);
    const list = await api('GET', `/api/v1/devices/${dev.id}/keys`, { key: A.key });
    assert.equal(list.status, 200);
    const [k] = list.json.keys;
    assert.equal(k.prefix, dev.key.slice(0, 12));
    assert.equal(k.last_used_from, '127.0.0.1');
    assert.ok(k.last_used_at);
    assert.equal(JSON.stringify(list.json).includes(dev.key), false, 'the key itself is never shown again');
    const rev = await api('DELETE', `/api/v1/devices/${dev.id}/keys/${k.id}`, { key: A.key });
    assert.equal(rev.status, 200);
    assert.equal((await post(dev, dev.key)).status, 401);
    const again = await api('DELETE', `/api/v1/devices/${dev.id}/keys/${k.id}`, { key: A.key });
    assert.equal(again.status, 404);
    const foreign = await api('DELETE', `/api/v1/devices/${B.b1.id}/keys/1`, { key: A.key });
    assert.equal(foreign.status, 404);
    const audit = stack.sql(`SELECT action, actor_label FROM audit_log WHERE target_id = '${dev.id}' ORDER BY id`);
    assert.deepEqual(audit.map((r) => r[0]), ['device.create', 'key.revoke']);
    assert.equal(audit[1][1], A.key.slice(0, 12));
  });

  // Workers remember keys they have just seen (key_cache.h); revoking must
  // still win on every one of them the moment it is reported done.
  test('a revoked key is refused by every worker at once, though each had just accepted it', async () => {
    const dev = await freshDevice('Busy revokee');
    const burst = (key) => Promise.all(Array.from({ length: 24 }, () => post(dev, key)));
    assert.deepEqual(new Set((await burst(dev.key)).map((r) => r.status)), new Set([201]));
    const [k] = (await api('GET', `/api/v1/devices/${dev.id}/keys`, { key: A.key })).json.keys;
    assert.equal((await api('DELETE', `/api/v1/devices/${dev.id}/keys/${k.id}`, { key: A.key })).status, 200);
    assert.deepEqual(new Set((await burst(dev.key)).map((r) => r.status)), new Set([401]));
    const rot = await api('POST', `/api/v1/devices/${dev.id}/keys/rotate`, { key: A.key });
    assert.deepEqual(new Set((await burst(rot.json.key)).map((r) => r.status)), new Set([201]), 'a new key works at once');
    const again = await api('POST', `/api/v1/devices/${dev.id}/keys/rotate`, { key: A.key });
    assert.equal(again.status, 201);
    assert.deepEqual(new Set((await burst(rot.json.key)).map((r) => r.status)), new Set([401]),
      'a key rotated away without grace is refused everywhere at once');
  });

  test('a public device is readable by anyone with its id, never writable', async () => {
    const dev = await freshDevice('Weather mast');
    await post(dev, dev.key);
    assert.equal((await api('GET', readingsPath(dev))).status, 401);
    stack.ctl(['device-public', '--device', dev.id, '--on']);
    const read = await api('GET', readingsPath(dev));
    assert.equal(read.status, 200);
    assert.equal(read.json.readings.length, 1);
    assert.equal((await api('GET', `/api/v1/devices/${dev.id}/latest`)).status, 200);
    assert.equal((await api('POST', readingsPath(dev), { json: { values: { t: 2 } } })).status, 401);
    assert.equal((await api('DELETE', readingsPath(dev, `?from=0&to=${Date.now()}`))).status, 401);
    stack.ctl(['device-public', '--device', dev.id, '--off']);
    assert.equal((await api('GET', readingsPath(dev))).status, 401);
  });
});

describe('reading back', () => {
  let dev;
  const N = 250;
  before(async () => {
    dev = stack.ctl(['create-device', '--account', String(A.account.id), '--name', 'Pager']);
    const readings = Array.from({ length: N }, (_, i) => ({ id: `p${i}`, ts: T0 + i * 60000, values: { temp: i, rh: 100 - i } }));
    const r = await api('POST', readingsPath(dev), { key: dev.key, json: { readings } });
    assert.equal(r.json.stored, N);
  });

  test('paging oldest first walks every reading once, in order', async () => {
    const all = await followAll(readingsPath(dev, '?order=asc&limit=100'), dev.key);
    assert.equal(all.length, N);
    assert.deepEqual(all.map((r) => r.values.temp), Array.from({ length: N }, (_, i) => i));
  });

  test('paging newest first stays correct while new readings arrive', async () => {
    const first = await api('GET', readingsPath(dev, '?order=desc&limit=100'), { key: dev.key });
    // readings arriving between pages, newer and older than the cursor
    await api('POST', readingsPath(dev), { key: dev.key, json: { readings: [
      { ts: T0 + 10 * 60000 * 60, values: { temp: 1000 } }, { ts: T0 + 30000, values: { temp: -1 } }] } });
    const rest = await followAll(first.json.next, dev.key);
    const temps = [...first.json.readings, ...rest].map((r) => r.values.temp);
    const expected = [...Array.from({ length: N }, (_, i) => N - 1 - i)];
    expected.splice(N - 1, 0, -1);   // the older arrival lands in its place, once
    assert.deepEqual(temps, expected);
  });

  test('equal timestamps are paged without loss or repetition', async () => {
    const same = stack.ctl(['create-device', '--account', String(A.account.id), '--name', 'Burst']);
    await api('POST', readingsPath(same), { key: same.key,
      json: { readings: Array.from({ length: 7 }, (_, i) => ({ ts: T0, values: { n: i } })) } });
    const all = await followAll(readingsPath(same, '?limit=2'), same.key);
    assert.deepEqual(all.map((r) => r.values.n).sort(), [0, 1, 2, 3, 4, 5, 6]);
  });

  test('from, to and channels select what comes back', async () => {
    const r = await api('GET', readingsPath(dev, `?order=asc&from=${T0 + 10 * 60000}&to=2026-10-01T00:20:00Z&channels=rh`), { key: dev.key });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.readings.map((x) => x.values), Array.from({ length: 10 }, (_, i) => ({ rh: 90 - i })));
    assert.equal(r.json.next, null);
  });

  test('bad query parameters are 400 and name the parameter', async () => {
    for (const [q, param] of [['?limit=0', 'limit'], ['?limit=1001', 'limit'], ['?from=yesterday', 'from'],
      ['?order=up', 'order'], ['?channels=a,,b', 'channels'], ['?cursor=xyz', 'cursor'], ['?interval=7x', 'interval'],
      ['?interval=1m&agg=median', 'agg'], ['?lmit=5', 'lmit'], ['?limit=5&limit=6', 'limit'],
      [`?from=${T0 + 1000}&to=${T0}`, 'from'], ['?interval=1s&from=0&to=99999999999', 'interval']]) {
      const r = await api('GET', readingsPath(dev, q), { key: dev.key });
      assert.equal(r.status, 400, q);
      assert.equal(r.json.code, 'bad_param');
      assert.ok(r.json.message.startsWith(`${param}:`), `${q}: ${r.json.message}`);
    }
  });

  test('downsampling matches values computed independently, for every aggregate', async () => {
    const series = Array.from({ length: 60 }, (_, i) => ({ ts: T0 + 3 * 86400000 + i * 37000, v: Math.round(Math.sin(i) * 1000) / 10 }));
    const ds = stack.ctl(['create-device', '--account', String(A.account.id), '--name', 'Sampler']);
    await api('POST', readingsPath(ds), { key: ds.key, json: { readings: series.map((s) => ({ ts: s.ts, values: { x: s.v, y: 1 } })) } });
    const from = T0 + 3 * 86400000, to = from + 3600000;
    const buckets = new Map();
    for (const s of series) {
      const b = s.ts - (s.ts % 300000);
      if (!buckets.has(b)) buckets.set(b, []);
      buckets.get(b).push(s.v);
    }
    const agg = {
      avg: (a) => a.reduce((x, y) => x + y, 0) / a.length, min: (a) => Math.min(...a), max: (a) => Math.max(...a),
      sum: (a) => a.reduce((x, y) => x + y, 0), count: (a) => a.length, first: (a) => a[0], last: (a) => a[a.length - 1],
    };
    for (const [name, fn] of Object.entries(agg)) {
      const r = await api('GET', readingsPath(ds, `?interval=5m&agg=${name}&from=${from}&to=${to}&channels=x`), { key: ds.key });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.buckets.map((b) => Date.parse(b.ts)), [...buckets.keys()], name);
      r.json.buckets.forEach((b, i) => {
        const want = fn([...buckets.values()][i]);
        assert.ok(Math.abs(b.values.x - want) < 1e-9, `${name} bucket ${i}: ${b.values.x} vs ${want}`);
      });
    }
    const both = await api('GET', readingsPath(ds, `?interval=1h&agg=count&from=${from}&to=${to}`), { key: ds.key });
    assert.deepEqual(both.json.buckets[0].values, { x: 60, y: 60 }, 'all channels when none are named');
  });

  test('CSV exports a range larger than any page, streamed, with a header row', async () => {
    const big = stack.ctl(['create-device', '--account', String(A.account.id), '--name', 'Logger']);
    const total = 2600;
    for (let start = 0; start < total; start += 1000) {
      const readings = Array.from({ length: Math.min(1000, total - start) }, (_, i) => ({
        ts: T0 + (start + i) * 1000, id: `c,${start + i}`, values: { a: start + i, b: (start + i) / 4 } }));
      assert.equal((await api('POST', readingsPath(big), { key: big.key, json: { readings } })).status, 201);
    }
    const r = await api('GET', readingsPath(big, '?format=csv&order=asc'), { key: big.key });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/csv/);
    assert.match(r.headers['content-disposition'], /attachment; filename=".*\.csv"/);
    const lines = r.text.trim().split('\r\n');
    assert.equal(lines[0], 'ts,received_at,id,a,b');
    assert.equal(lines.length, total + 1);
    const row = lines[1235].split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    assert.equal(row[0], new Date(T0 + 1234000).toISOString());
    assert.equal(row[2], '"c,1234"', 'fields with commas are quoted');
    assert.deepEqual([Number(row[3]), Number(row[4])], [1234, 308.5]);
    const byAccept = await api('GET', readingsPath(big, `?from=${T0}&to=${T0 + 5000}&order=asc`), { key: big.key, accept: 'text/csv' });
    assert.equal(byAccept.text.trim().split('\r\n').length, 6, 'Accept: text/csv works too');
    const ds = await api('GET', readingsPath(big, `?format=csv&interval=1h&agg=max&from=${T0}&to=${T0 + 3600000}`), { key: big.key });
    assert.deepEqual(ds.text.trim().split('\r\n'), ['ts,a,b', `${new Date(T0).toISOString()},2599,649.75`]);
  });
});

describe('delete', () => {
  test('an account key deletes a range, gets the count, and the audit log records it', async () => {
    const dev = stack.ctl(['create-device', '--account', String(A.account.id), '--name', 'Scrap']);
    await api('POST', readingsPath(dev), { key: dev.key,
      json: { readings: Array.from({ length: 10 }, (_, i) => ({ ts: T0 + i * 1000, values: { v: i } })) } });
    const r = await api('DELETE', readingsPath(dev, `?from=${T0 + 2000}&to=${T0 + 5000}`), { key: A.key });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.deleted, 3);
    const left = await followAll(readingsPath(dev, '?order=asc'), dev.key);
    assert.deepEqual(left.map((x) => x.values.v), [0, 1, 5, 6, 7, 8, 9]);
    const [row] = stack.sql(`SELECT actor_label, action, detail, result, ip FROM audit_log
      WHERE action = 'readings.delete' AND target_id = '${dev.id}'`);
    assert.equal(row[0], A.key.slice(0, 12));
    assert.deepEqual(JSON.parse(row[2]), { from: new Date(T0 + 2000).toISOString(), to: new Date(T0 + 5000).toISOString() });
    assert.equal(row[3], '3');
    assert.equal(row[4], '127.0.0.1');
  });

  test('a delete needs both bounds', async () => {
    const r = await api('DELETE', readingsPath(A.a1, `?from=${T0}`), { key: A.key });
    assert.equal(r.status, 400);
  });
});

describe('account queries', () => {
  test('devices with their latest reading and last-seen time', async () => {
    const r = await api('GET', '/api/v1/devices', { key: A.key });
    assert.equal(r.status, 200);
    const boiler = r.json.devices.find((d) => d.id === A.a1.id);
    assert.equal(boiler.name, 'Boiler');
    assert.equal(boiler.group.name, 'Plant 1');
    assert.ok(boiler.latest.values);
    assert.equal(boiler.last_seen, boiler.latest.received_at);
    assert.ok(!r.json.devices.some((d) => d.id === B.b1.id), 'no device of another account');
  });

  test('groups, a group\'s latest readings, and the account', async () => {
    const groups = await api('GET', '/api/v1/groups', { key: A.key });
    const plant = groups.json.groups.find((g) => g.name === 'Plant 1');
    assert.equal(plant.devices, 2);
    const latest = await api('GET', `/api/v1/groups/${plant.id}/latest`, { key: A.key });
    assert.deepEqual(latest.json.devices.map((d) => d.name).sort(), ['Boiler', 'Pump']);
    assert.equal((await api('GET', `/api/v1/groups/${plant.id}/latest`, { key: B.key })).status, 404);
    const acct = await api('GET', '/api/v1/account', { key: A.key });
    assert.equal(acct.json.name, 'Acme');
    assert.equal(acct.json.rate_limit.requests_per_minute_per_key, RATE_LIMIT);
  });
});

describe('rate limits', () => {
  test('every API response carries RateLimit headers; past the limit, 429 with Retry-After', async () => {
    const dev = stack.ctl(['create-device', '--account', String(A.account.id), '--name', 'Chatty']);
    // The limiter counts in fixed 60 s windows of the epoch: start the burst
    // early in a window so it cannot straddle two (and find its count reset).
    const left = 60 - (Math.floor(Date.now() / 1000) % 60);
    if (left < 20) await new Promise((r) => setTimeout(r, left * 1000 + 100));
    let last;
    for (let i = 0; i < RATE_LIMIT; i++) {
      last = await api('GET', `/api/v1/devices/${dev.id}/latest`, { key: dev.key });
      assert.equal(last.status, 200);
    }
    assert.equal(last.headers['ratelimit-limit'], String(RATE_LIMIT));
    assert.equal(last.headers['ratelimit-remaining'], '0');
    const reset = Number(last.headers['ratelimit-reset']);
    assert.ok(reset >= 1 && reset <= 60);
    const over = await api('GET', `/api/v1/devices/${dev.id}/latest`, { key: dev.key });
    assert.deepEqual([over.status, over.json.code], [429, 'rate_limited']);
    assert.ok(Number(over.headers['retry-after']) >= 1);
    const others = await api('GET', `/api/v1/devices/${A.a1.id}/latest`, { key: A.a1.key });
    assert.equal(others.status, 200, 'other keys are not affected');
    const err = await api('POST', readingsPath(A.a1), { key: A.a1.key, body: 'x', headers: { 'content-type': 'text/plain' } });
    assert.ok(err.headers['ratelimit-remaining'], 'error responses carry them too');
  });
});
