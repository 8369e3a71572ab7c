/**
 * Checked reads of a state snapshot that came back from storage as `unknown`
 * (e.g. out of `v8.deserialize`). Every failure is a TypeError whose message
 * starts with the path of the offending field, e.g.
 * `state.objectives[0].series[3].window.fine.totals: expected a Float64Array, got Array`,
 * so a bad snapshot says exactly where it is bad.
 *
 * Pure: no I/O, nothing kept between calls.
 */

/** What a value is, for error messages: `null`, `Array`, `Float64Array`, `number NaN`, `string`, … */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'Array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === 'number') return `number ${value}`;
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/** The field's path for messages: `parent.key`, or `key` at the root. */
export function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Throws the TypeError for `path`. */
export function malformed(path: string, expected: string, got: unknown): never {
  throw new TypeError(`${path}: expected ${expected}, got ${describe(got)}`);
}

/** A plain object (not null, not an array, not a typed array). */
export function readRecord(value: unknown, path: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    return malformed(path, 'an object', value);
  }
  return value as Readonly<Record<string, unknown>>;
}

/** A finite number. */
export function readNumber(record: Readonly<Record<string, unknown>>, key: string, path: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return malformed(fieldPath(path, key), 'a finite number', value);
  return value;
}

/** A finite number ≥ 0 (an event count; doubles, so exact up to 2^53). */
export function readCount(record: Readonly<Record<string, unknown>>, key: string, path: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !(value >= 0 && value < Infinity)) {
    return malformed(fieldPath(path, key), 'a finite number >= 0', value);
  }
  return value;
}

/** A safe integer ≥ `min`. */
export function readInteger(record: Readonly<Record<string, unknown>>, key: string, path: string, min: number): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    return malformed(fieldPath(path, key), `an integer >= ${min}`, value);
  }
  return value;
}

/** A finite number, or null. */
export function readNullableNumber(record: Readonly<Record<string, unknown>>, key: string, path: string): number | null {
  return record[key] === null ? null : readNumber(record, key, path);
}

export function readBoolean(record: Readonly<Record<string, unknown>>, key: string, path: string): boolean {
  const value = record[key];
  if (typeof value !== 'boolean') return malformed(fieldPath(path, key), 'a boolean', value);
  return value;
}

export function readString(record: Readonly<Record<string, unknown>>, key: string, path: string): string {
  const value = record[key];
  if (typeof value !== 'string') return malformed(fieldPath(path, key), 'a string', value);
  return value;
}

/** An array of anything; the caller checks the elements (path `path.key[i]`). */
export function readArray(record: Readonly<Record<string, unknown>>, key: string, path: string): readonly unknown[] {
  const value = record[key];
  if (!Array.isArray(value)) return malformed(fieldPath(path, key), 'an array', value);
  return value;
}

/** An array of strings. */
export function readStringArray(record: Readonly<Record<string, unknown>>, key: string, path: string): readonly string[] {
  const values = readArray(record, key, path);
  values.forEach((v, i) => {
    if (typeof v !== 'string') malformed(`${fieldPath(path, key)}[${i}]`, 'a string', v);
  });
  return values as readonly string[];
}

/**
 * A Float64Array of exactly `length` entries. Checked by its tag rather than
 * `instanceof`, so an array made in another realm (a worker, a vm context)
 * passes too. The array is returned as it is, possibly a view on the
 * deserialiser's buffer: callers copy it.
 */
export function readFloat64Array(
  record: Readonly<Record<string, unknown>>,
  key: string,
  path: string,
  length: number,
): Float64Array {
  const value = record[key];
  if (Object.prototype.toString.call(value) !== '[object Float64Array]') {
    return malformed(fieldPath(path, key), `a Float64Array of ${length} numbers`, value);
  }
  const array = value as Float64Array;
  if (array.length !== length) {
    throw new TypeError(`${fieldPath(path, key)}: expected ${length} numbers, got ${array.length}`);
  }
  return array;
}
