// lab.mjs - test hosts as network namespaces on one private switch.
//
// Each host is a network namespace with one veth into a bridge that lives in
// a switch namespace of its own, so nothing is added to the machine's own
// network: no address, no route, no interface outside the lab.  Addresses
// come from a /24 that exists only inside these namespaces, and the lab is
// torn down (namespaces deleted, processes stopped) by down(), also after a
// crash of an earlier run (the names carry a prefix that down() sweeps).
//
// The test process itself stays outside the lab: it reaches a host through
// a unix socket relayed into that host's namespace (relay()), since the
// filesystem is shared across namespaces while networks are not.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startProcess, stopProcess, unixConnects, waitFor } from '../stack/proc.mjs';

const PREFIX = 'glab';
const RELAY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'relay.mjs');

function ip(...args) {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

// Namespaces of earlier labs that were not taken down.
export function sweepLabs() {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of r.stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (name.startsWith(`${PREFIX}-`)) spawnSync('ip', ['netns', 'del', name]);
  }
}

export class Lab {
  // hosts: { name: lastOctet }; the subnet is 10.<a>.<b>.0/24, picked at random.
  constructor(hosts, { dir }) {
    this.id = crypto.randomBytes(2).toString('hex');
    const r = crypto.randomBytes(2);
    this.subnet = `10.${200 + (r[0] % 50)}.${r[1]}`;
    this.hosts = Object.fromEntries(Object.entries(hosts).map(([n, octet]) => [n, `${this.subnet}.${octet}`]));
    this.dir = dir;
    this.procs = [];
    fs.mkdirSync(path.join(dir, 'log'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
  }

  ns(host) { return `${PREFIX}-${this.id}-${host}`; }

  up() {
    const sw = this.ns('switch');
    ip('netns', 'add', sw);
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', sw, 'link', 'set', 'br0', 'up');
    Object.keys(this.hosts).forEach((host, i) => {
      const ns = this.ns(host);
      const b = `gl${this.id}s${i}`;     /* the switch's end; at most 15 bytes */
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', b, 'netns', sw);
      ip('-n', sw, 'link', 'set', b, 'master', 'br0');
      ip('-n', sw, 'link', 'set', b, 'up');
      ip('-n', ns, 'addr', 'add', `${this.hosts[host]}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
    });
    return this;
  }

  // argv run inside host's namespace, as `ip netns exec` runs it.
  argv(host, cmd, args = []) {
    return ['netns', 'exec', this.ns(host), cmd, ...args];
  }

  run(host, cmd, args = [], opts = {}) {
    return execFileSync('ip', this.argv(host, cmd, args), { encoding: 'utf8', ...opts });
  }

  start(host, name, cmd, args = [], env = {}) {
    const p = startProcess({ name: `${host}-${name}`, cmd: 'ip', args: this.argv(host, cmd, args),
      logDir: path.join(this.dir, 'log'), runDir: path.join(this.dir, 'run'), env });
    this.procs.push(p);
    return p;
  }

  // A unix socket in the lab directory that reaches host:port from inside
  // `from` (the client's own host): the test's way into the lab.
  async relay(from, host, port) {
    const sock = path.join(this.dir, 'run', `relay-${from}-${host}-${port}.sock`);
    const p = this.start(from, `relay-${host}-${port}`, process.execPath,
      [RELAY, sock, this.hosts[host], String(port)]);
    await waitFor(`relay to ${host}:${port}`, () => unixConnects(sock), { proc: p });
    return sock;
  }

  // The whole process group at once, as a crashed host loses it: a server's
  // workers go with their master.
  async kill(p, signal = 'SIGKILL') {
    try { process.kill(-p.pid, signal); } catch { /* gone */ }
    await p.exited;
    this.procs = this.procs.filter((x) => x !== p);
  }

  async stop(p, opts) {
    await stopProcess(p, opts);
    this.procs = this.procs.filter((x) => x !== p);
  }

  async down() {
    // The whole group: a server started through a wrapper (apache2ctl,
    // sh -c) must not outlive the lab.
    for (const p of this.procs.reverse()) {
      try { process.kill(-p.pid, 'SIGTERM'); } catch { /* gone */ }
      await stopProcess(p, { graceMs: 5000 });
    }
    this.procs = [];
    for (const host of [...Object.keys(this.hosts), 'switch']) spawnSync('ip', ['netns', 'del', this.ns(host)]);
  }
}
