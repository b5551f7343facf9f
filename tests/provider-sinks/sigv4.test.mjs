// Proves lib/sigv4.mjs against AWS's published aws-sig-v4-test-suite, so the
// sink's SES verifier (and the signer the other tests use) is right by AWS's
// definition, not just consistent with itself. Vectors: credentials
// AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalRequest,
  credentialScope,
  parseAuthorization,
  sha256Hex,
  sign,
  signature,
  stringToSign,
  EMPTY_SHA256,
} from './lib/sigv4.mjs';

const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AMZ_DATE = '20150830T123600Z';
const SCOPE = '20150830/us-east-1/service/aws4_request';
const BASE_HEADERS = [
  ['Host', 'example.amazonaws.com'],
  ['X-Amz-Date', AMZ_DATE],
];

// Each case is the request as the suite's .req file sends it, with the
// suite's expected outputs. creq/sts are given where the suite's intermediate
// files are worth pinning exactly (they catch newline and ordering slips
// that a signature mismatch alone would not explain).
const vectors = [
  {
    name: 'get-vanilla',
    method: 'GET',
    path: '/',
    headers: BASE_HEADERS,
    creq: 'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    sts: 'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63',
    signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  {
    name: 'post-vanilla',
    method: 'POST',
    path: '/',
    headers: BASE_HEADERS,
    signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
  },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    path: '/',
    headers: [['Content-Type', 'application/x-www-form-urlencoded'], ...BASE_HEADERS],
    body: 'Param1=value1',
    creq: 'POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
    sts: 'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281',
    signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'get-vanilla-query-order-key-case',
    method: 'GET',
    path: '/',
    query: 'Param2=value2&Param1=value1',
    headers: BASE_HEADERS,
    signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
  {
    name: 'get-vanilla-query-order-value',
    method: 'GET',
    path: '/',
    query: 'Param1=value2&Param1=value1',
    headers: BASE_HEADERS,
    signature: '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694',
  },
  {
    name: 'get-vanilla-utf8-query',
    method: 'GET',
    path: '/',
    query: '\u1234=bar',
    headers: BASE_HEADERS,
    signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  },
  {
    name: 'get-utf8',
    method: 'GET',
    path: '/\u1234',
    headers: BASE_HEADERS,
    signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85',
  },
  {
    name: 'get-unreserved',
    method: 'GET',
    path: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    headers: BASE_HEADERS,
    signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  },
  {
    name: 'get-slashes (normalize-path)',
    method: 'GET',
    path: '//example//',
    headers: BASE_HEADERS,
    signature: '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84',
  },
  {
    name: 'get-relative-relative (normalize-path)',
    method: 'GET',
    path: '/example1/example2/../..',
    headers: BASE_HEADERS,
    signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  {
    name: 'get-header-value-trim',
    method: 'GET',
    path: '/',
    headers: [['Host', 'example.amazonaws.com'], ['My-Header1', ' value1'], ['My-Header2', ' "a   b   c"'], ['X-Amz-Date', AMZ_DATE]],
    creq: 'GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:"a b c"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  {
    name: 'get-header-key-duplicate',
    method: 'GET',
    path: '/',
    headers: [['Host', 'example.amazonaws.com'], ['My-Header1', 'value2'], ['My-Header1', 'value2'], ['My-Header1', 'value1'], ['X-Amz-Date', AMZ_DATE]],
    signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  },
];

function signedHeaderNames(pairs) {
  return [...new Set(pairs.map(([n]) => n.toLowerCase()))].sort();
}

for (const v of vectors) {
  test(`AWS test-suite vector ${v.name} reproduces the published signature`, () => {
    const creq = canonicalRequest({
      method: v.method,
      path: v.path,
      query: v.query ?? '',
      headerPairs: v.headers,
      signedHeaders: signedHeaderNames(v.headers),
      payloadHash: sha256Hex(v.body ?? ''),
    });
    if (v.creq) assert.equal(creq, v.creq);
    const sts = stringToSign(AMZ_DATE, SCOPE, creq);
    if (v.sts) assert.equal(sts, v.sts);
    assert.equal(signature(SECRET, '20150830', 'us-east-1', 'service', sts), v.signature);
  });
}

test('sign() produces the exact published Authorization header for get-vanilla', () => {
  const signed = sign({
    method: 'GET',
    path: '/',
    headers: { Host: 'example.amazonaws.com', 'X-Amz-Date': AMZ_DATE },
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    region: 'us-east-1',
    service: 'service',
  });
  assert.equal(
    signed.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  );
});

test('parseAuthorization splits the published get-vanilla header into its parts', () => {
  const parsed = parseAuthorization(
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  );
  assert.deepEqual(
    { ...parsed, signedHeadersRaw: undefined },
    {
      accessKeyId: 'AKIDEXAMPLE',
      date: '20150830',
      region: 'us-east-1',
      service: 'service',
      terminator: 'aws4_request',
      signedHeaders: ['host', 'x-amz-date'],
      signedHeadersRaw: undefined,
      signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
  );
});

test('parseAuthorization rejects a header without a Signature component', () => {
  assert.throws(() => parseAuthorization(`AWS4-HMAC-SHA256 Credential=A/${SCOPE}, SignedHeaders=host`), /Signature/);
});

test('changing method, path, query, a signed header or the body changes the signature', () => {
  const base = { method: 'POST', path: '/v2/x', query: 'a=1', headerPairs: [['host', 'h'], ['x-amz-date', AMZ_DATE]], signedHeaders: ['host', 'x-amz-date'], payloadHash: EMPTY_SHA256 };
  const sigOf = (over) => signature(SECRET, '20150830', 'us-east-1', 'ses', stringToSign(AMZ_DATE, credentialScope('20150830', 'us-east-1', 'ses'), canonicalRequest({ ...base, ...over })));
  const original = sigOf({});
  for (const over of [
    { method: 'PUT' },
    { path: '/v2/y' },
    { query: 'a=2' },
    { headerPairs: [['host', 'other'], ['x-amz-date', AMZ_DATE]] },
    { payloadHash: sha256Hex('tampered') },
  ]) {
    assert.notEqual(sigOf(over), original, JSON.stringify(over));
  }
});
