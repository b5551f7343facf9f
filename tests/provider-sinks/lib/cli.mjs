// Command-line parsing for server.mjs. Kept apart so that a mistyped flag in
// a Makefile or test fails loudly at start-up (exit 2 with usage) instead of
// silently running a sink that verifies less than the caller thinks.

import { parseArgs } from 'node:util';

export const USAGE = `usage: node tests/provider-sinks/server.mjs --port PORT --cert CERT.pem --key KEY.pem --outbox DIR
         [--host 127.0.0.1]
         [--aws-access-key-id ID --aws-secret-access-key SECRET --aws-region REGION]
         [--twilio ACCOUNT_SID:AUTH_TOKEN ...]
         [--fail-plan FILE] [--webhook-secrets FILE] [--control]`;

export class UsageError extends Error {}

export function parseCli(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        cert: { type: 'string' },
        key: { type: 'string' },
        outbox: { type: 'string' },
        'aws-access-key-id': { type: 'string' },
        'aws-secret-access-key': { type: 'string' },
        'aws-region': { type: 'string' },
        twilio: { type: 'string', multiple: true, default: [] },
        'fail-plan': { type: 'string' },
        'webhook-secrets': { type: 'string' },
        control: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (values.help) return { help: true };

  for (const required of ['port', 'cert', 'key', 'outbox']) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer 0-65535, got '${values.port}'`);
  }

  // All three or none: a key id without a region would leave half the scope
  // unchecked, which is exactly the kind of bug the sink exists to catch.
  const awsFlags = ['aws-access-key-id', 'aws-secret-access-key', 'aws-region'];
  const given = awsFlags.filter((f) => values[f] !== undefined);
  if (given.length !== 0 && given.length !== awsFlags.length) {
    throw new UsageError(`give all of --${awsFlags.join(', --')} or none (got only --${given.join(', --')})`);
  }
  const aws = given.length
    ? {
        accessKeyId: values['aws-access-key-id'],
        secretAccessKey: values['aws-secret-access-key'],
        region: values['aws-region'],
      }
    : null;

  const twilio = new Map();
  for (const pair of values.twilio) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) {
      throw new UsageError(`--twilio expects ACCOUNT_SID:AUTH_TOKEN, got '${pair}'`);
    }
    twilio.set(pair.slice(0, colon), pair.slice(colon + 1));
  }

  return {
    help: false,
    port,
    host: values.host,
    cert: values.cert,
    key: values.key,
    outbox: values.outbox,
    aws,
    twilio,
    failPlan: values['fail-plan'] ?? null,
    webhookSecrets: values['webhook-secrets'] ?? null,
    control: values.control,
  };
}
