// Read-only test endpoints, served only with --control:
//   GET /_sink/messages?provider=ses|twilio|webhook -> {"provider", "count", "messages": [...]}
//   GET /_sink/messages                      -> {"ses": [...], "twilio": [...]}
//   GET /_sink/requests                      -> {"count", "requests": [...requests.log lines]}
// They save a test from reading the outbox directory itself, and are off by
// default so a `make run` sink only speaks the providers' APIs.

import { PROVIDERS } from './outbox.mjs';
import { sendJson } from './http.mjs';

export const CONTROL_PREFIX = '/_sink/';

export async function handleControl({ req, res, url, outbox }) {
  if (req.method !== 'GET') return sendJson(res, 405, { message: 'control endpoints are GET only' });
  if (url.pathname === '/_sink/messages') {
    const provider = url.searchParams.get('provider');
    if (provider === null) {
      const all = {};
      for (const p of PROVIDERS) all[p] = await outbox.list(p);
      return sendJson(res, 200, all);
    }
    if (!PROVIDERS.includes(provider)) {
      return sendJson(res, 400, { message: `provider must be one of ${PROVIDERS.join(', ')}` });
    }
    const messages = await outbox.list(provider);
    return sendJson(res, 200, { provider, count: messages.length, messages });
  }
  if (url.pathname === '/_sink/requests') {
    const requests = outbox.readRequests();
    return sendJson(res, 200, { count: requests.length, requests });
  }
  return sendJson(res, 404, { message: `no control endpoint ${url.pathname}` });
}
