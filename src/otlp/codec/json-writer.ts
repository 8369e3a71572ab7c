/**
 * The generic OTLP/JSON writer, driven by the tables in ./schema.ts.
 *
 * OTLP/JSON (opentelemetry-proto docs/specification.md, "JSON Protobuf
 * Encoding") is the proto3 JSON mapping with these rules, which this writer
 * follows: keys are the lowerCamelCase field names; trace and span ids are
 * lowercase hex (not base64); enums are integers; other `bytes` are base64;
 * 64-bit integers are decimal strings; default values are left out (oneof
 * members and `optional` fields are written whenever present); doubles that
 * are not finite are the strings "NaN", "Infinity", "-Infinity".
 * Unknown protobuf fields (`$unknown`) cannot be represented and are dropped.
 */
import { toBase64, toHex } from './bytes';
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
  K_MESSAGE,
  K_SFIXED32,
  K_SINT32,
  K_STRING,
  K_UINT32,
  K_UINT64,
} from './schema';
import type { FieldDef, MessageDef } from './schema';

let anyDepth = 0;
let maxAnyDepth = MAX_ANY_VALUE_DEPTH_CEILING;

/**
 * Encodes `obj` as message `def` in OTLP/JSON. Throws OtlpEncodeError for a
 * model it cannot write (a value of the wrong type, AnyValue nested deeper
 * than `maxAnyValueDepth`, which guards against cyclic models).
 */
export function encodeJsonMessage(def: MessageDef, obj: object, maxAnyValueDepth = MAX_ANY_VALUE_DEPTH_CEILING): string {
  anyDepth = 0;
  maxAnyDepth = maxAnyValueDepth;
  try {
    return writeMessage(def, obj as Record<string, unknown>);
  } catch (e) {
    if (e instanceof OtlpEncodeError) throw e;
    throw new OtlpEncodeError(e instanceof Error ? e.message : String(e));
  }
}

function failType(expected: string, value: unknown): never {
  const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new OtlpEncodeError(`expected ${expected}, got ${what}`);
}

function writeMessage(def: MessageDef, obj: Record<string, unknown>): string {
  if (def.nestingCounted && ++anyDepth > maxAnyDepth) throw new OtlpEncodeError(`AnyValue nested deeper than ${maxAnyDepth} levels`);
  // Visits the object's own keys (JSON has no field order to keep); keys that
  // are not fields of the message ($unknown among them) are skipped.
  const byName = def.byName;
  let s = '{';
  let first = true;
  let oneofName: string | undefined;
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    const field = byName.get(key);
    if (field === undefined) continue;
    if (field.oneof) {
      if (oneofName !== undefined) throw new OtlpEncodeError(`more than one member of a oneof is set ("${oneofName}" and "${field.name}")`);
      oneofName = field.name;
    }
    const text = writeField(field, v);
    if (text === '') continue;
    if (first) first = false;
    else s += ',';
    s += field.jsonKey + text;
  }
  if (def.nestingCounted) anyDepth--;
  return s + '}';
}

/** The JSON of field `field` holding `v`; '' when it is a default value or an empty list. */
function writeField(field: FieldDef, v: unknown): string {
  let index = -1;
  try {
    if (field.repeated) {
      if (!Array.isArray(v)) failType('an array', v);
      const list = v as unknown[];
      if (list.length === 0) return '';
      let text = '[';
      for (index = 0; index < list.length; index++) {
        if (index > 0) text += ',';
        const item = list[index];
        if (item === undefined || item === null) failType(field.kind === K_MESSAGE ? 'an object' : 'a value', item);
        text += writeValue(field, item);
      }
      return text + ']';
    }
    if (field.implicit && isDefault(field, v)) return '';
    return writeValue(field, v);
  } catch (e) {
    if (e instanceof OtlpEncodeError) e.prependPath(segment(field.name, index));
    throw e;
  }
}


function writeDouble(v: unknown): string {
  if (typeof v !== 'number') failType('a number', v);
  if (Number.isFinite(v)) return v === 0 && 1 / v < 0 ? '-0' : String(v);
  return v !== v ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

function writeValue(field: FieldDef, v: unknown): string {
  switch (field.kind) {
    case K_STRING:
      if (typeof v !== 'string') failType('a string', v);
      return JSON.stringify(v);
    case K_MESSAGE:
      if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) failType('an object', v);
      return writeMessage(field.message as MessageDef, v as Record<string, unknown>);
    case K_BYTES:
      if (!(v instanceof Uint8Array)) failType('a Uint8Array', v);
      return field.id !== 0 ? `"${toHex(v)}"` : `"${toBase64(v)}"`;
    case K_DOUBLE:
    case K_FLOAT:
      return writeDouble(v);
    case K_BOOL:
      if (typeof v !== 'boolean') failType('a boolean', v);
      return v ? 'true' : 'false';
    case K_INT32:
    case K_ENUM:
    case K_SINT32:
    case K_SFIXED32:
      if (typeof v !== 'number') failType('a number', v);
      return String(v | 0);
    case K_UINT32:
    case K_FIXED32:
      if (typeof v !== 'number') failType('a number', v);
      return String(v >>> 0);
    default:
      // 64-bit integers: decimal strings, wrapped to 64 bits as the protobuf writer does.
      return `"${wrap64(field.kind, toBig(v))}"`;
  }
}

function toBig(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return BigInt(v);
  return failType('a bigint (or an integer number)', v);
}

const U64_LIMIT = 1n << 64n;
const I64_MIN = -(1n << 63n);
const I64_LIMIT = 1n << 63n;

function wrap64(kind: number, b: bigint): bigint {
  if (kind === K_UINT64 || kind === K_FIXED64) return b >= 0n && b < U64_LIMIT ? b : BigInt.asUintN(64, b);
  return b >= I64_MIN && b < I64_LIMIT ? b : BigInt.asIntN(64, b);
}
