// stack.test.mjs - the foundation, end to end: real MariaDB, MongoDB (or its
// stand-in), gauge.fcgi's supervisor and workers, lighttpd and Apache with
// TLS using the configs shipped in etc/, real HTTPS requests.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort, waitFor } from '../stack/proc.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';

const SECURITY_HEADERS = ['strict-transport-security', 'x-content-type-options', 'x-frame-options',
  'content-security-policy', 'referrer-policy'];

let stack;
let client;
let varDir;

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-e2e-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
  client = stack.client;
});

after(async () => {
  await stack?.stop();
  if (process.env.GAUGE_KEEP_VAR) console.log(`kept ${varDir}`);
  else fs.rmSync(varDir, { recursive: true, force: true });
});

function ctl(args, input) {
  return spawnSync(path.join(ROOT, 'build/bin/gaugectl'), ['-c', stack.conf, ...args],
    { input, encoding: 'utf8' });
}

// The same promises must hold through either web server.
function webServerPromises(name, getClient) {
  describe(`through ${name}`, () => {
    test('/healthz reports both databases reachable, as JSON', async () => {
      const r = await getClient()('GET', '/healthz');
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.equal(r.json.status, 'ok');
      assert.equal(r.json.mysql.ok, true);
      assert.equal(r.json.mongodb.ok, true);
      assert.equal(typeof r.json.mysql.latency_ms, 'number');
    });

    test('an unknown API address is a JSON 404 with a stable code and request id', async () => {
      const r = await getClient()('GET', '/api/v1/no-such-thing');
      assert.equal(r.status, 404);
      assert.equal(r.json.code, 'not_found');
      assert.ok(r.json.message.length > 0);
      assert.equal(r.json.request_id, r.headers['x-request-id']);
    });

    test('a device key in the Authorization header reaches the app', async () => {
      const { device } = stack.demo;
      const r = await getClient()('POST', `/api/v1/devices/${device.id}/readings`, { headers: {
        authorization: `Bearer ${device.key}`, 'content-type': 'application/json' }, body: '{"values":{"t":1}}' });
      assert.equal(r.status, 201, r.text);
    });

    test('an unknown page is a readable HTML 404 for a browser', async () => {
      const r = await getClient()('GET', '/no/such/page', { headers: { accept: 'text/html' } });
      assert.equal(r.status, 404);
      assert.match(r.headers['content-type'], /^text\/html/);
      assert.match(r.text, /404 Not Found/);
    });

    test('a body over the limit is refused with 413, with or without Content-Length', async () => {
      for (const chunked of [false, true]) {
        const r = await getClient()('POST', '/api/v1/devices/x/readings', {
          headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 10), chunked,
        });
        assert.equal(r.status, 413, `chunked=${chunked}`);
        assert.equal(r.json.code, 'body_too_large');
      }
    });

    test('a wrong method is 405 with an Allow header', async () => {
      const r = await getClient()('DELETE', '/healthz');
      assert.equal(r.status, 405);
      assert.equal(r.json.code, 'method_not_allowed');
      assert.match(r.headers.allow, /GET/);
    });

    test('malformed percent-encoding is a 400, not a crash', async () => {
      // In the path the web server may refuse it first; either way it is a 400.
      assert.equal((await getClient()('GET', '/api/v1/devices/%zz')).status, 400);
      const r = await getClient()('GET', '/api/v1/devices?from=%zz');
      assert.equal(r.status, 400);
      assert.equal(r.json.code, 'bad_query');
      assert.equal((await getClient()('GET', '/healthz')).status, 200);
    });

    test('every response carries the security headers, static files included', async () => {
      for (const p of ['/', '/healthz', '/api/v1/nothing']) {
        const r = await getClient()('GET', p);
        for (const h of SECURITY_HEADERS) assert.ok(r.headers[h], `${h} on ${p}`);
        assert.doesNotMatch(r.headers['content-security-policy'], /unsafe-inline/);
      }
      const css = await getClient()('GET', '/static/css/gauge.css');
      assert.equal(css.status, 200);
      assert.match(css.headers['content-type'], /text\/css/);
      assert.match(css.headers['strict-transport-security'], /max-age=\d+/);
    });

    test('the front page renders', async () => {
      const r = await getClient()('GET', '/');
      assert.equal(r.status, 200);
      assert.match(r.text, /<h1>Gauge<\/h1>/);
    });
  });
}

webServerPromises('lighttpd', () => client);

describe('Apache with mod_proxy_fcgi', () => {
  let apache;
  before(async () => { apache = await stack.startApache(await freePort()); });
  webServerPromises('Apache', () => apache);
});

describe('database outage', () => {
  test('MariaDB stopped: 503 and the workers stay alive; restarted: 200 without restarting anything', async () => {
    const workers = stack.fcgiWorkers();
    assert.equal(workers.length, 2);
    await stack.stopMariadb();
    for (let i = 0; i < 4; i++) {
      const r = await client('GET', '/healthz');
      assert.equal(r.status, 503);
      assert.equal(r.json.status, 'unavailable');
      assert.equal(r.json.mysql.ok, false);
      assert.equal(r.json.mongodb.ok, true);
    }
    assert.deepEqual(stack.fcgiWorkers(), workers, 'the same workers are still serving');
    await stack.startMariadb();
    const r = await client('GET', '/healthz');
    assert.equal(r.status, 200, 'the first request after the restart already succeeds');
    assert.equal(r.json.mysql.ok, true);
    for (let i = 0; i < 4; i++) assert.equal((await client('GET', '/healthz')).status, 200);
    assert.deepEqual(stack.fcgiWorkers(), workers, 'nothing was restarted');
  });

  // A busy or stalled MongoDB (a long checkpoint, an election) must slow
  // ingest down, not refuse it or lose what it was sent.
  test('MongoDB stalled for 3 s: ingest waits, then every reading is stored and none refused', async () => {
    if (!stack.procs.mongo) return;   // an external MongoDB cannot be paused from here
    const acct = stack.ctl(['create-account', '--name', 'Stall Co']);
    const dev = stack.ctl(['create-device', '--account', String(acct.id), '--name', 'Stalled']);
    const post = (v) => client('POST', `/api/v1/devices/${dev.id}/readings`, { headers: {
      authorization: `Bearer ${dev.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ values: { v } }) });
    assert.equal((await post(0)).status, 201);
    process.kill(stack.procs.mongo.pid, 'SIGSTOP');
    let pending;
    try {
      pending = Promise.all([1, 2, 3, 4].map(post));
      await sleep(3000);
    } finally {
      process.kill(stack.procs.mongo.pid, 'SIGCONT');
    }
    assert.deepEqual((await pending).map((r) => r.status), [201, 201, 201, 201]);
    const stored = await client('GET', `/api/v1/devices/${dev.id}/readings?limit=10`, {
      headers: { authorization: `Bearer ${dev.key}` } });
    assert.equal(stored.json.readings.length, 5, 'all five readings are stored');
  });
});

describe('supervisor', () => {
  test('a worker that dies is replaced and service continues', async () => {
    const before = stack.fcgiWorkers();
    process.kill(before[0], 'SIGKILL');
    await waitFor('a replacement worker', () => {
      const now = stack.fcgiWorkers();
      return now.length === 2 && !now.includes(before[0]);
    }, { timeoutMs: 10000 });
    for (let i = 0; i < 4; i++) assert.equal((await client('GET', '/healthz')).status, 200);
  });
});

describe('gaugectl', () => {
  test('migrate is idempotent', () => {
    const r = ctl(['migrate']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /0 migrations applied/);
  });

  test('create-account, create-user and create-device print one line of JSON each', () => {
    const acct = ctl(['create-account', '--name', 'Acme Boilers']);
    assert.equal(acct.status, 0, acct.stderr);
    const a = JSON.parse(acct.stdout);
    assert.equal(acct.stdout.trim().split('\n').length, 1);
    assert.equal(a.name, 'Acme Boilers');
    assert.match(a.account_key, /^gak_[A-Za-z0-9_-]{43}$/);

    const user = ctl(['create-user', '--account', String(a.id), '--email', 'ops@acme.example',
      '--role', 'viewer', '--password-stdin'], 'a long enough passphrase\n');
    assert.equal(user.status, 0, user.stderr);
    const u = JSON.parse(user.stdout);
    assert.equal(u.role, 'viewer');
    assert.equal(u.password, undefined, 'a password given on stdin is never echoed');

    const dev = ctl(['create-device', '--account', String(a.id), '--name', 'Kiln 2', '--group', 'Hall B']);
    assert.equal(dev.status, 0, dev.stderr);
    const d = JSON.parse(dev.stdout);
    assert.match(d.id, /^dev_[A-Za-z0-9_-]{16}$/);
    assert.match(d.key, /^gdk_[A-Za-z0-9_-]{43}$/);
    assert.match(d.group_id, /^grp_/);

    const dev2 = JSON.parse(ctl(['create-device', '--account', String(a.id), '--name', 'Kiln 3',
      '--group', 'Hall B']).stdout);
    assert.equal(dev2.group_id, d.group_id, 'an existing group is reused by name');
    assert.notEqual(dev2.key, d.key);
  });

  test('bad input gets a clear error and changes nothing', () => {
    const count = () => execFileSync('mariadb', ['--no-defaults', `--socket=${stack.dirs.run}/mysql.sock`,
      '-uroot', '-N', '-e', 'SELECT (SELECT COUNT(*) FROM gauge.users) + (SELECT COUNT(*) FROM gauge.devices)']).toString().trim();
    const n = count();
    const cases = [
      [['create-user', '--account', '1', '--email', 'not-an-email'], /not a valid address/],
      [['create-user', '--account', '1', '--email', 'x@y.example', '--role', 'root'], /--role/],
      [['create-user', '--account', 'abc', '--email', 'x@y.example'], /account id/],
      [['create-user', '--account', '999999', '--email', 'x@y.example'], /no account/],
      [['create-device', '--account', '1', '--name', ''], /--name/],
      [['create-device', '--account', '1'], /usage/],
      [['create-account', '--name', 'x', 'extra'], /usage/],
      [['frobnicate'], /unknown command/],
    ];
    for (const [args, msg] of cases) {
      const r = ctl(args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, msg, args.join(' '));
      assert.equal(r.stdout, '', 'nothing printed on stdout for a failure');
    }
    const dup = ctl(['create-user', '--account', '1', '--email', stack.demo.admin.email]);
    assert.notEqual(dup.status, 0);
    assert.match(dup.stderr, /already exists/);
    assert.equal(count(), n);
  });

  test('set-twilio seals the token, keeps an account\'s own settings with --if-unset, refuses bad input', () => {
    const sql = (q) => execFileSync('mariadb', ['--no-defaults', `--socket=${stack.dirs.run}/mysql.sock`,
      '-uroot', '-N', '-e', q]).toString().trim();
    const row = (id) => sql(`SELECT twilio_account_sid, twilio_from_number, HEX(twilio_auth_token_enc) FROM gauge.accounts WHERE id = ${id}`);
    // the dev stack gave the demo account the Twilio sink's credentials
    const demoId = stack.demo.account.id;
    assert.equal(stack.demoTwilio.result, 'set');
    assert.match(row(demoId), new RegExp(`^${stack.secrets.twilioSid}\t\\+15005550006\t[0-9A-F]+$`));
    assert.ok(!row(demoId).includes(Buffer.from(stack.secrets.twilioToken).toString('hex').toUpperCase()),
      'the token is stored sealed');

    const a = JSON.parse(ctl(['create-account', '--name', 'Twilio Works']).stdout).id;
    const mine = ['--account', String(a), '--sid', `AC${'ab'.repeat(16)}`, '--from', '+14155550100'];
    const set = (args, token) => ctl(['set-twilio', ...args], `${token}\n`);
    let r = set([...mine, '--if-unset'], 'first-token-0123456789');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).result, 'set');
    const sealed = row(a);
    r = set([...mine, '--if-unset'], 'first-token-0123456789');
    assert.equal(JSON.parse(r.stdout).result, 'unchanged');
    assert.equal(row(a), sealed, 'the same settings again write nothing');
    r = set([...mine, '--if-unset'], 'other-token-0123456789');
    assert.deepEqual(JSON.parse(r.stdout), { account_id: a, result: 'kept' });
    assert.equal(row(a), sealed, 'settings that differ are kept with --if-unset');
    r = set(mine, 'other-token-0123456789');
    assert.equal(JSON.parse(r.stdout).result, 'set', 'without --if-unset they are replaced');
    assert.notEqual(row(a), sealed);

    for (const [args, token, msg] of [
      [['--account', String(a), '--sid', 'AC123', '--from', '+14155550100'], 'a-token-0123456789', /--sid/],
      [['--account', String(a), '--sid', `AC${'ab'.repeat(16)}`, '--from', '0800'], 'a-token-0123456789', /--from/],
      [mine, 'short', /auth token/],
      [['--account', '999999', '--sid', `AC${'ab'.repeat(16)}`, '--from', '+14155550100'], 'a-token-0123456789', /no account/],
    ]) {
      r = set(args, token);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, msg);
      assert.equal(r.stdout, '');
    }
  });

  test('check-config reports both databases', () => {
    const r = ctl(['check-config']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /mysql: ok/);
    assert.match(r.stdout, /mongodb: ok/);
  });

  test('check-config fails on a misspelled key, even with both databases up', () => {
    const conf = path.join(varDir, 'gauge-typo.conf');
    fs.writeFileSync(conf, `${fs.readFileSync(stack.conf, 'utf8')}ratelimit.per_minut = 5\n`);
    const lines = fs.readFileSync(conf, 'utf8').split('\n').length - 1;
    const r = spawnSync(path.join(ROOT, 'build/bin/gaugectl'), ['-c', conf, 'check-config'], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAILED \(1 unknown key\)/);
    assert.ok(r.stdout.includes(`gauge-typo.conf:${lines}: unknown key 'ratelimit.per_minut' ignored ` +
      "(did you mean 'ratelimit.per_minute'?)"), r.stdout);
    assert.match(r.stdout, /mysql: ok/);
    assert.match(r.stdout, /mongodb: ok/);
    assert.match(r.stderr, /warn: config .*unknown key 'ratelimit\.per_minut'/, 'and warned in the log');
  });

  test('keys and passwords are stored only as hashes', () => {
    const q = (sql) => execFileSync('mariadb', ['--no-defaults', `--socket=${stack.dirs.run}/mysql.sock`,
      '-uroot', '-N', '-e', sql]).toString();
    const dump = q('SELECT HEX(key_hash), display_prefix FROM gauge.api_keys; SELECT password_hash FROM gauge.users;');
    assert.ok(!dump.includes(stack.demo.device.key.slice(4)), 'no device key in the database');
    assert.ok(!dump.includes(stack.demo.admin.password), 'no password in the database');
    assert.match(dump, /\$2b\$04\$/, 'passwords are bcrypt $2b$ with the configured cost');
  });
});

describe('gauge-alertd', () => {
  test('it connects to both databases and stops cleanly on SIGTERM', async () => {
    const p = stack.procs.alertd;
    await waitFor('alertd to see both databases', () => {
      const log = fs.readFileSync(p.logFile, 'utf8');
      return /mysql reachable/.test(log) && /mongodb reachable/.test(log);
    }, { timeoutMs: 10000 });
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    assert.equal(code, 0);
    assert.match(fs.readFileSync(p.logFile, 'utf8'), /stopping/);
  });
});

test('the request log has one line per request with its id', async () => {
  const r = await client('GET', '/healthz');
  await sleep(100);
  const log = fs.readFileSync(path.join(stack.dirs.log, 'gauge-fcgi.log'), 'utf8');
  const line = log.split('\n').find((l) => l.includes(`req=${r.headers['x-request-id']}`));
  assert.ok(line, 'a log line names the request id');
  assert.match(line, /GET \/healthz 200 \d+B [\d.]+ms/);
});
