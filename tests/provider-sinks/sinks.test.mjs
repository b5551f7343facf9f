// End-to-end tests of server.mjs: a real process, real TLS with a throwaway
// certificate, requests signed the way Gauge's C client must sign them.
// The signer used here is lib/sigv4.mjs, which sigv4.test.mjs proves
// against AWS's published vectors, so a pass here is not the sink merely
// agreeing with itself.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { sign, toAmzDate, sha256Hex } from './lib/sigv4.mjs';
import { eventually, makeCert, request, sleep, startSink, tempDir, SERVER } from './harness.mjs';

const AWS = { accessKeyId: 'AKIDGAUGETEST0000001', secretAccessKey: 'gauge/test+secret/key', region: 'eu-west-1' };
const AWS_ARGS = ['--aws-access-key-id', AWS.accessKeyId, '--aws-secret-access-key', AWS.secretAccessKey, '--aws-region', AWS.region];
const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TWILIO_TOKEN = 'gauge-test-auth-token';
const SES_PATH = '/v2/email/outbound-emails';
const SMS_PATH = `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`;

const EMAIL = {
  FromEmailAddress: 'Gauge Alerts <alerts@gauge.example.com>',
  Destination: { ToAddresses: ['ops@example.com'], CcAddresses: ['oncall@example.com'] },
  Content: {
    Simple: {
      Subject: { Data: '[Gauge] boiler-3 temperature 91.5 °C > 90 °C', Charset: 'UTF-8' },
      Body: {
        Text: { Data: 'Sensor boiler-3 reported 91.5 °C at 12:00Z.', Charset: 'UTF-8' },
        Html: { Data: '<p>Sensor <b>boiler-3</b> reported 91.5 °C.</p>', Charset: 'UTF-8' },
      },
    },
  },
};

// Builds and signs a SendEmail request the way the C client should.
// Options let a test break exactly one thing.
function sendEmail(sink, payload = EMAIL, opts = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const creds = opts.credentials ?? AWS;
  const headers = {
    host: `127.0.0.1:${sink.port}`,
    'content-type': opts.contentType ?? 'application/json',
    'x-amz-date': toAmzDate(opts.date ?? new Date()),
    ...opts.extraHeaders,
  };
  const { authorization } = sign({
    method: 'POST',
    path: SES_PATH,
    headers,
    body,
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    region: opts.region ?? creds.region,
    service: 'ses',
  });
  headers.authorization = opts.mangleAuthorization ? opts.mangleAuthorization(authorization) : authorization;
  if (opts.dropAuthorization) delete headers.authorization;
  return request(sink, { method: 'POST', path: SES_PATH, headers, body: opts.sendBody ?? body, signal: opts.signal });
}

const SMS = { To: '+4915112345678', From: '+15005550006', Body: 'Gauge: boiler-3 91.5 °C > 90 °C' };

function sendSms(sink, params = SMS, opts = {}) {
  const user = opts.user ?? TWILIO_SID;
  const token = opts.token ?? TWILIO_TOKEN;
  const headers = { 'content-type': opts.contentType ?? 'application/x-www-form-urlencoded' };
  if (!opts.noAuth) headers.authorization = `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  return request(sink, { method: 'POST', path: opts.path ?? SMS_PATH, headers, body, signal: opts.signal });
}

const outboxFiles = (sink, provider) => readdirSync(join(sink.outbox, provider)).filter((n) => n.endsWith('.json')).sort();
const readOutbox = (sink, provider, name) => JSON.parse(readFileSync(join(sink.outbox, provider, name), 'utf8'));
const requestsLog = (sink) =>
  existsSync(join(sink.outbox, 'requests.log'))
    ? readFileSync(join(sink.outbox, 'requests.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : [];

let scratch;
let tls;
before(() => {
  scratch = tempDir();
  tls = makeCert(scratch.dir);
});
after(() => scratch.remove());

let outboxCount = 0;
const freshOutbox = () => join(scratch.dir, `outbox-${++outboxCount}`);

describe('SES SendEmail with credentials configured', () => {
  let sink;
  before(async () => {
    sink = await startSink({ tls, outbox: freshOutbox(), args: [...AWS_ARGS, '--control'] });
  });
  after(() => sink?.stop());

  it('accepts a correctly signed SendEmail and answers 200 with a MessageId', async () => {
    const res = await sendEmail(sink);
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.MessageId, /^0100[0-9a-f]{12}-[0-9a-f-]{36}-000000$/);
    assert.ok(res.headers['x-amzn-requestid']);
  });

  it('gives every accepted message a different MessageId', async () => {
    const [a, b] = await Promise.all([sendEmail(sink), sendEmail(sink)]);
    assert.notEqual(a.json.MessageId, b.json.MessageId);
  });

  it('writes the accepted e-mail to OUTBOX/ses as readable JSON with sender, recipients, subject and bodies', async () => {
    const res = await sendEmail(sink);
    const name = outboxFiles(sink, 'ses').find((n) => n.includes(res.json.MessageId));
    assert.match(name, /^\d{6}-0100.*\.json$/);
    const record = readOutbox(sink, 'ses', name);
    assert.equal(record.provider, 'ses');
    assert.equal(record.message_id, res.json.MessageId);
    assert.ok(!Number.isNaN(Date.parse(record.received_at)));
    assert.equal(record.request.method, 'POST');
    assert.equal(record.request.path, SES_PATH);
    assert.equal(record.request.body, JSON.stringify(EMAIL));
    assert.match(record.request.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDGAUGETEST0000001\//);
    assert.ok(record.request.headers['x-amz-date']);
    assert.equal(record.message.from, EMAIL.FromEmailAddress);
    assert.deepEqual(record.message.to, ['ops@example.com']);
    assert.deepEqual(record.message.cc, ['oncall@example.com']);
    assert.deepEqual(record.message.bcc, []);
    assert.equal(record.message.subject, EMAIL.Content.Simple.Subject.Data);
    assert.equal(record.message.text, EMAIL.Content.Simple.Body.Text.Data);
    assert.equal(record.message.html, EMAIL.Content.Simple.Body.Html.Data);
    assert.match(record.summary, /alerts@gauge\.example\.com.*ops@example\.com/);
    assert.deepEqual(record.response, { status: 200, body: { MessageId: res.json.MessageId } });
  });

  it('names outbox files so that ls order is arrival order', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await sendEmail(sink)).json.MessageId);
    const names = outboxFiles(sink, 'ses');
    const positions = ids.map((id) => names.findIndex((n) => n.includes(id)));
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
    const sequences = names.map((n) => Number(n.slice(0, 6)));
    assert.deepEqual(sequences, sequences.map((_, i) => i + 1));
  });

  it('rejects a body changed after signing with 403 SignatureDoesNotMatch and shows the expected canonical request', async () => {
    const res = await sendEmail(sink, EMAIL, { sendBody: JSON.stringify({ ...EMAIL, FromEmailAddress: 'evil@example.com' }) });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'SignatureDoesNotMatch');
    assert.match(res.json.message, /^The request signature we calculated does not match/);
    assert.match(res.json.message, /The Canonical String for this request should have been\n'POST\n\/v2\/email\/outbound-emails\n/);
  });

  it('rejects a request signed with the wrong secret key with 403 SignatureDoesNotMatch', async () => {
    const res = await sendEmail(sink, EMAIL, { credentials: { ...AWS, secretAccessKey: 'not-the-secret' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'SignatureDoesNotMatch');
  });

  it('rejects an unknown access key id with 403 UnrecognizedClientException', async () => {
    const res = await sendEmail(sink, EMAIL, { credentials: { ...AWS, accessKeyId: 'AKIDSOMEONEELSE' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'UnrecognizedClientException');
    assert.ok(res.json.message);
  });

  it('rejects a request without Authorization with 403 MissingAuthenticationTokenException', async () => {
    const res = await sendEmail(sink, EMAIL, { dropAuthorization: true });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
  });

  it('rejects a signature dated more than 15 minutes ago as expired', async () => {
    const res = await sendEmail(sink, EMAIL, { date: new Date(Date.now() - 16 * 60 * 1000) });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.match(res.json.message, /^Signature expired/);
  });

  it('accepts a signature dated 10 minutes ago (inside the 15 minute window)', async () => {
    const res = await sendEmail(sink, EMAIL, { date: new Date(Date.now() - 10 * 60 * 1000) });
    assert.equal(res.status, 200, res.text);
  });

  it('rejects a signature dated more than 15 minutes in the future', async () => {
    const res = await sendEmail(sink, EMAIL, { date: new Date(Date.now() + 16 * 60 * 1000) });
    assert.equal(res.status, 403);
    assert.match(res.json.message, /^Signature not yet current/);
  });

  it('rejects a credential scoped to another region', async () => {
    const res = await sendEmail(sink, EMAIL, { region: 'us-east-1' });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'SignatureDoesNotMatch');
    assert.match(res.json.message, /region/);
  });

  it('rejects SignedHeaders that leave out host', async () => {
    const res = await sendEmail(sink, EMAIL, {
      mangleAuthorization: (a) => a.replace('SignedHeaders=content-type;host;x-amz-date', 'SignedHeaders=content-type;x-amz-date'),
    });
    assert.equal(res.status, 403);
    assert.match(res.json.message, /'Host'.*SignedHeader/);
  });

  it('rejects an x-amz-content-sha256 header that does not match the body', async () => {
    const res = await sendEmail(sink, EMAIL, { extraHeaders: { 'x-amz-content-sha256': sha256Hex('something else') } });
    assert.equal(res.status, 403);
    assert.match(res.json.message, /x-amz-content-sha256/);
  });

  it('accepts a signed x-amz-content-sha256 that matches the body', async () => {
    const res = await sendEmail(sink, EMAIL, { extraHeaders: { 'x-amz-content-sha256': sha256Hex(JSON.stringify(EMAIL)) } });
    assert.equal(res.status, 200, res.text);
  });

  const invalidBodies = [
    ['missing FromEmailAddress', { ...EMAIL, FromEmailAddress: undefined }, /FromEmailAddress/],
    ['implausible FromEmailAddress', { ...EMAIL, FromEmailAddress: 'gauge' }, /FromEmailAddress/],
    ['missing Destination', { ...EMAIL, Destination: undefined }, /Destination/],
    ['empty ToAddresses', { ...EMAIL, Destination: { ToAddresses: [] } }, /ToAddresses/],
    ['implausible recipient', { ...EMAIL, Destination: { ToAddresses: ['ops at example'] } }, /ToAddresses/],
    ['recipient with CR/LF (header injection)', { ...EMAIL, Destination: { ToAddresses: ['ops@example.com\r\nBcc: x@evil.com'] } }, /ToAddresses/],
    ['missing Content', { ...EMAIL, Content: undefined }, /Content/],
    ['Simple without Body', { ...EMAIL, Content: { Simple: { Subject: { Data: 's' } } } }, /Body/],
    ['Simple without Subject', { ...EMAIL, Content: { Simple: { Body: { Text: { Data: 't' } } } } }, /Subject/],
    ['body that is not JSON', '{"FromEmailAddress": ', /not valid JSON/],
  ];
  for (const [what, payload, pattern] of invalidBodies) {
    it(`rejects a SendEmail with ${what} with 400 BadRequestException`, async () => {
      const res = await sendEmail(sink, typeof payload === 'string' ? payload : JSON.parse(JSON.stringify(payload)));
      assert.equal(res.status, 400, res.text);
      assert.equal(res.headers['x-amzn-errortype'], 'BadRequestException');
      assert.match(res.json.message, pattern);
    });
  }

  it('rejects a SendEmail that is not sent as application/json', async () => {
    const res = await sendEmail(sink, EMAIL, { contentType: 'text/plain' });
    assert.equal(res.status, 400);
    assert.match(res.json.message, /Content-Type/);
  });

  it('accepts Content.Raw and records the decoded headers and message', async () => {
    const mime = [
      'From: Gauge <alerts@gauge.example.com>',
      'To: ops@example.com, "Doe, Jane" <jane@example.com>',
      'Subject: =?UTF-8?B?W0dhdWdlXSDDvGJlcmhpdHp0?=',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'boiler-3 is too hot',
    ].join('\r\n');
    const res = await sendEmail(sink, { Content: { Raw: { Data: Buffer.from(mime).toString('base64') } } });
    assert.equal(res.status, 200, res.text);
    const name = outboxFiles(sink, 'ses').find((n) => n.includes(res.json.MessageId));
    const { message } = readOutbox(sink, 'ses', name);
    assert.equal(message.content_type, 'raw');
    assert.equal(message.subject, '[Gauge] überhitzt');
    assert.equal(message.from, 'Gauge <alerts@gauge.example.com>');
    assert.deepEqual(message.to, ['ops@example.com', '"Doe, Jane" <jane@example.com>']);
    assert.equal(message.raw_message, mime);
  });

  it('stores nothing for rejected requests but logs every attempt in requests.log', async () => {
    const before = outboxFiles(sink, 'ses').length;
    const logBefore = requestsLog(sink).length;
    await sendEmail(sink, EMAIL, { credentials: { ...AWS, secretAccessKey: 'wrong' } });
    await sendEmail(sink, { ...EMAIL, Destination: { ToAddresses: [] } });
    const ok = await sendEmail(sink);
    assert.equal(outboxFiles(sink, 'ses').length, before + 1);
    const lines = requestsLog(sink).slice(logBefore);
    assert.deepEqual(
      lines.map((l) => [l.provider, l.status, l.outcome, l.error]),
      [
        ['ses', 403, 'rejected', 'SignatureDoesNotMatch'],
        ['ses', 400, 'rejected', 'BadRequestException'],
        ['ses', 200, 'accepted', null],
      ],
    );
    assert.equal(lines[2].message_id, ok.json.MessageId);
    assert.match(lines[2].file, /^ses\/\d{6}-/);
  });

  it('answers an unknown SES operation with 404 UnknownOperationException', async () => {
    const res = await request(sink, { method: 'GET', path: '/v2/email/identities' });
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-amzn-errortype'], 'UnknownOperationException');
  });

  it('serves stored messages on GET /_sink/messages?provider=ses when started with --control', async () => {
    const sent = await sendEmail(sink);
    const res = await request(sink, { path: '/_sink/messages?provider=ses' });
    assert.equal(res.status, 200);
    assert.equal(res.json.provider, 'ses');
    assert.equal(res.json.count, outboxFiles(sink, 'ses').length);
    assert.equal(res.json.messages.at(-1).message_id, sent.json.MessageId);
  });
});

describe('SES without credentials configured', () => {
  let sink;
  before(async () => {
    sink = await startSink({ tls, outbox: freshOutbox() });
  });
  after(() => sink?.stop());

  it('accepts any well-formed SigV4 signature', async () => {
    const res = await sendEmail(sink, EMAIL, { credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any', region: 'ap-south-1' } });
    assert.equal(res.status, 200, res.text);
  });

  it('still rejects a request with no Authorization header', async () => {
    const res = await sendEmail(sink, EMAIL, { dropAuthorization: true });
    assert.equal(res.status, 403);
  });

  it('still rejects a stale X-Amz-Date', async () => {
    const res = await sendEmail(sink, EMAIL, { date: new Date(Date.now() - 3600 * 1000) });
    assert.equal(res.status, 403);
  });
});

describe('Twilio Messages with credentials configured', () => {
  let sink;
  before(async () => {
    sink = await startSink({ tls, outbox: freshOutbox(), args: ['--twilio', `${TWILIO_SID}:${TWILIO_TOKEN}`, '--twilio', 'ACother:othertoken'] });
  });
  after(() => sink?.stop());

  it('accepts a valid message and answers 201 with a Twilio message resource', async () => {
    const res = await sendSms(sink);
    assert.equal(res.status, 201, res.text);
    assert.match(res.json.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(res.json.status, 'queued');
    assert.equal(res.json.to, SMS.To);
    assert.equal(res.json.from, SMS.From);
    assert.equal(res.json.body, SMS.Body);
    assert.equal(res.json.account_sid, TWILIO_SID);
    assert.ok(!Number.isNaN(Date.parse(res.json.date_created)));
  });

  it('writes the SMS to OUTBOX/twilio with To, From, Body and account sid, and redacts the auth token', async () => {
    const res = await sendSms(sink);
    const name = outboxFiles(sink, 'twilio').find((n) => n.includes(res.json.sid));
    assert.match(name, /^\d{6}-SM[0-9a-f]{32}\.json$/);
    const record = readOutbox(sink, 'twilio', name);
    assert.equal(record.message.to, SMS.To);
    assert.equal(record.message.from, SMS.From);
    assert.equal(record.message.body, SMS.Body);
    assert.equal(record.message.account_sid, TWILIO_SID);
    assert.equal(record.request.body, new URLSearchParams(SMS).toString());
    assert.equal(record.request.headers.authorization, `Basic <${TWILIO_SID}:redacted>`);
    assert.ok(!readFileSync(join(sink.outbox, 'twilio', name), 'utf8').includes(TWILIO_TOKEN));
    assert.ok(!readFileSync(join(sink.outbox, 'twilio', name), 'utf8').includes(Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')));
  });

  it('rejects a wrong auth token with 401 and Twilio error 20003', async () => {
    const res = await sendSms(sink, SMS, { token: 'wrong' });
    assert.equal(res.status, 401);
    assert.deepEqual({ code: res.json.code, message: res.json.message, status: res.json.status }, { code: 20003, message: 'Authenticate', status: 401 });
  });

  it('rejects a request without basic auth with 401 and Twilio error 20003', async () => {
    const res = await sendSms(sink, SMS, { noAuth: true });
    assert.equal(res.status, 401);
    assert.equal(res.json.code, 20003);
  });

  it('rejects valid credentials of one account used on another account path', async () => {
    const res = await sendSms(sink, SMS, { user: 'ACother', token: 'othertoken' });
    assert.equal(res.status, 401);
    assert.equal(res.json.code, 20003);
  });

  for (const to of ['4915112345678', '+49 151 1234', '+1234567', '+1234567890123456', ' 4915112345678']) {
    it(`rejects To=${JSON.stringify(to)} as not E.164 with 400 and Twilio error 21211`, async () => {
      const res = await sendSms(sink, { ...SMS, To: to });
      assert.equal(res.status, 400);
      assert.equal(res.json.code, 21211);
      assert.match(res.json.message, /^The 'To' number .* is not a valid phone number\.$/);
    });
  }

  it("catches a '+' left unencoded in the form body (it arrives as a space)", async () => {
    const res = await sendSms(sink, `To=+4915112345678&From=%2B15005550006&Body=hi`);
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 21211);
  });

  it('rejects a missing From with 400 and Twilio error 21603', async () => {
    const res = await sendSms(sink, { To: SMS.To, Body: SMS.Body });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 21603);
  });

  it('rejects a missing Body with 400 and Twilio error 21602', async () => {
    const res = await sendSms(sink, { To: SMS.To, From: SMS.From });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 21602);
  });

  it('rejects a body sent as JSON instead of a form, saying why', async () => {
    const res = await sendSms(sink, JSON.stringify(SMS), { contentType: 'application/json' });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 21604);
    assert.match(res.json.message, /x-www-form-urlencoded/);
  });

  it('stores nothing for rejected SMS requests', async () => {
    const before = outboxFiles(sink, 'twilio').length;
    await sendSms(sink, SMS, { token: 'wrong' });
    await sendSms(sink, { ...SMS, To: 'nope' });
    assert.equal(outboxFiles(sink, 'twilio').length, before);
  });

  it('keeps /_sink/ control endpoints off without --control', async () => {
    const res = await request(sink, { path: '/_sink/messages?provider=twilio' });
    assert.equal(res.status, 404);
  });
});

describe('fail plan', () => {
  let sink;
  let plan;
  const setPlan = (value) => writeFileSync(plan, JSON.stringify(value));
  const readPlan = () => JSON.parse(readFileSync(plan, 'utf8'));

  before(async () => {
    plan = join(scratch.dir, 'fail-plan.json');
    sink = await startSink({ tls, outbox: freshOutbox(), args: [...AWS_ARGS, '--twilio', `${TWILIO_SID}:${TWILIO_TOKEN}`, '--fail-plan', plan] });
  });
  after(() => sink?.stop());

  it('fails the next two SES requests with SES-style 500s, then lets the third through', async () => {
    setPlan({ ses: [500, 500] });
    const logBefore = requestsLog(sink).length;
    const first = await sendEmail(sink);
    assert.equal(first.status, 500);
    assert.equal(first.headers['x-amzn-errortype'], 'InternalFailure');
    assert.ok(first.json.message);
    assert.deepEqual(readPlan(), { ses: [500] }, 'the used step is removed from the plan file');
    assert.equal((await sendEmail(sink)).status, 500);
    assert.deepEqual(readPlan(), { ses: [] });
    const third = await sendEmail(sink);
    assert.equal(third.status, 200);
    assert.deepEqual(outboxFiles(sink, 'ses').map((n) => n.slice(7, -5)), [third.json.MessageId]);
    const lines = requestsLog(sink).slice(logBefore);
    assert.deepEqual(lines.map((l) => [l.status, l.outcome]), [[500, 'injected'], [500, 'injected'], [200, 'accepted']]);
  });

  it('answers an injected Twilio 400 with Twilio error JSON and stores nothing', async () => {
    setPlan({ twilio: [400] });
    const before = outboxFiles(sink, 'twilio').length;
    const res = await sendSms(sink);
    assert.equal(res.status, 400);
    assert.equal(typeof res.json.code, 'number');
    assert.equal(res.json.status, 400);
    assert.equal(outboxFiles(sink, 'twilio').length, before);
    assert.equal((await sendSms(sink)).status, 201);
  });

  it('takes status, type and message overrides from a step object', async () => {
    setPlan({ ses: [{ status: 400, type: 'MessageRejected', message: 'Email address is not verified.' }] });
    const res = await sendEmail(sink);
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'MessageRejected');
    assert.equal(res.json.message, 'Email address is not verified.');
  });

  it('re-reads the plan on every request, so a test can change it while the sink runs', async () => {
    setPlan({});
    assert.equal((await sendSms(sink)).status, 201);
    setPlan({ twilio: [503] });
    const res = await sendSms(sink);
    assert.equal(res.status, 503);
    assert.equal(res.json.code, 20503);
  });

  it('still delivers a delayed request whose client hung up, and logs client_closed', async () => {
    setPlan({ ses: [{ delay_ms: 600, status: 200 }] });
    const logBefore = requestsLog(sink).length;
    const filesBefore = outboxFiles(sink, 'ses').length;
    const controller = new AbortController();
    const pending = sendEmail(sink, EMAIL, { signal: controller.signal });
    await sleep(200);
    controller.abort();
    await assert.rejects(pending);
    const [line] = await eventually(() => {
      const lines = requestsLog(sink).slice(logBefore);
      return lines.length ? lines : null;
    });
    assert.equal(line.outcome, 'accepted');
    assert.equal(line.client_closed, true);
    assert.deepEqual(line.injected, { delay_ms: 600, status: 200 });
    assert.equal(outboxFiles(sink, 'ses').length, filesBefore + 1);
  });

  it('delays and then fails when a step has both delay_ms and an error status', async () => {
    setPlan({ twilio: [{ delay_ms: 300, status: 500 }] });
    const started = Date.now();
    const res = await sendSms(sink);
    assert.ok(Date.now() - started >= 280);
    assert.equal(res.status, 500);
    assert.equal(res.json.code, 20500);
  });

  it('drops the connection unanswered for a "reset" step', async () => {
    setPlan({ ses: ['reset'] });
    const logBefore = requestsLog(sink).length;
    await assert.rejects(sendEmail(sink), /socket hang up|ECONNRESET/);
    const [line] = requestsLog(sink).slice(logBefore);
    assert.equal(line.outcome, 'injected');
    assert.equal(line.error, 'connection-reset');
  });

  it('answers 500 sink-error for an unreadable plan instead of silently succeeding', async () => {
    writeFileSync(plan, '{"ses": [500');
    const res = await sendEmail(sink);
    assert.equal(res.status, 500);
    assert.match(res.json.message, /fail plan/);
    setPlan({});
  });
});

describe('process lifecycle', () => {
  it('prints exactly one line on stdout: "provider-sinks listening on 127.0.0.1:PORT"', async () => {
    const sink = await startSink({ tls, outbox: freshOutbox() });
    try {
      await sendSms(sink);
      await sendEmail(sink);
    } finally {
      await sink.stop();
    }
    assert.equal(sink.stdout, `provider-sinks listening on 127.0.0.1:${sink.port}\n`);
  });

  it('continues outbox numbering after a restart', async () => {
    const outbox = freshOutbox();
    let sink = await startSink({ tls, outbox });
    try {
      await sendEmail(sink);
      await sendEmail(sink);
      await sendSms(sink);
    } finally {
      await sink.stop();
    }
    sink = await startSink({ tls, outbox });
    try {
      await sendEmail(sink);
      await sendSms(sink);
    } finally {
      await sink.stop();
    }
    assert.deepEqual(outboxFiles({ outbox }, 'ses').map((n) => n.slice(0, 6)), ['000001', '000002', '000003']);
    assert.deepEqual(outboxFiles({ outbox }, 'twilio').map((n) => n.slice(0, 6)), ['000001', '000002']);
  });

  it('exits 0 promptly on SIGTERM, even while a delayed request is pending', async () => {
    const plan = join(scratch.dir, 'sigterm-plan.json');
    writeFileSync(plan, JSON.stringify({ ses: [{ delay_ms: 30000 }] }));
    const sink = await startSink({ tls, outbox: freshOutbox(), args: ['--fail-plan', plan] });
    let exit;
    try {
      const pending = sendEmail(sink).catch(() => {});
      await sleep(200);
      const started = Date.now();
      exit = await sink.stop('SIGTERM');
      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
      await pending;
    } finally {
      await sink.stop('SIGKILL');
    }
    assert.deepEqual(exit, { code: 0, signal: null });
  });

  it('exits 0 on SIGINT', async () => {
    const sink = await startSink({ tls, outbox: freshOutbox() });
    assert.deepEqual(await sink.stop('SIGINT'), { code: 0, signal: null });
  });

  it('refuses unknown options and partial AWS credentials with exit status 2 and usage', () => {
    for (const args of [['--port', '0', '--bogus'], ['--port', '0', '--cert', 'c', '--key', 'k', '--outbox', 'o', '--aws-region', 'eu-west-1']]) {
      const result = spawnSync(process.execPath, [SERVER, ...args], { encoding: 'utf8' });
      assert.equal(result.status, 2, JSON.stringify(args));
      assert.match(result.stderr, /usage:/);
      assert.equal(result.stdout, '');
    }
  });

  it('answers 404 with a hint for a path that belongs to neither provider', async () => {
    const sink = await startSink({ tls, outbox: freshOutbox() });
    try {
      const res = await request(sink, { method: 'POST', path: '/v1/send', body: 'x' });
      assert.equal(res.status, 404);
      assert.match(res.json.message, /outbound-emails.*Messages\.json/);
      assert.equal(requestsLog(sink).at(-1).outcome, 'not-found');
    } finally {
      await sink.stop();
    }
  });
});
