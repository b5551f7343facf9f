// MongoDB's rules for comparing values, as opposed to JavaScript's: the BSON
// type order (null < numbers < strings < objects < arrays < binary < ObjectId
// < booleans < dates < timestamps < regexes), numbers equal across int32,
// int64 and double, null equal to missing, and array fields contributing each
// element. Unique indexes, equality lookups and find's sort all go through
// here so they agree with each other and with a real server.
import { EJSON } from 'bson';
import { isPlainObject } from './rawbson.mjs';

const RANK_BY_BSONTYPE = {
  MinKey: 1, Decimal128: 3, BSONSymbol: 4, DBRef: 5, Binary: 7, ObjectId: 8,
  Timestamp: 11, BSONRegExp: 12, Code: 12, MaxKey: 13,
};

function rank(v) {
  if (v === null || v === undefined) return 2;
  switch (typeof v) {
    case 'number': return 3;
    case 'string': return 4;
    case 'boolean': return 9;
    default: break;
  }
  if (Array.isArray(v)) return 6;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  return RANK_BY_BSONTYPE[v._bsontype] ?? 5;
}

const sign = (n) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const numeric = (v) => (typeof v === 'number' ? v : Number(v.toString()));

function compareValues(a, b) {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return sign(ra - rb);
  switch (ra) {
    case 3: {
      const x = numeric(a);
      const y = numeric(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
      return sign(x - y);
    }
    case 4: {
      const x = String(a.valueOf());
      const y = String(b.valueOf());
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 5: return compareEntries(Object.entries(a), Object.entries(b));
    case 6: return compareEntries(a.map((v) => ['', v]), b.map((v) => ['', v]));
    case 7: return sign(a.length() - b.length()) || sign(a.sub_type - b.sub_type) || Buffer.compare(a.value(), b.value());
    case 8: return Buffer.compare(a.id, b.id);
    case 9: return sign(a - b);
    case 10: return sign(a.getTime() - b.getTime());
    case 11: return sign(a.t - b.t) || sign(a.i - b.i);
    case 12: return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
    default: return 0;
  }
}

function compareEntries(xs, ys) {
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const [kx, vx] = xs[i];
    const [ky, vy] = ys[i];
    const c = sign(rank(vx) - rank(vy)) || (kx < ky ? -1 : kx > ky ? 1 : 0) || compareValues(vx, vy);
    if (c) return c;
  }
  return sign(xs.length - ys.length);
}

// Everything reachable at a dotted path, stepping into arrays on the way as
// MongoDB does (`a.b` on {a: [{b: 1}, {b: 2}]} reaches 1 and 2). `deep` also
// steps into arrays nested in arrays, which MongoDB does not but mingo may.
function reach(value, parts, i, out, deep = false) {
  if (i === parts.length) {
    out.push(value);
  } else if (Array.isArray(value)) {
    if (/^\d+$/.test(parts[i]) && Number(parts[i]) < value.length) reach(value[Number(parts[i])], parts, i + 1, out, deep);
    for (const item of value) if (deep || !Array.isArray(item)) reach(item, parts, i, out, deep);
  } else if (value !== null && typeof value === 'object' && Object.hasOwn(value, parts[i])) {
    reach(value[parts[i]], parts, i + 1, out, deep);
  }
  return out;
}

// Index-key semantics: one entry per element of an array leaf, an empty array
// as `undefined`, and a missing field as null.
export function keyValuesAt(doc, path) {
  const out = [];
  for (const v of reach(doc, path.split('.'), 0, [])) {
    if (!Array.isArray(v)) out.push(v);
    else if (v.length === 0) out.push(undefined);
    else v.forEach((item) => out.push(item));
  }
  return out.length ? out : [null];
}

export const isMissingAt = (doc, path) => reach(doc, path.split('.'), 0, []).length === 0;

// Every scalar a query on `path` could match against, flattening nested arrays
// all the way down so an equality lookup never misses a document mingo would
// match (mingo looks into nested arrays further than MongoDB does).
export function lookupValuesAt(doc, path) {
  const out = [];
  const flatten = (v) => (Array.isArray(v) ? v.forEach(flatten) : out.push(v));
  reach(doc, path.split('.'), 0, [], true).forEach(flatten);
  return out;
}

// A string that is equal for two values exactly when MongoDB considers them
// equal as index keys: Map lookups then replace comparisons.
export function encodeKey(v) {
  if (v === null) return 'z';
  if (v === undefined) return 'u';
  switch (typeof v) {
    case 'number': return `n${v === 0 ? 0 : v}`;
    case 'string': return `s${JSON.stringify(v)}`;
    case 'boolean': return v ? 'b1' : 'b0';
    default: break;
  }
  if (Array.isArray(v)) return `a${JSON.stringify(v.map(encodeKey))}`;
  if (v instanceof Date) return `d${v.getTime()}`;
  if (isPlainObject(v)) return `o${JSON.stringify(Object.entries(v).map(([k, x]) => [k, encodeKey(x)]))}`;
  if (v._bsontype === 'ObjectId') return `i${v.toHexString()}`;
  return `x${v._bsontype ?? typeof v}${EJSON.stringify({ v }, { relaxed: false })}`;
}

// Only values whose equality mingo and encodeKey agree on may drive a lookup.
export const isLookupValue = (v) =>
  typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ||
  v instanceof Date || v?._bsontype === 'ObjectId';

// The value as MongoDB prints it in E11000 messages: { d: 7, t: new Date(1700000000000) }.
export function formatValue(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return v.length ? `[ ${v.map(formatValue).join(', ')} ]` : '[]';
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v._bsontype === 'ObjectId') return `ObjectId('${v.toHexString()}')`;
  if (isPlainObject(v)) {
    const fields = Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`);
    return fields.length ? `{ ${fields.join(', ')} }` : '{}';
  }
  return EJSON.stringify(v, { relaxed: false });
}

// Below this many wanted rows, a sorted find keeps only its best rows in one
// pass instead of sorting them all: "the newest reading" of a device with
// 100,000 is then one scan, where a full sort took seconds and left every
// other client of the stand-in waiting.
const SELECT_BELOW = 64;

// find's sort: an array field sorts by its smallest element ascending and its
// largest descending; ties keep natural (insertion) order. `keep` (skip +
// limit) says how many leading rows are wanted; the rest may be dropped.
export function sortViews(views, spec, keep = Infinity) {
  const keys = Object.entries(spec);
  const sortKey = (view, path, dir) => {
    // A top-level scalar (the common case) is its own key.
    const top = path.includes('.') ? undefined : (Object.hasOwn(view, path) ? view[path] : null);
    if (top !== undefined && !Array.isArray(top)) return top;
    return keyValuesAt(view, path).reduce((best, v) => (compareValues(v, best) * dir < 0 ? v : best));
  };
  const row = (view) => ({ view, key: keys.map(([path, dir]) => sortKey(view, path, dir)) });
  const order = (a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareValues(a.key[i], b.key[i]) * keys[i][1];
      if (c) return c;
    }
    return 0;
  };
  if (keep >= SELECT_BELOW || keep >= views.length) return views.map(row).sort(order).map((r) => r.view);
  const best = [];
  for (const view of views) {
    const r = row(view);
    if (best.length === keep && order(r, best[keep - 1]) >= 0) continue;
    let at = best.length;
    while (at > 0 && order(r, best[at - 1]) < 0) at--;   // after its equals: ties stay in natural order
    best.splice(at, 0, r);
    if (best.length > keep) best.pop();
  }
  return best.map((r) => r.view);
}
