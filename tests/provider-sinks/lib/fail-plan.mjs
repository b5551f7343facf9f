// Fault injection. The plan file is re-read on every provider request so a
// running test can (re)write it, and each step is removed from the file as
// it is used, so the file always shows what is still to come.
//
// Format: {"ses": [STEP, ...], "twilio": [STEP, ...]} where STEP is
//   500                    -> answer with that status and a provider-style error
//   "reset"                -> read the request, then drop the connection unanswered
//   {"status": 503, "delay_ms": 3000, "type": "...", "code": 123, "message": "..."}
//                          -> wait, then answer; a 2xx (or absent) status means
//                             "handle normally after the delay"
//   {"reset": true, "delay_ms": 500}
//
// Synchronous I/O on purpose: read-modify-write of the plan must not
// interleave between two requests, and in a single-threaded process sync
// calls give that for free.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export class FailPlanError extends Error {}

function normalise(step, provider) {
  if (typeof step === 'number') return { status: step };
  if (step === 'reset') return { reset: true };
  if (step && typeof step === 'object' && !Array.isArray(step)) {
    const out = { ...step };
    if (out.status !== undefined && !Number.isInteger(out.status)) {
      throw new FailPlanError(`${provider} step has non-integer status: ${JSON.stringify(step)}`);
    }
    if (out.delay_ms !== undefined && !(Number.isFinite(out.delay_ms) && out.delay_ms >= 0)) {
      throw new FailPlanError(`${provider} step has bad delay_ms: ${JSON.stringify(step)}`);
    }
    return out;
  }
  throw new FailPlanError(`${provider} step not understood: ${JSON.stringify(step)}`);
}

function readPlan(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw new FailPlanError(`cannot read fail plan ${file}: ${err.message}`);
  }
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FailPlanError(`fail plan ${file} is not valid JSON: ${err.message}`);
  }
}

// Returns the next step for `provider` (consuming it) or null for "no fault".
export function takeStep(file, provider) {
  if (!file) return null;
  const plan = readPlan(file);
  if (plan === null) return null;
  if (typeof plan !== 'object' || Array.isArray(plan)) throw new FailPlanError(`fail plan ${file} must be a JSON object`);
  const steps = plan[provider];
  if (steps === undefined) return null;
  if (!Array.isArray(steps)) throw new FailPlanError(`fail plan entry "${provider}" must be an array`);
  if (steps.length === 0) return null;
  const step = normalise(steps[0], provider);
  const remaining = { ...plan, [provider]: steps.slice(1) };
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(remaining, null, 2)}\n`);
  renameSync(tmp, file);
  return step;
}
