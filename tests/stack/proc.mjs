// proc.mjs - start and stop the stack's processes.
//
// Every child runs in its own process group (detached), so a Ctrl-C aimed
// at `make run` reaches only the orchestrator, which then stops the children
// in order; a pid file per child lets the next run clean up after an
// orchestrator that was killed outright.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A child process writing stdout and stderr to logDir/name.log.
export function startProcess({ name, cmd, args, logDir, runDir, env = {} }) {
  const log = fs.openSync(path.join(logDir, `${name}.log`), 'a');
  const child = spawn(cmd, args, {
    detached: true,
    stdio: ['ignore', log, log],
    // As the units do: a child the tests kill must not leave a libmongoc
    // counters file in /dev/shm for a later process with its pid to trip on.
    env: { ...process.env, MONGOC_DISABLE_SHM: '1', ...env },
  });
  fs.closeSync(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', () => {});
  if (runDir && child.pid) fs.writeFileSync(path.join(runDir, `${name}.pid`), `${child.pid}\n`);
  return { name, child, pid: child.pid, exited, logFile: path.join(logDir, `${name}.log`), runDir };
}

// SIGTERM, then SIGKILL after graceMs; resolves once the process is gone.
export async function stopProcess(p, { signal = 'SIGTERM', graceMs = 15000 } = {}) {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return cleanupPid(p);
  try { p.child.kill(signal); } catch { /* already gone */ }
  const timeout = sleep(graceMs).then(() => 'timeout');
  if ((await Promise.race([p.exited, timeout])) === 'timeout') {
    try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ }
    await p.exited;
  }
  cleanupPid(p);
}

function cleanupPid(p) {
  if (p?.runDir) fs.rmSync(path.join(p.runDir, `${p.name}.pid`), { force: true });
}

// Kills processes left by an earlier run that died without cleaning up.
export async function killLeftovers(runDir, marker) {
  if (!fs.existsSync(runDir)) return;
  for (const f of fs.readdirSync(runDir).filter((n) => n.endsWith('.pid'))) {
    const pid = Number(fs.readFileSync(path.join(runDir, f), 'utf8'));
    let cmdline = '';
    try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { /* gone */ }
    if (pid > 0 && cmdline.includes(marker)) {
      try { process.kill(-pid, 'SIGTERM'); } catch { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
      if (alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    fs.rmSync(path.join(runDir, f), { force: true });
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Polls check() until it returns truthy; fails with the log tail of p.
export async function waitFor(what, check, { timeoutMs = 60000, proc } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    if (proc && proc.child.exitCode !== null) break;
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = e;
    }
    await sleep(100);
  }
  let tail = '';
  if (proc) {
    try { tail = fs.readFileSync(proc.logFile, 'utf8').split('\n').slice(-20).join('\n'); } catch { /* none */ }
  }
  throw new Error(`${what} did not become ready${lastErr ? `: ${lastErr.message}` : ''}${tail ? `\n--- ${proc.logFile}\n${tail}` : ''}`);
}

export function tcpConnects(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export function unixConnects(file) {
  return new Promise((resolve) => {
    const s = net.connect(file);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
