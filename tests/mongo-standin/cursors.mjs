// Server-side cursors for find, aggregate and the list commands. A result is
// computed once and kept as an array of encoded documents that getMore hands
// out in batches; being a snapshot, concurrent writes never shift a page
// boundary. Idle cursors expire after 10 minutes, as on MongoDB.
import { randomInt } from 'node:crypto';
import { Long } from 'bson';
import { CommandError } from './errors.mjs';
import { MAX_BSON_BYTES } from './rawbson.mjs';

const DEFAULT_FIRST_BATCH = 101;
const IDLE_MS = 10 * 60 * 1000;

// Up to `max` documents from `pos`, stopping before the batch would exceed
// the BSON size limit (but always at least one document).
function takeBatch(docs, pos, max) {
  const stop = Math.min(docs.length, pos + max);
  let end = pos;
  let bytes = 0;
  while (end < stop && (end === pos || bytes + docs[end].length <= MAX_BSON_BYTES)) bytes += docs[end++].length;
  return docs.slice(pos, end);
}

export class Cursors {
  #open = new Map();
  #sweeper = setInterval(() => this.#expireIdle(), 60_000).unref();

  // The reply for the command that creates a cursor. batchSize 0 returns an
  // empty first batch and keeps everything for getMore.
  open(ns, docs, { batchSize = DEFAULT_FIRST_BATCH, singleBatch = false } = {}) {
    const firstBatch = takeBatch(docs, 0, batchSize);
    let id = 0;
    if (firstBatch.length < docs.length && !singleBatch) {
      do id = randomInt(1, 2 ** 47); while (this.#open.has(id));
      this.#open.set(id, { ns, docs, pos: firstBatch.length, used: Date.now() });
    }
    return { cursor: { firstBatch, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  more(id, ns, batchSize) {
    const cursor = this.#open.get(id);
    if (!cursor) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    if (cursor.ns !== ns) {
      throw new CommandError(13, 'Unauthorized', `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    }
    const nextBatch = takeBatch(cursor.docs, cursor.pos, batchSize || Infinity);
    cursor.pos += nextBatch.length;
    cursor.used = Date.now();
    const exhausted = cursor.pos >= cursor.docs.length;
    if (exhausted) this.#open.delete(id);
    return { cursor: { nextBatch, id: Long.fromNumber(exhausted ? 0 : id), ns }, ok: 1 };
  }

  kill(ids) {
    const killed = ids.filter((id) => this.#open.delete(id));
    const notFound = ids.filter((id) => !killed.includes(id));
    const asLongs = (list) => list.map((id) => Long.fromNumber(id));
    return { cursorsKilled: asLongs(killed), cursorsNotFound: asLongs(notFound), cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  #expireIdle() {
    const cutoff = Date.now() - IDLE_MS;
    for (const [id, cursor] of this.#open) if (cursor.used < cutoff) this.#open.delete(id);
  }

  close() {
    clearInterval(this.#sweeper);
    this.#open.clear();
  }
}
