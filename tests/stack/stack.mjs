// stack.mjs - the whole Gauge stack on one machine, in one directory.
//
// `make run` uses it with ./var; the end-to-end tests use it with a fresh
// temporary directory and free ports.  It starts, in order: MariaDB (own
// datadir and socket, loopback only), MongoDB (GAUGE_MONGO_URI, a real
// mongod on the PATH, or the stand-in under tests/), the SES/Twilio sinks,
// applies the schema, then gauge.fcgi (supervisor + worker pool), lighttpd
// with TLS, Mosquitto with Gauge's plugin (MQTT over TLS) and gauge-alertd.  stop() takes them down in reverse order.
// Like the shipped gauge-prune.timer, it runs `gaugectl prune` every
// pruneIntervalMs (default: hourly; 0: never), logging to log/prune.log.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { makeClient } from './https.mjs';
import {
  freePort, killLeftovers, startProcess, stopProcess, tcpConnects, unixConnects, waitFor,
} from './proc.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'build/bin');

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':')) {
    const f = path.join(dir, cmd);
    try { fs.accessSync(f, fs.constants.X_OK); return f; } catch { /* next */ }
  }
  return null;
}

function mkdirs(varDir) {
  const d = {
    var: varDir,
    run: path.join(varDir, 'run'),
    log: path.join(varDir, 'log'),
    etc: path.join(varDir, 'etc'),
    tls: path.join(varDir, 'tls'),
    mysql: path.join(varDir, 'mysql'),
    mongo: path.join(varDir, 'mongo'),
    outbox: path.join(varDir, 'outbox'),
  };
  for (const dir of Object.values(d)) fs.mkdirSync(dir, { recursive: true });
  // The web servers' workers (www-data under Apache) must reach the socket.
  for (const dir of [d.var, d.run]) fs.chmodSync(dir, 0o755);
  return d;
}

// A self-signed certificate for localhost, made once and then reused.
function ensureCert(dirs) {
  const cert = path.join(dirs.tls, 'cert.pem');
  const key = path.join(dirs.tls, 'key.pem');
  if (!fs.existsSync(cert) || !fs.existsSync(key)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
      '-nodes', '-days', '825', '-subj', '/CN=localhost', '-keyout', key, '-out', cert,
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    fs.chmodSync(key, 0o600);
  }
  return { cert, key };
}

// Secrets made on first run and kept, so a second `make run` reuses the data.
function ensureSecrets(dirs) {
  const file = path.join(dirs.etc, 'secrets.json');
  if (!fs.existsSync(file)) {
    const rnd = () => crypto.randomBytes(18).toString('base64url');
    fs.writeFileSync(file, JSON.stringify({
      mysqlPassword: rnd(), awsKeyId: `AKIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`,
      awsSecret: rnd(), twilioSid: `AC${crypto.randomBytes(16).toString('hex')}`, twilioToken: rnd(),
      serverKey: crypto.randomBytes(32).toString('hex'),
    }, null, 2), { mode: 0o600 });
  }
  const secrets = JSON.parse(fs.readFileSync(file, 'utf8'));
  // var directories made before the server key existed get one now
  if (!secrets.serverKey) {
    secrets.serverKey = crypto.randomBytes(32).toString('hex');
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

async function startMariadb(dirs, port) {
  const socket = path.join(dirs.run, 'mysql.sock');
  if (!fs.existsSync(path.join(dirs.mysql, 'mysql'))) {
    execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${dirs.mysql}`, '--user=root',
      '--auth-root-authentication-method=socket', '--skip-test-db'], { stdio: 'ignore' });
  }
  const p = startProcess({
    name: 'mariadb', cmd: 'mariadbd', logDir: dirs.log, runDir: dirs.run,
    args: ['--no-defaults', `--datadir=${dirs.mysql}`, `--socket=${socket}`, `--port=${port}`,
      '--bind-address=127.0.0.1', '--user=root', `--pid-file=${path.join(dirs.run, 'mariadbd.pid')}`,
      '--skip-name-resolve', '--innodb-buffer-pool-size=128M', '--innodb-flush-log-at-trx-commit=1',
      '--max-connections=500', `--log-error=${path.join(dirs.log, 'mariadb-server.log')}`,
      // The API key lookup asks for SQL_CACHE (README: "MariaDB settings").
      '--query-cache-type=DEMAND', '--query-cache-size=16M'],
  });
  await waitFor('MariaDB', () => unixConnects(socket), { proc: p, timeoutMs: 60000 });
  return { proc: p, socket, port };
}

function mariadbSql(socket, sql) {
  execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', sql], { stdio: 'pipe' });
}

// The app reaches a local MongoDB through its unix socket (mongod makes one
// by default; the stand-in with --socket), as it reaches MariaDB: cheaper
// than TCP on loopback.  Tests with the Node driver use the TCP port.
async function startMongo(dirs, port) {
  if (process.env.GAUGE_MONGO_URI) {
    return { uri: process.env.GAUGE_MONGO_URI, tcpUri: process.env.GAUGE_MONGO_URI, kind: 'external' };
  }
  const mongod = which('mongod');
  const socket = path.join(dirs.run, mongod ? `mongodb-${port}.sock` : 'mongo.sock');
  const p = mongod
    ? startProcess({ name: 'mongod', cmd: mongod, logDir: dirs.log, runDir: dirs.run,
      args: ['--dbpath', dirs.mongo, '--port', String(port), '--bind_ip', '127.0.0.1',
        '--unixSocketPrefix', dirs.run] })
    : startProcess({ name: 'mongo-standin', cmd: process.execPath, logDir: dirs.log, runDir: dirs.run,
      // GAUGE_STANDIN_NODE_ARGS (say "--cpu-prof") is for profiling the stand-in.
      args: [...(process.env.GAUGE_STANDIN_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        path.join(ROOT, 'tests/mongo-standin/server.mjs'), '--host', '127.0.0.1',
        '--port', String(port), '--dbpath', dirs.mongo, '--socket', socket] });
  await waitFor('MongoDB', () => tcpConnects(port), { proc: p });
  await waitFor('MongoDB socket', () => unixConnects(socket), { proc: p });
  return { proc: p, uri: `mongodb://${encodeURIComponent(socket)}/`, tcpUri: `mongodb://127.0.0.1:${port}/`,
    kind: mongod ? 'mongod' : 'stand-in' };
}

async function startSinks(dirs, port, tls, secrets) {
  const p = startProcess({
    name: 'provider-sinks', cmd: process.execPath, logDir: dirs.log, runDir: dirs.run,
    // --opt=value throughout: a random secret may begin with '-'.
    args: [path.join(ROOT, 'tests/provider-sinks/server.mjs'), '--host=127.0.0.1',
      `--port=${port}`, `--cert=${tls.cert}`, `--key=${tls.key}`, `--outbox=${dirs.outbox}`,
      `--aws-access-key-id=${secrets.awsKeyId}`, `--aws-secret-access-key=${secrets.awsSecret}`,
      '--aws-region=us-east-1', `--twilio=${secrets.twilioSid}:${secrets.twilioToken}`,
      // tests write faults here; missing means none
      `--fail-plan=${path.join(dirs.etc, 'fail-plan.json')}`,
      // the webhook receiver checks signatures against these (a JSON array;
      // missing: shape and age only)
      `--webhook-secrets=${path.join(dirs.etc, 'webhook-secrets.json')}`],
  });
  await waitFor('provider sinks', () => tcpConnects(port), { proc: p });
  return { proc: p, url: `https://127.0.0.1:${port}` };
}

function writeConf(dirs, s) {
  const secretsConf = path.join(dirs.etc, 'secrets.conf');
  fs.writeFileSync(secretsConf, `mysql.password = ${s.secrets.mysqlPassword}
security.server_key = ${s.secrets.serverKey}
ses.secret_access_key = ${s.secrets.awsSecret}
`, { mode: 0o600 });
  const conf = path.join(dirs.var, 'gauge.conf');
  fs.writeFileSync(conf, `# Written by the dev stack (tests/stack/stack.mjs) for ${dirs.var}.
paths {
  templates = ${path.join(ROOT, 'templates')}
  schema = ${path.join(ROOT, 'schema')}
  openapi = ${path.join(ROOT, 'build/openapi.json')}
}
site.base_url = https://localhost:${s.httpsPort}
log.level = ${s.logLevel}
mysql {
  socket = ${s.mysql.socket}
  user = gauge
  database = gauge
}
#include "${secretsConf}"
mongo {
  uri = ${s.mongo.uri}
  database = ${s.mongoDatabase}
}
http.max_body = ${s.maxBody}
http.trusted_proxies = ${s.trustedProxies.join(', ')}
ratelimit {
  file = ${path.join(dirs.run, 'ratelimit')}
  per_minute = ${s.rateLimit}
  anonymous_per_minute = ${s.rateLimit}
}
metrics {
  file = ${path.join(dirs.run, 'metrics')}
  allow = ${s.metricsAllow.join(' ')}
}
fcgi {
  listen = ${s.fcgiSocket}
  workers = ${s.workers}
  socket_mode = 0666
}
security.bcrypt_cost = ${s.bcryptCost}
alertd {
  poll_interval_ms = ${s.alertdPollMs}
  retry_base_ms = ${s.alertdRetryMs}
  budget_per_hour = ${s.alertBudget}
  digest_interval_s = ${s.digestIntervalS}
  send_lease_s = ${s.sendLeaseS}
  # The sinks' webhook receiver is on 127.0.0.1, with the stack's certificate.
  webhook_allow_private = 1
  webhook_ca_file = ${s.tls.cert}
}
ses {
  endpoint = ${s.sinks.url}
  region = us-east-1
  access_key_id = ${s.secrets.awsKeyId}
  sender = Gauge <alert@gauge.localhost>
  ca_file = ${s.tls.cert}
}
twilio {
  endpoint = ${s.sinks.url}
  ca_file = ${s.tls.cert}
}
`);
  return conf;
}

export function gaugectl(conf, args, input) {
  const out = execFileSync(path.join(BIN, 'gaugectl'), ['-c', conf, ...args],
    { input, stdio: ['pipe', 'pipe', 'pipe'] });
  return out.toString().trim();
}

function writeLighttpdConf(dirs, s) {
  const conf = path.join(dirs.etc, 'lighttpd.conf');
  // The shipped snippet switches TLS on for gauge_https_bind:gauge_https_port
  // only, here the main socket; every other socket is plain HTTP that only
  // redirects.
  fs.writeFileSync(conf, `# Written by the dev stack; includes the shipped etc/lighttpd/gauge.conf.
server.document-root = "${path.join(ROOT, 'htdocs')}"
server.bind = "127.0.0.1"
server.port = ${s.httpsPort}
server.pid-file = "${path.join(dirs.run, 'lighttpd.pid')}"
server.errorlog = "${path.join(dirs.log, 'lighttpd-error.log')}"
mimetype.assign = ( ".css" => "text/css", ".js" => "text/javascript", ".svg" => "image/svg+xml", ".png" => "image/png" )
var.gauge_htdocs = "${path.join(ROOT, 'htdocs')}"
var.gauge_socket = "${s.fcgiSocket}"
var.gauge_cert = "${s.tls.cert}"
var.gauge_key = "${s.tls.key}"
var.gauge_https_bind = "127.0.0.1"
var.gauge_https_port = "${s.httpsPort}"
include "${path.join(ROOT, 'etc/lighttpd/gauge.conf')}"
${s.plainHttpPort ? `# Test only: a plain-HTTP socket that reaches the app instead of redirecting,
# to prove the app itself refuses credentials on it.
$SERVER["socket"] == "127.0.0.1:${s.plainHttpPort}" { url.redirect = () }` : ''}
`);
  return conf;
}

function writeApacheConf(dirs, s, port, httpPort) {
  const mods = ['mpm_event', 'authz_core', 'mime', 'alias', 'headers', 'socache_shmcb', 'ssl',
    'proxy', 'proxy_fcgi'];
  const conf = path.join(dirs.etc, 'apache.conf');
  fs.writeFileSync(conf, `# Written by the test stack; includes the shipped etc/apache/gauge.conf.
ServerRoot "/etc/apache2"
${mods.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`).join('\n')}
User www-data
Group www-data
PidFile "${path.join(dirs.run, 'apache.pid')}"
DefaultRuntimeDir "${dirs.run}"
Mutex file:${dirs.run} default
ErrorLog "${path.join(dirs.log, 'apache-error.log')}"
LogLevel warn
TypesConfig /etc/mime.types
ServerName localhost
Listen 127.0.0.1:${port}
Listen 127.0.0.1:${httpPort}
Define GAUGE_PORT ${port}
Define GAUGE_HTTP_PORT ${httpPort}
Define GAUGE_SERVER_NAME localhost
Define GAUGE_HTDOCS ${path.join(ROOT, 'htdocs')}
Define GAUGE_SOCKET ${s.fcgiSocket}
Define GAUGE_CERT ${s.tls.cert}
Define GAUGE_KEY ${s.tls.key}
Include "${path.join(ROOT, 'etc/apache/gauge.conf')}"
`);
  return conf;
}

// The shipped etc/mosquitto/gauge.conf with only where things are replaced:
// the value of each directive below (each must be there, once), so what the
// tests run is the example an admin copies.
export const MQTT_PLUGIN = path.join(ROOT, 'build/lib/gauge_mosquitto.so');
function writeMosquittoConf(dirs, s, name, port) {
  const values = {
    user: 'root',
    listener: `${port} 127.0.0.1`,
    certfile: s.tls.cert,
    keyfile: s.tls.key,
    plugin: MQTT_PLUGIN,
    plugin_opt_config: s.conf,
  };
  let text = fs.readFileSync(path.join(ROOT, 'etc/mosquitto/gauge.conf'), 'utf8');
  for (const [k, v] of Object.entries(values)) {
    const re = new RegExp(`^${k} .*$`, 'm');
    if (!re.test(text)) throw new Error(`etc/mosquitto/gauge.conf: no "${k}" line to fill in`);
    text = text.replace(re, `${k} ${v}`);
  }
  const conf = path.join(dirs.etc, `${name}.conf`);
  fs.writeFileSync(conf, `# Written by the dev stack from etc/mosquitto/gauge.conf.\n${text}`);
  return conf;
}

// The demo account, made on the first run and remembered in var/demo.json.
function ensureDemo(dirs, conf) {
  const file = path.join(dirs.var, 'demo.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const account = JSON.parse(gaugectl(conf, ['create-account', '--name', 'Demo Works']));
  const admin = JSON.parse(gaugectl(conf, ['create-user', '--account', String(account.id),
    '--email', 'admin@demo.gauge.localhost', '--role', 'admin']));
  const device = JSON.parse(gaugectl(conf, ['create-device', '--account', String(account.id),
    '--name', 'Boiler room', '--group', 'Plant 1']));
  const demo = { account, admin, device };
  fs.writeFileSync(file, JSON.stringify(demo, null, 2), { mode: 0o600 });
  return demo;
}

// Twilio's own test "From" number; the sink accepts any valid sender.
export const DEMO_TWILIO_FROM = '+15005550006';

// The demo account sends SMS through the local Twilio sink: its Twilio
// settings are set to the sink's credentials through gaugectl (sealed with
// the server key, as the dashboard does), but only while they are unset or
// still the same: settings changed in the dashboard are kept ("kept").
// A failure here costs SMS only, not the stack: result 'failed' and why.
function ensureDemoTwilio(conf, demo, secrets) {
  const sink = { sid: secrets.twilioSid, token: secrets.twilioToken, from: DEMO_TWILIO_FROM };
  try {
    const r = JSON.parse(gaugectl(conf, ['set-twilio', `--account=${demo.account.id}`,
      `--sid=${secrets.twilioSid}`, `--from=${DEMO_TWILIO_FROM}`, '--if-unset'], `${secrets.twilioToken}\n`));
    return { ...r, ...sink };
  } catch (e) {
    return { result: 'failed', error: (e.stderr?.toString() || e.message).trim(), ...sink };
  }
}

export async function startStack(opts = {}) {
  const dirs = mkdirs(path.resolve(opts.varDir));
  await killLeftovers(dirs.run, dirs.var);
  const s = {
    dirs,
    httpsPort: opts.httpsPort ?? await freePort(),
    plainHttpPort: opts.plainHttp ? await freePort() : 0,
    mqttPort: opts.mqttPort ?? await freePort(),
    workers: opts.workers ?? 4,
    logLevel: opts.logLevel ?? 'info',
    maxBody: opts.maxBody ?? 1048576,
    // CIDR blocks whose X-Forwarded-For / X-Request-Id count; 127.0.0.1/32 makes
    // the test runner the load balancer.
    trustedProxies: opts.trustedProxies ?? [],
    rateLimit: opts.rateLimit ?? 600,
    // Who may GET /metrics (metrics.allow): loopback, as the shipped default.
    metricsAllow: opts.metricsAllow ?? ['127.0.0.0/8', '::1/128'],
    alertdPollMs: opts.alertdPollMs ?? 500,
    alertdRetryMs: opts.alertdRetryMs ?? 2000,
    alertBudget: opts.alertBudget ?? 20,
    digestIntervalS: opts.digestIntervalS ?? 900,
    pruneIntervalMs: opts.pruneIntervalMs ?? 3600e3,
    sendLeaseS: opts.sendLeaseS ?? 60,
    bcryptCost: opts.bcryptCost ?? 12,
    mongoDatabase: opts.mongoDatabase ?? 'gauge',
    fcgiSocket: path.join(dirs.run, 'gauge.sock'),
    tls: ensureCert(dirs),
    secrets: ensureSecrets(dirs),
    procs: {},
  };
  const stack = new Stack(s);
  try {
    s.mysql = await startMariadb(dirs, opts.mysqlPort ?? await freePort());
    s.procs.mariadb = s.mysql.proc;
    mariadbSql(s.mysql.socket, `CREATE DATABASE IF NOT EXISTS gauge CHARACTER SET utf8mb4;
      CREATE USER IF NOT EXISTS 'gauge'@'localhost' IDENTIFIED BY '${s.secrets.mysqlPassword}';
      GRANT ALL ON gauge.* TO 'gauge'@'localhost';`);
    s.mongo = await startMongo(dirs, opts.mongoPort ?? await freePort());
    if (s.mongo.proc) s.procs.mongo = s.mongo.proc;
    s.sinks = await startSinks(dirs, opts.sinksPort ?? await freePort(), s.tls, s.secrets);
    s.procs.sinks = s.sinks.proc;
    s.conf = writeConf(dirs, s);
    gaugectl(s.conf, ['migrate']);
    s.demo = opts.demo === false ? null : ensureDemo(dirs, s.conf);
    if (s.demo) s.demoTwilio = ensureDemoTwilio(s.conf, s.demo, s.secrets);
    await stack.startFcgi();
    s.procs.lighttpd = startProcess({ name: 'lighttpd', cmd: 'lighttpd', logDir: dirs.log, runDir: dirs.run,
      args: ['-D', '-f', writeLighttpdConf(dirs, s)] });
    await waitFor('lighttpd', () => tcpConnects(s.httpsPort), { proc: s.procs.lighttpd });
    await stack.startMosquitto();
    s.procs.alertd = startProcess({ name: 'gauge-alertd', cmd: path.join(BIN, 'gauge-alertd'),
      logDir: dirs.log, runDir: dirs.run, args: ['-c', s.conf] });
    if (s.pruneIntervalMs > 0) s.pruneTimer = startPruneTimer(s);
    s.client = makeClient({ port: s.httpsPort, caFile: s.tls.cert });
    await waitFor('/healthz over TLS', async () => (await s.client('GET', '/healthz')).status === 200,
      { timeoutMs: 30000 });
  } catch (e) {
    await stack.stop();
    throw e;
  }
  return stack;
}

// The dev stack's gauge-prune.timer: one `gaugectl prune` pass every
// pruneIntervalMs, its output appended to log/prune.log.
function startPruneTimer(s) {
  const log = path.join(s.dirs.log, 'prune.log');
  const timer = setInterval(() => {
    execFile(path.join(BIN, 'gaugectl'), ['-c', s.conf, 'prune'], (err, stdout, stderr) => {
      fs.appendFileSync(log, `${new Date().toISOString()} ${stdout}${stderr}${err ? `exit ${err.code}\n` : ''}`);
    });
  }, s.pruneIntervalMs);
  timer.unref();
  return timer;
}

class Stack {
  constructor(s) { this.s = s; }

  get conf() { return this.s.conf; }
  get client() { return this.s.client; }
  get httpsPort() { return this.s.httpsPort; }
  get demo() { return this.s.demo; }
  // { result: 'set' | 'unchanged' | 'kept' | 'failed', sid, token, from }: the sink's credentials
  get demoTwilio() { return this.s.demoTwilio; }
  get dirs() { return this.s.dirs; }
  get tls() { return this.s.tls; }
  get procs() { return this.s.procs; }
  get mongoKind() { return this.s.mongo?.kind; }
  // For the Node driver (the app itself uses the unix socket).
  get mongoTcpUri() { return this.s.mongo?.tcpUri; }
  get plainHttpPort() { return this.s.plainHttpPort; }
  get mqttPort() { return this.s.mqttPort; }
  get mongoTcpUri() { return this.s.mongo?.tcpUri; }
  get mqttUrl() { return `mqtts://localhost:${this.s.mqttPort}`; }

  // Mosquitto with the shipped config and Gauge's plugin (MQTT over TLS);
  // further brokers (name 'mosquitto-2', ...) on their own ports, as
  // several broker hosts would run.
  async startMosquitto(name = 'mosquitto', port = this.s.mqttPort) {
    const { dirs } = this.s;
    this.s.procs[name] = startProcess({ name, cmd: 'mosquitto', logDir: dirs.log,
      runDir: dirs.run, args: ['-c', writeMosquittoConf(dirs, this.s, name, port)] });
    await waitFor(name, () => tcpConnects(port), { proc: this.s.procs[name] });
    return port;
  }

  async stopMosquitto(signal = 'SIGTERM', name = 'mosquitto') {
    await stopProcess(this.s.procs[name], { signal });
    delete this.s.procs[name];
  }
  get secrets() { return this.s.secrets; }

  // The next provider answers: e.g. { ses: [500, 500], twilio: [400], webhook: [404] }.
  failPlan(plan) {
    fs.writeFileSync(path.join(this.s.dirs.etc, 'fail-plan.json'), JSON.stringify(plan));
  }

  // The secrets the sinks' webhook receiver accepts signatures from.
  webhookSecrets(list) {
    const file = path.join(this.s.dirs.etc, 'webhook-secrets.json');
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(list));
    fs.renameSync(`${file}.tmp`, file);
  }

  // gauge-alertd, stopped or (re)started; extra ones for several instances.
  async stopAlertd(name = 'alertd', signal = 'SIGTERM') {
    await stopProcess(this.s.procs[name], { signal });
    delete this.s.procs[name];
  }

  // env: settings over the configuration's (GAUGE_ALERTD_WEBHOOK_ALLOW_PRIVATE: '0').
  startAlertd(name = 'alertd', env = {}) {
    this.s.procs[name] = startProcess({ name: `gauge-${name}`, cmd: path.join(BIN, 'gauge-alertd'),
      logDir: this.s.dirs.log, runDir: this.s.dirs.run, args: ['-c', this.s.conf], env });
    return this.s.procs[name];
  }
  get sinksUrl() { return this.s.sinks.url; }

  async startFcgi() {
    const { dirs } = this.s;
    this.s.procs.fcgi = startProcess({ name: 'gauge-fcgi', cmd: path.join(BIN, 'gauge.fcgi'),
      logDir: dirs.log, runDir: dirs.run, args: ['-c', this.s.conf, '--listen', this.s.fcgiSocket] });
    await waitFor('gauge.fcgi', () => unixConnects(this.s.fcgiSocket), { proc: this.s.procs.fcgi });
  }

  async stopFcgi() {
    await stopProcess(this.s.procs.fcgi);
    delete this.s.procs.fcgi;
  }

  // The pids of the FastCGI workers (children of the supervisor).
  fcgiWorkers() {
    const sup = this.s.procs.fcgi?.pid;
    // ps exits 1 when there are none.
    const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(sup)], { encoding: 'utf8' });
    return r.stdout.split('\n').map((l) => Number(l.trim())).filter(Boolean).sort((a, b) => a - b);
  }

  async stopMariadb() {
    await stopProcess(this.s.procs.mariadb);
  }

  async startMariadb() {
    this.s.mysql = await startMariadb(this.s.dirs, this.s.mysql.port);
    this.s.procs.mariadb = this.s.mysql.proc;
  }

  async stopMongo() {
    await stopProcess(this.s.procs.mongo);
  }

  async startMongo() {
    const port = Number(new URL(this.s.mongo.tcpUri).port);
    this.s.mongo = await startMongo(this.s.dirs, port);
    this.s.procs.mongo = this.s.mongo.proc;
  }

  // SQL as root through the stack's own socket; returns rows of columns.
  sql(query) {
    const out = execFileSync('mariadb', ['--no-defaults', `--socket=${this.s.mysql.socket}`, '-uroot',
      '-N', '-B', 'gauge', '-e', query]).toString();
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  }

  ctl(args, input) {
    return JSON.parse(gaugectl(this.s.conf, args, input));
  }

  // Apache with the shipped vhost: TLS on port, the plain-HTTP redirect host
  // on apacheHttpPort.
  async startApache(port) {
    this.s.apacheHttpPort = await freePort();
    const p = startProcess({ name: 'apache', cmd: '/usr/sbin/apache2', logDir: this.s.dirs.log,
      runDir: this.s.dirs.run,
      args: ['-f', writeApacheConf(this.s.dirs, this.s, port, this.s.apacheHttpPort), '-DFOREGROUND'] });
    this.s.procs.apache = p;
    await waitFor('apache', () => tcpConnects(port), { proc: p });
    return makeClient({ port, caFile: this.s.tls.cert });
  }

  get apacheHttpPort() { return this.s.apacheHttpPort; }

  async stop() {
    clearInterval(this.s.pruneTimer);
    const first = Object.keys(this.s.procs).filter((n) => n.startsWith('alertd') || n.startsWith('mosquitto-'));
    const order = ['apache', ...first, 'mosquitto', 'lighttpd', 'fcgi', 'sinks', 'mongo', 'mariadb'];
    for (const name of order) {
      if (this.s.procs[name]) await stopProcess(this.s.procs[name]);
    }
  }
}
