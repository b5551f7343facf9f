// AWS Signature Version 4: the pure arithmetic (canonical request, string to
// sign, signing key, signature) and the Authorization-header grammar.
//
// Policy (which keys exist, clock skew, which headers must be signed) lives in
// ses-auth.mjs; keeping this module free of it lets the test suite pin it to
// AWS's published test vectors, so the sink's verifier is proven against AWS
// rather than merely agreeing with a client that shares the same mistake.

import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const TERMINATOR = 'aws4_request';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data) {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key, data) {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

// RFC 3986 unreserved characters pass; everything else is %XX with upper-case
// hex. encodeURIComponent leaves !'()* alone, which SigV4 does not.
export function uriEncode(value) {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

// Non-S3 services (SES among them) normalise the path and then encode each
// segment of the path *as it appeared on the wire*. A client that sent
// "%20" therefore signs "%2520"; that double encoding is what AWS does, so
// the sink does it too rather than "fixing" it.
export function canonicalUri(rawPath) {
  const path = rawPath === '' ? '/' : rawPath;
  const segments = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

function decodeLoosely(component) {
  try {
    return decodeURIComponent(component);
  } catch {
    return component; // a stray '%' is signed as itself rather than refused
  }
}

// Parameters are decoded then re-encoded strictly, so a client that encodes
// more or less eagerly than AWS still gets the same canonical form, and are
// sorted by encoded name, then encoded value.
export function canonicalQueryString(rawQuery) {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (query === '') return '';
  const pairs = [];
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = eq === -1 ? piece : piece.slice(0, eq);
    const value = eq === -1 ? '' : piece.slice(eq + 1);
    pairs.push([uriEncode(decodeLoosely(name)), uriEncode(decodeLoosely(value))]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function canonicalHeaderValue(value) {
  return String(value).trim().replace(/\s+/g, ' ');
}

// headerPairs is [[name, value], ...] as sent (Node's req.rawHeaders, paired),
// because a header repeated on the wire is signed as one comma-joined line in
// the order it was sent, which req.headers cannot always reproduce.
// Returns {text}, or {missing: name} for the first signed header the
// request does not carry.
export function canonicalHeaders(headerPairs, signedHeaders) {
  const values = new Map();
  for (const [name, value] of headerPairs) {
    const key = name.toLowerCase();
    if (!values.has(key)) values.set(key, []);
    values.get(key).push(canonicalHeaderValue(value));
  }
  const missing = signedHeaders.find((name) => !values.has(name));
  if (missing !== undefined) return { missing };
  return { text: signedHeaders.map((name) => `${name}:${values.get(name).join(',')}\n`).join('') };
}

export function canonicalRequest({ method, path, query, headerPairs, signedHeaders, payloadHash }) {
  const headers = canonicalHeaders(headerPairs, signedHeaders);
  if (headers.missing) throw new Error(`signed header '${headers.missing}' is not in the request`);
  return [
    method.toUpperCase(),
    canonicalUri(path),
    canonicalQueryString(query ?? ''),
    headers.text,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function credentialScope(date, region, service) {
  return `${date}/${region}/${service}/${TERMINATOR}`;
}

export function stringToSign(amzDate, scope, canonicalRequestText) {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequestText)].join('\n');
}

export function signingKey(secretAccessKey, date, region, service) {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, TERMINATOR);
}

export function signature(secretAccessKey, date, region, service, stringToSignText) {
  return hmac(signingKey(secretAccessKey, date, region, service), stringToSignText).toString('hex');
}

export class AuthorizationFormatError extends Error {}

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ses/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=<64 hex>"
export function parseAuthorization(header) {
  if (typeof header !== 'string' || !header.startsWith(`${ALGORITHM} `)) {
    throw new AuthorizationFormatError(`Authorization header must start with '${ALGORITHM} '.`);
  }
  const fields = {};
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const trimmed = part.trim();
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new AuthorizationFormatError(`Authorization header component '${trimmed}' is not of the form name=value.`);
    fields[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields[required]) {
      throw new AuthorizationFormatError(`Authorization header requires '${required}' parameter.`);
    }
  }
  const credential = fields.Credential.split('/');
  if (credential.length !== 5) {
    throw new AuthorizationFormatError(
      `Credential must be ACCESSKEYID/DATE/REGION/SERVICE/${TERMINATOR}, got '${fields.Credential}'.`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = credential;
  const signedHeaders = fields.SignedHeaders.split(';');
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders,
    signedHeadersRaw: fields.SignedHeaders,
    signature: fields.Signature,
  };
}

// Client side, used by the tests (and usable as a reference by whoever debugs
// the C client). Signs every header given plus host and x-amz-date, which
// must already be among `headers`.
export function sign({ method, path, query = '', headers, body = '', accessKeyId, secretAccessKey, region, service }) {
  const headerPairs = Object.entries(headers);
  const lower = Object.fromEntries(headerPairs.map(([k, v]) => [k.toLowerCase(), v]));
  const amzDate = lower['x-amz-date'];
  if (!amzDate || !lower.host) throw new Error('sign() needs host and x-amz-date headers');
  const signedHeaders = Object.keys(lower).filter((h) => h !== 'authorization').sort();
  const date = amzDate.slice(0, 8);
  const creq = canonicalRequest({
    method,
    path,
    query,
    headerPairs,
    signedHeaders,
    payloadHash: sha256Hex(body),
  });
  const scope = credentialScope(date, region, service);
  const sts = stringToSign(amzDate, scope, creq);
  const sig = signature(secretAccessKey, date, region, service, sts);
  return {
    canonicalRequest: creq,
    stringToSign: sts,
    signature: sig,
    authorization: `${ALGORITHM} Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`,
  };
}

// "20150830T123600Z" <-> Date; the compact ISO 8601 form SigV4 uses.
export function toAmzDate(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function parseAmzDate(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? null : date;
}
