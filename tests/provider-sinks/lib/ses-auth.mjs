// Checks an incoming SES request's SigV4 Authorization the way AWS would,
// using the arithmetic in sigv4.mjs. Returns null when the request passes,
// otherwise {status, type, message} for an SES-style error.
//
// Without configured credentials the sink still checks everything it can
// (header grammar, scope service and date, required signed headers, clock
// skew, payload hash) and only skips the key lookup and the HMAC itself, so
// `make run` without secrets still catches most client mistakes.
//
// The SignatureDoesNotMatch message includes the canonical request and
// string-to-sign the sink computed, as several AWS services do, because
// that is the one thing a C developer needs to find a signing bug.

import { timingSafeEqual } from 'node:crypto';
import {
  AuthorizationFormatError,
  canonicalHeaders,
  canonicalRequest,
  credentialScope,
  parseAmzDate,
  parseAuthorization,
  sha256Hex,
  signature,
  stringToSign,
  toAmzDate,
  TERMINATOR,
} from './sigv4.mjs';

export const SERVICE = 'ses';
export const MAX_SKEW_MS = 15 * 60 * 1000;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const deny = (status, type, message) => ({ status, type, message });
const mismatch = (message) => deny(403, 'SignatureDoesNotMatch', message);

function sameHex(a, b) {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

// `pairs` is the request's [[name, value]] list (see http.mjs headerPairs),
// `rawUrl` the request target exactly as received.
export function verifySesAuth({ method, rawUrl, pairs, body, aws, now = Date.now() }) {
  const header = (name) => pairs.find(([n]) => n.toLowerCase() === name)?.[1];

  const authorization = header('authorization');
  if (!authorization) return deny(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');

  let auth;
  try {
    auth = parseAuthorization(authorization);
  } catch (err) {
    if (err instanceof AuthorizationFormatError) return deny(400, 'IncompleteSignatureException', err.message);
    throw err;
  }

  const amzDateText = header('x-amz-date');
  const amzDate = parseAmzDate(amzDateText);
  if (!amzDate) {
    return deny(
      400,
      'IncompleteSignatureException',
      amzDateText === undefined
        ? "provider-sinks requires an 'X-Amz-Date' header (YYYYMMDDTHHMMSSZ); a 'Date' header alone is not accepted."
        : `X-Amz-Date '${amzDateText}' is not in the form YYYYMMDDTHHMMSSZ.`,
    );
  }

  if (aws && auth.accessKeyId !== aws.accessKeyId) {
    return deny(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  }

  if (auth.date !== amzDateText.slice(0, 8)) {
    return mismatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDateText.slice(0, 8)}', from 'X-Amz-Date'.`,
    );
  }
  if (aws && auth.region !== aws.region) {
    return mismatch(`Credential should be scoped to a valid region, not '${auth.region}'. (provider-sinks expects '${aws.region}')`);
  }
  if (auth.service !== SERVICE) return mismatch(`Credential should be scoped to correct service: '${SERVICE}'. `);
  if (auth.terminator !== TERMINATOR) {
    return mismatch(`Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${auth.terminator}'.`);
  }

  const signed = auth.signedHeaders;
  const sortedLower = [...signed].map((h) => h.toLowerCase()).sort();
  if (signed.join(';') !== sortedLower.join(';') || new Set(signed).size !== signed.length) {
    return mismatch(`SignedHeaders must be lower-case, sorted and unique; got '${auth.signedHeadersRaw}'.`);
  }
  if (!signed.includes('host')) return mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  // AWS only insists on host, but a date or token the client sends unsigned
  // can be replayed or swapped, so the sink holds the client to signing them.
  for (const name of ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token']) {
    if (header(name) !== undefined && !signed.includes(name)) {
      return mismatch(`'${name}' is present in the request but not listed in SignedHeaders.`);
    }
  }
  const headersCheck = canonicalHeaders(pairs, signed);
  if (headersCheck.missing) {
    return mismatch(`SignedHeaders lists '${headersCheck.missing}' but the request has no such header.`);
  }

  const skew = now - amzDate.getTime();
  if (skew > MAX_SKEW_MS) {
    return deny(
      403,
      'InvalidSignatureException',
      `Signature expired: ${amzDateText} is now earlier than ${toAmzDate(new Date(now - MAX_SKEW_MS))} (${toAmzDate(new Date(now))} - 15 min.)`,
    );
  }
  if (-skew > MAX_SKEW_MS) {
    return deny(
      403,
      'InvalidSignatureException',
      `Signature not yet current: ${amzDateText} is still later than ${toAmzDate(new Date(now + MAX_SKEW_MS))} (${toAmzDate(new Date(now))} + 15 min.)`,
    );
  }

  const payloadHash = sha256Hex(body);
  const claimedHash = header('x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    return mismatch(
      `The provided 'x-amz-content-sha256' header does not match what was computed. Claimed '${claimedHash}', body hashes to '${payloadHash}'.`,
    );
  }

  if (!aws) return null;

  const q = rawUrl.indexOf('?');
  const creq = canonicalRequest({
    method,
    path: q === -1 ? rawUrl : rawUrl.slice(0, q),
    query: q === -1 ? '' : rawUrl.slice(q + 1),
    headerPairs: pairs,
    signedHeaders: signed,
    payloadHash,
  });
  const sts = stringToSign(amzDateText, credentialScope(auth.date, auth.region, auth.service), creq);
  const expected = signature(aws.secretAccessKey, auth.date, auth.region, auth.service, sts);
  if (!sameHex(expected, auth.signature)) {
    return mismatch(
      `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${creq}'\n\nThe String-to-Sign should have been\n'${sts}'\n`,
    );
  }
  return null;
}
