#!/usr/bin/env node
// assemble.mjs - builds the one OpenAPI document gauge.fcgi serves from
// openapi/openapi.base.json and every openapi/paths/*.json.
//
//   node openapi/assemble.mjs OUT            (make all: build/openapi.json)
//
// Each fragment is {"paths": {...}, "components": {...}}, so that several
// people can describe their routes in their own files.  The merge is deep
// but never silent: a path item may be split across files by method, but
// the same method of the same path twice, or the same component name twice,
// is an error, and so is a "$ref" that points nowhere, or a key this script
// does not know.  Node's standard library only: it runs at build time.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
// Path-item fields other than operations: the same value in every file that
// sets one, except "parameters", whose lists are joined (see checkParams).
const SHARED_ITEM_FIELDS = new Set(['summary', 'description', 'servers']);

function fail(msg) {
  throw new Error(`openapi: ${msg}`);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return fail(`${file}: ${e.message}`);
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function mergePaths(doc, paths, file, origin) {
  for (const [p, item] of Object.entries(paths ?? {})) {
    if (!p.startsWith('/')) fail(`${file}: path "${p}" must start with /`);
    const into = (doc.paths[p] ??= {});
    for (const [k, v] of Object.entries(item)) {
      const where = `${p} ${k.toUpperCase()}`;
      if (METHODS.has(k)) {
        if (into[k] !== undefined) fail(`${file}: ${where} is already described in ${origin[where]}`);
        into[k] = v;
        origin[where] = file;
      } else if (k === 'parameters') {
        into[k] ??= [];
        for (const param of v) if (!into[k].some((q) => same(q, param))) into[k].push(param);
      } else if (SHARED_ITEM_FIELDS.has(k)) {
        if (into[k] !== undefined && !same(into[k], v))
          fail(`${file}: ${p} "${k}" differs from the one in ${origin[`${p} ${k}`]}`);
        into[k] = v;
        origin[`${p} ${k}`] ??= file;
      } else {
        fail(`${file}: ${p}: unknown path item field "${k}"`);
      }
    }
  }
}

function mergeComponents(doc, components, file, origin) {
  for (const [section, entries] of Object.entries(components ?? {})) {
    const into = (doc.components[section] ??= {});
    for (const [name, v] of Object.entries(entries)) {
      const where = `#/components/${section}/${name}`;
      if (into[name] !== undefined) fail(`${file}: ${where} is already defined in ${origin[where]}`);
      into[name] = v;
      origin[where] = file;
    }
  }
}

// A parameter (name and place) at most once in a path item's joined list.
function checkParams(doc) {
  const deref = (p) => (p.$ref ? p.$ref.slice(2).split('/').reduce((o, k) => o?.[k], doc) ?? p : p);
  for (const [p, item] of Object.entries(doc.paths)) {
    const seen = new Set();
    for (const param of (item.parameters ?? []).map(deref)) {
      const key = `${param.in} ${param.name}`;
      if (seen.has(key)) fail(`${p}: path parameter ${key} is described differently in two files`);
      seen.add(key);
    }
  }
}

// Every local "$ref" must name something in the document.
function checkRefs(doc) {
  const missing = [];
  const resolve = (ref) => ref.slice(2).split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((o, k) => (o === undefined ? undefined : o[k]), doc);
  const walk = (v, at) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}/${i}`));
    else if (v && typeof v === 'object') {
      if (typeof v.$ref === 'string' && (!v.$ref.startsWith('#/') || resolve(v.$ref) === undefined))
        missing.push(`${at}: ${v.$ref}`);
      for (const [k, x] of Object.entries(v)) walk(x, `${at}/${k}`);
    }
  };
  walk(doc, '');
  if (missing.length) fail(`unresolved $ref:\n  ${missing.join('\n  ')}`);
}

export function assemble(dir = DIR) {
  const baseFile = path.join(dir, 'openapi.base.json');
  const doc = readJson(baseFile);
  const origin = {};
  doc.paths ??= {};
  doc.components ??= {};
  for (const p of Object.keys(doc.paths)) for (const m of Object.keys(doc.paths[p]))
    origin[`${p} ${m.toUpperCase()}`] = baseFile;
  for (const [section, entries] of Object.entries(doc.components))
    for (const name of Object.keys(entries)) origin[`#/components/${section}/${name}`] = baseFile;

  const fragDir = path.join(dir, 'paths');
  const files = fs.readdirSync(fragDir).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) {
    const file = path.join(fragDir, f);
    const frag = readJson(file);
    for (const k of Object.keys(frag))
      if (k !== 'paths' && k !== 'components') fail(`${file}: unknown top-level field "${k}" (paths, components)`);
    mergePaths(doc, frag.paths, file, origin);
    mergeComponents(doc, frag.components, file, origin);
  }
  checkRefs(doc);
  checkParams(doc);
  return doc;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node openapi/assemble.mjs OUT.json\n');
    process.exit(2);
  }
  try {
    const text = `${JSON.stringify(assemble(), null, 1)}\n`;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(`${out}.tmp`, text);
    fs.renameSync(`${out}.tmp`, out);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
