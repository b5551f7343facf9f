// metrics.test.mjs - GET /metrics end to end through lighttpd with TLS:
// Prometheus text that Debian's promtool accepts, counters that move with
// the requests that should move them, alert figures read from MySQL, and
// refusal for every address outside metrics.allow, X-Forwarded-For or not.
// The stack allows 127.0.0.1 only and trusts 127.0.0.1 as a proxy, so the
// test runner (127.0.0.1) may scrape and a client bound to 127.0.0.2 may not.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { makeClient } from '../stack/https.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';
import { until } from './alert-sinks.mjs';

const RATE = 5;             // requests a minute per key: the 429 test needs few
let stack;
let varDir;
let acct;
let stranger;               // requests from 127.0.0.2: not in metrics.allow

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-metrics-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4, demo: false, rateLimit: RATE,
    alertdPollMs: 200, trustedProxies: ['127.0.0.1/32'], metricsAllow: ['127.0.0.1/32', '::1/128'] });
  acct = stack.ctl(['create-account', '--name', 'Metered Co']);
  stranger = makeClient({ port: stack.httpsPort, caFile: stack.tls.cert, localAddress: '127.0.0.2' });
});

after(async () => {
  await stack?.stop();
  if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
});

const device = (name) => stack.ctl(['create-device', '--account', String(acct.id), '--name', name]);
const ingest = (dev, body) => stack.client('POST', `/api/v1/devices/${dev.id}/readings`, {
  headers: { authorization: `Bearer ${dev.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

// The exposition as { 'name{a="b",...}': value }, labels in the order written.
function parse(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

async function scrape() {
  const r = await stack.client('GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  return parse(r.text);
}

const get = (s, key) => s[key] ?? 0;
const INGEST = 'method="POST",route="/api/v1/devices/{device}/readings"';

describe('the exposition', () => {
  test('is Prometheus text 0.0.4 that promtool check metrics accepts', async () => {
    await stack.client('GET', '/healthz');
    const r = await stack.client('GET', '/metrics');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const p = spawnSync('promtool', ['check', 'metrics'], { input: r.text, encoding: 'utf8' });
    assert.equal(p.error, undefined, 'promtool is installed (make deps: Debian package prometheus)');
    assert.equal(p.status, 0, `promtool check metrics:\n${p.stdout}${p.stderr}`);
    for (const family of ['gauge_http_requests_total', 'gauge_http_request_duration_seconds',
      'gauge_readings_stored_total', 'gauge_readings_duplicate_total', 'gauge_ratelimited_total',
      'gauge_db_errors_total', 'gauge_alert_outbox_depth', 'gauge_alert_outbox_oldest_undelivered_seconds',
      'gauge_alert_deliveries_total', 'gauge_alertd_leader', 'gauge_alert_metrics_up']) {
      assert.match(r.text, new RegExp(`^# TYPE ${family} `, 'm'), family);
    }
  });

  test('HEAD answers like GET, without a body', async () => {
    const r = await stack.client('HEAD', '/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });
});

describe('counters move with requests', () => {
  test('a request shows under its route pattern and status, and in the duration histogram', async () => {
    const route = 'method="GET",route="/healthz"';
    const before = await scrape();
    for (let i = 0; i < 3; i++) assert.equal((await stack.client('GET', '/healthz')).status, 200);
    const now = await scrape();
    assert.equal(get(now, `gauge_http_requests_total{${route},status="200"}`)
      - get(before, `gauge_http_requests_total{${route},status="200"}`), 3);
    assert.equal(get(now, `gauge_http_request_duration_seconds_count{${route}}`)
      - get(before, `gauge_http_request_duration_seconds_count{${route}}`), 3);
    assert.equal(get(now, `gauge_http_request_duration_seconds_bucket{${route},le="+Inf"}`),
      get(now, `gauge_http_request_duration_seconds_count{${route}}`));
    assert.ok(get(now, `gauge_http_request_duration_seconds_sum{${route}}`)
      > get(before, `gauge_http_request_duration_seconds_sum{${route}}`));
  });

  test('a path no route takes counts as unmatched, never under its raw path', async () => {
    const before = await scrape();
    assert.equal((await stack.client('GET', '/no/such/page-4711')).status, 404);
    const after = await scrape();
    const key = 'gauge_http_requests_total{method="",route="unmatched",status="404"}';
    assert.equal(get(after, key) - get(before, key), 1);
    assert.ok(!Object.keys(after).some((k) => k.includes('4711')));
  });

  test('a 201 ingest counts readings stored; its resend counts duplicates', async () => {
    const dev = device('Meter 1');
    const readings = [1, 2, 3].map((i) => ({ id: `m1-${i}`, values: { kwh: i } }));
    const s0 = await scrape();
    const first = await ingest(dev, { readings });
    assert.equal(first.status, 201, first.text);
    const s1 = await scrape();
    assert.equal(get(s1, 'gauge_readings_stored_total') - get(s0, 'gauge_readings_stored_total'), 3);
    assert.equal(get(s1, 'gauge_readings_duplicate_total') - get(s0, 'gauge_readings_duplicate_total'), 0);
    assert.equal(get(s1, `gauge_http_requests_total{${INGEST},status="201"}`)
      - get(s0, `gauge_http_requests_total{${INGEST},status="201"}`), 1);
    const again = await ingest(dev, { readings });
    assert.deepEqual([again.status, again.json.stored, again.json.duplicates], [201, 0, 3]);
    const s2 = await scrape();
    assert.equal(get(s2, 'gauge_readings_stored_total') - get(s1, 'gauge_readings_stored_total'), 0);
    assert.equal(get(s2, 'gauge_readings_duplicate_total') - get(s1, 'gauge_readings_duplicate_total'), 3);
  });

  test('a 429 counts as rate-limited, by the limit it hit', async () => {
    const dev = device('Chatty meter');
    const key = 'gauge_ratelimited_total{limit="key"}';
    const before = await scrape();
    const statuses = [];
    for (let i = 0; i < RATE + 2; i++) statuses.push((await ingest(dev, { values: { kwh: i } })).status);
    const limited = statuses.filter((s) => s === 429).length;
    assert.ok(limited >= 1, `some requests were limited: ${statuses}`);
    const after = await scrape();
    assert.equal(get(after, key) - get(before, key), limited);
    assert.equal(get(after, `gauge_http_requests_total{${INGEST},status="429"}`)
      - get(before, `gauge_http_requests_total{${INGEST},status="429"}`), limited);
  });
});

describe('alert figures (from MySQL, the same on every host)', () => {
  test('the evaluator holding the lease is named, and the outbox is counted by status and channel', async () => {
    const s = await until('alertd to hold the lease', async () => {
      const m = await scrape();
      return Object.keys(m).some((k) => k.startsWith('gauge_alertd_leader{') && m[k] === 1) ? m : null;
    });
    const leader = stack.sql("SELECT value FROM alertd_state WHERE name = 'leader'")[0][0];
    assert.equal(s[`gauge_alertd_leader{instance="${leader}"}`], 1);
    assert.equal(s.gauge_alert_metrics_up, 1);
    // A real alarm, e-mailed through the SES sink: one delivery, sent.
    const dev = device('Alerted meter');
    const rule = await stack.client('POST', '/api/v1/alert-rules', {
      headers: { authorization: `Bearer ${acct.account_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Meter high', device: dev.id, channel: 'kwh', kind: 'above', threshold: 100,
        clear_threshold: 90, recipients: ['ops@meter.example'] }) });
    assert.equal(rule.status, 201, rule.text);
    const sent = 'gauge_alert_deliveries_total{channel="email",outcome="sent"}';
    const before = get(s, sent);
    assert.equal((await ingest(dev, { values: { kwh: 150 } })).status, 201);
    await until('the alarm delivered', async () => get(await scrape(), sent) === before + 1);
    // And a message that waits: retried tomorrow, queued 90 s ago.
    stack.sql(`INSERT INTO alert_outbox (event_id, transport, recipient, status, next_attempt_at, created_at)
      SELECT event_id, 'sms', '+14155550100', 'pending', UTC_TIMESTAMP(3) + INTERVAL 1 DAY,
      UTC_TIMESTAMP(3) - INTERVAL 90 SECOND FROM alert_outbox WHERE recipient = 'ops@meter.example'`);
    const m = await scrape();
    assert.equal(m['gauge_alert_outbox_depth{status="pending"}'], 1);
    assert.ok(m.gauge_alert_outbox_oldest_undelivered_seconds >= 89, String(m.gauge_alert_outbox_oldest_undelivered_seconds));
  });
});

describe('who may scrape', () => {
  test('an address outside metrics.allow gets 403 and a reason', async () => {
    const r = await stranger('GET', '/metrics');
    assert.equal(r.status, 403);
    assert.match(r.text, /127\.0\.0\.2 is not in metrics\.allow/);
    assert.doesNotMatch(r.text, /gauge_/);
  });

  test('a client cannot name an allowed address in X-Forwarded-For', async () => {
    // Not a trusted proxy: its header is not read at all.
    const r = await stranger('GET', '/metrics', { headers: { 'x-forwarded-for': '127.0.0.1' } });
    assert.equal(r.status, 403);
  });

  test('through a trusted proxy, the client it names decides, not the proxy', async () => {
    const forwarded = await stack.client('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    assert.equal(forwarded.status, 403);
    assert.match(forwarded.text, /203\.0\.113\.7 is not in metrics\.allow/);
    // A client that wrote a loopback address itself, forwarded by the balancer:
    // only the entry the balancer appended counts.
    const spoof = await stack.client('GET', '/metrics', { headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.7' } });
    assert.equal(spoof.status, 403);
  });
});

describe('metrics.allow at start', () => {
  for (const [value, shown] of [['10.0.0.1/8', '10.0.0.1/8'], ['2001:db8::/129', '2001:db8::/129'],
    ['127.0.0.1, localhost', 'localhost']]) {
    test(`"${value}" is refused with the entry named`, () => {
      const conf = path.join(varDir, 'bad-metrics.conf');
      fs.writeFileSync(conf, `${fs.readFileSync(stack.conf, 'utf8')}\nmetrics.allow = ${value}\n`);
      const p = spawnSync(path.join(ROOT, 'build/bin/gauge.fcgi'), ['-c', conf, '--listen', path.join(varDir, 'never.sock')],
        { encoding: 'utf8', timeout: 10000 });
      assert.equal(p.status, 1, p.stderr);
      assert.ok(p.stderr.includes(`metrics.allow: '${shown}' is not an address or CIDR block`), p.stderr);
      assert.ok(!fs.existsSync(path.join(varDir, 'never.sock')));
    });
  }
});
