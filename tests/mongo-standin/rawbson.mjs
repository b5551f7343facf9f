// Stored documents are kept as the exact bytes the client sent, so every BSON
// type (int32 vs int64 vs double, Decimal128, binary subtypes) comes back
// unchanged. This module works on those bytes and converts between them and
// the two JavaScript shapes the stand-in needs:
//  - a "view": plain JS values mingo can compare; every numeric type becomes a
//    JS number (int64 beyond ±2^53 loses precision, in comparisons only);
//  - a "typed" document: bson wrapper classes (Int32, Double, Long) that
//    re-serialize losslessly, used when a projection reshapes stored documents.
import * as BSON from 'bson';
import { CommandError } from './errors.mjs';

const { Long, ObjectId } = BSON;

export const MAX_BSON_BYTES = 16 * 1024 * 1024;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const TYPE_INT64 = 0x12;

export const isPlainObject = (v) => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

function deserialize(raw, options) {
  try {
    return BSON.deserialize(raw, options);
  } catch (err) {
    throw new CommandError(22, 'InvalidBSON', `invalid BSON: ${err.message}`);
  }
}

// bson already turns int64 values that fit a double exactly into numbers; the
// rest arrive as Long and are narrowed here so mingo compares them as numbers.
function narrowLongs(value) {
  if (value instanceof Long) return value.toNumber();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = narrowLongs(value[i]);
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) value[key] = narrowLongs(value[key]);
  }
  return value;
}

export function toView(raw, options) {
  const doc = deserialize(raw, options);
  return raw.includes(TYPE_INT64) ? narrowLongs(doc) : doc;
}

export const toTyped = (raw) => deserialize(raw, { promoteValues: false, bsonRegExp: true });

// The raw elements of a body array field (e.g. `documents` sent inline rather
// than as an OP_MSG document sequence), without decoding them.
export function rawArrayField(body, name) {
  const doc = deserialize(body, { fieldsAsRaw: { [name]: true } });
  return doc[name] ?? doc.$query?.[name];
}

// Documents computed by mingo have lost their numeric subtypes. Integers that
// do not fit int32 go back as int64 (as $toLong, date differences and large
// sums do on MongoDB); other numbers follow bson's int32/double choice.
function widen(value) {
  if (typeof value === 'number') {
    const wide = Number.isSafeInteger(value) && (value < INT32_MIN || value > INT32_MAX);
    return wide ? Long.fromNumber(value) : value;
  }
  if (Array.isArray(value)) return value.map(widen);
  if (isPlainObject(value)) {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = widen(v);
    return out;
  }
  return value;
}

// MongoDB always puts _id first; mingo's $project moves it last.
function idFirst(doc) {
  if (!('_id' in doc) || Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

export const encodeComputed = (doc) => BSON.serialize(idFirst(widen(doc)), { ignoreUndefined: true });
export const encodeTyped = (doc) => BSON.serialize(idFirst(doc), { ignoreUndefined: true });

// Byte length of an element value starting at `pos`, per the BSON spec.
function valueLength(raw, type, pos) {
  switch (type) {
    case 0x01: case 0x09: case 0x11: case 0x12: return 8;
    case 0x02: case 0x0d: case 0x0e: return 4 + raw.readInt32LE(pos);
    case 0x03: case 0x04: case 0x0f: return raw.readInt32LE(pos);
    case 0x05: return 5 + raw.readInt32LE(pos);
    case 0x06: case 0x0a: case 0x7f: case 0xff: return 0;
    case 0x07: return 12;
    case 0x08: return 1;
    case 0x0b: return raw.indexOf(0, raw.indexOf(0, pos) + 1) + 1 - pos;
    case 0x0c: return 4 + raw.readInt32LE(pos) + 12;
    case 0x10: return 4;
    case 0x13: return 16;
    default: throw new CommandError(22, 'InvalidBSON', `invalid BSON: unknown element type 0x${type.toString(16)}`);
  }
}

const BAD_ID_TYPES = { 0x04: 'array', 0x06: 'undefined', 0x0b: 'regex' };

// Returns the document as it must be stored: a private copy with _id as the
// first element, adding an ObjectId _id when the client sent none (MongoDB
// does both). Works on the bytes so nothing else in the document can change.
export function prepareForInsert(raw) {
  if (raw.length > MAX_BSON_BYTES) {
    throw new CommandError(2, 'BadValue',
      `object to insert too large. size in bytes: ${raw.length}, max size: ${MAX_BSON_BYTES}`);
  }
  if (raw.length < 5 || raw.readInt32LE(0) !== raw.length || raw[raw.length - 1] !== 0) {
    throw new CommandError(22, 'InvalidBSON', 'invalid BSON: document length mismatch');
  }
  let pos = 4;
  while (raw[pos] !== 0) {
    const start = pos;
    const type = raw[pos];
    const nameEnd = raw.indexOf(0, pos + 1);
    pos = nameEnd + 1 + valueLength(raw, type, nameEnd + 1);
    if (nameEnd - start !== 4 || raw.toString('latin1', start + 1, nameEnd) !== '_id') continue;
    if (BAD_ID_TYPES[type]) {
      throw new CommandError(53, 'InvalidIdField', `The '_id' value cannot be of type ${BAD_ID_TYPES[type]}`);
    }
    if (start === 4) return Buffer.from(raw);
    return Buffer.concat([raw.subarray(0, 4), raw.subarray(start, pos), raw.subarray(4, start), raw.subarray(pos)]);
  }
  const id = Buffer.concat([Buffer.from([0x07, 0x5f, 0x69, 0x64, 0x00]), new ObjectId().id]);
  const out = Buffer.concat([raw.subarray(0, 4), id, raw.subarray(4)]);
  out.writeInt32LE(out.length, 0);
  return out;
}

const holdsRaw = (value) => {
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) return value.some(holdsRaw);
  if (isPlainObject(value)) return Object.values(value).some(holdsRaw);
  return false;
};

// Serializes a reply or journal record in which a Buffer value stands for an
// already-encoded document: stored documents are spliced in byte for byte
// instead of being decoded and re-encoded. A document with none (most
// replies) is one ordinary serialize.
export function encodeDocument(doc) {
  if (!holdsRaw(doc)) return BSON.serialize(doc, { ignoreUndefined: true });
  const parts = [Buffer.alloc(4)];
  const element = (type, key, bytes) => parts.push(Buffer.from([type]), Buffer.from(`${key}\0`, 'utf8'), bytes);
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined) continue;
    if (value instanceof Uint8Array) element(0x03, key, value);
    else if (Array.isArray(value)) element(0x04, key, encodeDocument({ ...value }));
    else if (isPlainObject(value)) element(0x03, key, encodeDocument(value));
    else parts.push(BSON.serialize({ [key]: value }).subarray(4, -1));
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  out.writeInt32LE(out.length, 0);
  return out;
}
