// deploy.test.mjs - Gauge as its admins deploy it (README, "Deploying for
// real"), on lab hosts made of network namespaces (tests/deploy/): HAProxy
// in front of an Apache and a lighttpd web host, each with its own
// gauge.fcgi pool from its own `make install` tree, a Mosquitto broker
// host with Gauge's plugin installed as README section 11 says, and a
// database host that only those hosts may reach.  Traffic never leaves the lab.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { deploy } from '../deploy/deploy.mjs';

let d;
let dir;
let acct;
let dev;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-deploy-'));
  d = await deploy(dir);
  acct = d.ctl('web1', ['create-account', '--name', 'Deployed Co']);
  dev = d.ctl('web2', ['create-device', '--account', String(acct.id), '--name', 'Press 4']);
  d.ctl('web1', ['create-user', '--account', String(acct.id), '--email', 'ops@deployed.example', '--role', 'admin',
    '--password-stdin'], 'valve seat gasket 9\n');
});

after(async () => {
  await d?.down();
  if (process.env.GAUGE_KEEP_VAR) console.log(`kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

const bearer = (key) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
// Request lines each web host's gauge.fcgi logged, as "METHOD PATH STATUS".
const served = (host) => d.log(`${host}-gauge-fcgi`).split('\n')
  .map((l) => / req=\S+ \S+ (\S+) (\S+) (\d+) /.exec(l)).filter(Boolean).map((m) => `${m[1]} ${m[2]} ${m[3]}`);

// Whether a TCP connection from host to the db host's port is accepted.
function dbAccepts(host, port) {
  const script = `const s=require('net').connect(${port},'${d.lab.hosts.db}');` +
    "s.on('connect',()=>{console.log('open');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)});" +
    'setTimeout(()=>{console.log("timeout");process.exit(0)},3000)';
  return d.lab.run(host, process.execPath, ['-e', script]).trim();
}

describe('through the balancer', () => {
  test('device ingest and reads with Authorization: Bearer land on both web hosts and all succeed', async () => {
    const path1 = `/api/v1/devices/${dev.id}/readings`;
    const before1 = served('web1').length;
    const before2 = served('web2').length;
    for (let i = 0; i < 20; i++) {
      const w = await d.request('POST', path1, { headers: bearer(dev.key),
        body: JSON.stringify({ id: `lb-${i}`, values: { temp: 20 + i } }) });
      assert.equal(w.status, 201, w.text);
    }
    for (let i = 0; i < 20; i++) {
      const r = await d.request('GET', `${path1}?limit=1`, { headers: bearer(dev.key) });
      assert.equal(r.status, 200, r.text);
    }
    const on1 = served('web1').slice(before1).filter((l) => l.startsWith('POST'));
    const on2 = served('web2').slice(before2).filter((l) => l.startsWith('POST'));
    assert.ok(on1.length > 0 && on2.length > 0, `ingest on web1 (Apache): ${on1.length}, web2 (lighttpd): ${on2.length}`);
    assert.ok([...on1, ...on2].every((l) => l.endsWith(' 201')));
    const all = await d.request('GET', `${path1}?limit=1000`, { headers: bearer(dev.key) });
    assert.equal(all.json.readings.length, 20, 'every reading stored once, whichever host took it');
  });

  test('a dashboard session made through one web host works on the other', async () => {
    const cookies = new Map();
    const send = async (method, p, form) => {
      const headers = { accept: 'text/html', cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
      let body;
      if (form) {
        body = new URLSearchParams(form).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
      const r = await d.request(method, p, { headers, body });
      for (const c of [r.headers['set-cookie'] ?? []].flat()) {
        const [pair] = c.split(';');
        cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
      }
      return r;
    };
    const login = await send('GET', '/login');
    const csrf = /name="csrf" value="([^"]*)"/.exec(login.text)[1];
    const r = await send('POST', '/login', { csrf, email: 'ops@deployed.example', password: 'valve seat gasket 9' });
    assert.equal(r.status, 303, r.text);
    const before1 = served('web1').length;
    const before2 = served('web2').length;
    for (let i = 0; i < 6; i++) assert.equal((await send('GET', '/devices')).status, 200);
    assert.ok(served('web1').slice(before1).includes('GET /devices 200'), 'web1 served the signed-in page');
    assert.ok(served('web2').slice(before2).includes('GET /devices 200'), 'and so did web2, with the same session');
  });
});

describe('the client behind the balancer', () => {
  test('the client\'s own address, not the balancer\'s, is what the logs, the audit log and key last use record', async () => {
    const client = d.lab.hosts.client;
    const r = await d.request('POST', `/api/v1/devices/${dev.id}/readings`, { headers: bearer(dev.key),
      body: JSON.stringify({ values: { temp: 1 } }) });
    assert.equal(r.status, 201);
    const keys = await d.request('GET', `/api/v1/devices/${dev.id}/keys`, { headers: bearer(acct.account_key) });
    assert.ok(keys.json.keys.some((k) => k.last_used_from === client), `last used from ${client}: ${keys.text}`);
    const lines = [d.log('web1-gauge-fcgi'), d.log('web2-gauge-fcgi')].join('\n').split('\n')
      .filter((l) => l.includes(` POST /api/v1/devices/${dev.id}/readings `));
    assert.ok(lines.length > 0 && lines.every((l) => l.includes(` ${client} `) && l.includes(`via=${d.lab.hosts.lb}`)),
      lines.slice(0, 2).join('\n'));
    const [[ip]] = d.sql("SELECT ip FROM audit_log WHERE action LIKE 'login%' ORDER BY id DESC LIMIT 1");
    assert.equal(ip, client, 'the sign-in was audited from the client');
  });

  test('the balancer\'s X-Request-Id names the request on the web host', async () => {
    const r = await d.request('GET', '/healthz');
    const id = r.headers['x-request-id'];
    assert.match(id, /^[0-9A-F]{20,64}$/, 'HAProxy\'s unique id, not one the app made');
    assert.ok([d.log('web1-gauge-fcgi'), d.log('web2-gauge-fcgi')].join('\n').includes(`req=${id} `));
  });
});

describe('the database host', () => {
  test('refuses connections from the balancer, the sinks\' host and clients; accepts the web and alert hosts', () => {
    for (const port of [3306, 27017]) {
      for (const host of ['web1', 'web2', 'alert1', 'alert2']) assert.equal(dbAccepts(host, port), 'open', `${host} -> db:${port}`);
      for (const host of ['lb', 'sinks', 'client']) assert.notEqual(dbAccepts(host, port), 'open', `${host} -> db:${port}`);
    }
  });
});

describe('a web host lost under load', () => {
  test('the balancer stops sending to it and every reading that got 201 is stored', async () => {
    const p = `/api/v1/devices/${dev.id}/readings`;
    const acked = [];
    const failed = [];
    let killed = false;
    for (let i = 0; i < 150; i++) {
      if (i === 40) {
        await d.lab.kill(d.procs['web1-http']);
        await d.lab.kill(d.procs['web1-fcgi']);
        killed = true;
      }
      const id = `loss-${i}`;
      try {
        const r = await d.request('POST', p, { headers: bearer(dev.key), body: JSON.stringify({ id, values: { v: i } }) });
        (r.status === 201 ? acked : failed).push(r.status === 201 ? id : `${id}: ${r.status}`);
      } catch (e) {
        failed.push(`${id}: ${e.message}`);
      }
    }
    assert.ok(killed);
    // Sequential requests: only the one in flight at the kill may fail.
    assert.ok(failed.length <= 1, `failed: ${failed.join(', ')}`);
    const back = await d.request('GET', `${p}?limit=1000`, { headers: bearer(dev.key) });
    const stored = new Set(back.json.readings.map((r) => r.id));
    for (const id of acked) assert.ok(stored.has(id), `${id} was acknowledged and must be stored`);
    await sleep(1500);
    const log = d.log('lb-haproxy');
    assert.match(log, /Server gauge_web\/web1 is DOWN/, 'the health check took web1 out');
  });
});

describe('alert hosts', () => {
  const leaderPid = () => Number((d.sql("SELECT value FROM alertd_state WHERE name = 'leader'")[0]?.[0] ?? '').split(':')[1]);
  const mailsTo = (to) => d.sent('ses').filter((m) => JSON.stringify(m).includes(to));
  async function until(what, check, ms = 30000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = check();
      if (v) return v;
      await sleep(200);
    }
    throw new Error(`${what}: not within ${ms} ms`);
  }

  test('the lease holder killed while alerts fire: the other host takes over and each alert is sent once or marked unknown', async (t) => {
    const devs = [];
    for (let i = 0; i < 6; i++) {
      const k = d.ctl('web1', ['create-device', '--account', String(acct.id), '--name', `Kiln ${i}`]);
      const r = await d.request('POST', '/api/v1/alert-rules', { headers: bearer(acct.account_key), body: JSON.stringify({
        name: `Kiln ${i} hot`, device: k.id, channel: 'temp', kind: 'above', threshold: 100, notify_clear: false,
        recipients: [`kiln${i}@deployed.example`] }) });
      assert.equal(r.status, 201, r.text);
      devs.push(k);
    }
    const post = (k, temp) => d.request('POST', `/api/v1/devices/${k.id}/readings`,
      { headers: bearer(k.key), body: JSON.stringify({ values: { temp } }) });
    assert.equal((await post(devs[0], 150)).status, 201);
    await until('the first alarm', () => mailsTo('kiln0@').length === 1);
    const pids = { alert1: d.procs['alert1-alertd'].pid, alert2: d.procs['alert2-alertd'].pid };
    const leader = Object.keys(pids).find((h) => pids[h] === leaderPid());
    assert.ok(leader, `the lease is held by one of the alert hosts (${leaderPid()})`);
    const other = leader === 'alert1' ? 'alert2' : 'alert1';
    const killedAt = Date.now();
    await d.lab.kill(d.procs[`${leader}-alertd`]);
    for (const k of devs.slice(1)) assert.equal((await post(k, 150)).status, 201);
    for (let i = 1; i < 6; i++) await until(`kiln ${i}'s alarm from ${other}`, () => mailsTo(`kiln${i}@`).length >= 1, 40000);
    const tookOver = Date.now() - killedAt;
    assert.equal(leaderPid(), pids[other], `${other} holds the lease now`);
    t.diagnostic(`${other} took over and sent the queued alarms ${tookOver} ms after ${leader} was killed (lease 10 s)`);
    assert.ok(tookOver < 10000 + 5000, `taken over in ${tookOver} ms (lease 10 s)`);
    await sleep(1500);
    for (let i = 0; i < 6; i++) {
      const n = mailsTo(`kiln${i}@`).length;
      const [[status]] = d.sql(`SELECT status FROM alert_outbox WHERE recipient = 'kiln${i}@deployed.example'`);
      assert.ok(n === 1 || (n === 0 && status === 'unknown'), `kiln ${i}: ${n} messages, outbox ${status}`);
      assert.equal(d.sql(`SELECT COUNT(*) FROM alert_events e JOIN devices v ON v.id = e.device_id WHERE v.uid = '${devs[i].id}'`)[0][0],
        '1', `kiln ${i}: one alert event`);
    }
    d.startAlertd(leader);
  });
});

describe('the MQTT broker host', () => {
  test('installed as the README says, the broker runs as mosquitto with its groups and stores a QoS 1 publish', async () => {
    const pid = d.procs['mqtt1-mosquitto'].pid;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)[1]);
    const groups = /^Groups:\s*(.*)$/m.exec(status)[1].trim().split(/\s+/).map(Number);
    const gid = (name) => Number(execFileSync('getent', ['group', name], { encoding: 'utf8' }).split(':')[2]);
    assert.equal(uid, Number(execFileSync('id', ['-u', 'mosquitto'], { encoding: 'utf8' })), 'the broker gave up root');
    for (const g of ['gauge', 'ssl-cert']) assert.ok(groups.includes(gid(g)), `the broker is in group ${g} (${groups})`);

    const topic = `gauge/v1/devices/${dev.id}/readings`;
    const pub = (key, body) => spawnSync('ip', d.lab.argv('client', 'mosquitto_pub', ['-h', d.lab.hosts.mqtt1,
      '-p', '8883', '--cafile', d.tls.cert, '-V', 'mqttv5', '-q', '1', '-u', dev.id, '-P', key, '-t', topic,
      '-m', JSON.stringify(body)]), { encoding: 'utf8', timeout: 20000 });
    const ok = pub(dev.key, { id: 'deployed-mqtt-1', values: { pressure: 4.25 } });
    assert.equal(ok.status, 0, ok.stderr);
    const r = await d.request('GET', `/api/v1/devices/${dev.id}/readings?limit=10`, { headers: bearer(dev.key) });
    assert.equal(r.status, 200, r.text);
    const got = r.json.readings.find((x) => x.id === 'deployed-mqtt-1');
    assert.ok(got, 'the published reading is read back through the balancer');
    assert.equal(got.values.pressure, 4.25);
    const bad = pub('gk_dev_not-a-real-key', { values: { pressure: 1 } });
    assert.notEqual(bad.status, 0, 'a wrong key is refused at CONNECT');
  });
});
