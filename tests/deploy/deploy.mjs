// deploy.mjs - Gauge deployed as the README's "Deploying for real" says, on
// lab hosts (lab.mjs): a database host behind a firewall, two web hosts
// (Apache and lighttpd, each with its own gauge.fcgi pool) and HAProxy in
// front, every program and shipped file from a `make install DESTDIR=`
// tree of its own host, never from the build tree.
//
//   client  --relay-->  lb (HAProxy, TLS)  --TLS-->  web1 (Apache)   --\
//                                          --TLS-->  web2 (lighttpd) ---> db (MariaDB, MongoDB; nftables)
//                       alert1, alert2 (gauge-alertd) ---------------------/   and --HTTPS--> sinks (SES, Twilio)
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Lab, sweepLabs } from './lab.mjs';
import { ensureUser, setprivArgs, unitIdentity } from './unit.mjs';
import { makeClient } from '../stack/https.mjs';
import { waitFor } from '../stack/proc.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PREFIX = '/usr/local';

export const HOSTS = { lb: 2, db: 5, web1: 11, web2: 12, sinks: 20, alert1: 31, alert2: 32, client: 100 };
const WEB = ['web1', 'web2'];
const ALERT = ['alert1', 'alert2'];
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
  const exec = id.unit.ExecStart[0].replaceAll(`${PREFIX}/`, `${t.root}${PREFIX}/`)
    .replace('/etc/gauge/gauge.conf', conf).replace('/run/gauge/', `${t.run}/`).split(/\s+/);
  return [...setprivArgs(id), ...exec];
}

function apacheConf(t, d, host) {
  const mods = ['mpm_event', 'authz_core', 'mime', 'alias', 'headers', 'socache_shmcb', 'ssl', 'proxy',
    'proxy_fcgi'];
  const conf = path.join(t.root, 'apache.conf');
  fs.writeFileSync(conf, `ServerRoot "/etc/apache2"
${mods.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`).join('\n')}
User www-data
Group www-data
PidFile "${t.run}/apache.pid"
DefaultRuntimeDir "${t.run}"
Mutex file:${t.run} default
ErrorLog "${t.log}/apache-error.log"
LogLevel warn
TypesConfig /etc/mime.types
ServerName ${host}
Listen ${d.lab.hosts[host]}:443
Define GAUGE_PORT 443
Define GAUGE_SERVER_NAME gauge.test
Define GAUGE_HTDOCS ${t.share}/htdocs
Define GAUGE_SOCKET ${t.run}/gauge.sock
Define GAUGE_CERT ${d.tls.cert}
Define GAUGE_KEY ${d.tls.key}
Include "${t.examples}/apache/gauge.conf"
`);
  return conf;
}

function lighttpdConf(t, d, host) {
  const conf = path.join(t.root, 'lighttpd.conf');
  execFileSync('chown', ['www-data:www-data', t.log]);     /* as Debian's /var/log/lighttpd */
  fs.writeFileSync(conf, `server.document-root = "${t.share}/htdocs"
server.bind = "${d.lab.hosts[host]}"
server.port = 443
server.pid-file = "${t.run}/lighttpd.pid"
server.errorlog = "${t.log}/lighttpd-error.log"
server.username = "www-data"
server.groupname = "www-data"
mimetype.assign = ( ".css" => "text/css", ".js" => "text/javascript", ".svg" => "image/svg+xml", ".png" => "image/png" )
var.gauge_htdocs = "${t.share}/htdocs"
var.gauge_socket = "${t.run}/gauge.sock"
var.gauge_cert = "${d.tls.cert}"
var.gauge_key = "${d.tls.key}"
include "${t.examples}/lighttpd/gauge.conf"
`);
  return conf;
}

// The shipped HAProxy configuration, as installed on the lb host, with its
// addresses and files in the environment as its comment says.
function haproxyEnv(d) {
  const h = d.lab.hosts;
  return { GAUGE_LB_BIND: `${h.lb}:443`, GAUGE_SITE_PEM: d.tls.combined, GAUGE_WEB_CA: d.tls.cert,
    GAUGE_WEB1: `${h.web1}:443`, GAUGE_WEB2: `${h.web2}:443` };
}

// The seed's security groups: the databases take connections from the web
// (and alert) hosts only.
function firewall(d) {
  const h = d.lab.hosts;
  const allowed = [...WEB, ...ALERT].map((w) => h[w]).join(', ');
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
  const { unixConnects } = await import('../stack/proc.mjs');
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
  const { unixConnects } = await import('../stack/proc.mjs');
  await waitFor(`gauge.fcgi on ${host}`, () => unixConnects(path.join(t.run, 'gauge.sock')),
    { proc: d.procs[`${host}-fcgi`] });
  if (host === 'web1') {
    d.procs[`${host}-http`] = d.lab.start(host, 'apache', '/usr/sbin/apache2', ['-f', apacheConf(t, d, host), '-DFOREGROUND']);
  } else {
    d.procs[`${host}-http`] = d.lab.start(host, 'lighttpd', 'lighttpd', ['-D', '-f', lighttpdConf(t, d, host)]);
  }
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
    d.tls = makeCert(dir, [...WEB, 'lb', 'sinks'].map((w) => d.lab.hosts[w]));
    for (const dirName of ['hosts']) fs.mkdirSync(path.join(dir, dirName), { recursive: true });
    fs.chmodSync(dir, 0o755);
    for (const u of ['gauge', 'www-data']) ensureUser(u);
    await startDb(d, secrets);
    d.confs = {};
    await startSinks(d, secrets);
    for (const host of [...WEB, ...ALERT]) {
      d.trees[host] = installTree(dir, host);
      d.confs[host] = gaugeConf(d.trees[host], d, secrets);
    }
    // Migrations from a web host, as the README's first step on a new site.
    d.ctl('web1', ['migrate']);
    for (const host of WEB) await startWeb(d, host, d.confs[host]);
    for (const host of ALERT) startAlertd(d, host);
    d.trees.lb = installTree(dir, 'lb');
    d.procs.lb = d.lab.start('lb', 'haproxy', 'haproxy', ['-W', '-db', '-f',
      path.join(d.trees.lb.examples, 'haproxy/gauge.cfg')], haproxyEnv(d));
    d.lbSocket = await d.lab.relay('client', 'lb', 443);
    d.client = makeClient({ socketPath: d.lbSocket, caFile: d.tls.cert, servername: 'gauge.test' });
    await waitFor('both web hosts healthy behind the balancer', async () => {
      for (let i = 0; i < 4; i++) if ((await d.request('GET', '/healthz')).status !== 200) return false;
      return true;
    }, { timeoutMs: 30000, proc: d.procs.lb });
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

export { attach };
