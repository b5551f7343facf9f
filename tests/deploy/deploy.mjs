// deploy.mjs - Gauge deployed as the README's "Deploying for real" says, on
// lab hosts (lab.mjs): a database host behind a firewall, two web hosts
// (Apache and lighttpd, each with its own gauge.fcgi pool) and HAProxy in
// front, every program and shipped file from a `make install DESTDIR=`
// tree of its own host, never from the build tree.
//
//   client  --relay-->  lb (HAProxy, TLS)  --TLS-->  web1 (Apache)   --\
//                                          --TLS-->  web2 (lighttpd) ---> db (MariaDB, MongoDB; nftables)
//                       alert1, alert2 (gauge-alertd) ---------------------/   and --HTTPS--> sinks (SES, Twilio)
//   client  --MQTT/TLS-->  mqtt1 (Mosquitto + Gauge's plugin) -----------------/
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Lab, sweepLabs } from './lab.mjs';
import { ensureUser, setprivArgs, unitExecStart, unitIdentity } from './unit.mjs';
import { makeClient } from '../stack/https.mjs';
import { unixConnects, waitFor } from '../stack/proc.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PREFIX = '/usr/local';

const HOSTS = { lb: 2, db: 5, web1: 11, web2: 12, sinks: 20, alert1: 31, alert2: 32, mqtt1: 41, client: 100 };
const WEB = ['web1', 'web2'];
const ALERT = ['alert1', 'alert2'];
const BROKER = 'mqtt1';
const SINKS_PORT = 8443;

// One certificate for the site and the web hosts' own TLS, with every name
// and address it is reached by; the balancer verifies the web hosts with it.
function makeCert(dir, ips) {
  const cert = path.join(dir, 'site.pem');
  const key = path.join(dir, 'site.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-days', '2', '-subj', '/CN=gauge.test', '-keyout', key, '-out', cert,
    '-addext', `subjectAltName=DNS:gauge.test,${ips.map((a) => `IP:${a}`).join(',')}`], { stdio: 'ignore' });
  fs.writeFileSync(path.join(dir, 'site-combined.pem'), fs.readFileSync(cert) + fs.readFileSync(key));
  return { cert, key, combined: path.join(dir, 'site-combined.pem') };
}

function mkdir(p) {
  fs.mkdirSync(p, { recursive: true });
  return p;
}

// make install into the host's own tree; returns where things landed.
function installTree(dir, host) {
  const root = path.join(dir, 'hosts', host);
  execFileSync('make', ['--no-print-directory', '-s', 'install', `DESTDIR=${root}`], { cwd: ROOT, stdio: 'pipe' });
  return {
    root,
    bin: path.join(root, PREFIX, 'bin'),
    share: path.join(root, PREFIX, 'share/gauge'),
    examples: path.join(root, PREFIX, 'share/doc/gauge/examples'),
    etc: mkdir(path.join(root, 'etc/gauge')),
    run: mkdir(path.join(root, 'run/gauge')),
    log: mkdir(path.join(root, 'var/log')),
  };
}

function gaugeConf(t, d, secrets) {
  const conf = path.join(t.etc, 'gauge.conf');
  fs.writeFileSync(conf, `paths {
  templates = ${t.share}/templates
  schema = ${t.share}/schema
  openapi = ${t.share}/openapi.json
}
site.base_url = https://gauge.test
log.level = info
mysql {
  host = ${d.lab.hosts.db}
  port = 3306
  user = gauge
  password = ${secrets.mysql}
  database = gauge
}
mongo.uri = mongodb://${d.lab.hosts.db}:27017/
fcgi {
  listen = ${t.run}/gauge.sock
  workers = 2
  socket_mode = 0660
}
ratelimit.file = ${t.run}/ratelimit
http.trusted_proxies = ${d.lab.hosts.lb}
security.bcrypt_cost = 4
security.server_key = ${secrets.serverKey}
alertd {
  poll_interval_ms = 200
  retry_base_ms = 500
}
ses {
  endpoint = https://${d.lab.hosts.sinks}:${SINKS_PORT}
  region = us-east-1
  access_key_id = ${secrets.awsKeyId}
  secret_access_key = ${secrets.awsSecret}
  sender = Gauge <alert@gauge.test>
  ca_file = ${d.tls.cert}
}
twilio {
  endpoint = https://${d.lab.hosts.sinks}:${SINKS_PORT}
  ca_file = ${d.tls.cert}
}
`);
  // As the README installs it: /etc/gauge 0750 root:gauge, gauge.conf 0640 root:gauge.
  execFileSync('chown', ['root:gauge', t.etc, conf]);
  fs.chmodSync(t.etc, 0o750);
  fs.chmodSync(conf, 0o640);
  return conf;
}

// A unit's ExecStart= as an argv on this host's tree, run with the unit's
// User=, Group= and SupplementaryGroups= (and its RuntimeDirectory=).
function unitArgv(t, conf, unitName) {
  const file = path.join(t.examples, 'systemd', unitName);
  const id = unitIdentity(file);
  if (id.unit.RuntimeDirectory) {
    execFileSync('chown', [`${id.user}:${id.group}`, t.run]);
    fs.chmodSync(t.run, id.runtimeMode);
  }
  return [...setprivArgs(id), ...unitExecStart(id.unit, { root: t.root, conf, run: t.run })];
}

const sh = (x) => `'${x.replace(/'/g, "'\\''")}'`;

// lighttpd as the README installs it on Debian: a copy of the package's
// /etc/lighttpd (its lighttpd.conf untouched) bind-mounted over
// /etc/lighttpd in a mount namespace of this host's own, the installed
// gauge.conf beside it, the settings file in conf-available/ with this
// host's values, and the real lighttpd-enable-mod.  Returns the argv.
function lighttpdDebian(t, d, host) {
  const etc = path.join(t.root, 'etc-lighttpd');
  const log = mkdir(path.join(t.root, 'var/log/lighttpd'));
  const run = mkdir(path.join(t.root, 'run-lighttpd'));
  execFileSync('cp', ['-a', '/etc/lighttpd', etc]);
  execFileSync('chown', ['www-data:www-data', log]);
  const settings = fs.readFileSync(path.join(t.examples, 'lighttpd/conf-available/50-gauge.conf'), 'utf8')
    .replace(/^(var\.gauge_htdocs\s*=\s*).*$/m, `$1"${t.share}/htdocs"`)
    .replace(/^(var\.gauge_socket\s*=\s*).*$/m, `$1"${t.run}/gauge.sock"`)
    .replace(/^(var\.gauge_cert\s*=\s*).*$/m, `$1"${d.tls.cert}"`)
    .replace(/^(var\.gauge_key\s*=\s*).*$/m, `$1"${d.tls.key}"`)
    .replace(/^(var\.gauge_https_bind\s*=\s*).*$/m, `$1"${d.lab.hosts[host]}"`);
  fs.writeFileSync(path.join(t.root, '50-gauge.conf'), settings);
  const mounts = `mount --bind ${sh(etc)} /etc/lighttpd && mount --bind ${sh(log)} /var/log/lighttpd`
    + ` && mount --bind ${sh(run)} /run`;
  return ['-m', '--propagation', 'private', 'sh', '-ec', `${mounts}
install -m 0644 ${sh(path.join(t.examples, 'lighttpd/gauge.conf'))} /etc/lighttpd/gauge.conf
install -m 0644 ${sh(path.join(t.root, '50-gauge.conf'))} /etc/lighttpd/conf-available/50-gauge.conf
lighttpd-enable-mod gauge >/dev/null
lighttpd -tt -f /etc/lighttpd/lighttpd.conf
exec lighttpd -D -f /etc/lighttpd/lighttpd.conf`];
}

// Apache as the README installs it on Debian: a copy of the package's
// /etc/apache2 bind-mounted over /etc/apache2 in this host's own mount
// namespace, the installed vhost in sites-available with this host's values
// in its Defines (the README's "$EDITOR"), then a2enmod, a2dissite
// 000-default, a2ensite gauge and apache2ctl configtest.
function apacheDebian(t, d) {
  const etc = path.join(t.root, 'etc-apache2');
  const log = mkdir(path.join(t.root, 'var/log/apache2'));
  const run = mkdir(path.join(t.root, 'run-apache2'));
  execFileSync('cp', ['-a', '/etc/apache2', etc]);
  const define = (text, name, value) => text.replace(new RegExp(`^(\\s*Define ${name}) .*$`, 'm'), `$1 ${value}`);
  let vhost = fs.readFileSync(path.join(t.examples, 'apache/gauge.conf'), 'utf8');
  vhost = define(vhost, 'GAUGE_SERVER_NAME', 'gauge.test');
  vhost = define(vhost, 'GAUGE_HTDOCS', `${t.share}/htdocs`);
  vhost = define(vhost, 'GAUGE_SOCKET', `${t.run}/gauge.sock`);
  vhost = define(vhost, 'GAUGE_CERT', d.tls.cert);
  vhost = define(vhost, 'GAUGE_KEY', d.tls.key);
  fs.writeFileSync(path.join(t.root, 'apache-gauge.conf'), vhost);
  const mounts = `mount --bind ${sh(etc)} /etc/apache2 && mount --bind ${sh(log)} /var/log/apache2`
    + ` && mount --bind ${sh(run)} /run && mkdir -p /run/lock`;
  return ['-m', '--propagation', 'private', 'sh', '-ec', `${mounts}
a2enmod -q ssl proxy proxy_fcgi headers alias mime >/dev/null
install -m 0644 ${sh(path.join(t.root, 'apache-gauge.conf'))} /etc/apache2/sites-available/gauge.conf
a2dissite -q 000-default >/dev/null
a2ensite -q gauge >/dev/null
apache2ctl configtest
exec apache2ctl -D FOREGROUND`];
}

// The shipped HAProxy configuration, as installed on the lb host, with its
// addresses and files in the environment as its comment says.
function haproxyEnv(d) {
  const h = d.lab.hosts;
  return { GAUGE_LB_BIND: `${h.lb}:443`, GAUGE_SITE_PEM: d.tls.combined, GAUGE_WEB_CA: d.tls.cert,
    GAUGE_WEB1: `${h.web1}:443`, GAUGE_WEB2: `${h.web2}:443` };
}

// The seed's security groups: the databases take connections from the web
// (and alert, and broker) hosts only.
function firewall(d) {
  const h = d.lab.hosts;
  const allowed = [...WEB, ...ALERT, BROKER].map((w) => h[w]).join(', ');
  const rules = `table inet gauge_db {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport { 3306, 27017 } ip saddr { ${allowed} } accept
    tcp dport { 3306, 27017 } reject with tcp reset
  }
}
`;
  fs.writeFileSync(path.join(d.dir, 'db.nft'), rules);
  d.lab.run('db', 'nft', ['-f', path.join(d.dir, 'db.nft')]);
}

async function startDb(d, secrets) {
  const h = d.lab.hosts;
  const data = path.join(d.dir, 'hosts/db');
  fs.mkdirSync(path.join(data, 'mongo'), { recursive: true });
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}/mysql`, '--user=root',
    '--auth-root-authentication-method=socket', '--skip-test-db'], { stdio: 'ignore' });
  const sock = path.join(data, 'mysql.sock');
  const maria = d.lab.start('db', 'mariadb', 'mariadbd', ['--no-defaults', `--datadir=${data}/mysql`,
    `--socket=${sock}`, '--port=3306', `--bind-address=${h.db}`, '--user=root', '--skip-name-resolve',
    `--pid-file=${data}/mariadbd.pid`, '--innodb-buffer-pool-size=64M', '--query-cache-type=DEMAND',
    '--query-cache-size=16M', `--log-error=${d.dir}/log/db-mariadb-server.log`]);
  await waitFor('MariaDB on the db host', () => unixConnects(sock), { proc: maria, timeoutMs: 60000 });
  execFileSync('mariadb', ['--no-defaults', `--socket=${sock}`, '-uroot', '-e',
    `CREATE DATABASE gauge CHARACTER SET utf8mb4; CREATE USER 'gauge'@'%' IDENTIFIED BY '${secrets.mysql}';
     GRANT ALL ON gauge.* TO 'gauge'@'%';`]);
  d.sqlSocket = sock;
  d.lab.start('db', 'mongo', process.execPath, [path.join(ROOT, 'tests/mongo-standin/server.mjs'),
    '--host', h.db, '--port', '27017', '--dbpath', path.join(data, 'mongo')]);
  firewall(d);
}

async function startWeb(d, host, conf) {
  const t = d.trees[host];
  d.procs[`${host}-fcgi`] = d.lab.start(host, 'gauge-fcgi', 'setpriv', unitArgv(t, conf, 'gauge-fcgi.service'));
  await waitFor(`gauge.fcgi on ${host}`, () => unixConnects(path.join(t.run, 'gauge.sock')),
    { proc: d.procs[`${host}-fcgi`] });
  if (host === 'web1') {
    d.procs[`${host}-http`] = d.lab.start(host, 'apache', 'unshare', apacheDebian(t, d));
  } else {
    d.procs[`${host}-http`] = d.lab.start(host, 'lighttpd', 'unshare', lighttpdDebian(t, d, host));
  }
}

// Mosquitto as README section 11 installs it on Debian, in a mount
// namespace of this host's own: /etc is an overlay (so the README's
// install and adduser steps change nothing outside), this host's
// `make install` tree is /usr/local, the shipped broker config is
// installed unchanged as /etc/mosquitto/mosquitto.conf, and the broker
// starts as root and becomes the mosquitto user, as its package does.
function startBroker(d, conf) {
  const t = d.trees[BROKER];
  const dir = mkdir(path.join(t.root, 'overlay'));
  const upper = mkdir(path.join(dir, 'upper'));
  const work = mkdir(path.join(dir, 'work'));
  // ratelimit.file must be writable by the mosquitto user (README).
  execFileSync('chown', ['mosquitto', t.run]);
  const script = `mount -t overlay overlay -o lowerdir=/etc,upperdir=${sh(upper)},workdir=${sh(work)} /etc
mount --bind ${sh(path.join(t.root, PREFIX))} ${PREFIX}
install -d -m 0750 -g gauge /etc/gauge
install -m 0640 -g gauge ${sh(conf)} /etc/gauge/gauge.conf
install -d /etc/ssl/gauge
install -m 0644 ${sh(d.tls.cert)} /etc/ssl/gauge/fullchain.pem
install -m 0640 -g ssl-cert ${sh(d.tls.key)} /etc/ssl/gauge/privkey.pem
install -m 0644 ${PREFIX}/share/doc/gauge/examples/mosquitto/gauge.conf /etc/mosquitto/mosquitto.conf
adduser --quiet mosquitto gauge
adduser --quiet mosquitto ssl-cert
exec mosquitto -c /etc/mosquitto/mosquitto.conf`;
  d.procs[`${BROKER}-mosquitto`] = d.lab.start(BROKER, 'mosquitto', 'unshare',
    ['-m', '--propagation', 'private', 'sh', '-ec', script]);
  return waitFor(`Mosquitto listening on ${BROKER}:8883`,
    () => d.lab.run(BROKER, 'ss', ['-Hltn', 'sport = :8883']).trim() !== '',
    { timeoutMs: 15000, proc: d.procs[`${BROKER}-mosquitto`] });
}

async function startSinks(d, secrets) {
  d.outbox = mkdir(path.join(d.dir, 'hosts/sinks/outbox'));
  d.procs.sinks = d.lab.start('sinks', 'provider-sinks', process.execPath, [
    path.join(ROOT, 'tests/provider-sinks/server.mjs'), `--host=${d.lab.hosts.sinks}`, `--port=${SINKS_PORT}`,
    `--cert=${d.tls.cert}`, `--key=${d.tls.key}`, `--outbox=${d.outbox}`,
    `--aws-access-key-id=${secrets.awsKeyId}`, `--aws-secret-access-key=${secrets.awsSecret}`,
    '--aws-region=us-east-1', `--twilio=AC${'0'.repeat(32)}:${secrets.awsSecret}`]);
}

function startAlertd(d, host) {
  const t = d.trees[host];
  d.procs[`${host}-alertd`] = d.lab.start(host, 'gauge-alertd', 'setpriv',
    unitArgv(t, d.confs[host], 'gauge-alertd.service'));
  return d.procs[`${host}-alertd`];
}

export async function deploy(dir) {
  sweepLabs();
  const d = attach({ dir, procs: {}, trees: {} });
  d.lab = new Lab(HOSTS, { dir }).up();
  try {
    const secrets = { mysql: crypto.randomBytes(12).toString('hex'), serverKey: crypto.randomBytes(32).toString('hex'),
      awsKeyId: `AKIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`, awsSecret: crypto.randomBytes(18).toString('hex') };
    d.tls = makeCert(dir, [...WEB, 'lb', 'sinks', BROKER].map((w) => d.lab.hosts[w]));
    for (const dirName of ['hosts']) fs.mkdirSync(path.join(dir, dirName), { recursive: true });
    fs.chmodSync(dir, 0o755);
    for (const u of ['gauge', 'www-data']) ensureUser(u);
    await startDb(d, secrets);
    d.confs = {};
    await startSinks(d, secrets);
    for (const host of [...WEB, ...ALERT, BROKER]) {
      d.trees[host] = installTree(dir, host);
      d.confs[host] = gaugeConf(d.trees[host], d, secrets);
    }
    // Migrations from a web host, as the README's first step on a new site.
    d.ctl('web1', ['migrate']);
    for (const host of WEB) await startWeb(d, host, d.confs[host]);
    for (const host of ALERT) startAlertd(d, host);
    await startBroker(d, d.confs[BROKER]);
    d.trees.lb = installTree(dir, 'lb');
    d.procs.lb = d.lab.start('lb', 'haproxy', 'haproxy', ['-W', '-db', '-f',
      path.join(d.trees.lb.examples, 'haproxy/gauge.cfg')], haproxyEnv(d));
    d.lbSocket = await d.lab.relay('client', 'lb', 443);
    d.client = makeClient({ socketPath: d.lbSocket, caFile: d.tls.cert, servername: 'gauge.test' });
    // Each web host has passed the balancer's health check once its server
    // is up (HAProxy takes a server in at its first passed check).
    const checked = (host) => d.log(`${host}-gauge-fcgi`).split('\n')
      .filter((l) => l.includes(` ${d.lab.hosts.lb} GET /healthz 200 `)).length;
    for (const host of WEB) {
      const before = checked(host);
      await waitFor(`${host} in service behind the balancer`, () => checked(host) > before + 1,
        { timeoutMs: 30000, proc: d.procs[`${host}-http`] });
    }
    await waitFor('the balancer', async () => (await d.request('GET', '/healthz')).status === 200,
      { timeoutMs: 10000, proc: d.procs.lb });
    return d;
  } catch (e) {
    await d.lab.down();
    throw e;
  }
}

// Methods hung on the deployment object.
function attach(d) {
  d.ctl = (host, args, input) => {
    const t = d.trees[host];
    const out = d.lab.run(host, path.join(t.bin, 'gaugectl'), ['-c', d.confs[host], ...args], { input });
    return out.trim().startsWith('{') ? JSON.parse(out) : out;
  };
  // One HTTPS request through the balancer, from the client host.
  d.request = (method, p, { headers = {}, body } = {}) =>
    d.client(method, p, { headers: { host: 'gauge.test', ...headers }, body });
  d.sql = (q) => execFileSync('mariadb', ['--no-defaults', `--socket=${d.sqlSocket}`, '-uroot', '-N', '-B', 'gauge',
    '-e', q]).toString().split('\n').filter(Boolean).map((l) => l.split('\t'));
  d.log = (name) => {
    try { return fs.readFileSync(path.join(d.dir, 'log', `${name}.log`), 'utf8'); } catch { return ''; }
  };
  d.down = () => d.lab.down();
  d.startAlertd = (host) => startAlertd(d, host);
  // Messages the sinks received, as the provider would have: { ses: [...], twilio: [...] }.
  d.sent = (provider) => {
    const dirp = path.join(d.outbox, provider);
    if (!fs.existsSync(dirp)) return [];
    return fs.readdirSync(dirp).filter((f) => !f.startsWith('.')).sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(dirp, f), 'utf8')));
  };
  return d;
}

