/**
 * Limits and options of the decoders.
 *
 * The decoders are recursive only along the schema: protobuf fields that are
 * not in the tables are kept as raw bytes and never descended into, unknown
 * JSON keys are never visited. The OTLP messages themselves nest at most
 * ~8 levels except through AnyValue (kvlist → KeyValue → AnyValue, array →
 * AnyValue), so bounding the AnyValue nesting bounds the recursion: hostile
 * input gets an OtlpDecodeError, never a stack overflow.
 */

/** Default maximum nesting depth of AnyValue: an attribute's value is depth 1, a value inside its array or kvlist depth 2, … */
export const DEFAULT_MAX_ANY_VALUE_DEPTH = 64;

/** Hard ceiling for `maxAnyValueDepth` (keeps the recursion far from the stack limit). */
export const MAX_ANY_VALUE_DEPTH_CEILING = 256;

/** Maximum nesting of protobuf groups (wire types 3/4, obsolete, never used by OTLP) inside unknown fields. */
export const MAX_GROUP_DEPTH = 64;

export interface DecodeOptions {
  /** Maximum AnyValue nesting depth; deeper input is an OtlpDecodeError. Default {@link DEFAULT_MAX_ANY_VALUE_DEPTH}. */
  maxAnyValueDepth?: number;
  /**
   * Protobuf `string` fields that are not valid UTF-8 (proto3 requires UTF-8):
   * 'error' (default) rejects the request with an OtlpDecodeError, as proto3
   * parsers do; 'replace' decodes them with U+FFFD replacement characters
   * (lossy: the forwarded bytes differ).
   */
  invalidUtf8?: 'error' | 'replace';
}

export function maxDepthOf(options: DecodeOptions | undefined): number {
  const d = options?.maxAnyValueDepth;
  if (d === undefined) return DEFAULT_MAX_ANY_VALUE_DEPTH;
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`maxAnyValueDepth must be a non-negative integer, got ${String(d)}`);
  return Math.min(d, MAX_ANY_VALUE_DEPTH_CEILING);
}
