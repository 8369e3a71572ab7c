import { fieldPath, malformed } from '../slo/snapshot-reader';

/**
 * Checked reads, beyond the generic ones of `src/slo/snapshot-reader`, that
 * the detector and baseline states need: typed arrays of any element type
 * (checked by their tag, so arrays from another realm pass), and numbers
 * that may legitimately be NaN or infinite (a detector's "no time yet" is
 * NaN, an empty sketch's minimum is +Infinity). Every failure is a
 * TypeError starting with the field's path, as in snapshot-reader.
 *
 * Pure: no I/O, nothing kept between calls.
 */

/** The typed arrays the states hold. */
export type StateArrayKind = 'Float64Array' | 'Float32Array' | 'Uint32Array' | 'Uint8Array';

interface StateArrayOf {
  Float64Array: Float64Array;
  Float32Array: Float32Array;
  Uint32Array: Uint32Array;
  Uint8Array: Uint8Array;
}

/**
 * A typed array of the given kind whose length is `length` exactly, or at
 * most `length.max`. Returned as it is (possibly a view on the
 * deserialiser's buffer): callers copy it into their own arrays.
 */
export function readTypedArray<K extends StateArrayKind>(
  record: Readonly<Record<string, unknown>>,
  key: string,
  path: string,
  kind: K,
  length: number | { readonly max: number },
): StateArrayOf[K] {
  const value = record[key];
  const expected = typeof length === 'number' ? `a ${kind} of ${length} entries` : `a ${kind} of at most ${length.max} entries`;
  // Node's own Buffer is a Uint8Array subclass whose tag is Uint8Array too: accepted.
  if (Object.prototype.toString.call(value) !== `[object ${kind}]`) return malformed(fieldPath(path, key), expected, value);
  const array = value as StateArrayOf[K];
  const fits = typeof length === 'number' ? array.length === length : array.length <= length.max;
  if (!fits) throw new TypeError(`${fieldPath(path, key)}: expected ${expected}, got ${array.length}`);
  return array;
}

/** Any number: NaN and ±Infinity included (they mean "none yet" in several states). */
export function readReal(record: Readonly<Record<string, unknown>>, key: string, path: string): number {
  const value = record[key];
  if (typeof value !== 'number') return malformed(fieldPath(path, key), 'a number', value);
  return value;
}

/** An integer in [min, max]. */
export function readIntegerIn(record: Readonly<Record<string, unknown>>, key: string, path: string, min: number, max: number): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return malformed(fieldPath(path, key), `an integer in [${min}, ${max}]`, value);
  }
  return value;
}
