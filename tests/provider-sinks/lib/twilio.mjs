// The Twilio Messages stand-in:
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json
// form-encoded To/From/Body, HTTP basic auth AccountSid:AuthToken.
// Checks what Twilio would refuse (bad auth, a number that is not E.164,
// missing From or Body) with Twilio's JSON error shape and codes, and turns
// an accepted request into a readable message record.
//
// Without configured --twilio pairs any token is accepted, but Basic auth
// must still be present and name the account in the path: that much is
// structure the C client has to get right regardless of secrets.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isE164, isTwilioSender } from './validate.mjs';

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MAX_BODY_CHARS = 1600; // Twilio's limit for a concatenated message

function twilioError(status, code, message, extra = {}) {
  return {
    status,
    outcome: 'rejected',
    error: code,
    headers: extra.headers ?? {},
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

const unauthenticated = () =>
  twilioError(401, 20003, 'Authenticate', { headers: { 'www-authenticate': 'Basic realm="Twilio API"' } });

function basicAuth(value) {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// Compare digests so differing lengths do not short-circuit the comparison.
function sameSecret(a, b) {
  const digest = (s) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function rfc2822(date) {
  return date.toUTCString().replace('GMT', '+0000');
}

function segments(body) {
  // GSM-7 fits 160 per single SMS (153 when split); anything else is UCS-2
  // at 70 (67). Good enough to show a reader that an alert will be split.
  const gsm = /^[\x20-\x7e\n\r£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà]*$/.test(body);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const length = [...body].length;
  return length <= single ? 1 : Math.ceil(length / multi);
}

export const twilio = {
  name: 'twilio',

  owns(pathname) {
    return pathname.startsWith('/2010-04-01/');
  },

  handle({ method, pathname, pairs, body, config, now }) {
    const route = MESSAGES_PATH.exec(pathname);
    if (!route) {
      return twilioError(404, 20404, `The requested resource ${pathname} was not found`);
    }
    if (method !== 'POST') return twilioError(405, 20004, 'Method not allowed');
    const pathSid = route[1];

    const credentials = basicAuth(pairs.find(([n]) => n.toLowerCase() === 'authorization')?.[1]);
    if (!credentials) return unauthenticated();
    if (config.twilio.size > 0) {
      const token = config.twilio.get(credentials.user);
      if (token === undefined || !sameSecret(token, credentials.password)) return unauthenticated();
    }
    if (credentials.user !== pathSid) return unauthenticated();

    // Twilio reads parameters only from a form body; JSON is silently
    // ignored there, which shows up as "To is required". Say why.
    const contentType = pairs.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
    const isForm = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType);
    const params = isForm ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
    const formHint = isForm ? '' : ` (provider-sinks: Content-Type was '${contentType}', parameters are only read from application/x-www-form-urlencoded)`;

    const to = params.get('To');
    const from = params.get('From');
    const text = params.get('Body');
    const messagingServiceSid = params.get('MessagingServiceSid');
    const mediaUrls = params.getAll('MediaUrl');

    if (!to) return twilioError(400, 21604, `A 'To' phone number is required.${formHint}`);
    if (!isE164(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !messagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (from && !isTwilioSender(from)) {
      return twilioError(400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    }
    if (!text && mediaUrls.length === 0) return twilioError(400, 21602, 'Message body is required.');
    if (text && [...text].length > MAX_BODY_CHARS) {
      return twilioError(400, 21617, `The concatenated message body exceeds the ${MAX_BODY_CHARS} character limit.`);
    }

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const created = rfc2822(new Date(now));
    const numSegments = segments(text ?? '');
    const message = {
      account_sid: pathSid,
      to,
      from: from ?? null,
      messaging_service_sid: messagingServiceSid,
      body: text ?? '',
      body_length: [...(text ?? '')].length,
      num_segments: numSegments,
      media_urls: mediaUrls,
      status_callback: params.get('StatusCallback'),
    };
    return {
      status: 201,
      outcome: 'accepted',
      headers: {},
      body: {
        account_sid: pathSid,
        api_version: '2010-04-01',
        body: text ?? '',
        date_created: created,
        date_sent: null,
        date_updated: created,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: from ?? null,
        messaging_service_sid: messagingServiceSid,
        num_media: String(mediaUrls.length),
        num_segments: String(numSegments),
        price: null,
        price_unit: 'USD',
        sid,
        status: 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${pathSid}/Messages/${sid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${pathSid}/Messages/${sid}.json`,
      },
      messageId: sid,
      message,
      summary: `SMS from ${from ?? messagingServiceSid} to ${to}: ${JSON.stringify(text ?? '')}`,
    };
  },

  injected(step) {
    const defaults = {
      400: [21610, 'Attempt to send to unsubscribed recipient'],
      401: [20003, 'Authenticate'],
      404: [20404, 'The requested resource was not found'],
      429: [20429, 'Too Many Requests'],
      500: [20500, 'Internal Server Error'],
      503: [20503, 'Service Unavailable'],
    };
    const [code, message] = defaults[step.status] ?? [step.status >= 500 ? 20500 : 21610, `provider-sinks injected ${step.status}`];
    const result = twilioError(step.status, step.code ?? code, step.message ?? message);
    return { ...result, outcome: 'injected' };
  },
};
