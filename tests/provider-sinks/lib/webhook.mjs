// The webhook receiver stand-in: POST /webhook/<anything>, Gauge's signed
// JSON alerts.  Every request's Gauge-Signature is checked:
//   Gauge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// against each secret in the --webhook-secrets file (a JSON array of
// strings, read on every request so a test can rotate it); t must be within
// five minutes of now.  A request that fails gets 401 and is recorded in
// requests.log as rejected with the reason (BadSignature, StaleTimestamp,
// MissingSignature, ...); with no secrets configured the header's shape and
// age are still checked and the message says signature_checked: false.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const TOLERANCE_S = 300;

function refuse(status, error, message) {
  return { status, outcome: 'rejected', error, headers: {}, body: { error, message } };
}

function readSecrets(file) {
  if (!file) return [];
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  if (text.trim() === '') return [];
  const list = JSON.parse(text);
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw new Error(`${file} must be a JSON array of strings`);
  }
  return list;
}

function header(pairs, name) {
  return pairs.find(([n]) => n.toLowerCase() === name)?.[1];
}

// "t=...,v1=..." into {t, v1: [...]}; null when malformed.
export function parseSignature(value) {
  if (typeof value !== 'string') return null;
  const out = { t: null, v1: [] };
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const [k, v] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    if (k === 't') out.t = /^\d{1,12}$/.test(v) ? Number(v) : NaN;
    else if (k === 'v1') out.v1.push(v);
  }
  return Number.isFinite(out.t) && out.v1.length > 0 ? out : null;
}

export function sign(secret, t, body) {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

function matches(expectedHex, givenHex) {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(/^[0-9a-f]{64}$/.test(givenHex) ? givenHex : '', 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const webhook = {
  name: 'webhook',

  owns(pathname) {
    return pathname.startsWith('/webhook/');
  },

  handle({ method, pathname, pairs, body, config, now }) {
    if (method !== 'POST') return refuse(405, 'MethodNotAllowed', 'webhooks are POSTed');
    const type = header(pairs, 'content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) return refuse(415, 'UnsupportedMediaType', `Content-Type was '${type}'`);
    const raw = header(pairs, 'gauge-signature');
    if (raw === undefined) return refuse(401, 'MissingSignature', 'no Gauge-Signature header');
    const sig = parseSignature(raw);
    if (!sig) return refuse(401, 'MalformedSignature', `Gauge-Signature '${raw}' is not t=<seconds>,v1=<hex>`);
    const age = Math.abs(now / 1000 - sig.t);
    if (age > TOLERANCE_S) return refuse(401, 'StaleTimestamp', `t=${sig.t} is ${Math.round(age)} s from now`);
    const secrets = readSecrets(config.webhookSecrets);
    let secretIndex = null;
    if (secrets.length > 0) {
      secretIndex = secrets.findIndex((s) => sig.v1.some((v) => matches(sign(s, sig.t, body), v)));
      if (secretIndex < 0) return refuse(401, 'BadSignature', 'no configured secret gives this signature');
    }
    let payload;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return refuse(400, 'BadJson', err.message);
    }
    const id = `wh_${randomBytes(8).toString('hex')}`;
    return {
      status: 200,
      outcome: 'accepted',
      headers: {},
      body: { received: id },
      messageId: id,
      message: {
        path: pathname,
        event: payload.event ?? null,
        delivery_id: payload.delivery_id ?? null,
        gauge_event: header(pairs, 'gauge-event') ?? null,
        gauge_delivery: header(pairs, 'gauge-delivery') ?? null,
        signature: { header: raw, t: sig.t, signature_checked: secrets.length > 0, secret_index: secretIndex },
        payload,
      },
      summary: `Webhook ${payload.event ?? '?'} to ${pathname}${secrets.length > 0 ? ' (signature verified)' : ''}`,
    };
  },

  injected(step) {
    const result = refuse(step.status, `Injected${step.status}`, step.message ?? `provider-sinks injected ${step.status}`);
    return { ...result, outcome: 'injected' };
  },
};
