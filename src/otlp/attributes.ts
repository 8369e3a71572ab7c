/**
 * Convenience conversions from OTLP attribute values to plain JS values.
 */
import type { AnyValue, KeyValue } from './model/common';

/** Nesting beyond this is cut off (the value becomes undefined) rather than recursing further. */
const MAX_DEPTH = 64;

/**
 * An AnyValue as a plain JS value: string, boolean, number (`intValue` as a
 * number when it is a safe integer, else its decimal string), array, object
 * (from a kvlist), Uint8Array (bytes); undefined for the empty AnyValue.
 */
export function anyValueToJs(value: AnyValue | undefined): unknown {
  return toJs(value, 0);
}

function toJs(value: AnyValue | undefined, depth: number): unknown {
  if (value === undefined || value === null || depth > MAX_DEPTH) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) {
    const v = value.intValue;
    if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
    return v;
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) {
    const values = value.arrayValue.values ?? [];
    const out = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = toJs(values[i], depth + 1);
    return out;
  }
  if (value.kvlistValue !== undefined) return toRecord(value.kvlistValue.values ?? [], depth + 1);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return undefined;
}

function toRecord(attributes: readonly KeyValue[], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < attributes.length; i++) {
    const kv = attributes[i] as KeyValue;
    const key = kv.key ?? '';
    const v = toJs(kv.value, depth);
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

/** Attributes as a record key → plain JS value (see {@link anyValueToJs}); for a repeated key the last one wins. */
export function attributesToRecord(attributes: readonly KeyValue[] | undefined): Record<string, unknown> {
  return toRecord(attributes ?? [], 0);
}
