// https.mjs - a small HTTPS client for the tests and the orchestrator,
// trusting the stack's own self-signed certificate (never disabling
// verification globally).  Every response under /api/v1/ and /healthz is
// checked against the OpenAPI document (openapi-check.mjs): a mismatch
// rejects the request and fails the test file.
import fs from 'node:fs';
import https from 'node:https';

import { recordApiResponse } from './openapi-check.mjs';

// localAddress: the source address (another loopback address, say, to be a
// different client than the test runner's 127.0.0.1).  socketPath: connect
// through a unix socket instead (a relay into a lab host, tests/deploy/).
export function makeClient({ port, host = '127.0.0.1', caFile, servername = 'localhost', localAddress, socketPath }) {
  const ca = fs.readFileSync(caFile);
  const agent = new https.Agent({ ca, keepAlive: false });
  // chunked: send the body without Content-Length, as a streaming device would.
  return function request(method, path, { headers = {}, body, chunked = false } = {}) {
    const h = { ...headers };
    if (body !== undefined && !chunked) h['content-length'] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
      const target = socketPath ? { socketPath } : { host, port, localAddress };
      const req = https.request({ ...target, method, path, headers: h, agent, servername }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try { json = JSON.parse(text); } catch { /* not JSON */ }
          const r = { status: res.statusCode, headers: res.headers, text, json };
          try {
            recordApiResponse(method, path, r);
          } catch (e) {
            reject(e);
            return;
          }
          resolve(r);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(30000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  };
}
