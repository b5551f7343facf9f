// The outbox: where accepted messages land, one pretty JSON file each, plus
// requests.log with one line per provider request whatever its outcome.
//
// Files are written tmp -> fsync -> rename -> fsync(dir) so that a test (or
// a person) never sees a half-written message, and a message the sink
// answered 2xx for survives the sink being killed right after. Names start
// with a zero-padded sequence number so `ls` shows arrival order; the number
// continues across restarts by scanning what is already there.

import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const PROVIDERS = ['ses', 'twilio', 'webhook'];
const MESSAGE_FILE = /^(\d+)-.+\.json$/;
const SEQUENCE_WIDTH = 6;

async function fsyncPath(path, flags) {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeDurably(dir, name, text) {
  const tmp = join(dir, `.tmp-${process.pid}-${name}`);
  const final = join(dir, name);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, final);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fsyncPath(dir, 'r'); // makes the rename itself durable
  return final;
}

export class Outbox {
  #root;
  #next = new Map();
  #pending = new Set();

  constructor(root) {
    this.#root = root;
    for (const provider of PROVIDERS) {
      const dir = this.dir(provider);
      mkdirSync(dir, { recursive: true });
      let max = 0;
      for (const name of readdirSync(dir)) {
        const m = MESSAGE_FILE.exec(name);
        if (m) max = Math.max(max, Number(m[1]));
      }
      this.#next.set(provider, max + 1);
    }
  }

  get root() {
    return this.#root;
  }

  get requestsLog() {
    return join(this.#root, 'requests.log');
  }

  dir(provider) {
    return join(this.#root, provider);
  }

  // The sequence number is taken synchronously, before any await, so two
  // requests racing through the async write still get numbers in the order
  // they were accepted.
  async store(provider, messageId, record) {
    const sequence = this.#next.get(provider);
    this.#next.set(provider, sequence + 1);
    const file = `${String(sequence).padStart(SEQUENCE_WIDTH, '0')}-${messageId}.json`;
    const text = `${JSON.stringify({ provider, sequence, ...record }, null, 2)}\n`;
    const write = writeDurably(this.dir(provider), file, text);
    this.#pending.add(write);
    try {
      await write;
    } finally {
      this.#pending.delete(write);
    }
    return { sequence, file: join(provider, file) };
  }

  // Appended synchronously: one write(2) of one line with O_APPEND keeps
  // lines whole and in the order responses were decided, which is what
  // tests counting attempts rely on.
  logRequest(entry) {
    appendFileSync(this.requestsLog, `${JSON.stringify(entry)}\n`);
  }

  async list(provider) {
    const names = (await readdir(this.dir(provider))).filter((n) => MESSAGE_FILE.test(n)).sort();
    return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(this.dir(provider), n), 'utf8'))));
  }

  readRequests() {
    try {
      return readFileSync(this.requestsLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    } catch (err) {
      if (err.code === 'ENOENT') return [];
      throw err;
    }
  }

  // Lets shutdown finish writes already under way, bounded so that SIGTERM
  // stays prompt even on a slow disk.
  async drain(timeoutMs) {
    if (this.#pending.size === 0) return;
    await Promise.race([
      Promise.allSettled([...this.#pending]),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }
}
