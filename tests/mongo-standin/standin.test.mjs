// Tests for the MongoDB stand-in: each suite starts real stand-in processes on
// free ports with temporary dbpaths and talks to them with the official Node
// driver (or, for wire-level cases, raw sockets). Every process started here
// is killed and every directory removed even when a test fails.
//
//   node --test tests/mongo-standin/
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as BSON from 'bson';
import { Decimal128, Double, Int32, Long, MongoClient, ObjectId } from 'mongodb';
import { crc32c } from './crc32c.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const running = new Set();
const tempDirs = [];

const killAll = () => running.forEach((child) => child.kill('SIGKILL'));
process.on('exit', killAll);
after(() => {
  killAll();
  tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
});

function tempDbpath() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-standin-test-'));
  tempDirs.push(dir);
  return dir;
}

async function stop(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  const [code] = await once(child, 'exit');
  return code;
}

async function start(dbpath, port = 0) {
  const child = spawn(process.execPath, [SERVER, '--host', '127.0.0.1', '--port', String(port), '--dbpath', dbpath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const listening = await new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = /^mongo-standin listening on 127\.0\.0\.1:(\d+)\n/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    port: listening,
    uri: `mongodb://127.0.0.1:${listening}/?serverSelectionTimeoutMS=2000`,
    stderr: () => stderr,
    stop: (signal) => stop(child, signal),
  };
}

async function withClient(uri, fn) {
  const client = await MongoClient.connect(uri);
  try {
    return await fn(client.db('gauge'), client);
  } finally {
    await client.close();
  }
}

const T0 = Date.UTC(2024, 0, 1);
const minutes = (n) => new Date(T0 + n * 60_000);

function readings(count, devices = 10) {
  return Array.from({ length: count }, (_, i) => ({
    d: Long.fromNumber(i % devices),
    t: minutes(i),
    v: new Double(i / 2),
    n: new Int32(i),
  }));
}

// Rejects with the server error a call produces, failing if it succeeds.
async function serverError(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the stand-in to answer with an error');
}

describe('mongo-standin with the official Node driver', () => {
  let server;
  let client;
  let db;

  before(async () => {
    server = await start(tempDbpath());
    client = await MongoClient.connect(server.uri);
    db = client.db('gauge');
  });

  after(async () => {
    await client?.close();
    await server?.stop();
  });

  it('answers hello and buildInfo as a MongoDB 5.0 standalone', async () => {
    const hello = await db.admin().command({ hello: 1 });
    assert.equal(hello.isWritablePrimary, true);
    assert.equal(hello.ismaster, true);
    assert.equal(hello.maxWireVersion, 13);
    assert.equal(hello.minWireVersion, 0);
    assert.equal(hello.maxBsonObjectSize, 16777216);
    assert.equal(hello.maxMessageSizeBytes, 48000000);
    assert.equal(hello.maxWriteBatchSize, 100000);
    assert.ok(hello.localTime instanceof Date);
    assert.equal(hello.compression, undefined);
    const info = await db.admin().command({ buildInfo: 1 });
    assert.equal(info.version, '5.0.0-standin');
    assert.deepEqual(info.versionArray, [5, 0, 0, 0]);
    assert.deepEqual(await db.admin().command({ ping: 1 }), { ok: 1 });
  });

  it('returns stored documents byte for byte, keeping every BSON type', async () => {
    const original = {
      _id: new ObjectId(),
      int32: new Int32(7),
      int64: Long.fromString('9007199254740993'),
      small64: Long.fromNumber(7),
      double: new Double(5),
      decimal: Decimal128.fromString('1.10'),
      when: new Date(T0),
      text: 'héllo',
      nested: { a: [new Int32(1), new Double(2), Long.fromNumber(3)], b: { c: null } },
      bin: new BSON.Binary(Buffer.from([1, 2, 3]), 4),
    };
    const c = db.collection('types');
    await c.insertOne(original);
    const [raw] = await c.find({ _id: original._id }, { raw: true }).toArray();
    assert.deepEqual(Buffer.from(raw), Buffer.from(BSON.serialize(original)));
  });

  it('adds an ObjectId _id when none is sent and moves a given _id to the front', async () => {
    const c = db.collection('ids');
    await c.insertOne({ a: 1 }, { forceServerObjectId: true });
    await c.insertOne({ b: 2, _id: 'second' });
    const docs = await c.find({}).toArray();
    assert.ok(docs[0]._id instanceof ObjectId);
    assert.deepEqual(Object.keys(docs[1]), ['_id', 'b']);
  });

  it('compares dates, ObjectIds and int64 values like MongoDB in filters and sorts', async () => {
    const c = db.collection('compare');
    const ids = Array.from({ length: 5 }, () => new ObjectId());
    await c.insertMany(ids.map((_id, i) => ({ _id, t: minutes(i), d: Long.fromNumber(i) })));
    const range = await c.find({ t: { $gte: minutes(1), $lt: minutes(4) } }).toArray();
    assert.deepEqual(range.map((doc) => doc.d), [1, 2, 3]);
    assert.equal((await c.findOne({ _id: new ObjectId(ids[3].toHexString()) })).d, 3);
    const byIdDesc = await c.find({}).sort({ _id: -1 }).toArray();
    assert.deepEqual(byIdDesc.map((doc) => doc._id.toHexString()), ids.map((id) => id.toHexString()).reverse());
    assert.equal(await c.countDocuments({ d: new Int32(2) }), 1, 'int32 2 equals int64 2');
    assert.equal(await c.countDocuments({ d: 2.0 }), 1, 'double 2.0 equals int64 2');
  });

  it('pages a filtered, sorted, limited find across getMore batches', async () => {
    const c = db.collection('paging');
    await c.insertMany(readings(1000));
    const cursor = c.find({ d: 7, t: { $gte: minutes(0) } }).sort({ t: -1 }).limit(95).batchSize(10);
    const docs = await cursor.toArray();
    assert.equal(docs.length, 95);
    assert.deepEqual(docs.map((doc) => doc.n), Array.from({ length: 95 }, (_, i) => 997 - 10 * i));
    const all = await c.find({}).batchSize(64).toArray();
    assert.equal(new Set(all.map((doc) => doc._id.toHexString())).size, 1000);
  });

  it('a sorted find with a small limit returns the leading rows of the full sort, ties in natural order', async () => {
    const c = db.collection('topk');
    await c.insertMany(Array.from({ length: 500 }, (_, i) => ({ n: i, g: (i * 7) % 13, t: minutes(i % 50) })));
    for (const [sort, skip, limit] of [[{ t: -1 }, 0, 1], [{ g: 1 }, 0, 10], [{ g: -1, n: 1 }, 3, 5], [{ t: 1 }, 40, 20]]) {
      const full = (await c.find({}).sort(sort).toArray()).slice(skip, skip + limit).map((doc) => doc.n);
      const some = (await c.find({}).sort(sort).skip(skip).limit(limit).toArray()).map((doc) => doc.n);
      assert.deepEqual(some, full, JSON.stringify({ sort, skip, limit }));
    }
    assert.deepEqual((await c.find({ t: minutes(49) }).sort({ t: -1 }).limit(3).toArray()).map((doc) => doc.n), [49, 99, 149],
      'equal keys come back in insertion order');
  });

  it('kills a cursor that is closed early', async () => {
    const c = db.collection('paging');
    const cursor = c.find({}).batchSize(5);
    await cursor.next();
    const id = cursor.id;
    await cursor.close();
    const err = await serverError(db.command({ getMore: id, collection: 'paging' }));
    assert.equal(err.code, 43);
  });

  it('applies skip, limit and projections without changing numeric types', async () => {
    const c = db.collection('paging');
    const options = { promoteLongs: false, promoteValues: false };
    const included = await c.find({ d: 3 }, options).sort({ n: 1 }).skip(2).limit(2).project({ _id: 0, d: 1, v: 1 }).toArray();
    assert.deepEqual(included, [{ d: Long.fromNumber(3), v: new Double(11.5) }, { d: Long.fromNumber(3), v: new Double(16.5) }]);
    const excluded = await c.findOne({ n: 4 }, { ...options, projection: { _id: 0, t: 0 } });
    assert.deepEqual(excluded, { d: Long.fromNumber(4), v: new Double(2), n: new Int32(4) });
    const computed = await c.findOne({ n: 4 }, { projection: { _id: 0, twice: { $multiply: ['$n', 2] } } });
    assert.deepEqual(computed, { twice: 8 });
  });

  it('reports each duplicate of an unordered insert and inserts the rest', async () => {
    const c = db.collection('unique');
    await c.createIndex({ d: 1, t: 1 }, { unique: true, name: 'd_1_t_1' });
    await c.insertMany(readings(10));
    const batch = [
      { d: Long.fromNumber(1), t: minutes(1) },
      { d: Long.fromNumber(1), t: minutes(100) },
      { d: Long.fromNumber(2), t: minutes(2) },
      { d: Long.fromNumber(1), t: minutes(100) },
      { d: Long.fromNumber(3), t: minutes(100) },
    ];
    const err = await serverError(c.insertMany(batch, { ordered: false }));
    assert.equal(err.code, 11000);
    assert.equal(err.result.insertedCount, 2);
    assert.deepEqual(err.writeErrors.map((e) => [e.index, e.code]), [[0, 11000], [2, 11000], [3, 11000]]);
    assert.equal(err.writeErrors[0].errmsg,
      `E11000 duplicate key error collection: gauge.unique index: d_1_t_1 dup key: { d: 1, t: new Date(${T0 + 60_000}) }`);
    assert.equal(await c.countDocuments({}), 12);
  });

  it('stops an ordered insert at the first duplicate', async () => {
    const c = db.collection('ordered');
    await c.insertOne({ _id: 2 });
    const err = await serverError(c.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }]));
    assert.equal(err.code, 11000);
    assert.match(err.writeErrors[0].errmsg, /index: _id_ dup key: \{ _id: 2 \}/);
    assert.deepEqual((await c.find({}).toArray()).map((doc) => doc._id), [2, 1]);
  });

  it('enforces a partial unique index only on documents matching its filter', async () => {
    const c = db.collection('partial');
    await c.createIndex({ d: 1, t: 1 }, { unique: true, name: 'live_once', partialFilterExpression: { live: true } });
    await c.insertMany([
      { d: 1, t: minutes(0), live: true },
      { d: 1, t: minutes(0), live: false },
      { d: 1, t: minutes(0) },
    ]);
    const err = await serverError(c.insertOne({ d: 1, t: minutes(0), live: true }));
    assert.equal(err.code, 11000);
    assert.equal(await c.countDocuments({}), 3);
  });

  it('treats a repeated createIndexes as a no-op and rejects a conflicting one', async () => {
    const c = db.collection('indexes');
    const spec = { createIndexes: 'indexes', indexes: [{ key: { d: 1 }, name: 'd_1', unique: true }] };
    const first = await db.command(spec);
    assert.deepEqual([first.numIndexesBefore, first.numIndexesAfter, first.createdCollectionAutomatically], [1, 2, true]);
    const again = await db.command(spec);
    assert.equal(again.note, 'all indexes already exist');
    const sameNameOtherKey = await serverError(db.command({ createIndexes: 'indexes', indexes: [{ key: { e: 1 }, name: 'd_1' }] }));
    assert.equal(sameNameOtherKey.code, 86);
    const sameKeyOtherName = await serverError(db.command({ createIndexes: 'indexes', indexes: [{ key: { d: 1 }, name: 'other', unique: true }] }));
    assert.equal(sameKeyOtherName.code, 85);
    const unnamed = await serverError(db.command({ createIndexes: 'indexes', indexes: [{ key: { f: 1 } }] }));
    assert.equal(unnamed.code, 9);
    const text = await serverError(db.command({ createIndexes: 'indexes', indexes: [{ key: { f: 'text' }, name: 'f_text' }] }));
    assert.equal(text.codeName, 'NotImplemented');
    assert.deepEqual((await c.listIndexes().toArray()).map((ix) => ix.name), ['_id_', 'd_1']);
  });

  it('fails to build a unique index over existing duplicates with E11000', async () => {
    const c = db.collection('dupdata');
    await c.insertMany([{ k: 'a' }, { k: 'b' }, { k: 'a' }]);
    const err = await serverError(c.createIndex({ k: 1 }, { unique: true, name: 'k_1' }));
    assert.equal(err.code, 11000);
    assert.match(err.message, /E11000 duplicate key error collection: gauge\.dupdata index: k_1 dup key: \{ k: "a" \}/);
    assert.deepEqual((await c.listIndexes().toArray()).map((ix) => ix.name), ['_id_']);
  });

  it('aggregates hourly buckets with $dateTrunc, $first and $last', async () => {
    const c = db.collection('paging');
    const buckets = await c.aggregate([
      { $match: { d: 3, t: { $lt: minutes(240) } } },
      { $sort: { t: 1 } },
      { $group: { _id: { $dateTrunc: { date: '$t', unit: 'hour' } }, count: { $sum: 1 }, first: { $first: '$n' }, last: { $last: '$n' }, avg: { $avg: '$v' } } },
      { $sort: { _id: 1 } },
    ]).toArray();
    assert.deepEqual(buckets.map((b) => [b._id.getTime(), b.count, b.first, b.last, b.avg]), [
      [T0, 6, 3, 53, 14],
      [T0 + 3_600_000, 6, 63, 113, 44],
      [T0 + 7_200_000, 6, 123, 173, 74],
      [T0 + 10_800_000, 6, 183, 233, 104],
    ]);
  });

  it('buckets by epoch arithmetic with $toLong, $subtract and $mod, as $dateTrunc binSize does', async () => {
    const c = db.collection('paging');
    const quarter = 15 * 60_000;
    const arithmetic = await c.aggregate([
      { $match: { d: 5, t: { $lt: minutes(120) } } },
      { $group: { _id: { $subtract: [{ $toLong: '$t' }, { $mod: [{ $toLong: '$t' }, quarter] }] }, n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]).toArray();
    const truncated = await c.aggregate([
      { $match: { d: 5, t: { $lt: minutes(120) } } },
      { $group: { _id: { $dateTrunc: { date: '$t', unit: 'minute', binSize: 15 } }, n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]).toArray();
    assert.equal(arithmetic.length, 8);
    assert.deepEqual(arithmetic.map((b) => [Number(b._id), b.n]), truncated.map((b) => [b._id.getTime(), b.n]));
    const [diff] = await c.aggregate([
      { $match: { n: 30 } },
      { $project: { _id: 0, ms: { $subtract: ['$t', minutes(0)] }, asDate: { $subtract: ['$t', 60_000] } } },
    ]).toArray();
    assert.deepEqual(diff, { ms: 1_800_000, asDate: minutes(29) });
  });

  it('counts with query, skip and limit', async () => {
    const c = db.collection('paging');
    assert.equal((await db.command({ count: 'paging', query: { d: 4 } })).n, 100);
    assert.equal((await db.command({ count: 'paging', query: { d: 4 }, skip: 95 })).n, 5);
    assert.equal((await db.command({ count: 'paging', query: { d: 4 }, limit: 7 })).n, 7);
    assert.equal(await c.estimatedDocumentCount(), 1000);
    assert.equal(await c.countDocuments({ n: { $gte: 990 } }), 10);
  });

  it('deletes one or all matching documents and reports n', async () => {
    const c = db.collection('deletes');
    await c.insertMany(readings(50, 5));
    assert.equal((await c.deleteOne({ d: 1 })).deletedCount, 1);
    assert.equal((await c.deleteMany({ d: 1 })).deletedCount, 9);
    assert.equal((await c.deleteMany({ d: 99 })).deletedCount, 0);
    const reply = await db.command({ delete: 'deletes', deletes: [{ q: { d: 2 }, limit: 0 }, { q: { d: 3 }, limit: 1 }] });
    assert.equal(reply.n, 11);
    assert.equal(await c.countDocuments({}), 29);
  });

  // Gauge's retention batches (store_readings_delete_batch): the oldest ids
  // by a sorted, limited, projected find, then a delete of those ids that
  // repeats the device and time condition.
  it('deletes a batch of the oldest ids with the device and time condition', async () => {
    const c = db.collection('prune');
    await c.insertMany(readings(60, 2));
    const cutoff = minutes(40);
    const ids = (await c.find({ d: Long.fromNumber(0), t: { $lt: cutoff } }, { projection: { _id: 1 } })
      .sort({ t: 1, _id: 1 }).limit(7).toArray()).map((x) => x._id);
    assert.equal(ids.length, 7);
    assert.deepEqual(Object.keys((await c.findOne({ _id: ids[0] }, { projection: { _id: 1 } }))), ['_id']);
    const other = (await c.findOne({ d: Long.fromNumber(1) }))._id;
    const r = await c.deleteMany({ d: Long.fromNumber(0), t: { $lt: cutoff }, _id: { $in: [...ids, other] } });
    assert.equal(r.deletedCount, 7, 'only the due readings of the device');
    assert.equal(await c.countDocuments({ d: Long.fromNumber(0), t: { $lt: cutoff } }), 20 - 7);
    assert.equal(await c.countDocuments({ d: Long.fromNumber(1) }), 30);
    const left = await c.find({ d: Long.fromNumber(0) }).sort({ t: 1 }).limit(1).toArray();
    assert.equal(left[0].n, 14, 'the oldest went first');
  });

  it('returns empty results for a collection that does not exist', async () => {
    const c = db.collection('missing');
    assert.deepEqual(await c.find({ a: 1 }).toArray(), []);
    assert.deepEqual(await c.aggregate([{ $group: { _id: '$a' } }]).toArray(), []);
    assert.equal(await c.countDocuments({}), 0);
    assert.equal((await c.deleteMany({})).deletedCount, 0);
    const names = (await db.listCollections().toArray()).map((x) => x.name);
    assert.ok(!names.includes('missing'));
  });

  it('answers equality queries the same with and without an index', async () => {
    const docs = [
      { d: 1, tag: 'a' }, { d: [1, 2], tag: 'b' }, { d: [[1]], tag: 'c' }, { d: { x: 1 }, tag: 'd' },
      { d: Long.fromNumber(2), tag: 'e' }, { d: 2.5, tag: 'f' }, { d: '1', tag: 'g' }, { tag: 'h' },
      { d: null, tag: 'i' }, { d: minutes(1), tag: 'j' }, { e: [{ f: 1 }, { f: 2 }], tag: 'k' },
    ];
    const plain = db.collection('noindex');
    const indexed = db.collection('withindex');
    await indexed.createIndex({ d: 1 }, { name: 'd_1' });
    await indexed.createIndex({ 'e.f': 1 }, { name: 'ef_1' });
    await plain.insertMany(docs.map((doc) => ({ ...doc })));
    await indexed.insertMany(docs.map((doc) => ({ ...doc })));
    const filters = [
      { d: 1 }, { d: 2 }, { d: new Double(2) }, { d: '1' }, { d: { $in: [2.5, 1] } }, { d: { $eq: minutes(1) } },
      { d: null }, { d: { x: 1 } }, { 'e.f': 2 }, { $and: [{ d: 1 }, { tag: 'b' }] }, { d: [1, 2] },
    ];
    for (const filter of filters) {
      const tags = async (c) => (await c.find(filter).sort({ tag: 1 }).toArray()).map((doc) => doc.tag);
      assert.deepEqual(await tags(indexed), await tags(plain), JSON.stringify(filter));
    }
  });

  it('creates, lists and drops collections and databases', async () => {
    const other = client.db('scratch');
    await other.createCollection('empty');
    const exists = await serverError(other.createCollection('empty'));
    assert.equal(exists.code, 48);
    await other.collection('full').insertOne({ a: 1 });
    const names = (await other.listCollections({}, { nameOnly: true }).toArray()).map((x) => x.name).sort();
    assert.deepEqual(names, ['empty', 'full']);
    assert.equal(await other.collection('empty').drop(), true);
    const gone = await serverError(other.command({ drop: 'empty' }));
    assert.equal(gone.code, 26);
    await other.dropDatabase();
    assert.deepEqual(await other.listCollections().toArray(), []);
  });

  it('rejects unknown commands with CommandNotFound', async () => {
    const err = await serverError(db.command({ frobnicate: 1 }));
    assert.deepEqual([err.code, err.codeName, err.message], [59, 'CommandNotFound', "no such command: 'frobnicate'"]);
    const update = await serverError(db.collection('paging').updateOne({ n: 1 }, { $set: { x: 1 } }));
    assert.equal(update.code, 59);
  });

  it('rejects operators it cannot evaluate instead of answering', async () => {
    for (const name of ['paging', 'missing']) {
      const c = db.collection(name);
      const cases = [
        [() => c.find({ d: { $foo: 1 } }).toArray(), 2, /unknown operator: \$foo/],
        [() => c.find({ $foo: [] }).toArray(), 2, /unknown top level operator: \$foo/],
        [() => c.find({ $where: 'this.d == 1' }).toArray(), 2, /scriptEnabled/],
        [() => c.find({ d: { $type: 'long' } }).toArray(), 238, /\$type "long"/],
        [() => c.aggregate([{ $frobnicate: {} }]).toArray(), 40324, /Unrecognized pipeline stage name: '\$frobnicate'/],
        [() => c.aggregate([{ $project: { x: { $frobnicate: '$d' } } }]).toArray(), 168, /Unrecognized expression '\$frobnicate'/],
        [() => c.aggregate([{ $lookup: { from: 'x', localField: 'a', foreignField: 'b', as: 'c' } }]).toArray(), 238, /\$lookup/],
        [() => c.find({ $expr: { $frobnicate: 1 } }).toArray(), 168, /\$frobnicate/],
        [() => db.command({ aggregate: name, pipeline: [], explain: true }), 238, /explain/],
      ];
      for (const [run, code, message] of cases) {
        const err = await serverError(run());
        assert.equal(err.code, code, `${name}: ${err.message}`);
        assert.match(err.message, message);
      }
    }
  });

  it('refuses transactions with IllegalOperation, as a standalone does', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      const err = await serverError(db.collection('txn').insertOne({ a: 1 }, { session }));
      assert.equal(err.code, 20);
      await session.abortTransaction().catch(() => {});
    } finally {
      await session.endSession();
    }
    assert.equal(await db.collection('txn').countDocuments({}), 0);
  });
});

describe('durability', () => {
  it('keeps documents, deletions and indexes across a restart', async () => {
    const dbpath = tempDbpath();
    let server = await start(dbpath);
    try {
      await withClient(server.uri, async (db) => {
        const c = db.collection('readings');
        await c.createIndex({ d: 1, t: 1 }, { unique: true, name: 'd_1_t_1' });
        await c.insertMany(readings(3000));
        await c.deleteMany({ d: 9 });
      });
      assert.equal(await server.stop(), 0);
      server = await start(dbpath);
      await withClient(server.uri, async (db) => {
        const c = db.collection('readings');
        assert.equal(await c.countDocuments({}), 2700);
        assert.equal(await c.countDocuments({ d: 9 }), 0);
        const doc = await c.findOne({ n: 1234 }, { promoteLongs: false, promoteValues: false });
        assert.deepEqual([doc.d, doc.t, doc.v], [Long.fromNumber(4), minutes(1234), new Double(617)]);
        const err = await serverError(c.insertOne({ d: Long.fromNumber(4), t: minutes(1234) }));
        assert.equal(err.code, 11000, 'the unique index survives the restart');
      });
    } finally {
      await server.stop();
    }
  });

  it('ignores a torn final journal record and keeps accepting writes', async () => {
    const dbpath = tempDbpath();
    let server = await start(dbpath);
    try {
      await withClient(server.uri, (db) => db.collection('torn').insertMany(readings(100)));
      await server.stop();
      const journal = path.join(dbpath, 'gauge', 'torn.journal');
      const intact = fs.statSync(journal).size;
      // What a crash halfway through appending a record leaves behind.
      const record = fs.readFileSync(journal).subarray(-500);
      fs.appendFileSync(journal, record.subarray(0, 250));
      server = await start(dbpath);
      assert.match(server.stderr(), /ignoring 250 bytes of torn journal tail/);
      assert.equal(fs.statSync(journal).size, intact);
      await withClient(server.uri, async (db) => {
        assert.equal(await db.collection('torn').countDocuments({}), 100);
        await db.collection('torn').insertOne({ after: true });
      });
      await server.stop();
      server = await start(dbpath);
      await withClient(server.uri, async (db) => {
        assert.equal(await db.collection('torn').countDocuments({}), 101);
      });
    } finally {
      await server.stop();
    }
  });

  it('compacts a journal dominated by deletions on startup', async () => {
    const dbpath = tempDbpath();
    let server = await start(dbpath);
    const journal = path.join(dbpath, 'gauge', 'churn.journal');
    try {
      await withClient(server.uri, async (db) => {
        await db.collection('churn').createIndex({ n: 1 }, { unique: true, name: 'n_1' });
        await db.collection('churn').insertMany(readings(1000));
        await db.collection('churn').deleteMany({ n: { $gte: 100 } });
      });
      await server.stop();
      const before = fs.statSync(journal).size;
      server = await start(dbpath);
      assert.ok(fs.statSync(journal).size < before / 5);
      await server.stop();
      server = await start(dbpath);
      await withClient(server.uri, async (db) => {
        assert.equal(await db.collection('churn').countDocuments({}), 100);
        const err = await serverError(db.collection('churn').insertOne({ n: 5 }));
        assert.equal(err.code, 11000);
      });
    } finally {
      await server.stop();
    }
  });

  it('exits with status 0 within a second of SIGTERM', async () => {
    const server = await start(tempDbpath());
    await withClient(server.uri, (db) => db.collection('x').insertOne({ a: 1 }));
    const started = Date.now();
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.ok(Date.now() - started < 1000);
  });
});

// Raw wire-protocol exchanges, for what the Node driver never sends.
describe('wire protocol', () => {
  let server;
  before(async () => { server = await start(tempDbpath()); });
  after(async () => { await server?.stop(); });

  let requestId = 100;
  const header = (length, opCode) => {
    const head = Buffer.alloc(16);
    head.writeInt32LE(length, 0);
    head.writeInt32LE(++requestId, 4);
    head.writeInt32LE(opCode, 12);
    return head;
  };

  function opQuery(namespace, doc) {
    const body = Buffer.concat([Buffer.alloc(4), Buffer.from(`${namespace}\0`), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0]), BSON.serialize(doc)]);
    return Buffer.concat([header(16 + body.length, 2004), body]);
  }

  function opMsg(doc, { flags = 0, sequence, checksum = false } = {}) {
    const sections = [Buffer.from([0]), BSON.serialize(doc)];
    if (sequence) {
      const docs = Buffer.concat(sequence.docs.map((d) => BSON.serialize(d)));
      const id = Buffer.from(`${sequence.id}\0`);
      const size = Buffer.alloc(4);
      size.writeInt32LE(4 + id.length + docs.length);
      sections.push(Buffer.from([1]), size, id, docs);
    }
    const flagBits = Buffer.alloc(4);
    flagBits.writeUInt32LE(flags | (checksum ? 1 : 0));
    const payload = Buffer.concat([flagBits, ...sections]);
    const message = Buffer.concat([header(16 + payload.length + (checksum ? 4 : 0), 2013), payload]);
    if (!checksum) return message;
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32c(message));
    return Buffer.concat([message, crc]);
  }

  // Sends messages on one connection and collects `replies` replies.
  async function exchange(messages, replies) {
    const socket = net.connect(server.port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      messages.forEach((m) => socket.write(m));
      let data = Buffer.alloc(0);
      const out = [];
      for await (const chunk of socket) {
        data = Buffer.concat([data, chunk]);
        while (data.length >= 4 && data.length >= data.readInt32LE(0)) {
          const length = data.readInt32LE(0);
          out.push(data.subarray(0, length));
          data = data.subarray(length);
        }
        if (out.length >= replies) break;
      }
      return out.map((m) => ({
        responseTo: m.readInt32LE(8),
        opCode: m.readInt32LE(12),
        flags: m.readInt32LE(16),
        doc: BSON.deserialize(m.readInt32LE(12) === 1 ? m.subarray(36) : m.subarray(21)),
      }));
    } finally {
      socket.destroy();
    }
  }

  it('answers a legacy OP_QUERY isMaster handshake with OP_REPLY', async () => {
    const [reply] = await exchange([opQuery('admin.$cmd', { isMaster: 1, client: { application: { name: 't' } } })], 1);
    assert.equal(reply.opCode, 1);
    assert.equal(reply.responseTo, requestId);
    assert.equal(reply.doc.ismaster, true);
    assert.equal(reply.doc.maxWireVersion, 13);
  });

  it('refuses an OP_QUERY that is not a command with QueryFailure', async () => {
    const [reply] = await exchange([opQuery('gauge.readings', { a: 1 })], 1);
    assert.equal(reply.opCode, 1);
    assert.equal(reply.flags & 2, 2);
    assert.match(reply.doc.$err, /not supported/);
  });

  it('accepts OP_MSG document sequences and checksums, and sends nothing for moreToCome', async () => {
    const insert = opMsg({ insert: 'wire', $db: 'gauge' }, {
      flags: 2,
      checksum: true,
      sequence: { id: 'documents', docs: [{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }] },
    });
    const find = opMsg({ find: 'wire', filter: {}, $db: 'gauge' }, { checksum: true });
    const [reply] = await exchange([insert, find], 1);
    assert.equal(reply.opCode, 2013);
    assert.equal(reply.responseTo, requestId, 'the only reply answers the find');
    assert.deepEqual(reply.doc.cursor.firstBatch, [{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }]);
    assert.equal(reply.doc.cursor.ns, 'gauge.wire');
  });
});
