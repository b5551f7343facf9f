// The catalog of databases and collections, and the bridge between in-memory
// collections and their journals under --dbpath (<db>/<collection>.journal,
// names %-encoded). At startup it replays every journal, dropping a torn
// final record and compacting journals that are mostly deletions. Afterwards
// it creates a journal when a collection first appears, removes it on drop,
// and makes each change durable before the caller acknowledges it.
//
// Journal records (BSON):
//   {op: 'create', db, collection}      always the first record
//   {op: 'insert', docs: [<stored document bytes>...]}
//   {op: 'delete', ids: [<_id>...]}    ids, not filters: replay is exact
//   {op: 'createIndexes', specs: [...]}
//
// File lifecycle (create, drop) uses synchronous calls, so the catalog and the
// files on disk change in the same tick and cannot race with other requests.
import fs from 'node:fs';
import path from 'node:path';
import { Collection, rawOf } from './collection.mjs';
import { CommandError } from './errors.mjs';
import { Journal, readRecords, syncDirectory, writeJournalFile } from './persist.mjs';
import { encodeDocument, toView } from './rawbson.mjs';

const JOURNAL_SUFFIX = '.journal';
const COMPACT_SUFFIX = '.compact';
const INSERT_CHUNK = 1000;

const encodeName = (name) =>
  name.replace(/[^A-Za-z0-9_-]/gu, (c) => [...Buffer.from(c)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));

const decodeRecord = (payload) => toView(payload, { fieldsAsRaw: { docs: true } });

export class Storage {
  #dbpath;
  #log;
  #onFatal;
  #databases = new Map(); // db name -> Map(collection name -> entry)
  #entries = new Map(); // Collection -> { collection, journal, file }

  // Opens dbpath (creating it if needed) and replays everything in it.
  constructor(dbpath, { log, onFatal }) {
    this.#dbpath = dbpath;
    this.#log = log;
    this.#onFatal = onFatal;
    fs.mkdirSync(dbpath, { recursive: true });
    for (const dirent of fs.readdirSync(dbpath, { withFileTypes: true })) {
      if (dirent.isDirectory()) this.#replayDatabase(path.join(dbpath, dirent.name));
    }
  }

  collection(db, name) {
    return this.#databases.get(db)?.get(name)?.collection;
  }

  collectionNames(db) {
    return [...(this.#databases.get(db)?.keys() ?? [])];
  }

  // The collection, created (durably) if it does not exist yet.
  collectionForWrite(db, name) {
    const existing = this.collection(db, name);
    if (existing) return existing;
    const dir = path.join(this.#dbpath, encodeName(db));
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir);
      syncDirectory(this.#dbpath);
    }
    const file = path.join(dir, `${encodeName(name)}${JOURNAL_SUFFIX}`);
    writeJournalFile(file, [encodeDocument({ op: 'create', db, collection: name })]);
    return this.#attach(new Collection(db, name), file);
  }

  // Resolves once the record is durable. A journal that cannot be written is
  // fatal: memory already holds the change, so carrying on would acknowledge
  // data that a restart loses.
  append(collection, record) {
    return this.#entries.get(collection).journal.append(encodeDocument(record)).catch(this.#onFatal);
  }

  drop(db, name) {
    const entries = this.#databases.get(db);
    const entry = entries?.get(name);
    if (!entry) return;
    entries.delete(name);
    this.#entries.delete(entry.collection);
    fs.unlinkSync(entry.file);
    syncDirectory(path.dirname(entry.file));
    // Appends already queued land in the unlinked file, harmlessly.
    entry.journal.close().catch((err) => this.#log(`closing ${entry.file}: ${err.message}`));
    if (entries.size === 0) this.#forgetDatabase(db);
  }

  dropDatabase(db) {
    for (const name of this.collectionNames(db)) this.drop(db, name);
    this.#forgetDatabase(db);
  }

  // A database exists only while it has collections, as on MongoDB.
  #forgetDatabase(db) {
    this.#databases.delete(db);
    const dir = path.join(this.#dbpath, encodeName(db));
    if (fs.existsSync(dir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      syncDirectory(this.#dbpath);
    }
  }

  // Waits for queued appends to reach the disk, then closes every journal.
  async close() {
    await Promise.all([...this.#entries.values()].map((entry) => entry.journal.close()));
  }

  #attach(collection, file) {
    const entry = { collection, journal: new Journal(file), file };
    if (!this.#databases.has(collection.db)) this.#databases.set(collection.db, new Map());
    this.#databases.get(collection.db).set(collection.name, entry);
    this.#entries.set(collection, entry);
    return collection;
  }

  #replayDatabase(dir) {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      // A compaction interrupted by a crash; the journal it would have
      // replaced is still complete.
      if (name.endsWith(COMPACT_SUFFIX)) fs.unlinkSync(file);
      else if (name.endsWith(JOURNAL_SUFFIX)) this.#replayJournal(file);
    }
  }

  #replayJournal(file) {
    const { records, validBytes, totalBytes } = readRecords(file);
    if (validBytes < totalBytes) {
      this.#log(`${file}: ignoring ${totalBytes - validBytes} bytes of torn journal tail`);
      fs.truncateSync(file, validBytes);
    }
    const [head, ...rest] = records.map(decodeRecord);
    if (head?.op !== 'create') {
      // Creation itself was interrupted, so it was never acknowledged.
      this.#log(`${file}: no complete header record, removing`);
      fs.unlinkSync(file);
      return;
    }
    const collection = new Collection(head.db, head.collection);
    let deleted = 0;
    for (const record of rest) {
      try {
        deleted += this.#apply(collection, record);
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        this.#log(`${file}: replaying ${record.op}: ${err.message}`);
      }
    }
    if (deleted > collection.size) this.#compact(collection, file);
    this.#attach(collection, file);
  }

  // Applies one journal record; returns how many documents it deleted.
  #apply(collection, record) {
    switch (record.op) {
      case 'insert': {
        const { writeErrors } = collection.insertMany(record.docs, false);
        for (const err of writeErrors) this.#log(`${collection.ns}: replayed insert failed: ${err.errmsg}`);
        return 0;
      }
      case 'delete': {
        const before = collection.size;
        collection.deleteIds(record.ids);
        return before - collection.size;
      }
      case 'createIndexes':
        collection.createIndexes(record.specs);
        return 0;
      default:
        throw new Error(`unknown journal record '${record.op}' in ${collection.ns}`);
    }
  }

  // Rewrites a journal as header + indexes + live documents.
  #compact(collection, file) {
    const docs = [...collection.docs].map(rawOf);
    const specs = collection.indexSpecs().filter((spec) => spec.name !== '_id_');
    const records = [{ op: 'create', db: collection.db, collection: collection.name }];
    if (specs.length) records.push({ op: 'createIndexes', specs });
    for (let i = 0; i < docs.length; i += INSERT_CHUNK) records.push({ op: 'insert', docs: docs.slice(i, i + INSERT_CHUNK) });
    const temp = `${file}${COMPACT_SUFFIX}`;
    writeJournalFile(temp, records.map(encodeDocument));
    fs.renameSync(temp, file);
    syncDirectory(path.dirname(file));
    this.#log(`${collection.ns}: compacted journal to ${docs.length} documents`);
  }
}
