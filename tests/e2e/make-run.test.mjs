// make-run.test.mjs - `make run` brings the whole stack up, Ctrl-C takes
// all of it down, and a second `make run` reuses the data.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { makeClient } from '../stack/https.mjs';
import { freePort, waitFor } from '../stack/proc.mjs';
import { ROOT } from '../stack/stack.mjs';

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

async function makeRun(port) {
  const child = spawn('make', ['--no-print-directory', 'run', `GAUGE_VAR=${varDir}`, `GAUGE_HTTPS_PORT=${port}`],
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
  const run = await makeRun(port);
  const client = makeClient({ port, caFile: path.join(varDir, 'tls/cert.pem') });
  const r = await client('GET', '/healthz');
  assert.equal(r.status, 200, r.text);
  assert.match(run.output(), /Login:\s+admin@/);
  assert.match(run.output(), /Device key:\s+gdk_/);
  assert.ok(processesUsing(varDir).length >= 5, 'the stack runs: mariadb, mongo, sinks, fcgi, lighttpd, alertd');
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
