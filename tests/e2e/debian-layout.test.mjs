// debian-layout.test.mjs - the lighttpd configuration installed as the
// README says for Debian, on a copy of the installed package's /etc/lighttpd.
//
// Each variant runs in its own mount and network namespace (root only):
// the copy is bind-mounted over /etc/lighttpd, so Debian's lighttpd.conf is
// used exactly as shipped (its absolute include of conf-enabled/*.conf, its
// server.port 80, its [::]:80) and the real lighttpd-enable-mod does the
// enabling; the fresh network namespace has ports 80 and 443 free, so the
// shipped defaults are what is tested.  gauge.fcgi is the dev stack's, over
// its unix socket.  Steps, as in the README:
//   install -m 0644 gauge.conf /etc/lighttpd/gauge.conf
//   install -m 0644 conf-available/50-gauge.conf /etc/lighttpd/conf-available/  (settings edited)
//   lighttpd-enable-mod gauge          (and, in one variant, lighttpd-enable-mod ssl)
//   lighttpd -tt -f /etc/lighttpd/lighttpd.conf
//   lighttpd -D -f /etc/lighttpd/lighttpd.conf
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startProcess, stopProcess, waitFor } from '../stack/proc.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';

const canRun = process.getuid?.() === 0 && fs.existsSync('/etc/lighttpd/lighttpd.conf')
  && spawnSync('unshare', ['-m', '-n', 'true']).status === 0;
const skip = canRun ? false : 'needs root (mount and network namespaces) and Debian\'s lighttpd package';

let stack;
let varDir;

before(async () => {
  if (skip) return;
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-debian-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
});

after(async () => {
  await stack?.stop();
  if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
});

const sh = (s) => `'${s.replace(/'/g, "'\\''")}'`;

// A copy of /etc/lighttpd with the Gauge files installed and enabled.
// Returns { dir, mounts } for run().
function prepare(name, { enableSsl }) {
  const dir = path.join(varDir, name);
  const etc = path.join(dir, 'etc-lighttpd');
  fs.mkdirSync(dir);
  execFileSync('cp', ['-a', '/etc/lighttpd', etc]);
  for (const d of ['log', 'run']) fs.mkdirSync(path.join(dir, d));
  // As Debian's package has /var/log/lighttpd: lighttpd opens its error log
  // once it runs as www-data.
  execFileSync('chown', ['www-data:www-data', path.join(dir, 'log')]);
  if (enableSsl) {
    // 10-ssl.conf wants its own certificate in /etc/lighttpd/server.pem.
    const key = path.join(dir, 'debian.key');
    const crt = path.join(dir, 'debian.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
      '-nodes', '-days', '2', '-subj', '/CN=debian-default', '-keyout', key, '-out', crt], { stdio: 'ignore' });
    fs.writeFileSync(path.join(etc, 'server.pem'), fs.readFileSync(crt) + fs.readFileSync(key), { mode: 0o600 });
  }
  // The admin's edit of the settings: paths of this host; TLS port left at 443.
  const settings = fs.readFileSync(path.join(ROOT, 'etc/lighttpd/conf-available/50-gauge.conf'), 'utf8')
    .replace(/^(var\.gauge_htdocs\s*=\s*).*$/m, `$1"${path.join(ROOT, 'htdocs')}"`)
    .replace(/^(var\.gauge_socket\s*=\s*).*$/m, `$1"${path.join(stack.dirs.run, 'gauge.sock')}"`)
    .replace(/^(var\.gauge_cert\s*=\s*).*$/m, `$1"${stack.tls.cert}"`)
    .replace(/^(var\.gauge_key\s*=\s*).*$/m, `$1"${stack.tls.key}"`);
  fs.writeFileSync(path.join(dir, '50-gauge.conf'), settings);
  const mounts = `mount --bind ${sh(etc)} /etc/lighttpd && mount --bind ${sh(path.join(dir, 'log'))} /var/log/lighttpd`
    + ` && mount --bind ${sh(path.join(dir, 'run'))} /run`;
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-ec', `${mounts}
install -m 0644 ${sh(path.join(ROOT, 'etc/lighttpd/gauge.conf'))} /etc/lighttpd/gauge.conf
install -m 0644 ${sh(path.join(dir, '50-gauge.conf'))} /etc/lighttpd/conf-available/50-gauge.conf
lighttpd-enable-mod gauge${enableSsl ? ' ssl' : ''}
`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return { dir, etc, mounts };
}

// lighttpd -tt, then lighttpd in its own network namespace: { proc, curl }.
async function run(name, { dir, mounts }) {
  const check = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-ec',
    `${mounts}\nlighttpd -tt -f /etc/lighttpd/lighttpd.conf`], { encoding: 'utf8' });
  assert.equal(check.status, 0, `lighttpd -tt: ${check.stdout}${check.stderr}`);
  assert.equal(check.stderr, '', 'lighttpd -tt has nothing to say');
  const proc = startProcess({ name: `lighttpd-${name}`, cmd: 'unshare', logDir: dir, runDir: dir,
    args: ['-m', '-n', '--propagation', 'private', 'sh', '-ec',
      `ip link set lo up\n${mounts}\nexec lighttpd -D -f /etc/lighttpd/lighttpd.conf`] });
  // curl inside lighttpd's network namespace; `localhost` is the stack's certificate name.
  const curl = (args) => spawnSync('nsenter', ['-t', String(proc.pid), '-n', 'curl', '-sS', '--max-time', '10',
    '--resolve', 'localhost:443:127.0.0.1', '--resolve', 'localhost:80:127.0.0.1',
    '--cacert', stack.tls.cert, ...args], { encoding: 'utf8' });
  try {
    await waitFor(`lighttpd (${name})`, () => curl(['-o', '/dev/null', 'https://localhost/healthz']).status === 0,
      { proc, timeoutMs: 20000 });
  } catch (e) {
    await stopProcess(proc);
    throw e;
  }
  return { proc, curl };
}

function headers(text) {
  const [status, ...lines] = text.split('\r\n\r\n')[0].split('\r\n');
  return { status: Number(status.split(' ')[1]),
    h: Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])) };
}

// What both variants promise: TLS with our certificate on 443 only, and
// plain HTTP (IPv4 and IPv6) that only redirects, credentials or not.
function checkServes(curl) {
  const ok = curl(['-D', '-', '-o', '/dev/null', 'https://localhost/healthz']);
  assert.equal(ok.status, 0, ok.stderr);
  const tls = headers(ok.stdout);
  assert.equal(tls.status, 200);
  assert.match(tls.h['strict-transport-security'], /max-age=\d+/);
  assert.ok(tls.h['x-request-id'], 'answered by gauge.fcgi');
  assert.equal((curl(['-o', '/dev/null', '-w', '%{http_code}', 'https://localhost/static/css/gauge.css'])).stdout, '200',
    'static files from htdocs');

  for (const url of ['http://localhost/api/v1/devices/dev_x/readings?from=1', 'http://[::1]/login']) {
    const r = curl(['-g', '-D', '-', '-o', '/dev/null', '-H', 'Authorization: Bearer gk_dev_secret',
      '-H', 'Content-Type: application/json', '--data', '{"values":{"t":1}}', url]);
    assert.equal(r.status, 0, r.stderr);
    const plain = headers(r.stdout);
    assert.equal(plain.status, 301, `${url}: ${r.stdout}`);
    const want = url.replace('http://localhost/', 'https://localhost:443/').replace('http://[::1]/', 'https://[::1]:443/');
    assert.equal(plain.h.location, want);
    assert.equal(plain.h['x-request-id'], undefined, 'gauge.fcgi never saw it');
  }
  assert.notEqual(curl(['-o', '/dev/null', 'https://localhost:80/']).status, 0, 'no TLS on port 80');
  const plainOnTls = curl(['-o', '/dev/null', '-w', '%{http_code}', 'http://localhost:443/healthz']);
  assert.notEqual(plainOnTls.stdout, '200', 'no plain HTTP on port 443');
}

function certSubject(curl) {
  const out = curl(['-v', '-o', '/dev/null', 'https://localhost/healthz']).stderr;
  return /subject: (.*)/.exec(out)?.[1];
}

describe('lighttpd in Debian\'s layout', { skip }, () => {
  test('the lighttpd snippet placed as the README says for Debian serves TLS only on its TLS port', async () => {
    const prepared = prepare('plain', { enableSsl: false });
    assert.ok(fs.lstatSync(path.join(prepared.etc, 'conf-enabled/50-gauge.conf')).isSymbolicLink());
    assert.equal(fs.readFileSync(path.join(prepared.etc, 'lighttpd.conf'), 'utf8'),
      fs.readFileSync('/etc/lighttpd/lighttpd.conf', 'utf8'), 'Debian\'s lighttpd.conf untouched');
    const { proc, curl } = await run('plain', prepared);
    try {
      checkServes(curl);
    } finally {
      await stopProcess(proc);
    }
  });

  test('the lighttpd snippet placed as the README says for Debian starts beside Debian\'s 10-ssl.conf', async () => {
    const prepared = prepare('ssl', { enableSsl: true });
    assert.ok(fs.lstatSync(path.join(prepared.etc, 'conf-enabled/10-ssl.conf')).isSymbolicLink());
    const { proc, curl } = await run('ssl', prepared);
    try {
      checkServes(curl);
      assert.match(certSubject(curl), /CN=localhost/, 'port 443 presents Gauge\'s certificate, not 10-ssl.conf\'s');
    } finally {
      await stopProcess(proc);
    }
  });
});
