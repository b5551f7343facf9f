// units.test.mjs - what an admin relies on when the shipped systemd units run
// Gauge: `systemctl reload` (SIGHUP) and `systemctl stop` (SIGTERM) on the
// gauge.fcgi supervisor, the units' hardening and syntax, the users and
// groups the fcgi unit runs with, and the hourly data-retention timer.
//
// No systemd need run here: `systemd-analyze --offline=yes` and `verify` read
// unit files, and the unit's User=/Group=/SupplementaryGroups= are applied
// with setpriv, with systemd's semantics (initgroups(User, Group), then the
// supplementary groups).  Traffic stays on loopback and unix sockets.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { unixConnects, waitFor } from '../stack/proc.mjs';
import { ensureUser, setprivArgs, unitExecStart, unitSettings } from '../deploy/unit.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';

const UNITS = ['gauge-fcgi.service', 'gauge-alertd.service', 'gauge-prune.service'];
const MAX_EXPOSURE = 3.0;

// An installed tree, made once: the units are checked as `make install` ships them.
let destdir;
function installed() {
  if (!destdir) {
    destdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-units-'));
    fs.chmodSync(destdir, 0o755);   // the service user walks into it below
    execFileSync('make', ['-s', '--no-print-directory', 'install', `DESTDIR=${destdir}`, 'PREFIX=/usr/local'],
      { cwd: ROOT, stdio: 'pipe' });
  }
  return destdir;
}
const installedUnit = (name) => path.join(installed(), 'usr/local/share/doc/gauge/examples/systemd', name);

// [Service] settings of a unit file: key -> list of values.
after(() => { if (destdir) fs.rmSync(destdir, { recursive: true, force: true }); });

describe('systemd units', () => {
  for (const unit of UNITS) {
    test(`${unit} scores ${MAX_EXPOSURE.toFixed(1)} or below in systemd-analyze security --offline and passes verify`, () => {
      const file = installedUnit(unit);
      const sec = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', file], { encoding: 'utf8' });
      const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(sec.stdout);
      assert.ok(m, `no score in:\n${sec.stdout}${sec.stderr}`);
      const score = Number(m[1]);
      console.log(`${unit}: exposure ${score}`);
      assert.ok(score <= MAX_EXPOSURE, `${unit} scores ${score}:\n${sec.stdout}`);

      // verify checks that every command exists: the unit names /usr/local,
      // which is where `make install` put it inside DESTDIR.
      const copy = path.join(installed(), unit);
      fs.writeFileSync(copy, fs.readFileSync(file, 'utf8').replaceAll('/usr/local/', `${installed()}/usr/local/`));
      const ver = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      assert.equal(ver.status, 0, ver.stdout + ver.stderr);
      assert.equal((ver.stdout + ver.stderr).trim(), '', 'verify says nothing');
      const s = unitSettings(file);
      if (s.Type?.[0] !== 'oneshot') {
        assert.ok(s.ExecReload?.[0].includes('kill -HUP $MAINPID'), 'systemctl reload sends SIGHUP');
      }
      for (const db of ['mariadb.service', 'mongod.service']) {
        assert.ok(s.After.join(' ').includes(db) && s.Wants.join(' ').includes(db), `After= and Wants= ${db}`);
      }
    });
  }
});

describe('data retention schedule', () => {
  test('gauge-prune.timer starts one `gaugectl prune` pass at least hourly and passes verify', () => {
    const timer = installedUnit('gauge-prune.timer');
    const t = unitSettings(timer);
    assert.deepEqual(t.OnCalendar, ['hourly']);
    assert.equal(t.Persistent?.[0], 'true', 'a pass missed while down is caught up');
    assert.equal(t.Unit, undefined, 'it starts gauge-prune.service, its namesake');
    const cal = spawnSync('systemd-analyze', ['calendar', '--iterations=3', t.OnCalendar[0]],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    assert.equal(cal.status, 0, cal.stderr);
    assert.match(cal.stdout, /Normalized form: \*-\*-\* \*:00:00/);
    const next = [...cal.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\S+) (\S+) UTC/g)]
      .map((m) => Date.parse(`${m[1]}T${m[2]}Z`));
    assert.equal(next.length, 3, cal.stdout);
    assert.equal(next[1] - next[0], 3600e3);
    assert.ok(Number.parseInt(t.RandomizedDelaySec[0], 10) * 60 < 3600, 'the spread stays within the hour');

    // verify reads the timer with its service beside it.
    const dir = fs.mkdtempSync(path.join(installed(), 'timer-'));
    for (const u of ['gauge-prune.timer', 'gauge-prune.service']) {
      fs.writeFileSync(path.join(dir, u),
        fs.readFileSync(installedUnit(u), 'utf8').replaceAll('/usr/local/', `${installed()}/usr/local/`));
    }
    const ver = spawnSync('systemd-analyze', ['verify', path.join(dir, 'gauge-prune.timer')], { encoding: 'utf8' });
    assert.equal(ver.status, 0, ver.stdout + ver.stderr);
    assert.equal((ver.stdout + ver.stderr).trim(), '', 'verify says nothing');
    const svc = unitSettings(installedUnit('gauge-prune.service'));
    assert.equal(svc.Type[0], 'oneshot');
    assert.match(svc.ExecStart[0], /\/gaugectl -c \/etc\/gauge\/gauge\.conf prune$/);
  });
});

// One FastCGI GET through the socket as the given user (libfcgi's cgi-fcgi).
function fcgiGet(socket, pathname, as) {
  return spawnSync('setpriv', [...as, 'cgi-fcgi', '-bind', '-connect', socket], {
    encoding: 'utf8', timeout: 10000,
    env: { PATH: process.env.PATH, REQUEST_METHOD: 'GET', SCRIPT_NAME: pathname, REQUEST_URI: pathname,
      PATH_INFO: '', QUERY_STRING: '', SERVER_NAME: 'localhost', SERVER_PORT: '443', HTTPS: 'on',
      REMOTE_ADDR: '127.0.0.1', SERVER_PROTOCOL: 'HTTP/1.1', GATEWAY_INTERFACE: 'CGI/1.1' },
  });
}

describe('the fcgi unit\'s identity', () => {
  test('the fcgi unit\'s user and groups can read the config and the web server\'s group can reach the socket', async () => {
    for (const u of ['gauge', 'www-data']) ensureUser(u);
    const unit = unitSettings(installedUnit('gauge-fcgi.service'));
    const user = unit.User[0];
    const group = unit.Group[0];
    const supplementary = (unit.SupplementaryGroups ?? []).join(' ').split(/\s+/).filter(Boolean);
    const root = installed();

    // As the README installs it: /etc/gauge 0750 root:gauge, gauge.conf 0640 root:gauge.
    const etc = path.join(root, 'etc/gauge');
    const run = path.join(root, 'run/gauge');   // RuntimeDirectory=: owned User:Group
    fs.mkdirSync(etc, { recursive: true });
    fs.mkdirSync(run, { recursive: true });
    fs.chmodSync(path.join(root, 'etc'), 0o755);
    fs.chmodSync(path.join(root, 'run'), 0o755);
    execFileSync('chown', ['root:gauge', etc]);
    fs.chmodSync(etc, 0o750);
    execFileSync('chown', [`${user}:${group}`, run]);
    fs.chmodSync(run, Number.parseInt(unit.RuntimeDirectoryMode[0], 8));
    const conf = path.join(etc, 'gauge.conf');
    fs.writeFileSync(conf, `paths.templates = ${root}/usr/local/share/gauge/templates
paths.schema = ${root}/usr/local/share/gauge/schema
log.level = info
mysql.host = 127.0.0.1
mysql.port = 9
mysql.connect_timeout = 1
mongo.uri = mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500&connectTimeoutMS=500
fcgi.workers = 1
fcgi.socket_mode = 0660
ratelimit.file = ${run}/ratelimit
`);
    execFileSync('chown', ['root:gauge', conf]);
    fs.chmodSync(conf, 0o640);

    // ExecStart= with the config and socket moved under the temporary root.
    const exec = unitExecStart(unit, { root, conf, run });
    const socket = exec[exec.indexOf('--listen') + 1];
    const as = setprivArgs({ user, group, supplementary });

    // The seed's unit (Group=www-data, no gauge group) could not read it.
    const old = spawnSync('setpriv', [...setprivArgs({ user, group: 'www-data', supplementary: [] }),
      ...exec], { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(old.status, 0);
    assert.match(old.stderr, /Permission denied/);

    const log = path.join(root, 'gauge-fcgi.log');
    const fd = fs.openSync(log, 'a');
    const sup = spawn('setpriv', [...as, ...exec], { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const exited = new Promise((r) => sup.once('exit', (code, signal) => r({ code, signal })));
    try {
      await waitFor('gauge.fcgi as the unit\'s user', () => unixConnects(socket), { timeoutMs: 15000,
        proc: { child: sup, logFile: log } });
      const st = fs.statSync(socket);
      assert.equal(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim(), String(st.uid));
      assert.equal(execFileSync('getent', ['group', 'www-data'], { encoding: 'utf8' }).split(':')[2], String(st.gid),
        'the socket belongs to the web server\'s group');
      assert.equal(st.mode & 0o777, 0o660);

      // The web server's user gets an answer from the app (503: no databases here).
      const web = fcgiGet(socket, '/healthz', ['--reuid', 'www-data', '--regid', 'www-data', '--init-groups', '--']);
      assert.equal(web.status, 0, web.stderr);
      assert.match(web.stdout, /^Status: 503/m);
      assert.match(web.stdout, /"mysql"/);
      // Anyone else does not reach it.
      const other = fcgiGet(socket, '/healthz', ['--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups', '--']);
      assert.doesNotMatch(other.stdout, /Status:/);
      assert.match(fs.readFileSync(log, 'utf8'), /listening on/);
    } finally {
      sup.kill('SIGTERM');
    }
    const { code } = await exited;
    assert.equal(code, 0);
    assert.ok(!fs.existsSync(socket), 'the socket is removed on stop');
  });
});

describe('signals to the running stack', () => {
  let stack;
  let varDir;
  let fcgiLog;

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-units-stack-'));
    stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
    fcgiLog = path.join(stack.dirs.log, 'gauge-fcgi.log');
  });

  after(async () => {
    await stack?.stop();
    if (process.env.GAUGE_KEEP_VAR) console.log(`kept ${varDir}`);
    else fs.rmSync(varDir, { recursive: true, force: true });
  });

  const logText = () => fs.readFileSync(fcgiLog, 'utf8');
  const count = (re) => (logText().match(new RegExp(re, 'g')) ?? []).length;
  const post = (v) => stack.client('POST', `/api/v1/devices/${stack.demo.device.id}/readings`, { headers: {
    authorization: `Bearer ${stack.demo.device.key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ values: { v } }) });
  const stored = async () => (await stack.client('GET',
    `/api/v1/devices/${stack.demo.device.id}/readings?limit=1000`,
    { headers: { authorization: `Bearer ${stack.demo.device.key}` } })).json.readings.length;

  // SIGHUP, then wait until every worker is a new one.
  async function reload() {
    const old = stack.fcgiWorkers();
    process.kill(stack.procs.fcgi.pid, 'SIGHUP');
    await waitFor('every worker replaced', () => {
      const now = stack.fcgiWorkers();
      return now.length === old.length && now.every((p) => !old.includes(p));
    }, { timeoutMs: 20000 });
  }

  function editConf(fn) {
    fs.writeFileSync(stack.conf, fn(fs.readFileSync(stack.conf, 'utf8')));
  }

  test('SIGHUP reloads the log level and templates, logs it, and drops no request in flight', async () => {
    const original = fs.readFileSync(stack.conf, 'utf8');
    const n0 = await stored();
    const hups = count('SIGHUP: reloading');

    // Requests held inside the workers (MongoDB paused) while SIGHUP arrives.
    const mongo = stack.procs.mongo;
    let held = [];
    if (mongo) {
      process.kill(mongo.pid, 'SIGSTOP');
      try {
        held = [1001, 1002, 1003].map(post);
        await sleep(500);
        process.kill(stack.procs.fcgi.pid, 'SIGHUP');
        await sleep(1000);
      } finally {
        process.kill(mongo.pid, 'SIGCONT');
      }
    }
    // A bounded load, four clients at once, with a SIGHUP every few requests.
    const results = [];
    let posts = 0;
    const client = async (c) => {
      for (let i = 0; i < 24; i++) {
        results.push(i % 2 ? (posts++, await post(c * 100 + i)) : await stack.client('GET', '/'));
        if (c === 0 && i % 8 === 4) process.kill(stack.procs.fcgi.pid, 'SIGHUP');
      }
    };
    await Promise.all([0, 1, 2, 3].map(client));
    assert.deepEqual((await Promise.all(held)).map((r) => r.status), held.map(() => 201),
      'requests in flight at the SIGHUP are answered');
    const bad = results.filter((r) => r.status !== 200 && r.status !== 201);
    assert.equal(bad.length, 0, `failed during reloads: ${bad.map((r) => `${r.status} ${r.text}`).join('; ')}`);
    assert.equal(await stored(), n0 + held.length + posts, 'every acknowledged reading is stored');

    await waitFor('the reload to complete', () => /reload complete: all 2 workers/.test(logText()), { timeoutMs: 20000 });
    assert.ok(count('SIGHUP: reloading') >= hups + 3, 'each SIGHUP is logged');
    assert.match(logText(), /config \S+ read: new workers take all of it/);

    // The log level: at warn, a request leaves no line; back at info, it does.
    const logged = async () => {
      const r = await stack.client('GET', '/healthz');
      await sleep(200);
      return logText().includes(`req=${r.headers['x-request-id']}`);
    };
    assert.equal(await logged(), true);
    editConf((t) => t.replace(/^log\.level = .*$/m, 'log.level = warn'));
    await reload();
    assert.equal(await logged(), false, 'log.level = warn took effect');

    // Templates: a new templates directory (say, a new release installed beside the old).
    const tdir = path.join(varDir, 'templates-next');
    fs.cpSync(path.join(ROOT, 'templates'), tdir, { recursive: true });
    fs.writeFileSync(path.join(tdir, 'home.cs'),
      fs.readFileSync(path.join(tdir, 'home.cs'), 'utf8').replace('<h1>Gauge</h1>', '<h1>Gauge</h1><p>release-next</p>'));
    editConf((t) => t.replace(/^log\.level = .*$/m, 'log.level = info')
      .replace(/^(\s*templates = ).*$/m, `$1${tdir}`));
    assert.doesNotMatch((await stack.client('GET', '/')).text, /release-next/);
    await reload();
    assert.match((await stack.client('GET', '/')).text, /release-next/, 'the new templates are used');
    assert.equal(await logged(), true, 'log.level = info again');

    fs.writeFileSync(stack.conf, original);
    await reload();
  });

  test('a bad config on SIGHUP is logged and the running one stays', async () => {
    const original = fs.readFileSync(stack.conf, 'utf8');
    const workers = stack.fcgiWorkers();
    const failed = count('reload failed');
    editConf((t) => t.replace(/^log\.level = .*$/m, 'log.level = loud'));
    try {
      process.kill(stack.procs.fcgi.pid, 'SIGHUP');
      await waitFor('the failed reload to be logged', () => count('reload failed') > failed, { timeoutMs: 10000 });
      assert.match(logText(), /config: .*log\.level/);
      await sleep(500);
      assert.deepEqual(stack.fcgiWorkers(), workers, 'the same workers keep serving');
      assert.equal((await stack.client('GET', '/healthz')).status, 200);
    } finally {
      fs.writeFileSync(stack.conf, original);
    }
  });

  test('gauge-alertd logs SIGHUP, applies the log level and keeps running', async () => {
    const p = stack.procs.alertd;
    process.kill(p.pid, 'SIGHUP');
    await waitFor('alertd to log the reload', () => /log\.level applied/.test(fs.readFileSync(p.logFile, 'utf8')),
      { timeoutMs: 10000 });
    await sleep(300);
    assert.equal(p.child.exitCode, null, 'still running');
    assert.equal(p.child.signalCode, null);
  });

  test('SIGTERM drains: requests in flight are answered, then the socket is removed', async () => {
    const mongo = stack.procs.mongo;
    const fcgi = stack.procs.fcgi;
    const socket = path.join(stack.dirs.run, 'gauge.sock');
    const n0 = await stored();
    let held = [];
    if (mongo) process.kill(mongo.pid, 'SIGSTOP');
    try {
      held = [2001, 2002].map(post);
      await sleep(500);
      fcgi.child.kill('SIGTERM');
      await sleep(500);
      if (mongo) assert.equal(fcgi.child.exitCode, null, 'the supervisor waits for its workers');
    } finally {
      if (mongo) process.kill(mongo.pid, 'SIGCONT');
    }
    assert.deepEqual((await Promise.all(held)).map((r) => r.status), [201, 201]);
    const { code } = await fcgi.exited;
    assert.equal(code, 0);
    assert.ok(!fs.existsSync(socket), 'no stale socket');
    assert.match(logText(), /stopped/);
    await stack.startFcgi();
    await waitFor('gauge.fcgi back', async () => (await stack.client('GET', '/healthz')).status === 200);
    assert.equal(await stored(), n0 + 2);
  });
});
