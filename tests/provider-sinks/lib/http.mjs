// Small HTTP helpers shared by the providers and the router: body reading
// with a size cap, JSON replies, and header redaction for what gets written
// to disk (the outbox is meant to be read by people and may be attached to
// bug reports, so it must not leak the credentials Gauge used).

export class BodyTooLargeError extends Error {}

// SES caps a SendEmail request at 10 MB; nothing Gauge sends should come
// close, so anything larger is a client bug worth a 413.
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function readBody(req, limit = MAX_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`request body exceeds ${limit} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that hangs up mid-body may not produce 'error'; without this
    // the promise would never settle.
    req.on('close', () => {
      if (!req.complete) reject(new Error('client closed the connection before sending the whole body'));
    });
  });
}

// rawHeaders keeps repeats and wire order, which SigV4 needs.
export function headerPairs(req) {
  const pairs = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return pairs;
}

function redactAuthorization(value) {
  const basic = /^Basic\s+(\S+)$/i.exec(value);
  if (!basic) return value; // SigV4 carries a signature, never the secret key
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return `Basic <${colon === -1 ? 'unparseable' : decoded.slice(0, colon)}:redacted>`;
}

export function redactedHeaders(req) {
  const out = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization') out[name] = redactAuthorization(value);
    else if (name === 'x-amz-security-token') out[name] = '<redacted>';
    else out[name] = value;
  }
  return out;
}

export function sendJson(res, status, body, headers = {}) {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
