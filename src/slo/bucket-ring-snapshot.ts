import { MAX_TIME_MS } from './durations';
import { fieldPath, readFloat64Array, readInteger, readRecord } from './snapshot-reader';

/**
 * A `BucketRing`'s contents as plain, structured-clone-able data (survives
 * `v8.serialize` / `structuredClone` unchanged): its geometry, the newest
 * bucket number and copies of both count arrays.
 *
 * Serialised size: the two arrays, `16 × length` bytes (5 760 B for the
 * 360-bucket ring), plus about 60 B for the numbers and keys.
 */
export interface BucketRingSnapshot {
  /** Width of one bucket in ms; must equal the restoring ring's. */
  readonly resolutionMs: number;
  /** Number of buckets; must equal the restoring ring's. */
  readonly length: number;
  /** Bucket number (`floor(t / resolutionMs)`) of the newest bucket, -1 when nothing was ever added. */
  readonly newest: number;
  /** Events per slot, slot = bucket % length. */
  readonly totals: Float64Array;
  /** Bad events per slot; `0 ≤ bads[i] ≤ totals[i]`. */
  readonly bads: Float64Array;
}

/**
 * Checks that `value` is a well-formed `BucketRingSnapshot` and returns it
 * typed (the arrays are not copied: `BucketRing.restoreState` copies them).
 *
 * @param path where the value sits in the whole state, for messages.
 * @throws TypeError naming the field: a missing or mistyped field, arrays
 *   whose length is not `length`, a negative or non-finite count, a bad count
 *   above its total, or a newest bucket out of range.
 */
export function parseBucketRingSnapshot(value: unknown, path: string): BucketRingSnapshot {
  const record = readRecord(value, path);
  const resolutionMs = readInteger(record, 'resolutionMs', path, 1);
  const length = readInteger(record, 'length', path, 1);
  const newest = readInteger(record, 'newest', path, -1);
  if (newest > Math.floor(MAX_TIME_MS / resolutionMs)) {
    throw new TypeError(`${fieldPath(path, 'newest')}: bucket ${newest} lies beyond the latest time accepted`);
  }
  const totals = readFloat64Array(record, 'totals', path, length);
  const bads = readFloat64Array(record, 'bads', path, length);
  for (let i = 0; i < length; i++) {
    const total = totals[i] ?? NaN;
    const bad = bads[i] ?? NaN;
    if (!(total >= 0 && total < Infinity)) {
      throw new TypeError(`${fieldPath(path, 'totals')}[${i}]: expected a finite count >= 0, got ${total}`);
    }
    if (!(bad >= 0 && bad <= total)) {
      throw new TypeError(`${fieldPath(path, 'bads')}[${i}]: expected a count in [0, totals[${i}] = ${total}], got ${bad}`);
    }
  }
  return { resolutionMs, length, newest, totals, bads };
}
