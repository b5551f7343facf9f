// alert-sinks.mjs - what the SES and Twilio sinks received, for the alert
// tests: finished messages only (the sink writes .tmp-* and renames it into
// place), and a poll that waits for a condition.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function outboxOf(stack, provider) {
  const dir = path.join(stack.dirs.outbox, provider);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

export async function until(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// An administrator's session points the account's SMS at the Twilio sink.
export async function useTwilioSink(stack, admin) {
  const r = await admin.post('/account', { action: 'twilio', sid: stack.secrets.twilioSid,
    token: stack.secrets.twilioToken, from: '+15005550006' });
  if (r.status !== 303) throw new Error(`Twilio settings refused: ${r.status}`);
}
