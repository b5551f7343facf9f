// MongoDB wire protocol framing. It splits a connection's byte stream into
// messages, decodes the two request formats drivers use (legacy OP_QUERY,
// which drivers still use for the first handshake, and OP_MSG for everything
// else) and writes the matching reply (OP_REPLY or OP_MSG). It knows nothing
// about what commands mean: a handler turns each request into a reply
// document. Compression is never advertised, so OP_COMPRESSED is an error.
import * as BSON from 'bson';
import { crc32c } from './crc32c.mjs';

export const MAX_MESSAGE_BYTES = 48_000_000;

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;
// OP_MSG flag bits 0-15 must be understood by the receiver, 16-31 may be ignored.
const KNOWN_REQUIRED_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME;

const QUERY_FAILURE = 1 << 1;

export class ProtocolError extends Error {}

// Complete messages from a stream of chunks. Chunks are joined only once a
// whole message has arrived, so a large message costs one copy.
async function* messages(chunks) {
  let pending = [];
  let size = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.length;
    while (size >= 4) {
      if (pending[0].length < 4) pending = [Buffer.concat(pending, size)];
      const length = pending[0].readInt32LE(0);
      if (length < 16 || length > MAX_MESSAGE_BYTES) throw new ProtocolError(`invalid message length ${length}`);
      if (size < length) break;
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, size);
      yield all.subarray(0, length);
      pending = all.length > length ? [all.subarray(length)] : [];
      size -= length;
    }
  }
}

function readCString(buf, pos) {
  const end = buf.indexOf(0, pos);
  if (end < 0) throw new ProtocolError('unterminated string');
  return [buf.toString('utf8', pos, end), end + 1];
}

function readDocument(buf, pos, limit) {
  if (pos + 4 > limit) throw new ProtocolError('truncated document');
  const length = buf.readInt32LE(pos);
  if (length < 5 || pos + length > limit) throw new ProtocolError(`invalid document length ${length}`);
  return buf.subarray(pos, pos + length);
}

// OP_MSG: flags, then sections. Kind 0 is the command body; kind 1 is a
// document sequence (e.g. insert's `documents`) kept as raw documents.
function decodeMsg(buf) {
  const flags = buf.readUInt32LE(16);
  if (flags & 0xffff & ~KNOWN_REQUIRED_FLAGS) throw new ProtocolError(`unsupported OP_MSG flags 0x${flags.toString(16)}`);
  // The CRC-32C trailer, when present, covers everything before it and is
  // not part of any section.
  const end = flags & CHECKSUM_PRESENT ? buf.length - 4 : buf.length;
  if (end < buf.length && crc32c(buf.subarray(0, end)) !== buf.readUInt32LE(end)) {
    throw new ProtocolError('OP_MSG checksum mismatch');
  }
  let body = null;
  const sequences = new Map();
  let pos = 20;
  while (pos < end) {
    const kind = buf[pos++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG with more than one body section');
      body = readDocument(buf, pos, end);
      pos += body.length;
    } else if (kind === 1) {
      const sectionEnd = pos + buf.readInt32LE(pos);
      if (sectionEnd > end) throw new ProtocolError('truncated document sequence');
      const [identifier, first] = readCString(buf, pos + 4);
      const docs = [];
      for (let p = first; p < sectionEnd; p += docs.at(-1).length) docs.push(readDocument(buf, p, sectionEnd));
      sequences.set(identifier, docs);
      pos = sectionEnd;
    } else {
      throw new ProtocolError(`unsupported OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  return { body, sequences, moreToCome: (flags & MORE_TO_COME) !== 0, legacy: false };
}

// OP_QUERY is only accepted for commands (namespace "<db>.$cmd").
function decodeQuery(buf) {
  const [namespace, pos] = readCString(buf, 20);
  const body = readDocument(buf, pos + 8, buf.length);
  const dot = namespace.indexOf('.');
  const isCommand = dot > 0 && namespace.slice(dot + 1) === '$cmd';
  return { body, sequences: new Map(), moreToCome: false, legacy: true, db: namespace.slice(0, dot), namespace, isCommand };
}

function decode(buf) {
  const opCode = buf.readInt32LE(12);
  if (opCode === OP_MSG) return decodeMsg(buf);
  if (opCode === OP_QUERY) return decodeQuery(buf);
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

let nextRequestId = 1;

function header(length, responseTo, opCode) {
  const head = Buffer.alloc(16);
  head.writeInt32LE(length, 0);
  head.writeInt32LE(nextRequestId++, 4);
  head.writeInt32LE(responseTo, 8);
  head.writeInt32LE(opCode, 12);
  return head;
}

function encodeMsg(responseTo, doc) {
  const prefix = Buffer.from([0, 0, 0, 0, 0]); // flagBits, then section kind 0
  return Buffer.concat([header(16 + prefix.length + doc.length, responseTo, OP_MSG), prefix, doc]);
}

function encodeReply(responseTo, doc, flags = 0) {
  const fields = Buffer.alloc(20); // responseFlags, cursorID, startingFrom, numberReturned
  fields.writeInt32LE(flags, 0);
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(16 + fields.length + doc.length, responseTo, OP_REPLY), fields, doc]);
}

// Serves one connection until it closes. `handle(request)` resolves to the
// encoded reply document. Requests are handled strictly in order.
export async function serveConnection(socket, handle) {
  for await (const message of messages(socket)) {
    const requestId = message.readInt32LE(4);
    const request = decode(message);
    if (request.legacy && !request.isCommand) {
      const refusal = { $err: `OP_QUERY on '${request.namespace}' is not supported; only commands are`, code: 352, ok: 0 };
      socket.write(encodeReply(requestId, BSON.serialize(refusal), QUERY_FAILURE));
      continue;
    }
    const reply = await handle(request);
    if (request.moreToCome) continue;
    socket.write(request.legacy ? encodeReply(requestId, reply) : encodeMsg(requestId, reply));
  }
}
