// run.mjs - `make run`: the whole stack under ./var until Ctrl-C.
import path from 'node:path';
import { parseArgs } from 'node:util';

import { startStack } from './stack.mjs';

const { values } = parseArgs({ options: {
  var: { type: 'string', default: 'var' },
  'https-port': { type: 'string', default: '8443' },
  'mqtt-port': { type: 'string', default: '8883' },
} });

const t0 = Date.now();
console.log(`Starting Gauge under ${values.var} ...`);
let stack;
try {
  stack = await startStack({ varDir: values.var, httpsPort: Number(values['https-port']),
    mqttPort: Number(values['mqtt-port']) });
} catch (e) {
  console.error(`make run: ${e.message}`);
  process.exit(1);
}
const { demo } = stack;
const url = `https://localhost:${stack.httpsPort}`;

// The demo keys are made on the first run and remembered in var/demo.json,
// but an administrator may have regenerated or revoked them since: each is
// tried with one authenticated request and printed only if it still works.
async function tryKey(key, pathname) {
  try {
    const r = await stack.client('GET', pathname, { headers: { authorization: `Bearer ${key}` } });
    return { ok: r.status >= 200 && r.status < 300, why: `HTTP ${r.status}${r.json?.code ? ` ${r.json.code}` : ''}` };
  } catch (e) {
    return { ok: false, why: e.message, unchecked: true };
  }
}

const pad = ' '.repeat(16);
function keyLine(key, check, where) {
  if (check.ok) return key;
  if (check.unchecked) return `${key}\n${pad}(could not be checked: ${check.why})`;
  return `(none to show: the demo key made on the first run now answers ${check.why},\n`
    + `${pad}so it was regenerated or revoked. Keys are shown once: use the new key from then,\n`
    + `${pad}or make another at ${where})`;
}

const deviceKey = keyLine(demo.device.key,
  await tryKey(demo.device.key, `/api/v1/devices/${demo.device.id}/readings?limit=1`),
  `${url}/devices/${demo.device.id}/settings`);
const accountKey = keyLine(demo.account.account_key, await tryKey(demo.account.account_key, '/api/v1/account'),
  `${url}/account`);

const tw = stack.demoTwilio;
const sinkOnly = `${pad}The local Twilio sink accepts only SID ${tw.sid}  token ${tw.token}\n`
  + `${pad}(${path.join(stack.dirs.etc, 'secrets.json')}); other credentials get "20003 Authenticate".`;
const twilio = tw.result === 'kept' || tw.result === 'failed'
  ? `${tw.result === 'kept' ? 'the demo account\'s own settings (changed in the dashboard) are left as they are.'
    : `not set on the demo account (${tw.error}).`}\n${sinkOnly}`
  : `SID ${tw.sid}  token ${tw.token}  from ${tw.from}\n`
    + `${pad}(the local Twilio sink's credentials, set on the demo account: SMS alerts land in ${stack.dirs.outbox}/twilio/)`;

console.log(`
Gauge is up (${((Date.now() - t0) / 1000).toFixed(1)} s, MongoDB: ${stack.mongoKind}).

  URL:          ${url}/   (self-signed certificate: ${stack.tls.cert})
  MQTT:         ${stack.mqttUrl}   (port ${stack.mqttPort}, TLS only, same certificate;
                username = device id, password = device key)
  Login:        ${demo.admin.email}
  Password:     ${demo.admin.password}
  Device:       ${demo.device.name} (${demo.device.id})
  Device key:   ${deviceKey}
  Account key:  ${accountKey}
  Twilio:       ${twilio}
  Config:       ${stack.conf}   (gaugectl -c ${stack.conf} ...)
  Logs:         ${stack.dirs.log}/
  Outbox:       ${stack.dirs.outbox}/   (what the SES and Twilio sinks received)

Try:  curl --cacert ${stack.tls.cert} ${url}/healthz
      mosquitto_pub -h localhost -p ${stack.mqttPort} --cafile ${stack.tls.cert} -q 1 \\
        -u ${demo.device.id} -P '<device key>' -t gauge/v1/devices/${demo.device.id}/readings \\
        -m '{"values":{"temp":21.5}}'

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
