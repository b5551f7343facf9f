// Append-only journal files, one per collection. Every record is framed as
// [payload length u32][CRC-32C u32][BSON payload]: replay can then tell a
// record torn by a crash mid-append from good ones and stop there instead of
// failing. Appends are acknowledged only after fdatasync; appends that arrive
// while a sync is in flight share the next one (group commit), which keeps
// many small concurrent writes from paying one fsync each.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32c } from './crc32c.mjs';

const write = promisify(fs.write);
const fdatasync = promisify(fs.fdatasync);
const close = promisify(fs.close);

function frame(payload) {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32c(payload), 4);
  return Buffer.concat([head, payload]);
}

// The intact records of a journal, and where the intact part ends.
export function readRecords(file) {
  const bytes = fs.readFileSync(file);
  const records = [];
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const length = bytes.readUInt32LE(pos);
    const end = pos + 8 + length;
    if (length < 5 || end > bytes.length) break;
    const payload = bytes.subarray(pos + 8, end);
    if (crc32c(payload) !== bytes.readUInt32LE(pos + 4)) break;
    records.push(payload);
    pos = end;
  }
  return { records, validBytes: pos, totalBytes: bytes.length };
}

// A new directory entry (file created, renamed or removed) is only durable
// once the directory itself is synced.
export function syncDirectory(dir) {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

// Writes a whole journal at once (a new collection, or a compacted one) and
// returns only when it is durable.
export function writeJournalFile(file, payloads) {
  const bytes = Buffer.concat(payloads.map(frame));
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  syncDirectory(path.dirname(file));
}

export class Journal {
  #fd;
  #queue = [];
  #draining = null;

  constructor(file) {
    this.#fd = fs.openSync(file, 'a');
  }

  // Resolves once the record is on disk.
  append(payload) {
    return new Promise((resolve, reject) => {
      this.#queue.push({ bytes: frame(payload), resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  async #drain() {
    while (this.#queue.length) {
      const batch = this.#queue.splice(0);
      try {
        const bytes = Buffer.concat(batch.map((entry) => entry.bytes));
        for (let off = 0; off < bytes.length;) {
          off += (await write(this.#fd, bytes, off, bytes.length - off, null)).bytesWritten;
        }
        await fdatasync(this.#fd);
        batch.forEach((entry) => entry.resolve());
      } catch (err) {
        batch.forEach((entry) => entry.reject(err));
      }
    }
    this.#draining = null;
  }

  async close() {
    await this.#draining;
    await close(this.#fd);
  }
}
