// bad-input.test.mjs - what the security review found accepted or answered
// wrongly, end to end through lighttpd with TLS (issue 9, items 1-9 and 19).
// Each refusal is checked twice over: the answer a client gets, and that
// nothing changed (no reading stored, no key rotated, no rule saved).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startStack } from '../stack/stack.mjs';
import { WebClient } from './web-client.mjs';

const PW = 'valve seat gasket 9';
let stack;
let varDir;
let A;

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-bad-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
  const a = stack.ctl(['create-account', '--name', 'Acme']);
  const dev = (name, group) => stack.ctl(['create-device', '--account', String(a.id), '--name', name,
    ...(group ? ['--group', group] : [])]);
  A = { account: a, key: a.account_key, d1: dev('Boiler', 'Plant 1'), d2: dev('Chiller') };
  stack.ctl(['create-user', '--account', String(a.id), '--email', 'admin@acme.example', '--role', 'admin',
    '--password-stdin'], `${PW}\n`);
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

function api(method, p, { key, json, body, form, type } = {}) {
  const headers = {};
  if (key) headers.authorization = `Bearer ${key}`;
  let payload = body;
  if (json !== undefined) payload = JSON.stringify(json);
  if (form !== undefined) payload = form;
  if (payload !== undefined) {
    headers['content-type'] = type ?? (form !== undefined ? 'application/x-www-form-urlencoded' : 'application/json');
  }
  return stack.client(method, p, { headers, body: payload });
}

const readings = (dev) => `/api/v1/devices/${dev.id}/readings`;

async function storedCount(dev) {
  const r = await api('GET', `${readings(dev)}?limit=1000`, { key: A.key });
  assert.equal(r.status, 200, r.text);
  return r.json.readings.length;
}

// Sends a raw ingest body and checks the refusal changed nothing.
async function refused(body, status, { dev = A.d1, pointer, code } = {}) {
  const before = await storedCount(dev);
  const r = await api('POST', readings(dev), { key: dev.key, body });
  assert.equal(r.status, status, `${body.slice(0, 80)} -> ${r.status} ${r.text}`);
  assert.match(r.headers['content-type'], /^application\/json/);
  if (code) assert.equal(r.json.code, code);
  if (pointer !== undefined) assert.equal(r.json.pointer, pointer, body.slice(0, 80));
  assert.equal(await storedCount(dev), before, 'nothing was stored');
  return r;
}

describe('JSON bodies are parsed strictly', () => {
  test('a NUL inside a channel name, an id or a value is 422 and stores nothing', async () => {
    await refused('{"values":{"te\\u0000mp":1}}', 422, { pointer: '/values/te\\u0000mp', code: 'invalid_reading' });
    await refused('{"values":{"t\\u0000a":1,"t\\u0000b":2}}', 422);
    await refused('{"id":"a\\u0000zzz","values":{"t":1}}', 422, { pointer: '/id' });
    await refused('{"readings":[{"values":{"t":1}},{"id":"x\\u0000","values":{"t":1}}]}', 422,
      { pointer: '/readings/1/id' });
  });

  test('a number that cannot be stored as written is 422, never stored as something else', async () => {
    await refused(`{"values":{"t":${'9'.repeat(401)}}}`, 422, { pointer: '/values/t' });
    await refused('{"values":{"t":18446744073709551616}}', 422);
    await refused('{"values":{"t":-9223372036854775809}}', 422);
    await refused('{"values":{"t":1e400}}', 422);
    const ok = await api('POST', readings(A.d2), { key: A.d2.key, body: '{"id":"big-int","values":{"t":9007199254740993}}' });
    assert.equal(ok.status, 201);
    const back = await api('GET', `${readings(A.d2)}?limit=1`, { key: A.key });
    assert.equal(back.json.readings[0].values.t, 9007199254740992, 'a 64-bit integer keeps the nearest double');
  });

  test('duplicate keys, single quotes and trailing bytes are 400 malformed_json', async () => {
    const bodies = [
      '{"values":{"t":1},"values":{"t":2}}',
      '{"id":"a","id":"b","values":{"t":1}}',
      '{"ts":1794960000000,"ts":1794960000001,"values":{"t":1}}',
      '{"values":{"t":1,"t":2}}',
      "{'values':{'t':1}}",
      '{"values":{"t":1}}zzz',
      '{"values":{"t":1}}{}',
      '{"values":{"t":NaN}}',
    ];
    for (const b of bodies) await refused(b, 400, { code: 'malformed_json' });
  });

  test('key rotation refuses a body with trailing bytes and keeps the old key', async () => {
    const before = await api('GET', `/api/v1/devices/${A.d1.id}/keys`, { key: A.key });
    for (const body of ['{"grace_seconds":0}zzz', '{"grace_seconds":0,"grace_seconds":60}', '{"grace_seconds":1e400}']) {
      const r = await api('POST', `/api/v1/devices/${A.d1.id}/keys/rotate`, { key: A.key, body });
      assert.ok(r.status === 400 || r.status === 422, `${body} -> ${r.status}`);
    }
    const after = await api('GET', `/api/v1/devices/${A.d1.id}/keys`, { key: A.key });
    assert.deepEqual(after.json.keys, before.json.keys, 'no key was made or ended');
    assert.equal((await api('POST', readings(A.d1), { key: A.d1.key, json: { values: { t: 1 } } })).status, 201,
      'the device key still works');
  });

  test('alert rules refuse loose JSON and save nothing', async () => {
    const rule = { name: 'Hot', device: A.d1.id, channel: 'temp', kind: 'above', threshold: 80, recipients: ['ops@acme.example'] };
    const bodies = [
      `${JSON.stringify(rule)}zzz`,
      JSON.stringify(rule).replace('"name":"Hot"', '"name":"Hot","name":"Cold"'),
      JSON.stringify({ ...rule, name: 'H\u0000ot' }),
      JSON.stringify({ ...rule, enabled: 'banana' }),
    ];
    for (const body of bodies) {
      const r = await api('POST', '/api/v1/alert-rules', { key: A.key, body });
      assert.ok(r.status === 400 || r.status === 422, `${body} -> ${r.status} ${r.text}`);
    }
    const list = await api('GET', '/api/v1/alert-rules', { key: A.key });
    assert.equal(list.json.rules.length, 0, 'no rule was saved');
  });
});

describe('form ingest', () => {
  test('form numbers are decimal only: hex, inf and nan are 422', async () => {
    for (const v of ['0x10', 'inf', 'nan', 'Infinity', '1e400', ' 1']) {
      const before = await storedCount(A.d1);
      const r = await api('POST', readings(A.d1), { form: `api_key=${A.d1.key}&temp=${encodeURIComponent(v)}` });
      assert.equal(r.status, 422, `temp=${v}`);
      assert.equal(await storedCount(A.d1), before);
    }
  });

  test('a field given twice is 400 naming it', async () => {
    const r = await api('POST', readings(A.d1), { form: `api_key=${A.d1.key}&temp=1&api_key=${A.d1.key}` });
    assert.equal(r.status, 400);
    assert.match(r.json.message, /'api_key'/);
    const q = await api('GET', `${readings(A.d1)}?limit=1&limit=2`, { key: A.key });
    assert.equal(q.status, 400, 'a repeated query parameter too');
    assert.deepEqual([q.json.code, q.json.message.split(':')[0]], ['bad_param', 'limit']);
  });
});

describe('ids are checked before any query', () => {
  test('a non-ASCII device or group id is the same answer as an unknown id, never 503', async () => {
    const unknown = 'dev_doesNotExist000';
    const pairs = [
      ['GET', '/api/v1/devices/d%C3%A9v/latest', `/api/v1/devices/${unknown}/latest`, undefined],
      ['GET', '/api/v1/devices/d%C3%A9v/latest', `/api/v1/devices/${unknown}/latest`, A.key],
      ['POST', '/api/v1/devices/d%C3%A9v/readings', `/api/v1/devices/${unknown}/readings`, A.key],
      ['GET', '/api/v1/devices/dev_%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9/readings',
        `/api/v1/devices/${unknown}/readings`, A.d1.key],
      ['GET', '/api/v1/groups/gr%C3%A9/latest', '/api/v1/groups/grp_doesNotExist000/latest', A.key],
    ];
    for (const [method, bad, unk, key] of pairs) {
      const json = method === 'POST' ? { values: { t: 1 } } : undefined;
      const a = await api(method, bad, { key, json });
      const b = await api(method, unk, { key, json });
      assert.notEqual(a.status, 503, bad);
      assert.deepEqual([a.status, a.json.code, a.json.message], [b.status, b.json.code, b.json.message], bad);
    }
  });

  test('a non-ASCII device id in the dashboard is a 404 page', async () => {
    const c = new WebClient(stack);
    assert.equal((await c.signIn('admin@acme.example', PW)).status, 303);
    for (const p of ['/devices/d%C3%A9v', '/devices/d%C3%A9v/settings', '/devices/d%C3%A9v/data']) {
      const r = await c.get(p);
      assert.equal(r.status, 404, p);
    }
  });
});

describe('errors under /api/ are JSON', () => {
  test('dot segments and bad percent-encoding answer the JSON error body', async () => {
    for (const p of ['/api/v1/devices/..%2f/readings', '/api/v1/./devices', '/api/v1/devices/%zz/readings',
      '/api/v1/devices/a%00b/latest']) {
      const r = await api('GET', p, { key: A.key });
      assert.equal(r.status, 400, p);
      assert.match(r.headers['content-type'], /^application\/json/, p);
      assert.ok(r.json?.code, `${p}: ${r.text.slice(0, 80)}`);
    }
  });
});

describe('reading back', () => {
  test('agg without interval is 400, not raw readings', async () => {
    const r = await api('GET', `${readings(A.d1)}?agg=max`, { key: A.key });
    assert.equal(r.status, 400);
    assert.match(r.json.message, /^agg: .*interval/);
  });
});

describe('sign-in redirect', () => {
  test('next with a TAB, a control character or a backslash goes to /devices, never off-site', async () => {
    for (const next of ['/\t/evil.example', '/\u0001/evil.example', '/\\evil.example', '/a\\b', '//evil.example', '/\n/evil.example']) {
      const c = new WebClient(stack);
      const r = await c.post('/login', { email: 'admin@acme.example', password: PW, next }, { from: '/login' });
      assert.equal(r.status, 303, JSON.stringify(next));
      assert.equal(r.headers.location, '/devices', JSON.stringify(next));
    }
    const c = new WebClient(stack);
    const r = await c.post('/login', { email: 'admin@acme.example', password: PW, next: '/groups' }, { from: '/login' });
    assert.equal(r.headers.location, '/groups', 'a plain local path is still honoured');
  });
});

describe('nothing a client sends is cut to fit', () => {
  test('a recipient list longer than any buffer is kept whole, not cut to a different address', async () => {
    const recipients = [' '.repeat(4080), 'user@victim.example.attacker.test'];
    const r = await api('POST', '/api/v1/alert-rules', { key: A.key,
      json: { name: 'Long list', device: A.d1.id, channel: 'temp', kind: 'above', threshold: 90, recipients } });
    assert.equal(r.status, 201, r.text);
    const list = await api('GET', '/api/v1/alert-rules', { key: A.key });
    const saved = list.json.rules.find((x) => x.id === r.json.id);
    assert.equal(saved.recipients, 'user@victim.example.attacker.test');
    await api('DELETE', `/api/v1/alert-rules/${r.json.id}`, { key: A.key });
    const many = Array.from({ length: 11 }, (_, i) => `r${i}@acme.example`);
    const tooMany = await api('POST', '/api/v1/alert-rules', { key: A.key,
      json: { name: 'Many', device: A.d1.id, channel: 'temp', kind: 'above', threshold: 90, recipients: many } });
    assert.equal(tooMany.status, 422, 'more recipients than allowed are refused, not dropped');
  });
});

describe('batch errors', () => {
  test('a batch error carries a JSON Pointer to the offending value; indexes count from 0', async () => {
    const r = await refused(JSON.stringify({ readings: [{ values: { temp: 1 } }, { values: { temp: 'hot' } }] }), 422,
      { pointer: '/readings/1/values/temp' });
    assert.match(r.json.message, /^reading 1: values\.temp/);
  });
});
