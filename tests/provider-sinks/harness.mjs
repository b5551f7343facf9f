// Test plumbing for sinks.test.mjs: a throwaway certificate, a sink process
// that is always killed, and HTTPS requests that trust only that certificate
// (so the tests exercise real TLS verification, as Gauge's client must).
// Not a test file itself: the name does not match node --test's patterns.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

const running = new Set();
// Backstop for a test that dies before its after() hook runs.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function tempDir(prefix = 'provider-sinks-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeCert(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'pipe' },
  );
  return { cert, key, ca: readFileSync(cert) };
}

// Starts server.mjs with the given extra arguments; resolves once it has
// printed its listening line.
export function startSink({ tls, outbox, args = [], timeoutMs = 10000 }) {
  const child = spawn(
    process.execPath,
    [SERVER, '--port', '0', '--host', '127.0.0.1', '--cert', tls.cert, '--key', tls.key, '--outbox', outbox, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  child.stderr.on('data', (d) => (stderr += d));

  const sink = {
    child,
    outbox,
    ca: tls.ca,
    port: null,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    // SIGTERM, and SIGKILL if that has not worked within a few seconds.
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sink did not start within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /^provider-sinks listening on 127\.0\.0\.1:(\d+)\n/.exec(stdout);
      if (m && sink.port === null) {
        sink.port = Number(m[1]);
        clearTimeout(timer);
        resolve(sink);
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      if (sink.port === null) reject(new Error(`sink exited with ${code} before listening; stderr:\n${stderr}`));
    });
  });
}

// One HTTPS request; resolves with {status, headers, text, json}.
// `signal` lets a test abandon the request part-way.
export function request(sink, { method = 'GET', path, headers = {}, body = '', signal } = {}) {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body);
    const req = https.request(
      {
        host: '127.0.0.1',
        port: sink.port,
        method,
        path,
        ca: sink.ca,
        agent: false,
        signal,
        headers: { ...headers, 'content-length': payload.length },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls until fn() returns a truthy value (for effects that land after a
// response, such as a delayed request finishing server-side).
export async function eventually(fn, { timeoutMs = 5000, intervalMs = 25 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(intervalMs);
  }
}
