// run.mjs - `make run`: the whole stack under ./var until Ctrl-C.
import { parseArgs } from 'node:util';

import { startStack } from './stack.mjs';

const { values } = parseArgs({ options: {
  var: { type: 'string', default: 'var' },
  'https-port': { type: 'string', default: '8443' },
} });

const t0 = Date.now();
console.log(`Starting Gauge under ${values.var} ...`);
let stack;
try {
  stack = await startStack({ varDir: values.var, httpsPort: Number(values['https-port']) });
} catch (e) {
  console.error(`make run: ${e.message}`);
  process.exit(1);
}
const { demo } = stack;
console.log(`
Gauge is up (${((Date.now() - t0) / 1000).toFixed(1)} s, MongoDB: ${stack.mongoKind}).

  URL:          https://localhost:${stack.httpsPort}/   (self-signed certificate: ${stack.tls.cert})
  Login:        ${demo.admin.email}
  Password:     ${demo.admin.password}
  Device:       ${demo.device.name} (${demo.device.id})
  Device key:   ${demo.device.key}
  Account key:  ${demo.account.account_key}
  Config:       ${stack.conf}   (gaugectl -c ${stack.conf} ...)
  Logs:         ${stack.dirs.log}/
  Outbox:       ${stack.dirs.outbox}/   (what the SES and Twilio sinks received)

Try:  curl --cacert ${stack.tls.cert} https://localhost:${stack.httpsPort}/healthz

Press Ctrl-C to stop.`);

let stopping = false;
async function shutdown(sig) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${sig}: stopping Gauge ...`);
  await stack.stop();
  console.log('Stopped.');
  process.exit(0);
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGHUP', () => shutdown('SIGHUP'));
