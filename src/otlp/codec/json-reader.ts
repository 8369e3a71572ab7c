/**
 * The generic OTLP/JSON reader, driven by the tables in ./schema.ts.
 *
 * Accepts what OTLP/JSON (opentelemetry-proto docs/specification.md, "JSON
 * Protobuf Encoding") and the proto3 JSON mapping allow, leniently where the
 * mapping is lenient:
 * - keys: lowerCamelCase, and also the original .proto (snake_case) names;
 *   unknown keys are ignored; `null` is the same as absent; the same field
 *   under both spellings is an error;
 * - trace/span ids: hex, either case (length-checked: 16 / 8 bytes when non-empty);
 *   other bytes: base64, standard or URL-safe, padded or not;
 * - enums: integers, or the enum value's name;
 * - 32-bit integers: numbers or decimal strings; 64-bit integers: decimal
 *   strings or numbers (numbers beyond 2^53 have already lost precision in
 *   JSON.parse: senders must use strings, as the mapping says);
 * - doubles: numbers, numeric strings, "NaN", "Infinity", "-Infinity";
 * - a oneof with more than one member set is an error.
 * The model is the same as the protobuf reader's: default values left out.
 */
import { fromBase64, fromHex } from './bytes';
import { OtlpDecodeError, segment } from './errors';
import { maxDepthOf } from './limits';
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
  K_MESSAGE,
  K_SFIXED32,
  K_SINT32,
  K_STRING,
  K_UINT32,
  K_UINT64,
} from './schema';
import type { FieldDef, MessageDef } from './schema';

type Obj = Record<string, unknown>;

let anyDepth = 0;
let maxAnyDepth = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Parses `body` (text, or UTF-8 bytes) and reads it as message `def`. Throws only OtlpDecodeError. */
export function decodeJsonMessage(def: MessageDef, body: string | Uint8Array, options?: DecodeOptions): Obj {
  const depth = maxDepthOf(options);
  let text: string;
  if (typeof body === 'string') {
    text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body; // a byte order mark is not JSON
  } else if (body instanceof Uint8Array) {
    try {
      text = utf8.decode(body);
    } catch {
      throw new OtlpDecodeError('invalid JSON: the body is not valid UTF-8');
    }
  } else {
    throw new OtlpDecodeError(`expected a string or bytes, got ${typeof body}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return decodeJsonValue(def, parsed, depth);
}

/** Reads an already parsed JSON value as message `def`. Throws only OtlpDecodeError. */
export function decodeJsonValue(def: MessageDef, value: unknown, maxAnyValueDepth: number): Obj {
  anyDepth = 0;
  maxAnyDepth = maxAnyValueDepth;
  try {
    return readMessage(def, value);
  } catch (e) {
    if (e instanceof OtlpDecodeError) throw e;
    throw new OtlpDecodeError(`malformed OTLP/JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function fail(reason: string): never {
  throw new OtlpDecodeError(reason);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return `${v}`;
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

function readMessage(def: MessageDef, json: unknown): Obj {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(`expected an object, got ${describe(json)}`);
  if (def.nestingCounted && ++anyDepth > maxAnyDepth) fail(`AnyValue nested deeper than ${maxAnyDepth} levels`);
  const src = json as Obj;
  const obj: Obj = {};
  const byName = def.byJsonName;
  let field: FieldDef | undefined;
  let index = -1;
  let oneofName: string | undefined;
  try {
    for (const key in src) {
      field = undefined;
      index = -1;
      const f = byName.get(key);
      if (f === undefined) continue; // unknown JSON field: ignored
      const v = src[key];
      if (v === null || v === undefined) continue;
      field = f;
      const name = f.name;
      if (key !== name && src[name] !== undefined && src[name] !== null) fail(`given twice, as "${name}" and "${key}"`);
      if (f.oneof) {
        if (oneofName !== undefined) fail(`more than one member of a oneof is set ("${oneofName}" and "${name}")`);
        oneofName = name;
      }
      if (f.repeated) {
        if (!Array.isArray(v)) fail(`expected an array, got ${describe(v)}`);
        const n = v.length;
        const list: unknown[] = new Array<unknown>(n);
        for (index = 0; index < n; index++) {
          const item: unknown = v[index];
          if (item === null || item === undefined) fail('null is not allowed in a repeated field');
          list[index] = readValue(f, item);
        }
        if (n > 0) obj[name] = list;
        continue;
      }
      const value = readValue(f, v);
      if (f.implicit && isDefaultValue(f, value)) continue;
      obj[name] = value;
    }
  } catch (e) {
    if (e instanceof OtlpDecodeError && field !== undefined) e.prependPath(segment(field.name, index));
    throw e;
  }
  if (def.nestingCounted) anyDepth--;
  return obj;
}

function isDefaultValue(field: FieldDef, v: unknown): boolean {
  switch (typeof v) {
    case 'number':
      return v === 0 && (field.kind !== K_DOUBLE && field.kind !== K_FLOAT ? true : 1 / v > 0);
    case 'bigint':
      return v === 0n;
    case 'string':
      return v === '';
    case 'boolean':
      return !v;
    default:
      return v instanceof Uint8Array && v.length === 0;
  }
}

const INT_STRING = /^-?\d+$/;

function readValue(field: FieldDef, v: unknown): unknown {
  switch (field.kind) {
    case K_STRING:
      if (typeof v !== 'string') fail(`expected a string, got ${describe(v)}`);
      return v;
    case K_MESSAGE:
      return readMessage(field.message as MessageDef, v);
    case K_BYTES: {
      if (typeof v !== 'string') fail(`expected a ${field.id !== 0 ? 'hex' : 'base64'} string, got ${describe(v)}`);
      if (field.id !== 0) {
        const bytes = fromHex(v);
        if (bytes === undefined) fail(`invalid hex string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`);
        if (bytes.length !== 0 && bytes.length !== field.id) fail(`must be ${field.id} bytes, got ${bytes.length}`);
        return bytes;
      }
      const bytes = fromBase64(v);
      if (bytes === undefined) fail(`invalid base64 string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`);
      return bytes;
    }
    case K_BOOL:
      if (typeof v !== 'boolean') fail(`expected a boolean, got ${describe(v)}`);
      return v;
    case K_DOUBLE:
    case K_FLOAT:
      return readDouble(v);
    case K_ENUM:
      if (typeof v === 'string' && !INT_STRING.test(v)) {
        const def = field.enumDef;
        const n = def?.byName.get(v);
        if (n === undefined) fail(`unknown enum name ${JSON.stringify(v.slice(0, 80))}${def !== undefined ? ` for ${def.name}` : ''}`);
        return n;
      }
      return readInt32(v, -2147483648, 2147483647);
    case K_INT32:
    case K_SINT32:
    case K_SFIXED32:
      return readInt32(v, -2147483648, 2147483647);
    case K_UINT32:
    case K_FIXED32:
      return readInt32(v, 0, 4294967295);
    default:
      return readInt64(v, field.kind === K_UINT64 || field.kind === K_FIXED64);
  }
}

function readInt32(v: unknown, min: number, max: number): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && INT_STRING.test(v)) n = Number(v);
  else return fail(`expected an integer, got ${describe(v)}`);
  if (!Number.isInteger(n)) fail(`expected an integer, got ${describe(v)}`);
  if (n < min || n > max) fail(`integer ${n} out of range [${min}, ${max}]`);
  return n;
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function readInt64(v: unknown, unsigned: boolean): bigint {
  let b: bigint;
  if (typeof v === 'string') {
    if (!INT_STRING.test(v) || v.length > 21) fail(`expected a decimal integer string, got ${describe(v)}`);
    b = BigInt(v);
  } else if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(`expected an integer, got ${describe(v)}`);
    b = BigInt(v);
  } else {
    return fail(`expected an integer (as a string or a number), got ${describe(v)}`);
  }
  if (unsigned ? b < 0n || b > U64_MAX : b < I64_MIN || b > I64_MAX) fail(`integer ${b} out of range for a ${unsigned ? 'uint64' : 'int64'}`);
  return b;
}

function readDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const t = v.trim();
    if (t !== '' && t === v) {
      const n = Number(v);
      if (!Number.isNaN(n)) return n;
    }
  }
  return fail(`expected a number, got ${describe(v)}`);
}
