// openapi.test.mjs - the OpenAPI 3.1 document and the API reference page:
// the document is valid OpenAPI 3.1 (checked by a validator from npm), is
// what gauge.fcgi serves at /api/v1/openapi.json without a key, names
// exactly the API routes app.c has, and the assembler refuses conflicting
// fragments.  The response check that every e2e test's client runs
// (tests/stack/openapi-check.mjs) is shown to catch wrong responses here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Validator } from '@seriousme/openapi-schema-validator';

import { assemble } from '../../openapi/assemble.mjs';
import { checkApiResponse } from '../stack/openapi-check.mjs';
import { freePort } from '../stack/proc.mjs';
import { ROOT, startStack } from '../stack/stack.mjs';

const OPENAPI = path.join(ROOT, 'openapi');
const doc = assemble(OPENAPI);
let stack;
let varDir;
let A;

before(async () => {
  varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-openapi-'));
  stack = await startStack({ varDir, workers: 2, bcryptCost: 4 });
  const a = stack.ctl(['create-account', '--name', 'Spec Works']);
  A = { key: a.account_key, dev: stack.ctl(['create-device', '--account', String(a.id), '--name', 'Kiln', '--group', 'Hall']) };
});

after(async () => {
  await stack?.stop();
  if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
});

const bearer = (key) => ({ authorization: `Bearer ${key}` });

describe('the document', () => {
  test('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    const v = new Validator();
    const r = await v.validate(structuredClone(doc));
    assert.equal(v.version, '3.1');
    assert.deepEqual(r.errors, undefined, JSON.stringify(r.errors, null, 1));
    assert.equal(r.valid, true);
  });

  test('make all built it, and gauge.fcgi serves that file at /api/v1/openapi.json with no key', async () => {
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(ROOT, 'build/openapi.json'), 'utf8')), doc,
      'build/openapi.json is the assembly of openapi/ (run make)');
    const r = await stack.client('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(r.json, doc);
    const h = await stack.client('HEAD', '/api/v1/openapi.json');
    assert.equal(h.status, 200);
    assert.equal(h.text, '');
  });

  test('describes exactly the API routes of app.c, method by method', () => {
    const src = fs.readFileSync(path.join(ROOT, 'cgi-bin-src/app.c'), 'utf8');
    const inCode = [...src.matchAll(/\{ METHOD_([A-Z]+), "((?:\/api\/|\/healthz)[^"]*)"/g)]
      .map((m) => `${m[1]} ${m[2]}`).sort();
    const inDoc = Object.entries(doc.paths).flatMap(([p, item]) =>
      ['get', 'put', 'post', 'delete', 'patch'].filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    assert.ok(inCode.length > 15, 'the route table was read');
    assert.deepEqual(inDoc, inCode);
  });

  test('every operation has an operationId, a summary, security, and its error responses', () => {
    const ids = new Set();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) {
        if (m === 'parameters') continue;
        const where = `${m.toUpperCase()} ${p}`;
        assert.ok(op.operationId && !ids.has(op.operationId), `${where}: a unique operationId`);
        ids.add(op.operationId);
        assert.ok(op.summary, `${where}: a summary`);
        assert.ok(Array.isArray(op.security), `${where}: says which key, or none ([{}])`);
        const keyed = op.security.some((s) => Object.keys(s).length > 0);
        if (keyed) {
          for (const status of ['401', '429', '503']) assert.ok(op.responses[status], `${where}: documents ${status}`);
        }
      }
    }
  });
});

describe('the assembler', () => {
  const base = { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {},
    components: { schemas: { Error: { type: 'object' } } } };
  function tree(fragments) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-openapi-frag-'));
    fs.mkdirSync(path.join(dir, 'paths'));
    fs.writeFileSync(path.join(dir, 'openapi.base.json'), JSON.stringify(base));
    for (const [name, f] of Object.entries(fragments)) fs.writeFileSync(path.join(dir, 'paths', name), JSON.stringify(f));
    return dir;
  }
  const op = (summary) => ({ summary, responses: { 200: { description: 'ok' } } });

  test('merges a path item split across files by method', () => {
    const d = assemble(tree({ 'a.json': { paths: { '/x': { get: op('a') } } },
      'b.json': { paths: { '/x': { post: op('b') } }, components: { schemas: { B: { type: 'string' } } } } }));
    assert.deepEqual(Object.keys(d.paths['/x']).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(d.components.schemas).sort(), ['B', 'Error']);
  });

  test('joins path parameters given the same way in several files, refuses one given two ways', () => {
    const param = { name: 'x', in: 'path', required: true, schema: { type: 'string' } };
    const d = assemble(tree({ 'a.json': { paths: { '/x/{x}': { parameters: [param], get: op('a') } } },
      'b.json': { paths: { '/x/{x}': { parameters: [param], post: op('b') } } } }));
    assert.deepEqual(d.paths['/x/{x}'].parameters, [param]);
    assert.throws(() => assemble(tree({ 'a.json': { paths: { '/x/{x}': { parameters: [param], get: op('a') } } },
      'b.json': { paths: { '/x/{x}': { parameters: [{ ...param, description: 'other' }], post: op('b') } } } })),
    /path parameter path x is described differently/);
  });

  test('refuses the same method of a path twice, a component twice, an unknown field and a dangling $ref', () => {
    assert.throws(() => assemble(tree({ 'a.json': { paths: { '/x': { get: op('a') } } },
      'b.json': { paths: { '/x': { get: op('b') } } } })), /\/x GET is already described in .*a\.json/);
    assert.throws(() => assemble(tree({ 'a.json': { components: { schemas: { Error: { type: 'string' } } } } })),
      /#\/components\/schemas\/Error is already defined in .*openapi\.base\.json/);
    assert.throws(() => assemble(tree({ 'a.json': { path: {} } })), /unknown top-level field "path"/);
    assert.throws(() => assemble(tree({ 'a.json': { paths: { '/x': { get: {
      summary: 's', responses: { 200: { $ref: '#/components/responses/Nope' } } } } } } })),
    /unresolved \$ref:[\s\S]*#\/components\/responses\/Nope/);
  });

  test('the build fails on a conflict (the command make runs exits non-zero)', () => {
    const dir = tree({ 'a.json': { paths: { '/x': { get: op('a') } } }, 'b.json': { paths: { '/x': { get: op('b') } } } });
    const script = fs.readFileSync(path.join(OPENAPI, 'assemble.mjs'), 'utf8');
    fs.writeFileSync(path.join(dir, 'assemble.mjs'), script);
    const r = spawnSync(process.execPath, [path.join(dir, 'assemble.mjs'), path.join(dir, 'out.json')], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /already described/);
    assert.ok(!fs.existsSync(path.join(dir, 'out.json')));
  });
});

describe('the response check every e2e client runs', () => {
  const json = (status, body, headers = {}) => ({ status, text: JSON.stringify(body), json: body,
    headers: { 'content-type': 'application/json', 'x-request-id': 'r1', ...headers } });
  const dev = 'dev_AAAAAAAAAAAAAAAA';
  const ingest = `/api/v1/devices/${dev}/readings`;
  const good = { stored: 1, duplicates: 0, received_at: '2026-11-24T18:00:00.000Z' };

  test('passes a response that matches', () => {
    assert.deepEqual(checkApiResponse('POST', ingest, json(201, good)), []);
    assert.deepEqual(checkApiResponse('GET', '/api/v1/nothing-here', json(404, { code: 'not_found', message: 'x', request_id: 'r1' })), []);
  });

  test('catches a wrong body: an extra field, a missing one, a wrong type, a badly written time', () => {
    const problems = (body) => checkApiResponse('POST', ingest, json(201, body)).join('\n');
    assert.match(problems({ ...good, extra: 1 }), /additional properties.*extra/);
    assert.match(problems({ stored: 1, received_at: good.received_at }), /required.*duplicates/);
    assert.match(problems({ ...good, stored: '1' }), /\/stored must be integer/);
    assert.match(problems({ ...good, received_at: '2026-11-24 18:00:00' }), /\/received_at must match/);
    assert.match(checkApiResponse('POST', ingest, { ...json(201, good), text: 'stored=1' }).join(), /not JSON/);
  });

  test('catches an undocumented status, route or method, a wrong type, a missing header, a wrong error code', () => {
    const err = (code) => ({ code, message: 'm', request_id: 'r1' });
    assert.match(checkApiResponse('POST', ingest, json(409, err('conflict'))).join(), /status 409 is not documented/);
    assert.match(checkApiResponse('GET', '/api/v1/widgets', json(200, {})).join(), /path is not in the OpenAPI document/);
    assert.match(checkApiResponse('PUT', ingest, json(200, {})).join(), /PUT is not described/);
    assert.match(checkApiResponse('POST', ingest, { ...json(201, good), headers: { 'content-type': 'text/plain', 'x-request-id': 'r' } }).join(),
      /Content-Type text\/plain is not one of application\/json/);
    assert.match(checkApiResponse('POST', ingest, json(429, err('rate_limited'))).join(), /required header Retry-After is missing/);
    assert.match(checkApiResponse('POST', ingest, json(401, err('rate_limited'))).join(), /\/code must be equal to one of the allowed values/);
    assert.match(checkApiResponse('PUT', ingest, json(405, err('method_not_allowed'), { allow: 'GET, HEAD' })).join(),
      /Allow is "GET, HEAD", the document has DELETE, GET, HEAD, POST/);
    assert.match(checkApiResponse('GET', '/api/v1/x', { status: 502, text: '{"code": "bad_gateway"}', headers: { 'content-type': 'application/json' } }).join(),
      /required property 'message'/, 'the web server\'s own answers under /api/ have the Error body too');
    assert.match(checkApiResponse('GET', '/api/v1/x', { status: 418, text: '', headers: {} }).join(),
      /no htdocs\/errors\/api-418.html/);
  });

  test('the client throws on a mismatch, and a mismatch a test swallowed still fails its file', () => {
    const probe = `
      import { recordApiResponse } from ${JSON.stringify(path.join(ROOT, 'tests/stack/openapi-check.mjs'))};
      const res = { status: 201, text: '{}', json: {}, headers: { 'content-type': 'application/json', 'x-request-id': 'r' } };
      try { recordApiResponse('POST', '/api/v1/devices/${dev}/readings', res); } catch (e) { console.log('threw', e.code); }
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    assert.match(r.stdout, /threw OPENAPI_MISMATCH/);
    assert.equal(r.status, 1, 'the process exits 1');
    assert.match(r.stderr, /did not match the OpenAPI document/);
  });
});

describe('through the stack', () => {
  // Each response here is checked by the client against the document too.
  test('every documented GET answers as documented for an account key', async () => {
    for (const p of ['/api/v1/devices', '/api/v1/groups', '/api/v1/account', '/api/v1/alert-rules',
      `/api/v1/devices/${A.dev.id}/latest`, `/api/v1/devices/${A.dev.id}/keys`, `/api/v1/devices/${A.dev.id}/readings`]) {
      const r = await stack.client('GET', p, { headers: bearer(A.key) });
      assert.equal(r.status, 200, `${p}: ${r.text}`);
    }
    const groups = (await stack.client('GET', '/api/v1/groups', { headers: bearer(A.key) })).json.groups;
    const r = await stack.client('GET', `/api/v1/groups/${groups[0].id}/latest`, { headers: bearer(A.key) });
    assert.equal(r.status, 200);
  });

  test('the error answers are documented too: no key, wrong method, unknown route', async () => {
    assert.equal((await stack.client('GET', '/api/v1/account')).status, 401);
    const m = await stack.client('PATCH', `/api/v1/devices/${A.dev.id}/latest`, { headers: bearer(A.key) });
    assert.equal(m.status, 405);
    assert.equal((await stack.client('GET', '/api/v1/no-such-thing')).status, 404);
  });
});

describe('the reference page', () => {
  test('/docs/api is public, loads Swagger UI and its own script from /static/, and keeps the strict CSP', async () => {
    const r = await stack.client('GET', '/docs/api');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.match(r.headers['content-security-policy'], /script-src 'self';/);
    assert.match(r.headers['content-security-policy'], /style-src 'self';/);
    assert.doesNotMatch(r.text, /<script>|<script [^>]*>[^<]|<style|style=/, 'nothing inline');
    for (const src of ['/static/vendor/swagger-ui/swagger-ui-bundle.js', '/static/js/api-docs.js',
      '/static/vendor/swagger-ui/swagger-ui.css']) {
      assert.ok(r.text.includes(src), src);
      const f = await stack.client('GET', src);
      assert.equal(f.status, 200, src);
    }
    assert.match(r.text, /data-spec="\/api\/v1\/openapi.json"/);
  });

  test('both shipped web-server configurations send /api/v1/openapi.json and /docs/api to the app', async () => {
    // lighttpd is the stack's own front; Apache with etc/apache/gauge.conf here.
    const apache = await stack.startApache(await freePort());
    for (const client of [stack.client, apache]) {
      const spec = await client('GET', '/api/v1/openapi.json');
      assert.equal(spec.status, 200);
      assert.equal(spec.headers['content-type'], 'application/json');
      assert.ok(spec.headers['x-request-id'], 'answered by gauge.fcgi');
      assert.deepEqual(spec.json, doc);
      const page = await client('GET', '/docs/api');
      assert.equal(page.status, 200);
      assert.ok(page.headers['x-request-id'], 'answered by gauge.fcgi');
      assert.equal((await client('GET', '/static/vendor/swagger-ui/swagger-ui-bundle.js')).status, 200);
    }
  });
});
