// mqtt.test.mjs - MQTT ingest end to end: devices publish over TLS to the
// real Mosquitto with Gauge's plugin (etc/mosquitto/gauge.conf as shipped),
// with mosquitto_pub/mosquitto_sub and the npm `mqtt` client; what is stored
// is read back through the HTTPS API.  The promises checked: the same keys,
// the same validation and errors, and a QoS 1 PUBACK means what a 201 means.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import mqtt from 'mqtt';

import { stopProcess } from '../stack/proc.mjs';
import { startStack } from '../stack/stack.mjs';
import { outboxOf, until } from './alert-sinks.mjs';

const run = promisify(execFile);
// Per key and minute, shared with the HTTPS API (ratelimit.file).
const RATE_LIMIT = 4000;
let stack;
let varDir;
let A;   // account A: key, devices a1, a2
let B;   // account B: device b1

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-mqtt-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, demo: false, rateLimit: RATE_LIMIT });
  const acct = (name) => stack.ctl(['create-account', '--name', name]);
  const a = acct('Acme');
  A = { account: a, key: a.account_key };
  for (const n of ['a1', 'a2']) A[n] = stack.ctl(['create-device', '--account', String(a.id), '--name', n]);
  const b = acct('Other Co');
  B = { account: b, key: b.account_key, b1: stack.ctl(['create-device', '--account', String(b.id), '--name', 'b1']) };
});

after(async () => {
  await stack?.stop();
  fs.rmSync(varDir, { recursive: true, force: true });
});

const readingsTopic = (dev) => `gauge/v1/devices/${dev.id}/readings`;
const errorsTopic = (dev) => `gauge/v1/devices/${dev.id}/errors`;
const freshDevice = (name) => stack.ctl(['create-device', '--account', String(A.account.id), '--name', name]);

function api(method, p, { key, json } = {}) {
  const headers = {};
  if (key) headers.authorization = `Bearer ${key}`;
  let body;
  if (json !== undefined) { body = JSON.stringify(json); headers['content-type'] = 'application/json'; }
  return stack.client(method, p, { headers, body });
}

// Every stored reading of a device, through the API.
async function stored(dev) {
  const out = [];
  let next = `/api/v1/devices/${dev.id}/readings?limit=1000`;
  while (next) {
    const r = await api('GET', next, { key: A.key });
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.readings);
    next = r.json.next;
  }
  return out;
}

// An npm mqtt client; resolves once connected (or rejects with the CONNACK error).
function connect(dev, { key = dev.key, username = dev.id, protocolVersion = 5, ca = stack.tls.cert,
  url = stack.mqttUrl, ...rest } = {}) {
  return mqtt.connectAsync(url, { username, password: key, ca: ca && fs.readFileSync(ca),
    protocolVersion, reconnectPeriod: 0, connectTimeout: 5000, ...rest });
}

const tlsArgs = (dev, key = dev.key) => ['-h', 'localhost', '-p', String(stack.mqttPort), '--cafile', stack.tls.cert,
  '-u', dev.id, '-P', key];

describe('publishing readings', () => {
  test('mosquitto_pub with QoS 1: the reading is stored when the PUBACK arrives, received time set', async () => {
    const dev = freshDevice('pub');
    const before0 = Date.now();
    await run('mosquitto_pub', [...tlsArgs(dev), '-q', '1', '-t', readingsTopic(dev),
      '-m', JSON.stringify({ id: 'm1', values: { temp: 21.5 } })]);
    const got = await stored(dev);
    assert.equal(got.length, 1);
    assert.equal(got[0].id, 'm1');
    assert.deepEqual(got[0].values, { temp: 21.5 });
    assert.ok(Date.parse(got[0].received_at) >= before0 - 1000, 'received time is the broker host\'s now');
  });

  test('the npm client, MQTT 5 and 3.1.1, single readings and a batch of 1000', async () => {
    const dev = freshDevice('npm');
    for (const protocolVersion of [5, 4]) {
      const c = await connect(dev, { protocolVersion });
      await c.publishAsync(readingsTopic(dev), JSON.stringify({ id: `s${protocolVersion}`, values: { v: protocolVersion } }),
        { qos: 1 });
      await c.endAsync();
    }
    const c = await connect(dev);
    const T0 = Date.now() - 3600e3;
    const readings = Array.from({ length: 1000 }, (_, i) => ({ id: `b${i}`, ts: T0 + i, values: { v: i } }));
    await c.publishAsync(readingsTopic(dev), JSON.stringify({ readings }), { qos: 1 });
    await c.endAsync();
    assert.equal((await stored(dev)).length, 1002);
  });

  test('an account key publishes for any device of its account, not another account\'s', async () => {
    const c = await connect(A.a2, { key: A.key, username: 'acme-gateway' });
    await c.publishAsync(readingsTopic(A.a2), JSON.stringify({ id: 'acct1', values: { v: 1 } }), { qos: 1 });
    await assert.rejects(c.publishAsync(readingsTopic(B.b1), JSON.stringify({ values: { v: 1 } }), { qos: 1 }),
      (e) => e.code === 135);
    await c.endAsync();
    assert.deepEqual((await stored(A.a2)).map((r) => r.id), ['acct1']);
    const other = await api('GET', `/api/v1/devices/${B.b1.id}/readings`, { key: B.key });
    assert.equal(other.json.readings.length, 0);
  });

  test('a resend with the same ids stores nothing twice', async () => {
    const dev = freshDevice('resend');
    const batch = JSON.stringify({ readings: [1, 2, 3].map((i) => ({ id: `r${i}`, values: { v: i } })) });
    for (let i = 0; i < 3; i++) {
      await run('mosquitto_pub', [...tlsArgs(dev), '-q', '1', '-t', readingsTopic(dev), '-m', batch]);
    }
    assert.deepEqual((await stored(dev)).map((r) => r.id).sort(), ['r1', 'r2', 'r3']);
  });
});

describe('alerts', () => {
  test('a crossing published over MQTT alerts as one posted over HTTPS does', async () => {
    const dev = freshDevice('kiln');
    const rule = await api('POST', '/api/v1/alert-rules', { key: A.key, json: { name: 'MQTT kiln too hot',
      device: dev.id, channel: 'temp', kind: 'above', threshold: 800, recipients: ['ops@kiln.example'] } });
    assert.equal(rule.status, 201, rule.text);
    const c = await connect(dev);
    await c.publishAsync(readingsTopic(dev), JSON.stringify({ values: { temp: 700 } }), { qos: 1 });
    await sleep(700);
    await c.publishAsync(readingsTopic(dev), JSON.stringify({ values: { temp: 812.5 } }), { qos: 1 });
    await c.endAsync();
    const mails = await until('the e-mail', () => {
      const m = outboxOf(stack, 'ses').filter((x) => JSON.stringify(x).includes('MQTT kiln too hot'));
      return m.length > 0 && m;
    });
    assert.equal(mails.length, 1);
    assert.match(JSON.stringify(mails[0]), /812\.5/);
  });
});

describe('who may publish and subscribe where', () => {
  test('wrong device: a device key cannot log in as, or publish for, another device', async () => {
    await assert.rejects(connect(A.a2, { key: A.a1.key }), /Not authorized|Bad User Name or Password/i);
    const c = await connect(A.a1);
    await assert.rejects(c.publishAsync(readingsTopic(A.a2), JSON.stringify({ values: { v: 1 } }), { qos: 1 }),
      (e) => e.code === 135);
    await c.endAsync();
    assert.equal((await stored(A.a2)).filter((r) => r.values.v === 1 && !r.id).length, 0);
  });

  test('wrong topic: anything but the device\'s own readings topic is refused', async () => {
    const dev = freshDevice('topics');
    const c = await connect(dev);
    for (const t of [`gauge/v1/devices/${dev.id}/errors`, `gauge/v1/devices/${dev.id}/readings/x`,
      `gauge/v1/devices/${dev.id}`, 'gauge/v1/devices', `other/${dev.id}/readings`]) {
      await assert.rejects(c.publishAsync(t, JSON.stringify({ values: { v: 1 } }), { qos: 1 }),
        (e) => e.code === 135, t);
    }
    await c.endAsync();
    assert.equal((await stored(dev)).length, 0);
  });

  test('wildcard and foreign subscriptions are refused; the own errors topic is allowed', async () => {
    const dev = freshDevice('subs');
    for (const protocolVersion of [5, 4]) {
      const c = await connect(dev, { protocolVersion });
      const denied = protocolVersion === 5 ? 135 : 128;
      for (const t of ['#', 'gauge/#', 'gauge/v1/devices/+/errors', `gauge/v1/devices/${dev.id}/+`,
        readingsTopic(dev), errorsTopic(A.a1)]) {
        // mqtt.js rejects a refused MQTT 5 subscription; 3.1.1's 0x80 comes back granted
        const code = await c.subscribeAsync(t, { qos: 1 }).then(([g]) => g.qos, (e) => e.packet?.granted?.[0]);
        assert.equal(code, denied, `subscribe ${t}`);
      }
      const [ok] = await c.subscribeAsync(errorsTopic(dev), { qos: 1 });
      assert.equal(ok.qos, 1);
      await c.endAsync();
    }
  });

  test('unknown and malformed keys, and no credentials, are refused at CONNECT', async () => {
    const dev = freshDevice('creds');
    await assert.rejects(connect(dev, { key: `gdk_${'x'.repeat(43)}` }));
    await assert.rejects(connect(dev, { key: 'not-a-key' }));
    await assert.rejects(connect(dev, { key: null, username: null }));
    await assert.rejects(connect(dev, { key: null }));
  });

  test('a revoked key: its open session is dropped without PUBACK, and it cannot connect again', async () => {
    const dev = freshDevice('revokee');
    const c = await connect(dev);
    await c.publishAsync(readingsTopic(dev), JSON.stringify({ id: 'before', values: { v: 1 } }), { qos: 1 });
    const [k] = (await api('GET', `/api/v1/devices/${dev.id}/keys`, { key: A.key })).json.keys;
    assert.equal((await api('DELETE', `/api/v1/devices/${dev.id}/keys/${k.id}`, { key: A.key })).status, 200);
    // The API said "revoked" only after its settle time: the broker refuses now.
    const closed = new Promise((resolve) => c.once('close', () => resolve('closed')));
    const acked = c.publishAsync(readingsTopic(dev), JSON.stringify({ id: 'after', values: { v: 2 } }), { qos: 1 })
      .then(() => 'acked', () => 'failed');
    assert.equal(await Promise.race([closed, acked]), 'closed');
    c.end(true);
    await assert.rejects(connect(dev), /Not authorized|Bad User Name or Password/i);
    assert.deepEqual((await stored(dev)).map((r) => r.id), ['before']);
  });
});

describe('key expiry', () => {
  test('a key rotated out with a grace period ends its listening session when the grace ends', async () => {
    const dev = freshDevice('rotated');
    const rot = await api('POST', `/api/v1/devices/${dev.id}/keys/rotate`, { key: A.key, json: { grace_seconds: 4 } });
    assert.equal(rot.status, 201, rot.text);
    const c = await connect(dev);   // the old key, still in its grace period
    const t0 = Date.now();
    await c.subscribeAsync(errorsTopic(dev), { qos: 1 });
    const closed = await new Promise((resolve) => {
      c.once('close', () => resolve(Date.now() - t0));
      setTimeout(() => resolve(null), 8000);
    });
    c.end(true);
    assert.ok(closed !== null, 'the session was not ended');
    assert.ok(closed > 1500 && closed < 5000, `ended ${closed} ms after connecting with at most 4 s of grace left`);
    await assert.rejects(connect(dev), /Not authorized|Bad User Name or Password/i);
    const fresh = await connect(dev, { key: rot.json.key });
    await fresh.publishAsync(readingsTopic(dev), JSON.stringify({ id: 'new-key', values: { v: 1 } }), { qos: 1 });
    await fresh.endAsync();
    assert.deepEqual((await stored(dev)).map((r) => r.id), ['new-key']);
  });
});

describe('refused payloads', () => {
  // The same body through HTTPS and MQTT must be refused with the same error.
  async function errorsFor(dev, payloads) {
    const sub = await connect(dev, { clientId: `errors-${dev.id}` });
    const got = [];
    sub.on('message', (topic, msg) => got.push({ topic, body: JSON.parse(msg.toString()) }));
    await sub.subscribeAsync(errorsTopic(dev), { qos: 1 });
    for (const p of payloads) {
      await run('mosquitto_pub', [...tlsArgs(dev), '-q', '1', '-t', readingsTopic(dev), '-m', p]);
    }
    for (let i = 0; i < 50 && got.length < payloads.length; i++) await sleep(100);
    await sub.endAsync();
    return got;
  }

  test('a bad payload stores nothing and its error, the API\'s body, is published to .../errors', async () => {
    const dev = freshDevice('bad');
    const payloads = ['{"values":{"temp":"hot"}}', '{"readings":[{"values":{"t":1}},{"values":{}}]}', 'not json',
      '{"values":{"t":1},"values":{"t":2}}', ''];
    const got = await errorsFor(dev, payloads);
    assert.equal(got.length, payloads.length);
    for (const [i, p] of payloads.entries()) {
      const https = await stack.client('POST', `/api/v1/devices/${dev.id}/readings`,
        { headers: { authorization: `Bearer ${dev.key}`, 'content-type': 'application/json' }, body: p });
      assert.ok(https.status >= 400 && https.status < 500, https.text);
      const { request_id: _, ...expected } = https.json;
      assert.equal(got[i].topic, errorsTopic(dev));
      assert.deepEqual(got[i].body, expected, `payload ${JSON.stringify(p)}`);
    }
    assert.equal((await stored(dev)).length, 0);
  });

  test('an oversized payload (over http.max_body) is refused with body_too_large, nothing stored', async () => {
    const dev = freshDevice('big');
    const big = JSON.stringify({ values: { t: 1 }, id: 'x'.repeat(1100 * 1024) });
    const sub = await connect(dev);
    const got = [];
    sub.on('message', (topic, msg) => got.push(JSON.parse(msg.toString())));
    await sub.subscribeAsync(errorsTopic(dev), { qos: 1 });
    const c = await connect(dev);
    await assert.rejects(c.publishAsync(readingsTopic(dev), big, { qos: 1 }), (e) => e.code === 135);
    await c.endAsync();
    for (let i = 0; i < 50 && got.length < 1; i++) await sleep(100);
    await sub.endAsync();
    assert.equal(got[0]?.code, 'body_too_large');
    assert.equal((await stored(dev)).length, 0);
  });
});

describe('rate limits', () => {
  test('over the key\'s limit a publish is not acknowledged and rate_limited is published; HTTPS shares the count',
    async () => {
      const dev = freshDevice('chatty');
      const burner = await connect(dev);
      // Refused payloads are cheap and still count, as refused requests do.
      for (let i = 0; i < RATE_LIMIT; i++) burner.publish(readingsTopic(dev), 'x', { qos: 0 });
      await burner.endAsync();
      const sub = await connect(dev);
      const got = [];
      sub.on('message', (topic, msg) => got.push(JSON.parse(msg.toString())));
      await sub.subscribeAsync(errorsTopic(dev), { qos: 1 });
      const c = await connect(dev);
      const closed = new Promise((resolve) => c.once('close', () => resolve('closed')));
      const acked = c.publishAsync(readingsTopic(dev), JSON.stringify({ id: 'over', values: { v: 1 } }), { qos: 1 })
        .then(() => 'acked', () => 'refused');
      assert.equal(await Promise.race([closed, acked]), 'closed', 'no PUBACK over the limit: send it again later');
      c.end(true);
      for (let i = 0; i < 50 && !got.some((e) => e.code === 'rate_limited'); i++) await sleep(100);
      await sub.endAsync();
      assert.ok(got.some((e) => e.code === 'rate_limited'), JSON.stringify(got.slice(-3)));
      const https = await api('POST', `/api/v1/devices/${dev.id}/readings`, { key: dev.key, json: { values: { v: 1 } } });
      assert.equal(https.status, 429, 'the HTTPS API counts the same key\'s MQTT publishes');
      assert.equal((await stored(dev)).length, 0);
    });
});

describe('TLS only', () => {
  test('a broker certificate the client does not trust is refused', async () => {
    const other = path.join(varDir, 'other-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(varDir, 'other-key.pem'), '-out', other],
    { stdio: 'ignore' });
    await assert.rejects(run('mosquitto_pub', ['-h', 'localhost', '-p', String(stack.mqttPort), '--cafile', other,
      '-u', A.a1.id, '-P', A.a1.key, '-q', '1', '-t', readingsTopic(A.a1), '-m', '{"values":{"t":1}}']));
    await assert.rejects(connect(A.a1, { ca: other }));
  });

  test('plain TCP (mqtt://) gets no MQTT session at all', async () => {
    await assert.rejects(connect(A.a1, { url: `mqtt://localhost:${stack.mqttPort}`, ca: null, connectTimeout: 3000 }));
    await assert.rejects(run('mosquitto_pub', ['-h', 'localhost', '-p', String(stack.mqttPort), '-u', A.a1.id,
      '-P', A.a1.key, '-q', '1', '-t', readingsTopic(A.a1), '-m', '{"values":{"t":1}}'], { timeout: 10000 }));
  });
});

// The guarantee under failure: devices publish QoS 1 as fast as PUBACKs
// come back while MongoDB and then the broker are killed (SIGKILL) and
// restarted.  A device sends the same reading (same id) again until it is
// acknowledged, as a device must.  Every acknowledged reading must be
// stored, and none twice.
describe('killing MongoDB and the broker mid-load', () => {
  test('every PUBACKed reading is stored, once', async (t) => {
    const devices = [0, 1, 2, 3].map((i) => freshDevice(`load${i}`));
    const t0 = Date.now();
    const stopAt = t0 + 10000;
    const publishOne = (c, topic, body) => new Promise((resolve, reject) => {
      const lost = () => reject(new Error('connection lost'));
      c.once('close', lost);
      c.publish(topic, body, { qos: 1 }, (err) => {
        c.removeListener('close', lost);
        if (err) reject(err); else resolve();
      });
    });
    async function device(dev, n) {
      const acked = [];
      let i = 0;
      let reconnects = 0;
      while (Date.now() < stopAt) {
        let c;
        try {
          c = await connect(dev, { connectTimeout: 2000, protocolVersion: n % 2 ? 4 : 5 });
        } catch {
          await sleep(100);
          continue;
        }
        try {
          while (Date.now() < stopAt) {
            const id = `k${i}`;
            await publishOne(c, readingsTopic(dev), JSON.stringify({ id, values: { v: i } }));
            acked.push(id);
            i++;
          }
        } catch { reconnects++; }
        c.end(true);
      }
      return { acked, reconnects };
    }
    const load = Promise.all(devices.map((d, n) => device(d, n)));
    await sleep(1500);
    await stopProcess(stack.procs.mongo, { signal: 'SIGKILL' });
    await sleep(1500);
    await stack.startMongo();
    await sleep(1500);
    await stack.stopMosquitto('SIGKILL');
    await sleep(1000);
    await stack.startMosquitto();
    const results = await load;
    let acked = 0;
    for (const [n, dev] of devices.entries()) {
      const ids = (await stored(dev)).map((r) => r.id);
      const set = new Set(ids);
      assert.equal(set.size, ids.length, `${dev.name}: a reading stored twice`);
      const missing = results[n].acked.filter((id) => !set.has(id));
      assert.deepEqual(missing, [], `${dev.name}: acknowledged but not stored`);
      acked += results[n].acked.length;
      t.diagnostic(`${dev.name}: ${results[n].acked.length} acknowledged, ${ids.length} stored, `
        + `${results[n].reconnects} connections lost`);
    }
    assert.ok(acked > 100, `only ${acked} readings acknowledged in 10 s`);
    assert.ok(results.every((r) => r.reconnects >= 1), 'every device lost its connection at least once');
  });
});
