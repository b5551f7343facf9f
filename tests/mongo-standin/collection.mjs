// One collection held entirely in memory. Each document is kept twice: as the
// bytes the client sent (returned as-is, so BSON types survive) and as a view
// mingo evaluates. Unique indexes keep a Map from encoded key to document so
// duplicate checks are O(1); the first field of every index gets an equality
// lookup (value -> documents) so `{d: 7, t: {...}}` only visits d = 7.
// Nothing here touches disk: storage.mjs journals what this module changes.
import { CommandError } from './errors.mjs';
import { encodeKey, formatValue, isLookupValue, isMissingAt, keyValuesAt, lookupValuesAt } from './keys.mjs';
import { matcher, runPipeline } from './query.mjs';
import { encodeComputed, isPlainObject, prepareForInsert, toView } from './rawbson.mjs';

const storedBytes = new WeakMap();
export const rawOf = (view) => storedBytes.get(view);

const ID_INDEX = Object.freeze({ v: 2, key: Object.freeze({ _id: 1 }), name: '_id_' });

function duplicateKey(ns, index, values, context) {
  const shown = index.fields.map((f, i) => `${f}: ${formatValue(values[i])}`).join(', ');
  const message = `E11000 duplicate key error collection: ${ns} index: ${index.spec.name} dup key: { ${shown} }`;
  return new CommandError(11000, 'DuplicateKey', context ? `${context} :: caused by :: ${message}` : message, {
    keyPattern: index.spec.key,
    keyValue: Object.fromEntries(index.fields.map((f, i) => [f, values[i]])),
  });
}

class Index {
  // The _id index is unique without saying so in its spec, as on MongoDB.
  constructor(spec, unique = spec.unique === true) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.covers = spec.partialFilterExpression ? matcher(spec.partialFilterExpression) : () => true;
    this.entries = unique ? new Map() : null;
    this.topLevel = this.fields.every((f) => !f.includes('.'));
  }

  // The keys a document occupies in this unique index, as [encoded, values]
  // pairs: one per combination of array elements, none if the document is
  // outside a partial or sparse index.
  uniqueKeys(view) {
    if (!this.covers(view)) return [];
    if (this.spec.sparse && this.fields.every((f) => isMissingAt(view, f))) return [];
    // Every insert checks _id and {d, c}: top-level scalars need no expansion
    // (a missing field keys as null, as keyValuesAt says).
    if (this.topLevel) {
      const values = this.fields.map((f) => (Object.hasOwn(view, f) ? view[f] : null));
      if (!values.some(Array.isArray)) return [[values.map(encodeKey).join('\0'), values]];
    }
    let tuples = [[]];
    for (const field of this.fields) {
      const values = keyValuesAt(view, field);
      tuples = tuples.flatMap((tuple) => values.map((v) => [...tuple, v]));
    }
    return [...new Map(tuples.map((values) => [values.map(encodeKey).join('\0'), values]))];
  }
}

// Top-level `field: scalar`, `field: {$eq: scalar}` and `field: {$in: [...]}`
// terms (also inside a top-level $and): the ones a lookup can answer.
function* equalityTerms(filter) {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) yield* equalityTerms(sub);
    } else if (key.startsWith('$')) {
      continue;
    } else if (isLookupValue(cond)) {
      yield [key, [cond]];
    } else if (isPlainObject(cond)) {
      if (isLookupValue(cond.$eq)) yield [key, [cond.$eq]];
      else if (Array.isArray(cond.$in) && cond.$in.every(isLookupValue)) yield [key, cond.$in];
    }
  }
}

const sameSpec = (a, b) => {
  const canonical = (s) => encodeKey([s.key, !!s.unique, !!s.sparse, s.partialFilterExpression ?? null, s.expireAfterSeconds ?? null]);
  return canonical(a) === canonical(b);
};

export class Collection {
  docs = new Set();
  indexes = new Map();
  #lookups = new Map();

  constructor(db, name) {
    this.db = db;
    this.name = name;
    this.#install(new Index(ID_INDEX, true));
  }

  get ns() {
    return `${this.db}.${this.name}`;
  }

  get size() {
    return this.docs.size;
  }

  indexSpecs() {
    return [...this.indexes.values()].map((index) => index.spec);
  }

  // Inserts raw documents in order. Failures become writeErrors; an ordered
  // insert stops at the first one. Returns the bytes stored for each success.
  insertMany(raws, ordered) {
    const inserted = [];
    const writeErrors = [];
    for (let i = 0; i < raws.length; i++) {
      try {
        inserted.push(this.#insertOne(raws[i]));
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        writeErrors.push(err.toWriteError(i));
        if (ordered) break;
      }
    }
    return { inserted, writeErrors };
  }

  #insertOne(raw) {
    if (!(raw instanceof Uint8Array)) {
      throw new CommandError(14, 'TypeMismatch', 'documents to insert must be objects');
    }
    const bytes = prepareForInsert(raw);
    const view = toView(bytes);
    const claims = [];
    for (const index of this.indexes.values()) {
      if (!index.entries) continue;
      for (const [key, values] of index.uniqueKeys(view)) {
        if (index.entries.has(key)) throw duplicateKey(this.ns, index, values);
        claims.push([index, key]);
      }
    }
    for (const [index, key] of claims) index.entries.set(key, view);
    this.docs.add(view);
    for (const [field, lookup] of this.#lookups) addToLookup(lookup, view, field);
    storedBytes.set(view, bytes);
    return bytes;
  }

  #remove(view) {
    this.docs.delete(view);
    for (const index of this.indexes.values()) {
      if (!index.entries) continue;
      for (const [key] of index.uniqueKeys(view)) {
        if (index.entries.get(key) === view) index.entries.delete(key);
      }
    }
    for (const [field, lookup] of this.#lookups) {
      for (const key of new Set(lookupValuesAt(view, field).map(encodeKey))) {
        const set = lookup.get(key);
        set?.delete(view);
        if (set?.size === 0) lookup.delete(key);
      }
    }
  }

  // The smallest set of documents that must contain every match: the union of
  // lookup buckets for the most selective equality term, else everything.
  #candidates(filter) {
    let best = this.docs;
    for (const [field, values] of equalityTerms(filter)) {
      const lookup = this.#lookups.get(field);
      if (!lookup) continue;
      const buckets = values.map((v) => lookup.get(encodeKey(v))).filter(Boolean);
      if (buckets.reduce((n, b) => n + b.size, 0) >= best.size) continue;
      best = buckets.length === 1 ? buckets[0] : new Set(buckets.flatMap((b) => [...b]));
    }
    return best;
  }

  find(filter) {
    const test = matcher(filter);
    const out = [];
    for (const view of this.#candidates(filter)) if (test(view)) out.push(view);
    return out;
  }

  count(filter) {
    return Object.keys(filter).length ? this.find(filter).length : this.size;
  }

  // Deletes matching documents (at most one if justOne) and returns them.
  deleteMatching(filter, justOne) {
    const test = matcher(filter);
    const victims = [];
    for (const view of this.#candidates(filter)) {
      if (!test(view)) continue;
      victims.push(view);
      if (justOne) break;
    }
    victims.forEach((view) => this.#remove(view));
    return victims;
  }

  deleteIds(ids) {
    const byId = this.indexes.get('_id_').entries;
    for (const id of ids) {
      const view = byId.get(encodeKey(id));
      if (view) this.#remove(view);
    }
  }

  // A leading $match uses the lookups; mingo runs the rest. Results that are
  // stored documents come back as their stored bytes.
  aggregate(pipeline) {
    const [first] = pipeline;
    const leadingMatch = first !== undefined && isPlainObject(first.$match);
    const views = leadingMatch ? this.find(first.$match) : [...this.docs];
    const { docs, unchanged } = runPipeline(views, leadingMatch ? pipeline.slice(1) : pipeline);
    return unchanged ? docs.map(rawOf) : docs.map(encodeComputed);
  }

  // Builds all requested indexes or none. Specs identical to an existing
  // index are skipped; returns the specs actually added.
  createIndexes(specs) {
    const planned = new Map(this.indexes);
    const built = [];
    for (const spec of specs) {
      const existing = planned.get(spec.name);
      if (existing) {
        if (sameSpec(existing.spec, spec)) continue;
        throw indexConflict(spec, existing.spec);
      }
      const twin = [...planned.values()].find((index) =>
        encodeKey(index.spec.key) === encodeKey(spec.key) &&
        encodeKey(index.spec.partialFilterExpression ?? null) === encodeKey(spec.partialFilterExpression ?? null));
      if (twin) throw new CommandError(85, 'IndexOptionsConflict', `Index already exists with a different name: ${twin.spec.name}`);
      const index = new Index(spec);
      if (index.entries) {
        for (const view of this.docs) {
          for (const [key, values] of index.uniqueKeys(view)) {
            if (index.entries.has(key)) throw duplicateKey(this.ns, index, values, 'Index build failed');
            index.entries.set(key, view);
          }
        }
      }
      planned.set(spec.name, index);
      built.push(index);
    }
    built.forEach((index) => this.#install(index));
    return built.map((index) => index.spec);
  }

  #install(index) {
    this.indexes.set(index.spec.name, index);
    const [field] = index.fields;
    if (this.#lookups.has(field)) return;
    const lookup = new Map();
    for (const view of this.docs) addToLookup(lookup, view, field);
    this.#lookups.set(field, lookup);
  }
}

function addToLookup(lookup, view, field) {
  for (const key of new Set(lookupValuesAt(view, field).map(encodeKey))) {
    let bucket = lookup.get(key);
    if (!bucket) lookup.set(key, (bucket = new Set()));
    bucket.add(view);
  }
}

function indexConflict(requested, existing) {
  const detail = `Requested index: ${formatValue(requested)}, existing index: ${formatValue(existing)}`;
  return encodeKey(requested.key) === encodeKey(existing.key)
    ? new CommandError(85, 'IndexOptionsConflict', `An equivalent index already exists with the same name but different options. ${detail}`)
    : new CommandError(86, 'IndexKeySpecsConflict',
      `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. ${detail}`);
}
