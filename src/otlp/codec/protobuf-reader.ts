/**
 * The generic protobuf wire reader: turns bytes into the plain-object model,
 * driven by the tables in ./schema.ts.
 *
 * Rules (proto3, https://protobuf.dev/programming-guides/encoding/):
 * - fields may come in any order; for a repeated field, elements append; a
 *   singular scalar seen twice keeps the last value; a singular message seen
 *   twice is merged; for a oneof, the last member seen wins;
 * - repeated numeric fields are read packed or unpacked;
 * - implicit-presence scalars holding their default value are left out of the
 *   model (oneof members and proto3 `optional` fields are kept whatever their value);
 * - unknown fields (any wire type, groups included) are kept raw in `$unknown`;
 * - errors: truncated varint or fixed-size value, length past the end of the
 *   enclosing message, a known field with the wrong wire type, field number 0,
 *   wire types 6/7, an unbalanced end-group, invalid UTF-8 in a string field
 *   (unless `invalidUtf8: 'replace'`), a trace/span id of the wrong length,
 *   AnyValue nesting beyond the limit.
 */
import { OtlpDecodeError, segment } from './errors';
import { maxDepthOf, MAX_GROUP_DEPTH } from './limits';
import type { DecodeOptions } from './limits';
import {
  K_BOOL,
  K_BYTES,
  K_DOUBLE,
  K_ENUM,
  K_FIXED32,
  K_FIXED64,
  K_FLOAT,
  K_INT32,
  K_INT64,
  K_MESSAGE,
  K_SFIXED32,
  K_SFIXED64,
  K_SINT32,
  K_SINT64,
  K_STRING,
  K_UINT32,
  K_UINT64,
  WT_EGROUP,
  WT_I32,
  WT_I64,
  WT_LEN,
  WT_SGROUP,
  WT_VARINT,
} from './schema';
import type { FieldDef, MessageDef } from './schema';
import { isValidUtf8 } from './bytes';

type Obj = Record<string, unknown> & { $unknown?: Uint8Array[] };

interface BufferWithSlices extends Buffer {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

// Decoder state: the decoder is synchronous and not re-entrant, so the buffer
// and the read position live in module variables (cheaper than passing them).
let buf: BufferWithSlices = Buffer.alloc(0) as BufferWithSlices;
let dv: DataView = new DataView(new ArrayBuffer(0));
let ab: ArrayBufferLike = buf.buffer;
let base = 0; // buf.byteOffset
let p = 0; // read position, relative to buf
let anyDepth = 0;
let maxAnyDepth = 64;
let replaceInvalidUtf8 = false;
// Varint result: low and high 32 bits.
let vlo = 0;
let vhi = 0;

const WIRE_NAMES = ['VARINT', 'I64', 'LEN', 'SGROUP', 'EGROUP', 'I32', '6', '7'];

/**
 * Decodes `bytes` as message `def`. Throws only OtlpDecodeError.
 */
export function decodeProtobufMessage(def: MessageDef, bytes: Uint8Array, options?: DecodeOptions): Obj {
  if (!(bytes instanceof Uint8Array)) throw new OtlpDecodeError(`expected bytes (Uint8Array), got ${typeof bytes}`);
  const depth = maxDepthOf(options);
  buf = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as BufferWithSlices;
  ab = buf.buffer;
  base = buf.byteOffset;
  dv = new DataView(ab, base, buf.byteLength);
  p = 0;
  anyDepth = 0;
  maxAnyDepth = depth;
  replaceInvalidUtf8 = options?.invalidUtf8 === 'replace';
  try {
    return decodeMessage(def, buf.length);
  } catch (e) {
    if (e instanceof OtlpDecodeError) throw e;
    // Not expected; but whatever happened (a RangeError from the runtime…), the caller gets an OtlpDecodeError.
    throw new OtlpDecodeError(`malformed protobuf (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    // Do not keep the caller's buffer alive.
    buf = EMPTY;
    ab = EMPTY.buffer;
    dv = EMPTY_DV;
  }
}

const EMPTY = Buffer.alloc(0) as BufferWithSlices;
const EMPTY_DV = new DataView(new ArrayBuffer(0));

function fail(reason: string): never {
  throw new OtlpDecodeError(reason);
}

/** Reads a varint of up to 10 bytes ending before `end` into vlo/vhi. */
function readVarint(end: number): void {
  let b = p < end ? (buf[p++] as number) : truncated(end);
  if (b < 0x80) {
    vlo = b;
    vhi = 0;
    return;
  }
  let lo = b & 0x7f;
  for (let shift = 7; shift < 28; shift += 7) {
    b = p < end ? (buf[p++] as number) : truncated(end);
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      vlo = lo >>> 0;
      vhi = 0;
      return;
    }
  }
  // 5th byte: 4 bits to lo, 3 bits to hi
  b = p < end ? (buf[p++] as number) : truncated(end);
  lo |= (b & 0x0f) << 28;
  let hi = (b & 0x7f) >>> 4;
  if (b < 0x80) {
    vlo = lo >>> 0;
    vhi = hi;
    return;
  }
  for (let shift = 3; shift < 31; shift += 7) {
    b = p < end ? (buf[p++] as number) : truncated(end);
    hi |= (b & 0x7f) << shift;
    if (b < 0x80) {
      vlo = lo >>> 0;
      vhi = hi >>> 0;
      return;
    }
  }
  // 10th byte: only its lowest bit fits in 64 bits.
  b = p < end ? (buf[p++] as number) : truncated(end);
  if (b > 1) fail(`varint overflows 64 bits at offset ${p - 1}`);
  hi |= b << 31;
  vlo = lo >>> 0;
  vhi = hi >>> 0;
}

function truncated(end: number): never {
  fail(end >= buf.length ? `truncated varint at offset ${p} (end of input)` : `truncated varint at offset ${p} (end of the enclosing message at ${end})`);
}

/** Reads a varint length and checks that [p, p + length) fits before `end`; returns the end offset. */
function readLength(end: number): number {
  const at = p;
  readVarint(end);
  if (vhi !== 0 || vlo > 0x7fffffff) fail(`length ${vhi !== 0 ? 'over 2^32' : String(vlo)} at offset ${at} is too large`);
  const stop = p + vlo;
  if (stop > end) fail(`length ${vlo} at offset ${at} extends past the end of ${end >= buf.length ? 'the input' : 'the enclosing message'} (${end - p} bytes left)`);
  return stop;
}

function need(n: number, end: number): void {
  if (p + n > end) fail(`truncated ${n}-byte value at offset ${p} (${end - p} bytes left)`);
}

function toBigUint(lo: number, hi: number): bigint {
  if (hi === 0) return BigInt(lo);
  if (hi < 0x200000) return BigInt(hi * 4294967296 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function toBigInt(lo: number, hi: number): bigint {
  if (hi < 0x200000) return hi === 0 ? BigInt(lo) : BigInt(hi * 4294967296 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

// A small cache of decoded short strings: attribute keys and many values
// (methods, routes, host names…) repeat across the spans of a batch and across
// batches. A hit costs a hash and a compare of the bytes instead of a native
// decode and a new string. Entries are keyed by the bytes (FNV-1a), so a hit is
// exact; a collision just replaces the entry.
const SC_BITS = 12;
const SC_SIZE = 1 << SC_BITS;
const SC_MAX = 64;
const scBytes = new Uint8Array(SC_SIZE * SC_MAX);
const scLen = new Int32Array(SC_SIZE).fill(-1);
const scStr: string[] = new Array<string>(SC_SIZE).fill('');

function readString(start: number, stop: number): string {
  const n = stop - start;
  if (n === 0) return '';
  if (n > SC_MAX) return decodeString(start, stop);
  const b = buf;
  const cache = scBytes;
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < stop; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  const slot = h >>> (32 - SC_BITS);
  let o = slot * SC_MAX;
  if (scLen[slot] === n) {
    let i = start;
    while (i < stop && cache[o] === b[i]) {
      i++;
      o++;
    }
    if (i === stop) return scStr[slot] as string;
    o = slot * SC_MAX;
  }
  const s = decodeString(start, stop);
  // A string decoded with replacement characters is not cached: the same bytes must still fail in 'error' mode.
  if (replaceInvalidUtf8 && s.includes('\uFFFD')) return s;
  for (let i = start; i < stop; i++) cache[o++] = b[i] as number;
  scLen[slot] = n;
  scStr[slot] = s;
  return s;
}

function decodeString(start: number, stop: number): string {
  let ascii = true;
  if (stop - start <= SC_MAX) {
    for (let i = start; i < stop; i++) {
      if ((buf[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return buf.latin1Slice(start, stop);
  }
  const s = buf.utf8Slice(start, stop);
  if (!replaceInvalidUtf8 && s.includes('\uFFFD') && !isValidUtf8(buf, start, stop)) {
    fail(`string of ${stop - start} bytes at offset ${start} is not valid UTF-8`);
  }
  return s;
}

/** Skips the value of a field with wire type `wt` (its key already read). */
function skipValue(wt: number, no: number, end: number): void {
  switch (wt) {
    case WT_VARINT:
      readVarint(end);
      return;
    case WT_I64:
      need(8, end);
      p += 8;
      return;
    case WT_LEN:
      p = readLength(end);
      return;
    case WT_I32:
      need(4, end);
      p += 4;
      return;
    case WT_SGROUP:
      skipGroup(no, end);
      return;
    case WT_EGROUP:
      fail(`unexpected end-group (field ${no}) at offset ${p}`);
      break;
    default:
      fail(`invalid wire type ${wt} (field ${no}) at offset ${p}`);
  }
}

/** Skips a group (obsolete wire types 3/4) iteratively, nested groups included. */
function skipGroup(no: number, end: number): void {
  const open: number[] = [no];
  while (open.length > 0) {
    if (p >= end) fail(`unterminated group (field ${open[open.length - 1]}) at the end of the message`);
    readVarint(end);
    if (vhi !== 0 || vlo > 0xffffffff) fail(`invalid field key at offset ${p}`);
    const k = vlo;
    const wt = k & 7;
    const n = k >>> 3;
    if (n === 0) fail(`invalid field number 0 at offset ${p}`);
    if (wt === WT_EGROUP) {
      if (open.pop() !== n) fail(`end-group of field ${n} does not match its start at offset ${p}`);
    } else if (wt === WT_SGROUP) {
      if (open.length >= MAX_GROUP_DEPTH) fail(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
      open.push(n);
    } else {
      skipValue(wt, n, end);
    }
  }
}

/**
 * Sets the message's `$unknown` to one copy of all its unknown fields: the run
 * [start, stop) plus the earlier runs in `runs` (pairs of offsets), in wire order.
 * One element whatever the runs, so that decoding what the writer wrote (the
 * unknown fields together, after the known ones) gives the same model.
 */
function setUnknown(obj: Obj, runs: number[] | undefined, start: number, stop: number): void {
  if (runs === undefined) {
    obj.$unknown = [copyBytes(start, stop)];
    return;
  }
  runs.push(start, stop);
  let total = 0;
  for (let i = 0; i < runs.length; i += 2) total += (runs[i + 1] as number) - (runs[i] as number);
  const out = new Uint8Array(total);
  let o = 0;
  for (let i = 0; i < runs.length; i += 2) {
    const a = runs[i] as number;
    const b = runs[i + 1] as number;
    out.set(buf.subarray(a, b), o);
    o += b - a;
  }
  obj.$unknown = [out];
}

/** A copy of buf[start, stop): decoded bytes never alias the caller's buffer. */
function copyBytes(start: number, stop: number): Uint8Array {
  const n = stop - start;
  if (n <= 64) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = buf[start + i] as number;
    return out;
  }
  return new Uint8Array(ab.slice(base + start, base + stop));
}

function decodeMessage(def: MessageDef, end: number): Obj {
  const obj: Obj = {};
  if (def.nestingCounted && ++anyDepth > maxAnyDepth) {
    fail(`AnyValue nested deeper than ${maxAnyDepth} levels`);
  }
  const byNumber = def.byNumber;
  const maxNo = byNumber.length;
  let field: FieldDef | undefined;
  let index = -1;
  let oneofName: string | undefined;
  // Unknown fields: the current run of consecutive ones, and the earlier runs.
  let unknownStart = -1;
  let unknownEnd = -1;
  let unknownRuns: number[] | undefined;
  try {
    while (p < end) {
      field = undefined;
      index = -1;
      const start = p;
      let key = buf[p++] as number;
      if (key >= 0x80) {
        p--;
        readVarint(end);
        if (vhi !== 0) fail(`invalid field key at offset ${start}`);
        key = vlo;
      }
      const no = key >>> 3;
      const wt = key & 7;
      field = no < maxNo ? byNumber[no] : undefined;
      if (field === undefined) {
        if (no === 0) fail(`invalid field number 0 at offset ${start}`);
        skipValue(wt, no, end);
        if (unknownEnd !== start) {
          if (unknownStart >= 0) (unknownRuns ??= []).push(unknownStart, unknownEnd);
          unknownStart = start;
        }
        unknownEnd = p;
        continue;
      }
      const name = field.name;
      if (field.oneof) {
        if (oneofName !== undefined && oneofName !== name) delete obj[oneofName];
        oneofName = name;
      }
      if (wt !== field.wireType) {
        if (wt > WT_I32) fail(`invalid wire type ${wt} (field ${no}) at offset ${start}`);
        if (field.packed && wt === WT_LEN) {
          readPacked(obj, field, end);
          continue;
        }
        fail(`wrong wire type ${WIRE_NAMES[wt]} for field ${no}, expected ${WIRE_NAMES[field.wireType]} (at offset ${start})`);
      }
      let value: unknown;
      switch (field.kind) {
        case K_STRING: {
          const stop = readLength(end);
          value = stop === p && field.implicit ? undefined : readString(p, stop);
          p = stop;
          break;
        }
        case K_BYTES: {
          const stop = readLength(end);
          const len = stop - p;
          if (field.id !== 0 && len !== 0 && len !== field.id) fail(`must be ${field.id} bytes, got ${len}`);
          value = len === 0 && field.implicit ? undefined : copyBytes(p, stop);
          p = stop;
          break;
        }
        case K_MESSAGE: {
          const stop = readLength(end);
          const sub = field.message as MessageDef;
          if (field.repeated) {
            let list = obj[name] as Obj[] | undefined;
            if (list === undefined) obj[name] = list = [];
            index = list.length;
            list.push(decodeMessage(sub, stop));
            continue;
          }
          const prev = obj[name] as Obj | undefined;
          const decoded = decodeMessage(sub, stop);
          obj[name] = prev === undefined ? decoded : mergeMessage(sub, prev, decoded);
          continue;
        }
        case K_FIXED64:
          need(8, end);
          value = dv.getBigUint64(p, true);
          p += 8;
          if (value === 0n && field.implicit) value = undefined;
          break;
        case K_DOUBLE:
          need(8, end);
          value = dv.getFloat64(p, true);
          p += 8;
          if (value === 0 && 1 / value > 0 && field.implicit) value = undefined;
          break;
        case K_SFIXED64:
          need(8, end);
          value = dv.getBigInt64(p, true);
          p += 8;
          if (value === 0n && field.implicit) value = undefined;
          break;
        case K_FIXED32:
          need(4, end);
          value = dv.getUint32(p, true);
          p += 4;
          if (value === 0 && field.implicit) value = undefined;
          break;
        case K_SFIXED32:
          need(4, end);
          value = dv.getInt32(p, true);
          p += 4;
          if (value === 0 && field.implicit) value = undefined;
          break;
        case K_FLOAT:
          need(4, end);
          value = dv.getFloat32(p, true);
          p += 4;
          if (value === 0 && 1 / value > 0 && field.implicit) value = undefined;
          break;
        default:
          readVarint(end);
          value = varintValue(field.kind);
          if ((value === 0 || value === 0n || value === false) && field.implicit) value = undefined;
      }
      if (field.repeated) {
        let list = obj[name] as unknown[] | undefined;
        if (list === undefined) obj[name] = list = [];
        index = list.length;
        list.push(value);
      } else if (value !== undefined) {
        obj[name] = value;
      } else if (obj[name] !== undefined) {
        // A later default value overrides an earlier one ("last one wins").
        delete obj[name];
      }
    }
  } catch (e) {
    if (e instanceof OtlpDecodeError && field !== undefined) e.prependPath(segment(field.name, index));
    throw e;
  }
  if (unknownStart >= 0) setUnknown(obj, unknownRuns, unknownStart, unknownEnd);
  if (def.nestingCounted) anyDepth--;
  return obj;
}

/** The value of the varint in vlo/vhi as a field of kind `kind`. */
function varintValue(kind: number): number | bigint | boolean {
  switch (kind) {
    case K_INT32:
    case K_ENUM:
      return vlo | 0;
    case K_UINT32:
      return vlo;
    case K_BOOL:
      return vlo !== 0 || vhi !== 0;
    case K_SINT32:
      return (vlo >>> 1) ^ -(vlo & 1);
    case K_INT64:
      return toBigInt(vlo, vhi);
    case K_UINT64:
      return toBigUint(vlo, vhi);
    case K_SINT64: {
      const u = toBigUint(vlo, vhi);
      return (u >> 1n) ^ -(u & 1n);
    }
    default:
      return fail(`unsupported varint kind ${kind}`);
  }
}

/** A packed repeated numeric field: a LEN record holding the elements back to back. */
function readPacked(obj: Obj, field: FieldDef, end: number): void {
  const stop = readLength(end);
  let list = obj[field.name] as unknown[] | undefined;
  if (list === undefined) obj[field.name] = list = [];
  const kind = field.kind;
  if (field.wireType === WT_I64) {
    if (((stop - p) & 7) !== 0) fail(`packed length ${stop - p} is not a multiple of 8`);
    for (; p < stop; p += 8) {
      list.push(kind === K_DOUBLE ? dv.getFloat64(p, true) : kind === K_SFIXED64 ? dv.getBigInt64(p, true) : dv.getBigUint64(p, true));
    }
  } else if (field.wireType === WT_I32) {
    if (((stop - p) & 3) !== 0) fail(`packed length ${stop - p} is not a multiple of 4`);
    for (; p < stop; p += 4) {
      list.push(kind === K_FLOAT ? dv.getFloat32(p, true) : kind === K_SFIXED32 ? dv.getInt32(p, true) : dv.getUint32(p, true));
    }
  } else {
    while (p < stop) {
      readVarint(stop);
      list.push(varintValue(kind));
    }
  }
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Protobuf merge of a singular message field seen twice: `later` into `earlier`. */
function mergeMessage(def: MessageDef, earlier: Obj, later: Obj): Obj {
  for (const key of Object.keys(later)) {
    const value = later[key];
    if (key === '$unknown') {
      // Kept as one run of bytes, as for a message seen once, so a decode of the
      // re-encoded message gives the same shape.
      earlier.$unknown = [concatBytes([...(earlier.$unknown ?? []), ...(value as Uint8Array[])])];
      continue;
    }
    const field = def.byJsonName.get(key);
    if (field === undefined) continue;
    if (field.oneof) {
      for (const other of def.fields) if (other.oneof && other.name !== key) delete earlier[other.name];
    }
    const prev = earlier[key];
    if (field.repeated && Array.isArray(prev)) {
      earlier[key] = [...(prev as unknown[]), ...(value as unknown[])];
    } else if (field.kind === K_MESSAGE && prev !== undefined) {
      earlier[key] = mergeMessage(field.message as MessageDef, prev as Obj, value as Obj);
    } else {
      earlier[key] = value;
    }
  }
  return earlier;
}
