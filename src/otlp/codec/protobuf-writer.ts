/**
 * The generic protobuf wire writer: turns the plain-object model into bytes,
 * driven by the tables in ./schema.ts.
 *
 * Output is canonical proto3: known fields in field-number order, implicit-
 * presence fields only when not default, oneof members and `optional` fields
 * whenever present, repeated numeric fields packed, varints minimal; then the
 * message's `$unknown` fields, verbatim. A message decoded by ./protobuf-reader
 * and written back is therefore byte-identical when its sender wrote the same
 * canonical form (and semantically identical otherwise).
 *
 * One pass: a nested message's length prefix is reserved from a per-field
 * size hint and the content is shifted in the (rare) case the guess was wrong.
 */
import { OtlpEncodeError, segment } from './errors';
import { MAX_ANY_VALUE_DEPTH_CEILING } from './limits';
import {
  isDefault,
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
} from './schema';
import type { FieldDef, MessageDef } from './schema';

interface WritableBuffer extends Buffer {
  utf8Write(s: string, offset: number, length: number): number;
}

const INITIAL_SIZE = 64 * 1024;
/** A scratch buffer larger than this is dropped after use instead of being kept for the next call. */
const KEEP_LIMIT = 8 * 1024 * 1024;
/**
 * Results up to this size are copied out of the scratch buffer; larger ones
 * are the scratch buffer itself (a view of its first bytes), and the writer
 * takes a new one: no copy of a large batch.
 */
const HAND_OVER_MIN = 16 * 1024;

let out = Buffer.allocUnsafeSlow(INITIAL_SIZE) as WritableBuffer;
let odv = new DataView(out.buffer, out.byteOffset, out.byteLength);
let op = 0;
let anyDepth = 0;
let maxAnyDepth = MAX_ANY_VALUE_DEPTH_CEILING;

/**
 * Encodes `obj` as message `def`. Throws OtlpEncodeError when the model holds
 * a value of the wrong type or nests AnyValue deeper than `maxAnyValueDepth`
 * (default: the decoders' ceiling, {@link MAX_ANY_VALUE_DEPTH_CEILING}; it
 * guards against cyclic models).
 */
export function encodeProtobufMessage(def: MessageDef, obj: object, maxAnyValueDepth = MAX_ANY_VALUE_DEPTH_CEILING): Uint8Array {
  op = 0;
  anyDepth = 0;
  maxAnyDepth = maxAnyValueDepth;
  try {
    encodeMessage(def, obj as Record<string, unknown>);
    if (op <= HAND_OVER_MIN) {
      const result = new Uint8Array(op);
      result.set(out.subarray(0, op));
      return result;
    }
    // A large result: hand the scratch buffer over instead of copying it, and take a new one.
    const result = new Uint8Array(out.buffer, out.byteOffset, op);
    out = Buffer.allocUnsafeSlow(Math.min(out.length, KEEP_LIMIT)) as WritableBuffer;
    odv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    return result;
  } catch (e) {
    if (e instanceof OtlpEncodeError) throw e;
    throw new OtlpEncodeError(e instanceof Error ? e.message : String(e));
  } finally {
    if (out.length > KEEP_LIMIT) {
      out = Buffer.allocUnsafeSlow(INITIAL_SIZE) as WritableBuffer;
      odv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    }
  }
}

function ensure(n: number): void {
  if (op + n <= out.length) return;
  let size = out.length * 2;
  while (size < op + n) size *= 2;
  const bigger = Buffer.allocUnsafeSlow(size) as WritableBuffer;
  out.copy(bigger, 0, 0, op);
  out = bigger;
  odv = new DataView(out.buffer, out.byteOffset, out.byteLength);
}

function failType(expected: string, value: unknown): never {
  throw new OtlpEncodeError(`expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.slice(0, 40))}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${value}`;
    default:
      return typeof value === 'object' ? 'an object' : typeof value;
  }
}

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Writes a uint32 (0 ≤ v < 2^32) as a varint; capacity already ensured. */
function putVarint32(v: number): void {
  while (v > 0x7f) {
    out[op++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[op++] = v;
}

/** Writes a 64-bit varint from its low and high 32-bit halves (unsigned). */
function putVarint64(lo: number, hi: number): void {
  ensure(10);
  if (hi === 0) {
    putVarint32(lo);
    return;
  }
  for (let i = 0; i < 4; i++) {
    out[op++] = (lo & 0x7f) | 0x80;
    lo >>>= 7;
  }
  // 5th byte: 4 bits of lo, 3 of hi
  let b = (lo & 0x0f) | ((hi & 0x07) << 4);
  hi >>>= 3;
  if (hi === 0) {
    out[op++] = b;
    return;
  }
  out[op++] = b | 0x80;
  while (hi > 0x7f) {
    out[op++] = (hi & 0x7f) | 0x80;
    hi >>>= 7;
  }
  b = hi;
  out[op++] = b;
}

const TWO_32 = 4294967296;

/** An int64/uint64/fixed64 model value (bigint, or a safe integer number, or a decimal string) as a bigint. */
function toBig(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return BigInt(v);
  return failType('a bigint (or an integer number)', v);
}

/** Writes a 64-bit integer as a varint (two's complement for negatives). */
function putVarintBig(v: unknown): void {
  if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
    putVarint64(v % TWO_32, Math.floor(v / TWO_32));
    return;
  }
  let b = toBig(v);
  if (b >= 0n && b < 0x20000000000000n) {
    const n = Number(b);
    putVarint64(n % TWO_32, Math.floor(n / TWO_32));
    return;
  }
  b = BigInt.asUintN(64, b);
  putVarint64(Number(b & 0xffffffffn), Number(b >> 32n));
}

function putInt32(v: number): void {
  if (v >= 0) {
    ensure(5);
    putVarint32(v);
  } else {
    putVarint64(v >>> 0, 0xffffffff); // sign-extended to 64 bits: 10 bytes
  }
}

function putTag(field: FieldDef): void {
  const t = field.tagBytes;
  ensure(t.length);
  if (t.length === 1) out[op++] = t[0] as number;
  else for (let i = 0; i < t.length; i++) out[op++] = t[i] as number;
}

function putString(s: string): void {
  const n = s.length;
  if (n < 43) {
    // At most 3 bytes per UTF-16 unit: fits a 1-byte length.
    ensure(1 + 3 * n);
    const start = op + 1;
    let q = start;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[q++] = c;
    }
    if (i < n) q = start + out.utf8Write(s, start, 3 * n);
    out[op] = q - start;
    op = q;
    return;
  }
  const len = Buffer.byteLength(s, 'utf8');
  ensure(5 + len);
  putVarint32(len);
  op += out.utf8Write(s, op, len);
}

function putBytes(b: Uint8Array): void {
  const len = b.length;
  ensure(5 + len);
  putVarint32(len);
  out.set(b, op);
  op += len;
}


function encodeMessage(def: MessageDef, obj: Record<string, unknown>): void {
  if (def.nestingCounted && ++anyDepth > maxAnyDepth) throw new OtlpEncodeError(`AnyValue nested deeper than ${maxAnyDepth} levels`);
  // Fast path: visit the object's own keys (decoded objects hold only the fields
  // that were on the wire, in field-number order) instead of probing every field
  // of the schema. If a key comes out of field-number order (the model was built
  // or changed by hand), rewind and write in schema order instead.
  const startOp = op;
  const byName = def.byName;
  let lastNo = 0;
  let ordered = true;
  let oneofName: string | undefined;
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    const field = byName.get(key);
    if (field === undefined) continue; // $unknown is written last; other keys are not part of the message
    if (field.no < lastNo) {
      ordered = false;
      break;
    }
    lastNo = field.no;
    if (field.oneof) oneofName = checkOneof(oneofName, field.name);
    writeField(field, v);
  }
  if (!ordered) {
    op = startOp;
    oneofName = undefined;
    const present: FieldDef[] = [];
    for (const key in obj) {
      const field = byName.get(key);
      if (field !== undefined) present.push(field);
    }
    present.sort(byFieldNumber);
    for (let i = 0; i < present.length; i++) {
      const field = present[i] as FieldDef;
      const v = obj[field.name];
      if (v === undefined || v === null) continue;
      if (field.oneof) oneofName = checkOneof(oneofName, field.name);
      writeField(field, v);
    }
  }
  // Read here, not in the loop above: that loop may stop early to rewrite in schema order.
  const unknown = obj.$unknown;
  if (unknown !== undefined && unknown !== null) writeUnknown(unknown);
  if (def.nestingCounted) anyDepth--;
}

/** A message has at most one oneof (see ./schema.ts): a second member set is an error. */
function checkOneof(seen: string | undefined, name: string): string {
  if (seen !== undefined) throw new OtlpEncodeError(`more than one member of a oneof is set ("${seen}" and "${name}")`);
  return name;
}

function byFieldNumber(a: FieldDef, b: FieldDef): number {
  return a.no - b.no;
}

/** Writes field `field` holding `v` (not undefined/null), unless it is a default or an empty list. */
function writeField(field: FieldDef, v: unknown): void {
  let index = -1;
  try {
    if (field.repeated) {
      if (!Array.isArray(v)) failType('an array', v);
      const list = v as unknown[];
      if (list.length === 0) return;
      if (field.packed) {
        writePacked(field, list);
        return;
      }
      for (index = 0; index < list.length; index++) {
        const item = list[index];
        if (item === undefined || item === null) failType(field.kind === K_MESSAGE ? 'an object' : 'a value', item);
        writeValue(field, item);
      }
      return;
    }
    if (field.implicit && isDefault(field, v)) return;
    writeValue(field, v);
  } catch (e) {
    if (e instanceof OtlpEncodeError) e.prependPath(segment(field.name, index));
    throw e;
  }
}

function writeUnknown(unknown: unknown): void {
  if (!Array.isArray(unknown)) failType('$unknown to be an array of Uint8Array', unknown);
  for (const raw of unknown as unknown[]) {
    if (!(raw instanceof Uint8Array)) failType('$unknown to be an array of Uint8Array', raw);
    ensure(raw.length);
    out.set(raw, op);
    op += raw.length;
  }
}

/** Writes one (non-packed) occurrence of `field`: key and value. */
function writeValue(field: FieldDef, v: unknown): void {
  putTag(field);
  switch (field.kind) {
    case K_STRING:
      if (typeof v !== 'string') failType('a string', v);
      putString(v);
      return;
    case K_BYTES:
      if (!(v instanceof Uint8Array)) failType('a Uint8Array', v);
      putBytes(v);
      return;
    case K_MESSAGE: {
      if (typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) failType('an object', v);
      const reserve = field.lenHint;
      ensure(reserve);
      const lenAt = op;
      op += reserve;
      encodeMessage(field.message as MessageDef, v as Record<string, unknown>);
      const len = op - lenAt - reserve;
      const size = varintSize(len);
      if (size !== reserve) {
        if (size > reserve) ensure(size - reserve);
        out.copyWithin(lenAt + size, lenAt + reserve, op);
        op += size - reserve;
        field.lenHint = size;
      }
      let q = lenAt;
      let l = len;
      while (l > 0x7f) {
        out[q++] = (l & 0x7f) | 0x80;
        l >>>= 7;
      }
      out[q] = l;
      return;
    }
    case K_FIXED64:
    case K_SFIXED64:
      ensure(8);
      if (field.kind === K_FIXED64) odv.setBigUint64(op, toBig(v), true);
      else odv.setBigInt64(op, toBig(v), true);
      op += 8;
      return;
    case K_DOUBLE:
      if (typeof v !== 'number') failType('a number', v);
      ensure(8);
      odv.setFloat64(op, v, true);
      op += 8;
      return;
    case K_FLOAT:
      if (typeof v !== 'number') failType('a number', v);
      ensure(4);
      odv.setFloat32(op, v, true);
      op += 4;
      return;
    case K_FIXED32:
    case K_SFIXED32:
      if (typeof v !== 'number') failType('a number', v);
      ensure(4);
      if (field.kind === K_FIXED32) odv.setUint32(op, v >>> 0, true);
      else odv.setInt32(op, v | 0, true);
      op += 4;
      return;
    default:
      writeVarintValue(field.kind, v);
  }
}

function writeVarintValue(kind: number, v: unknown): void {
  switch (kind) {
    case K_INT32:
    case K_ENUM:
      if (typeof v !== 'number') failType('a number', v);
      putInt32(v | 0);
      return;
    case K_UINT32:
      if (typeof v !== 'number') failType('a number', v);
      ensure(5);
      putVarint32(v >>> 0);
      return;
    case K_SINT32: {
      if (typeof v !== 'number') failType('a number', v);
      const n = v | 0;
      ensure(5);
      putVarint32(((n << 1) ^ (n >> 31)) >>> 0);
      return;
    }
    case K_BOOL:
      if (typeof v !== 'boolean') failType('a boolean', v);
      ensure(1);
      out[op++] = v ? 1 : 0;
      return;
    case K_INT64:
    case K_UINT64:
      putVarintBig(v);
      return;
    case K_SINT64: {
      const b = BigInt.asIntN(64, toBig(v));
      putVarintBig(BigInt.asUintN(64, (b << 1n) ^ (b >> 63n)));
      return;
    }
    default:
      throw new OtlpEncodeError(`unsupported kind ${kind}`);
  }
}

/** A packed repeated numeric field: key, length, then the elements back to back. */
function writePacked(field: FieldDef, list: unknown[]): void {
  putTag(field);
  const kind = field.kind;
  if (kind === K_DOUBLE || kind === K_FIXED64 || kind === K_SFIXED64) {
    const len = list.length * 8;
    ensure(5 + len);
    putVarint32(len);
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (kind === K_DOUBLE) {
        if (typeof v !== 'number') failType('a number', v);
        odv.setFloat64(op, v, true);
      } else if (kind === K_FIXED64) {
        odv.setBigUint64(op, toBig(v), true);
      } else {
        odv.setBigInt64(op, toBig(v), true);
      }
      op += 8;
    }
    return;
  }
  if (kind === K_FLOAT || kind === K_FIXED32 || kind === K_SFIXED32) {
    const len = list.length * 4;
    ensure(5 + len);
    putVarint32(len);
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (typeof v !== 'number') failType('a number', v);
      if (kind === K_FLOAT) odv.setFloat32(op, v, true);
      else if (kind === K_FIXED32) odv.setUint32(op, v >>> 0, true);
      else odv.setInt32(op, v | 0, true);
      op += 4;
    }
    return;
  }
  // Varint elements: write them after a reserved length, then fix the length up.
  ensure(5);
  const lenAt = op;
  op += 1;
  for (let i = 0; i < list.length; i++) writeVarintValue(kind, list[i]);
  const len = op - lenAt - 1;
  const size = varintSize(len);
  if (size !== 1) {
    ensure(size - 1);
    out.copyWithin(lenAt + size, lenAt + 1, op);
    op += size - 1;
  }
  const end = op;
  op = lenAt;
  putVarint32(len);
  op = end;
}
