// openapi-check.mjs - every API response a test receives, checked against
// the OpenAPI document (openapi/, assembled as make does), so that the
// document and the code cannot drift apart.
//
// tests/stack/https.mjs (the client of the stack, of most test helpers and
// of the deploy lab) hands each response under /api/v1/ and /healthz to
// checkApiResponse().  A mismatch is recorded and thrown at once, so the
// test that made the request fails there; a mismatch that a test swallowed
// (a try/catch around a request) still fails the test file, whose process
// exits non-zero with the list (see the 'exit' hook below).
//
// What must hold for a response of the app (it carries X-Request-Id):
// - its path matches a path of the document, and its method an operation
//   there, with the status listed under that operation; otherwise it must be
//   an answer that is not a route's: 404 not_found for an address that is no
//   route, 405 method_not_allowed whose Allow lists exactly the document's
//   methods for the path, or a request refused before routing (req.c:
//   400/413/414/501 with the error body);
// - its Content-Type is one the status lists, and a JSON body validates
//   against that schema (ajv, JSON Schema 2020-12, formats checked);
// - every header the document marks required is present.
// A response without X-Request-Id under /api/ comes from the web server in
// front (its own error files, htdocs/errors/api-<status>.html): the status
// must have such a file and a JSON body the Error schema (a balancer's own
// HTML page is let through: tests/e2e/server-errors.test.mjs holds the web
// servers to JSON).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { assemble } from '../../openapi/assemble.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// Statuses req.c answers before any route is looked at.
const PRE_ROUTE = new Set([400, 413, 414, 501]);

let compiled;

const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function load() {
  if (compiled) return compiled;
  const doc = assemble(path.join(ROOT, 'openapi'));
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');
  const routes = Object.keys(doc.paths).map((p) => ({
    template: p,
    literal: p.split('/').filter((s) => s && !s.startsWith('{')).length,
    re: new RegExp(`^${p.split('/').map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`),
  }));
  const webServerStatuses = new Set(fs.readdirSync(path.join(ROOT, 'htdocs/errors'))
    .map((f) => f.match(/^api-(\d{3})\.html$/)?.[1]).filter(Boolean).map(Number));
  compiled = { doc, ajv, routes, webServerStatuses, validators: new Map() };
  return compiled;
}

// Follows a "$ref" to a component (responses, headers); returns [object, pointer].
function deref(doc, obj, pointer) {
  let o = obj;
  let p = pointer;
  while (o && typeof o.$ref === 'string') {
    p = o.$ref;
    o = o.$ref.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((x, k) => x?.[k], doc);
  }
  return [o, p];
}

function validator(c, pointer) {
  let v = c.validators.get(pointer);
  if (!v) {
    v = c.ajv.getSchema(`openapi.json${pointer}`);
    if (!v) throw new Error(`openapi-check: no schema at ${pointer}`);
    c.validators.set(pointer, v);
  }
  return v;
}

function schemaProblems(c, pointer, text, what) {
  let body;
  if (what.startsWith('HEAD ')) return [];      // no body to check
  try {
    body = JSON.parse(text);
  } catch {
    return [`${what}: the body is not JSON: ${JSON.stringify(text.slice(0, 120))}`];
  }
  const v = validator(c, pointer);
  if (v(body)) return [];
  return [`${what}: the body does not match ${pointer}: ${
    v.errors.slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ')
  }; body ${text.slice(0, 300)}`];
}

function findRoute(c, p) {
  return c.routes.filter((r) => r.re.test(p)).sort((a, b) => b.literal - a.literal)[0];
}

const mediaType = (headers) => String(headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
const errorPointer = '#/components/schemas/Error';

// The answer is no route's: checked against the Error schema and the rules above.
function notARouteProblems(c, what, res, route, method) {
  const out = [];
  if (res.status === 404 && !route) {
    out.push(...schemaProblems(c, errorPointer, res.text, what));
    if (method !== 'HEAD' && res.json?.code !== 'not_found') out.push(`${what}: a 404 for no route must be not_found`);
  } else if (res.status === 405 && route) {
    const item = c.doc.paths[route.template];
    const want = new Set(METHODS.filter((m) => item[m]).map((m) => m.toUpperCase()));
    if (want.has('GET')) want.add('HEAD');
    const allow = new Set(String(res.headers.allow ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    if ([...want].sort().join() !== [...allow].sort().join())
      out.push(`${what}: Allow is "${res.headers.allow}", the document has ${[...want].sort().join(', ')} for ${route.template}`);
    out.push(...schemaProblems(c, '#/components/responses/MethodNotAllowed/content/application~1json/schema', res.text, what));
  } else if (PRE_ROUTE.has(res.status)) {
    out.push(...schemaProblems(c, errorPointer, res.text, what));
  } else {
    out.push(route
      ? `${what}: ${method} is not described for ${route.template} in the OpenAPI document`
      : `${what}: the path is not in the OpenAPI document`);
  }
  return out;
}

// Problems with one response, as sentences; [] when it matches the document.
// res: { status, headers (lower-case names), text, json? }.
export function checkApiResponse(method, rawPath, res) {
  const p = rawPath.split('?')[0];
  if (!p.startsWith('/api/v1/') && p !== '/healthz') return [];
  const c = load();
  const what = `${method} ${rawPath} -> ${res.status}`;
  const fromApp = res.headers['x-request-id'] !== undefined;
  if (!fromApp) {
    if (!p.startsWith('/api/')) return [];      // the web server's own page for /healthz
    if (!c.webServerStatuses.has(res.status)) return [`${what}: a web-server answer with a status that has no htdocs/errors/api-${res.status}.html`];
    // A balancer's own page (HAProxy's 502/503 while a host is lost) is
    // not the API's; the shipped web-server configurations answer JSON.
    if (mediaType(res.headers) !== 'application/json') return [];
    return method === 'HEAD' ? [] : schemaProblems(c, errorPointer, res.text, what);
  }
  const route = findRoute(c, p);
  const m = method === 'HEAD' ? 'get' : method.toLowerCase();
  const op = route ? c.doc.paths[route.template][m] : undefined;
  if (!op) return notARouteProblems(c, what, res, route, method);

  const opPointer = `#/paths/${esc(route.template)}/${m}`;
  const code = String(res.status);
  const key = [code, `${code[0]}XX`, 'default'].find((k) => op.responses[k] !== undefined);
  if (!key) return [`${what}: status ${code} is not documented for ${m.toUpperCase()} ${route.template}`];
  const [resp, respPointer] = deref(c.doc, op.responses[key], `${opPointer}/responses/${key}`);
  const out = [];
  for (const [name, h] of Object.entries(resp.headers ?? {})) {
    const [header] = deref(c.doc, h, '');
    if (header.required && res.headers[name.toLowerCase()] === undefined)
      out.push(`${what}: the required header ${name} is missing`);
  }
  if (method === 'HEAD') return out;
  const type = mediaType(res.headers);
  const content = resp.content ?? {};
  if (Object.keys(content).length === 0) {
    if (res.text.length > 0) out.push(`${what}: the document says no body, there is one (${type})`);
    return out;
  }
  if (!content[type]) {
    out.push(`${what}: Content-Type ${type || '(none)'} is not one of ${Object.keys(content).join(', ')}`);
    return out;
  }
  if (type === 'application/json' && content[type].schema)
    out.push(...schemaProblems(c, `${respPointer}/content/${esc(type)}/schema`, res.text, what));
  return out;
}

// Every mismatch seen by this process (one test file under node --test).
export const mismatches = [];

export function recordApiResponse(method, rawPath, res) {
  const problems = checkApiResponse(method, rawPath, res);
  if (problems.length === 0) return;
  mismatches.push(...problems);
  const e = new Error(`response does not match the OpenAPI document:\n  ${problems.join('\n  ')}`);
  e.code = 'OPENAPI_MISMATCH';
  throw e;
}

process.on('exit', () => {
  if (mismatches.length === 0) return;
  process.stderr.write(`\n${mismatches.length} API response(s) did not match the OpenAPI document:\n  ${mismatches.join('\n  ')}\n`);
  process.exitCode = 1;
});
