// Command dispatch: decodes a request body, rejects what a MongoDB 5.0
// standalone would reject, runs the handler and shapes the reply as MongoDB
// does. Handlers validate their own arguments; document semantics live in
// collection.mjs and durability in storage.mjs. Every write handler returns
// only after its journal record is on disk.
import { Double, Long } from 'bson';
import { Collection, rawOf } from './collection.mjs';
import {
  CommandError, badValue, failedToParse, invalidNamespace, namespaceNotFound, notSupported, typeMismatch,
} from './errors.mjs';
import { sortViews } from './keys.mjs';
import { checkPipeline, checkProjection, matcher, project } from './query.mjs';
import {
  MAX_BSON_BYTES, encodeComputed, encodeDocument, encodeTyped, isPlainObject, rawArrayField, toTyped, toView,
} from './rawbson.mjs';
import { MAX_MESSAGE_BYTES } from './wire.mjs';

const VERSION = [5, 0, 0];
const MAX_WRITE_BATCH = 100_000;

// Fields any command may carry that do not change what it does here.
const GENERIC_FIELDS = new Set([
  '$db', 'lsid', '$clusterTime', '$readPreference', 'apiVersion', 'apiStrict', 'apiDeprecationErrors',
  'writeConcern', 'readConcern', 'comment', 'maxTimeMS',
]);

function typeName(v) {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'string' ? 'string' : 'object';
}

const wrongType = (where, v, expected) =>
  typeMismatch(`BSON field '${where}' is the wrong type '${typeName(v)}', expected type '${expected}'`);

function checkDatabaseName(db) {
  if (typeof db !== 'string') throw new CommandError(40571, 'Location40571', 'OP_MSG requests require a $db argument');
  if (!db || db.length >= 64 || /[/\\. "$*<>:|?\0]/.test(db)) throw invalidNamespace(`Invalid database name: '${db}'`);
}

function collectionName(db, cmd, field) {
  const name = cmd[field];
  if (typeof name !== 'string') throw invalidNamespace(`collection name has invalid type ${typeName(name)}`);
  if (!name || name.includes('$') || name.includes('\0') || name.startsWith('.')) {
    throw invalidNamespace(`Invalid namespace specified '${db}.${name}'`);
  }
  return name;
}

function optionalDocument(cmd, command, field) {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw wrongType(`${command}.${field}`, v, 'object');
  return v;
}

function optionalCount(cmd, command, field) {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(`${command}.${field}`, v, 'long');
  if (v < 0) throw badValue(`${field} must be non-negative, but received: ${v}`);
  return v;
}

// Options MongoDB honours that this stand-in cannot: refused, not ignored.
function refuseOptions(cmd, command, names) {
  for (const name of names) {
    const v = cmd[name];
    if (v === undefined || v === null || v === false) continue;
    if (name === 'collation' && v.locale === 'simple') continue;
    throw notSupported(`${command} option '${name}'`);
  }
}

// Existing collection, or an empty stand-in for one that does not exist:
// reads behave like MongoDB's (empty results, same validation).
const readable = (storage, db, name) => storage.collection(db, name) ?? new Collection(db, name);

// A command's document-array argument, from an OP_MSG document sequence or
// from the body, as raw documents.
const rawDocuments = (request, field) => request.sequences.get(field) ?? rawArrayField(request.body, field) ?? [];

function checkBatchSize(count) {
  if (count < 1 || count > MAX_WRITE_BATCH) {
    throw new CommandError(16, 'InvalidLength', `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH}. Got ${count} operations.`);
  }
}

function sortSpec(spec) {
  if (!spec || !Object.keys(spec).length) return undefined;
  for (const [key, dir] of Object.entries(spec)) {
    if (isPlainObject(dir) && '$meta' in dir) throw notSupported(`sort by {$meta: ...} on '${key}'`);
    if (dir !== 1 && dir !== -1) {
      throw new CommandError(15975, 'Location15975', '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    }
  }
  return spec;
}

// Stored bytes when there is no projection. Plain inclusion/exclusion works
// on typed documents so numeric types survive; projections with operators
// are computed on views and re-encoded.
function render(views, projection) {
  if (!projection || !Object.keys(projection).length) return views.map(rawOf);
  checkProjection(projection);
  const plain = Object.values(projection).every((v) => typeof v === 'number' || typeof v === 'boolean');
  return plain
    ? project(views.map((view) => toTyped(rawOf(view))), projection).map(encodeTyped)
    : project(views, projection).map(encodeComputed);
}

function hello({ cmd, connection }) {
  return {
    ...(cmd.helloOk === true && { helloOk: true }),
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: MAX_BSON_BYTES,
    maxMessageSizeBytes: MAX_MESSAGE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: connection.id,
    minWireVersion: 0,
    maxWireVersion: 13,
    readOnly: false,
    ok: 1,
  };
}

const buildInfo = () => ({
  version: `${VERSION.join('.')}-standin`,
  gitVersion: 'mongo-standin',
  versionArray: [...VERSION, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_BYTES,
  storageEngines: ['journal'],
  javascriptEngine: 'none',
  ok: 1,
});

async function insert({ db, cmd, request, storage }) {
  const name = collectionName(db, cmd, 'insert');
  const raws = rawDocuments(request, 'documents');
  if (!Array.isArray(raws)) throw wrongType('insert.documents', raws, 'array');
  checkBatchSize(raws.length);
  const collection = storage.collectionForWrite(db, name);
  const { inserted, writeErrors } = collection.insertMany(raws, cmd.ordered !== false);
  if (inserted.length) await storage.append(collection, { op: 'insert', docs: inserted });
  return { n: inserted.length, ...(writeErrors.length && { writeErrors }), ok: 1 };
}

async function remove({ db, cmd, request, storage }) {
  const name = collectionName(db, cmd, 'delete');
  const statements = rawDocuments(request, 'deletes');
  if (!Array.isArray(statements)) throw wrongType('delete.deletes', statements, 'array');
  checkBatchSize(statements.length);
  const deletes = statements.map((raw, i) => {
    if (!(raw instanceof Uint8Array)) throw wrongType(`delete.deletes.${i}`, raw, 'object');
    const statement = toView(raw);
    if (!isPlainObject(statement.q)) throw wrongType(`delete.deletes.${i}.q`, statement.q, 'object');
    if (statement.limit !== 0 && statement.limit !== 1) {
      throw failedToParse(`The limit field in delete objects must be 0 or 1. Got ${statement.limit}`);
    }
    refuseOptions(statement, 'delete', ['collation']);
    return statement;
  });
  const collection = readable(storage, db, name);
  const ids = [];
  const writeErrors = [];
  for (const [index, { q, limit }] of deletes.entries()) {
    try {
      for (const view of collection.deleteMatching(q, limit === 1)) ids.push(view._id);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      writeErrors.push(err.toWriteError(index));
      if (cmd.ordered !== false) break;
    }
  }
  if (ids.length) await storage.append(collection, { op: 'delete', ids });
  return { n: ids.length, ...(writeErrors.length && { writeErrors }), ok: 1 };
}

function find({ db, cmd, storage, cursors }) {
  const name = collectionName(db, cmd, 'find');
  refuseOptions(cmd, 'find', ['tailable', 'awaitData', 'min', 'max', 'returnKey', 'showRecordId', 'collation', 'let']);
  const filter = optionalDocument(cmd, 'find', 'filter') ?? {};
  const { $natural, ...sort } = optionalDocument(cmd, 'find', 'sort') ?? {};
  const projection = optionalDocument(cmd, 'find', 'projection');
  const skip = optionalCount(cmd, 'find', 'skip') ?? 0;
  const limit = optionalCount(cmd, 'find', 'limit') || undefined;
  const batchSize = optionalCount(cmd, 'find', 'batchSize');
  let views = readable(storage, db, name).find(filter);
  if ($natural === -1) views.reverse();
  if (sortSpec(sort)) views = sortViews(views, sort, limit ? skip + limit : Infinity);
  views = views.slice(skip, limit && skip + limit);
  return cursors.open(`${db}.${name}`, render(views, projection), { batchSize, singleBatch: cmd.singleBatch === true });
}

function getMore({ db, cmd, cursors }) {
  if (typeof cmd.getMore !== 'number') throw wrongType('getMore.getMore', cmd.getMore, 'long');
  const name = collectionName(db, cmd, 'collection');
  return cursors.more(cmd.getMore, `${db}.${name}`, optionalCount(cmd, 'getMore', 'batchSize'));
}

function killCursors({ db, cmd, cursors }) {
  collectionName(db, cmd, 'killCursors');
  if (!Array.isArray(cmd.cursors)) throw wrongType('killCursors.cursors', cmd.cursors, 'array');
  return cursors.kill(cmd.cursors);
}

function aggregate({ db, cmd, storage, cursors }) {
  if (cmd.aggregate === 1) throw notSupported('database-level aggregate (aggregate: 1)');
  const name = collectionName(db, cmd, 'aggregate');
  if (cmd.explain) throw notSupported('explain');
  refuseOptions(cmd, 'aggregate', ['collation', 'let']);
  if (!isPlainObject(cmd.cursor)) {
    throw failedToParse("The 'cursor' option is required, except for aggregate with the explain argument");
  }
  checkPipeline(cmd.pipeline);
  const docs = readable(storage, db, name).aggregate(cmd.pipeline);
  return cursors.open(`${db}.${name}`, docs, { batchSize: optionalCount(cmd.cursor, 'aggregate.cursor', 'batchSize') });
}

function count({ db, cmd, storage }) {
  const name = collectionName(db, cmd, 'count');
  const query = optionalDocument(cmd, 'count', 'query') ?? {};
  const skip = optionalCount(cmd, 'count', 'skip') ?? 0;
  const limit = Math.abs(cmd.limit ?? 0);
  const n = Math.max(0, readable(storage, db, name).count(query) - skip);
  return { n: limit ? Math.min(n, limit) : n, ok: 1 };
}

const INDEX_TYPES_REFUSED = new Set(['text', 'hashed', '2d', '2dsphere', 'geoHaystack', 'columnstore']);
const INDEX_OPTIONS_REFUSED = new Set([
  'collation', 'hidden', 'weights', 'default_language', 'language_override', 'textIndexVersion',
  '2dsphereIndexVersion', 'bits', 'min', 'max', 'bucketSize', 'wildcardProjection', 'storageEngine',
]);

function normalizeIndexSpec(spec) {
  if (!isPlainObject(spec)) throw wrongType('createIndexes.indexes', spec, 'object');
  // `v`, `background` and `ns` are accepted and ignored, as on MongoDB 5.0.
  const { key, name, unique, sparse, partialFilterExpression, expireAfterSeconds, v, background, ns, ...rest } = spec;
  const where = `Error in specification ${JSON.stringify(spec)} :: caused by :: `;
  if (!isPlainObject(key) || !Object.keys(key).length) throw failedToParse(`${where}The 'key' field must be a non-empty object`);
  if (typeof name !== 'string' || !name) throw failedToParse(`${where}The 'name' field is a required property of an index specification`);
  for (const [field, dir] of Object.entries(key)) {
    if (INDEX_TYPES_REFUSED.has(dir) || field.includes('$**')) throw notSupported(`index type ${JSON.stringify(dir)} on '${field}'`);
    if (typeof dir !== 'number' || dir === 0) {
      throw new CommandError(67, 'CannotCreateIndex', `${where}Values in the index key pattern must be non-zero numbers`);
    }
  }
  const [extra] = Object.keys(rest);
  if (extra && INDEX_OPTIONS_REFUSED.has(extra)) throw notSupported(`index option '${extra}'`);
  if (extra) throw new CommandError(197, 'InvalidIndexSpecificationOption', `The field '${extra}' is not valid for an index specification. Specification: ${JSON.stringify(spec)}`);
  if (partialFilterExpression !== undefined) {
    if (!isPlainObject(partialFilterExpression)) throw wrongType('partialFilterExpression', partialFilterExpression, 'object');
    matcher(partialFilterExpression);
  }
  return {
    v: 2,
    key,
    name,
    ...(unique === true && { unique: true }),
    ...(sparse === true && { sparse: true }),
    ...(partialFilterExpression && { partialFilterExpression }),
    ...(expireAfterSeconds !== undefined && { expireAfterSeconds }),
  };
}

async function createIndexes({ db, cmd, storage }) {
  const name = collectionName(db, cmd, 'createIndexes');
  if (!Array.isArray(cmd.indexes) || !cmd.indexes.length) {
    throw badValue('Must specify at least one index to create');
  }
  const specs = cmd.indexes.map(normalizeIndexSpec);
  const existed = storage.collection(db, name) !== undefined;
  const collection = storage.collectionForWrite(db, name);
  const before = collection.indexes.size;
  const added = collection.createIndexes(specs);
  if (added.length) await storage.append(collection, { op: 'createIndexes', specs: added });
  return {
    numIndexesBefore: before,
    numIndexesAfter: collection.indexes.size,
    ...(added.length ? { createdCollectionAutomatically: !existed } : { note: 'all indexes already exist' }),
    ok: 1,
  };
}

function listIndexes({ db, cmd, storage, cursors }) {
  const name = collectionName(db, cmd, 'listIndexes');
  const collection = storage.collection(db, name);
  if (!collection) throw namespaceNotFound(`ns does not exist: ${db}.${name}`);
  const specs = collection.indexSpecs().map(encodeDocument);
  return cursors.open(`${db}.${name}`, specs, { batchSize: optionalCount(cmd.cursor ?? {}, 'listIndexes.cursor', 'batchSize') });
}

function listCollections({ db, cmd, storage, cursors }) {
  const test = matcher(optionalDocument(cmd, 'listCollections', 'filter'));
  const entries = storage.collectionNames(db)
    .map((name) => ({
      name,
      type: 'collection',
      options: {},
      info: { readOnly: false },
      idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
    }))
    .filter(test)
    .map((entry) => encodeDocument(cmd.nameOnly === true ? { name: entry.name, type: entry.type } : entry));
  const batchSize = optionalCount(cmd.cursor ?? {}, 'listCollections.cursor', 'batchSize');
  return cursors.open(`${db}.$cmd.listCollections`, entries, { batchSize });
}

function drop({ db, cmd, storage }) {
  const name = collectionName(db, cmd, 'drop');
  const collection = storage.collection(db, name);
  if (!collection) throw namespaceNotFound('ns not found');
  storage.drop(db, name);
  return { nIndexesWas: collection.indexes.size, ns: collection.ns, ok: 1 };
}

function dropDatabase({ db, storage }) {
  storage.dropDatabase(db);
  return { ok: 1 };
}

function create({ db, cmd, storage }) {
  const name = collectionName(db, cmd, 'create');
  const option = Object.keys(cmd).find((k) => k !== 'create' && !GENERIC_FIELDS.has(k));
  if (option) throw notSupported(`create option '${option}'`);
  if (storage.collection(db, name)) throw new CommandError(48, 'NamespaceExists', `Collection already exists. NS: ${db}.${name}`);
  storage.collectionForWrite(db, name);
  return { ok: 1 };
}

const ok = () => ({ ok: 1 });

// opcounters as mongod counts them (serverStatus.opcounters): find is a
// query, every command other than the CRUD ones is a command, and a failed
// command counts too.  The benchmark reads them to report an idle
// gauge-alertd's load on the readings store.
const opcounters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };
const OPCOUNTER_OF = { insert: 'insert', find: 'query', delete: 'delete', getMore: 'getmore' };

function serverStatus({ cmd }) {
  const section = Object.keys(cmd).find((k) => k !== 'serverStatus' && !GENERIC_FIELDS.has(k) && cmd[k] !== 0 && cmd[k] !== false);
  if (section) throw notSupported(`serverStatus section '${section}'`);
  return {
    host: 'mongo-standin', version: `${VERSION.join('.')}-standin`, process: 'mongo-standin',
    uptime: Math.floor(process.uptime()), localTime: new Date(),
    opcounters: Object.fromEntries(Object.entries(opcounters).map(([k, v]) => [k, new Long(v)])),
    ok: 1,
  };
}

const HANDLERS = new Map(Object.entries({
  hello, isMaster: hello, ismaster: hello, ping: ok, buildInfo, buildinfo: buildInfo, endSessions: ok,
  insert, delete: remove, find, getMore, killCursors, aggregate, count,
  createIndexes, listIndexes, listCollections, drop, dropDatabase, create, serverStatus,
}));

// Returns `execute(request, connection)`, which resolves to the encoded reply.
export function createDispatcher({ storage, cursors, log, verbose }) {
  return async function execute(request, connection) {
    const started = Date.now();
    let name = '';
    let ns = '';
    let reply;
    try {
      const body = toView(request.body);
      // Legacy OP_QUERY commands may be wrapped as {$query: {...}, $readPreference}.
      const cmd = request.legacy && isPlainObject(body.$query) ? body.$query : body;
      name = Object.keys(cmd)[0] ?? '';
      opcounters[OPCOUNTER_OF[name] ?? 'command']++;
      const db = request.legacy ? request.db : cmd.$db;
      ns = typeof cmd[name] === 'string' ? `${db}.${cmd[name]}` : db;
      checkDatabaseName(db);
      const handler = HANDLERS.get(name);
      if (!handler) throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
      // Sessions are advertised (drivers expect them of a 5.0 server), but a
      // standalone has no transactions; MongoDB refuses them the same way.
      if ('txnNumber' in cmd || 'autocommit' in cmd || 'startTransaction' in cmd) {
        throw new CommandError(20, 'IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
      }
      reply = await handler({ db, cmd, request, connection, storage, cursors });
    } catch (err) {
      if (!(err instanceof CommandError)) log(`conn${connection.id} ${name}: internal error: ${err.stack}`);
      reply = (err instanceof CommandError ? err : new CommandError(1, 'InternalError', err.message)).toReply();
    }
    if (verbose) {
      const outcome = reply.ok ? 'ok' : `error ${reply.code} ${reply.errmsg}`;
      log(`conn${connection.id} ${name} ${ns}: ${outcome} (${Date.now() - started} ms)`);
    }
    return encodeDocument({ ...reply, ok: new Double(reply.ok) });
  };
}
