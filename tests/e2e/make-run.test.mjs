// make-run.test.mjs - `make run` brings the whole stack up, Ctrl-C takes
// all of it down, and a second `make run` reuses the data; what it prints
// (keys, Twilio credentials) works, also after changes in the dashboard.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { makeClient } from '../stack/https.mjs';
import { freePort, waitFor } from '../stack/proc.mjs';
import { ROOT } from '../stack/stack.mjs';
import { textOf, WebClient } from './web-client.mjs';

const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-makerun-'));
after(() => fs.rmSync(varDir, { recursive: true, force: true }));

// Processes whose command line mentions the var directory: all started by make run.
function processesUsing(dir) {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(dir) && Number(pid) !== process.pid) found.push(`${pid}: ${cmd.slice(0, 120)}`);
    } catch { /* exited meanwhile */ }
  }
  return found;
}

async function makeRun(port, dir = varDir, mqttPort = 0) {
  const child = spawn('make', ['--no-print-directory', 'run', `GAUGE_VAR=${dir}`, `GAUGE_HTTPS_PORT=${port}`,
    `GAUGE_MQTT_PORT=${mqttPort || await freePort()}`],
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const t0 = Date.now();
  await waitFor('make run to print its summary', () => out.includes('Press Ctrl-C to stop.'),
    { timeoutMs: 120000 });
  return { child, exited, output: () => out, seconds: (Date.now() - t0) / 1000 };
}

// make itself dies of the SIGINT after its recipe returns, as with any
// Ctrl-C; what matters is that the stack reported a clean stop.
async function stoppedCleanly(run) {
  const { code, signal } = await run.exited;
  assert.ok(code === 0 || signal === 'SIGINT', `make ended with ${code}/${signal}`);
  assert.match(run.output(), /Stopped\.\n/, run.output());
}

test('make run serves /healthz over TLS and Ctrl-C stops everything it started', async () => {
  const port = await freePort();
  const mqttPort = await freePort();
  const run = await makeRun(port, varDir, mqttPort);
  const client = makeClient({ port, caFile: path.join(varDir, 'tls/cert.pem') });
  const r = await client('GET', '/healthz');
  assert.equal(r.status, 200, r.text);
  assert.match(run.output(), /Login:\s+admin@/);
  assert.match(run.output(), /Device key:\s+gdk_/);
  // The broker is printed beside the HTTPS URL and takes the printed device key.
  assert.match(run.output(), new RegExp(`MQTT:\\s+mqtts://localhost:${mqttPort}\\s+\\(port ${mqttPort}`));
  const dev = run.output().match(/Device:\s+.*\((dev_\S+)\)/)[1];
  execFileSync('mosquitto_pub', ['-h', 'localhost', '-p', String(mqttPort), '--cafile', path.join(varDir, 'tls/cert.pem'),
    '-u', dev, '-P', run.output().match(/Device key:\s+(\S+)/)[1], '-q', '1',
    '-t', `gauge/v1/devices/${dev}/readings`, '-m', '{"values":{"temp":21.5}}']);
  assert.ok(processesUsing(varDir).length >= 5, 'the stack runs: mariadb, mongo, sinks, fcgi, lighttpd, mosquitto, alertd');
  const firstKey = run.output().match(/Device key:\s+(\S+)/)[1];

  process.kill(-run.child.pid, 'SIGINT');   // what Ctrl-C in a terminal does
  await stoppedCleanly(run);
  assert.deepEqual(processesUsing(varDir), [], 'nothing started by make run is left running');

  // A second run reuses the data: the same demo device and key, and its
  // MariaDB still holds it.
  const again = await makeRun(port);
  assert.equal(again.output().match(/Device key:\s+(\S+)/)[1], firstKey);
  assert.equal((await client('GET', '/healthz')).status, 200);
  assert.ok(again.seconds < 60, `second start took ${again.seconds} s`);
  process.kill(-again.child.pid, 'SIGINT');
  await stoppedCleanly(again);
  assert.deepEqual(processesUsing(varDir), []);
});

// What `make run` prints for the demo account must work as printed, on the
// first run and after an administrator changed things in the dashboard.
const printedKeys = (out) => [...out.matchAll(/\bg[ad]k_[A-Za-z0-9_-]+/g)].map((m) => m[0]);
const printed = (out, label) => new RegExp(`${label}:\\s+(\\S+)`).exec(out)?.[1];
const smsDir = (dir) => path.join(dir, 'outbox/twilio');
const smsCount = (dir) => (fs.existsSync(smsDir(dir)) ? fs.readdirSync(smsDir(dir)).length : 0);

function bearer(client, method, p, key, json) {
  return client(method, p, { headers: { authorization: `Bearer ${key}`,
    ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined });
}

// A key works when an authenticated request with it succeeds; the path fits its kind.
async function keyStatus(client, key, deviceId) {
  const p = key.startsWith('gdk_') ? `/api/v1/devices/${deviceId}/readings?limit=1` : '/api/v1/account';
  return (await bearer(client, 'GET', p, key)).status;
}

async function stop(run, dir) {
  process.kill(-run.child.pid, 'SIGINT');
  await stoppedCleanly(run);
  assert.deepEqual(processesUsing(dir), []);
}

describe('make run prints demo credentials that work', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-makerun-creds-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let port;
  let client;
  let first;        // what the first run printed
  let secrets;

  test('make run prints Twilio credentials that the SMS sink accepts and an SMS alert arrives', async () => {
    port = await freePort();
    const run = await makeRun(port, dir);
    try {
      const out = run.output();
      client = makeClient({ port, caFile: path.join(dir, 'tls/cert.pem') });
      secrets = JSON.parse(fs.readFileSync(path.join(dir, 'etc/secrets.json'), 'utf8'));
      const tw = /Twilio:\s+SID (\S+)\s+token (\S+)\s+from (\S+)/.exec(out);
      assert.ok(tw, out);
      // the sink was started with exactly these (tests/stack/stack.mjs: --twilio=SID:TOKEN)
      assert.deepEqual([tw[1], tw[2]], [secrets.twilioSid, secrets.twilioToken]);
      first = { out, device: /Device:\s+.*\((dev_[^)]+)\)/.exec(out)[1], deviceKey: printed(out, 'Device key'),
        accountKey: printed(out, 'Account key'), password: printed(out, 'Password') };
      for (const key of printedKeys(out)) assert.equal(await keyStatus(client, key, first.device), 200, key);

      // An SMS alert on the demo account, with nothing configured by hand.
      const rule = await bearer(client, 'POST', '/api/v1/alert-rules', first.accountKey, { name: 'Boiler hot',
        device: first.device, channel: 'temp', kind: 'above', threshold: 90, recipients: ['+14155550123'] });
      assert.equal(rule.status, 201, rule.text);
      const r = await bearer(client, 'POST', `/api/v1/devices/${first.device}/readings`, first.deviceKey,
        { values: { temp: 96 } });
      assert.equal(r.status, 201, r.text);
      await waitFor('the SMS in the Twilio sink', () => smsCount(dir) === 1, { timeoutMs: 20000 });
      const sms = fs.readFileSync(path.join(smsDir(dir), fs.readdirSync(smsDir(dir))[0]), 'utf8');
      assert.match(sms, /\+14155550123/);
      assert.match(sms, new RegExp(tw[3].replace('+', '\\+')), 'sent from the printed number');
      const failed = fs.readFileSync(path.join(dir, 'log/gauge-alertd.log'), 'utf8');
      assert.doesNotMatch(failed, /20003|usable Twilio settings/);
    } finally {
      await stop(run, dir);
    }
  });

  test('after the account key is regenerated, make run does not print a key that answers 401', async () => {
    let run = await makeRun(port, dir);
    try {
      const admin = new WebClient({ httpsPort: port, tls: { cert: path.join(dir, 'tls/cert.pem') } });
      assert.equal((await admin.signIn(printed(first.out, 'Login'), first.password)).status, 303);
      const regen = await admin.post('/account', { action: 'key_regenerate', grace: '0', confirm: 'yes' });
      assert.equal(regen.status, 201, regen.text);
      const newAccountKey = textOf(regen.text, 'new-key');
      assert.match(newAccountKey, /^gak_/);
      // the device key too, through the API, with no grace period
      const rot = await bearer(client, 'POST', `/api/v1/devices/${first.device}/keys/rotate`, newAccountKey,
        { grace_seconds: 0 });
      assert.equal(rot.status, 201, rot.text);
    } finally {
      await stop(run, dir);
    }

    run = await makeRun(port, dir);
    try {
      const out = run.output();
      assert.equal(await keyStatus(client, first.accountKey, first.device), 401, 'the old account key is dead');
      assert.equal(await keyStatus(client, first.deviceKey, first.device), 401, 'the old device key is dead');
      for (const key of printedKeys(out)) {
        assert.equal(await keyStatus(client, key, first.device), 200, `make run printed ${key}:\n${out}`);
      }
      assert.ok(!out.includes(first.accountKey) && !out.includes(first.deviceKey), out);
      // and it says what happened and where to go instead
      assert.match(out, /Account key:\s+\(none to show: .*401[^]*regenerated or revoked[^]*\/account\)/, out);
      assert.match(out, new RegExp(`Device key:\\s+\\(none to show: [^]*/devices/${first.device}/settings\\)`), out);
      assert.match(out, /Twilio:\s+SID /, 'the demo Twilio settings are still the sink\'s');
    } finally {
      await stop(run, dir);
    }
  });

  test('make run keeps Twilio settings an administrator changed in the dashboard', async () => {
    let run = await makeRun(port, dir);
    const mine = { sid: `AC${'12ab'.repeat(8)}`, token: 'my-own-twilio-token-0001', from: '+14155550100' };
    const admin = new WebClient({ httpsPort: port, tls: { cert: path.join(dir, 'tls/cert.pem') } });
    try {
      assert.equal((await admin.signIn(printed(first.out, 'Login'), first.password)).status, 303);
      assert.equal((await admin.post('/account', { action: 'twilio', ...mine })).status, 303);
    } finally {
      await stop(run, dir);
    }
    run = await makeRun(port, dir);
    try {
      const out = run.output();
      assert.match(out, /Twilio:\s+the demo account's own settings \(changed in the dashboard\) are left as they are/, out);
      assert.ok(out.includes(secrets.twilioSid) && out.includes(secrets.twilioToken), 'it still says what the sink accepts');
      const again = new WebClient({ httpsPort: port, tls: { cert: path.join(dir, 'tls/cert.pem') } });
      assert.equal((await again.signIn(printed(first.out, 'Login'), first.password)).status, 303);
      const page = (await again.get('/account')).text;
      assert.ok(page.includes(mine.sid) && page.includes(mine.from), 'the administrator\'s settings are untouched');
    } finally {
      await stop(run, dir);
    }
  });
});
