#!/usr/bin/env node
// provider-sinks: a local HTTPS stand-in for AWS SES (v2 SendEmail) and
// Twilio (Messages) so that `make run` and the tests exercise Gauge's real
// HTTP, TLS and signing code without sending anything. It verifies what it
// receives as strictly as the providers would, writes every accepted message
// to an outbox a person can read, and can inject failures on request.
// See README.md in this directory for the CLI and file layout.
//
// This file is only process plumbing (arguments, TLS, listen, signals); the
// behaviour lives in lib/.

import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parseCli, UsageError, USAGE } from './lib/cli.mjs';
import { Outbox } from './lib/outbox.mjs';
import { createHandler } from './lib/router.mjs';

function fail(message, code) {
  process.stderr.write(`provider-sinks: ${message}\n`);
  process.exit(code);
}

let config;
try {
  config = parseCli(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) fail(`${err.message}\n${USAGE}`, 2);
  throw err;
}
if (config.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

let tls;
try {
  tls = { cert: readFileSync(config.cert), key: readFileSync(config.key) };
} catch (err) {
  fail(`cannot read certificate or key: ${err.message}`, 1);
}

const outbox = new Outbox(config.outbox);
const server = https.createServer(tls, createHandler({ config, outbox }));

// A client that rejects the self-signed certificate shows up here; say so,
// since the client side often reports only "connection reset".
server.on('tlsClientError', (err) => {
  process.stderr.write(`provider-sinks: TLS handshake failed: ${err.message}\n`);
});
server.on('error', (err) => fail(`cannot listen on ${config.host}:${config.port}: ${err.message}`, 1));

server.listen(config.port, config.host, () => {
  const { port } = server.address();
  // Exactly one line on stdout: start-up scripts wait for it and parse the port.
  process.stdout.write(`provider-sinks listening on ${config.host}:${port}\n`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  // Requests held by a fail-plan delay must not hold up shutdown; only
  // message files already being written are worth a short wait.
  setTimeout(() => process.exit(0), 2000).unref();
  server.close();
  server.closeAllConnections?.();
  await outbox.drain(1000);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
