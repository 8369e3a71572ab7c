import { HistoryBuilder } from './history';
import type { BenchmarkHistory, HistoryPoint } from './history';
import { HistoryInputError } from './history-error';
import { TIME_FORMATS_HINT, parseHistoryTime } from './history-time';

/** What the JSON readers accept, for error messages. */
export const JSON_SHAPES_HINT =
  'a JSON history is {"metric": [numbers...]} (optionally with "time", "commit", "version" arrays), an array of records [{"time": ..., "commit": ..., "metric": 1.2}], or a hyperfine --export-json file';

const LABEL_FIELDS = new Set(['time', 'timestamp', 'date', 'commit', 'version']);

/**
 * A history in columns: `{ "latency_ms": [12.1, 12.3, null, …], "time": […], "commit": […] }`.
 * Every array has one entry per run, oldest first; `null` is a missing value.
 * `time` (or `timestamp`, `date`), `commit` and `version` label the runs; every
 * other key is a metric and must hold numbers or null.
 */
export function parseJsonColumns(document: Record<string, unknown>, file: string): BenchmarkHistory {
  const entries = Object.entries(document);
  if (entries.length === 0) throw new HistoryInputError(file, '', `the object has no keys; ${JSON_SHAPES_HINT}`);
  let length: number | undefined;
  let lengthKey = '';
  for (const [key, value] of entries) {
    if (!Array.isArray(value)) {
      throw new HistoryInputError(file, `[${JSON.stringify(key)}]`, `expected an array with one entry per run, got ${describeJson(value)}; ${JSON_SHAPES_HINT}`);
    }
    if (length === undefined) {
      length = value.length;
      lengthKey = key;
    } else if (value.length !== length) {
      throw new HistoryInputError(file, `[${JSON.stringify(key)}]`, `has ${value.length} entries but "${lengthKey}" has ${length}; every array needs one entry per run`);
    }
  }
  const columns = new Map(entries as [string, unknown[]][]);
  const builder = new HistoryBuilder();
  const timeKey = [...columns.keys()].find((key) => ['time', 'timestamp', 'date'].includes(key.toLowerCase()));
  const labelAt = (name: string, index: number): string | undefined => {
    const key = [...columns.keys()].find((candidate) => candidate.toLowerCase() === name);
    if (key === undefined) return undefined;
    return labelText(columns.get(key)?.[index], file, `[${JSON.stringify(key)}][${index}]`);
  };
  for (let index = 0; index < (length ?? 0); index++) {
    const point: HistoryPoint = {
      file,
      location: `[${index}]`,
      ...timeFields(timeKey === undefined ? undefined : columns.get(timeKey)?.[index], file, `[${JSON.stringify(timeKey)}][${index}]`),
      ...optional('commit', labelAt('commit', index)),
      ...optional('version', labelAt('version', index)),
    };
    builder.addPoint(point);
    for (const [key, values] of columns) {
      if (LABEL_FIELDS.has(key.toLowerCase())) continue;
      builder.setValue(key, metricValue(values[index], file, `[${JSON.stringify(key)}][${index}]`));
    }
  }
  return builder.build();
}

/**
 * A history as records, one per run, oldest first:
 * `[{ "time": "2024-01-31T12:00:00Z", "commit": "abc123", "latency_ms": 12.1 }, …]`.
 * Numeric fields are metrics (`null` = missing); `time` (or `timestamp`,
 * `date`), `commit` and `version` label the run; a field that never holds a
 * number (a branch name, nested details) is ignored, but one mixing numbers
 * and other values is an error at its first odd value.
 *
 * @param locate how to name record `index` in messages: `[3]` for an array, `7` (a line) for JSON lines.
 */
export function parseJsonRecords(records: readonly unknown[], file: string, locate: (index: number) => string = (index) => `[${index}]`): BenchmarkHistory {
  const metricKeys = new Set<string>();
  const otherKeys = new Set<string>();
  records.forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new HistoryInputError(file, locate(index), `expected an object with one run's values such as {"time": "2024-01-31T12:00:00Z", "commit": "abc123", "latency_ms": 12.1}, got ${describeJson(record)}`);
    }
    for (const [key, value] of Object.entries(record)) {
      if (LABEL_FIELDS.has(key.toLowerCase())) continue;
      if (typeof value === 'number') metricKeys.add(key);
      else if (value !== null) otherKeys.add(key);
    }
  });
  const builder = new HistoryBuilder();
  for (const key of otherKeys) if (!metricKeys.has(key)) builder.ignoreField(key);
  records.forEach((record, index) => {
    const fields = record as Record<string, unknown>;
    const where = locate(index);
    const field = (name: string): [string, unknown] | undefined => Object.entries(fields).find(([key]) => key.toLowerCase() === name);
    const time = field('time') ?? field('timestamp') ?? field('date');
    const commit = field('commit');
    const version = field('version');
    builder.addPoint({
      file,
      location: where.startsWith('[') ? where : `line ${where}`,
      ...timeFields(time?.[1], file, fieldPath(where, time?.[0])),
      ...optional('commit', labelText(commit?.[1], file, fieldPath(where, commit?.[0]))),
      ...optional('version', labelText(version?.[1], file, fieldPath(where, version?.[0]))),
    });
    for (const key of metricKeys) builder.setValue(key, metricValue(fields[key], file, fieldPath(where, key)));
  });
  return builder.build();
}

/** `[3].latency` for an array record, `7` (its line) for a JSON-lines record. */
function fieldPath(where: string, key: string | undefined): string {
  if (!where.startsWith('[')) return where;
  return key === undefined ? where : `${where}.${key}`;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function metricValue(value: unknown, file: string, where: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new HistoryInputError(file, where, `expected a number (null for a missing value), got ${describeJson(value)}`);
}

function labelText(value: unknown, file: string, where: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  throw new HistoryInputError(file, where, `expected a string or a number, got ${describeJson(value)}`);
}

function timeFields(value: unknown, file: string, where: string): { time?: string; timestampMs?: number } {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new HistoryInputError(file, where, `expected a time (${TIME_FORMATS_HINT}), got ${describeJson(value)}`);
  }
  const time = String(value);
  const timestampMs = parseHistoryTime(time);
  if (timestampMs === undefined) throw new HistoryInputError(file, where, `expected a time (${TIME_FORMATS_HINT}), got "${time}"`);
  return { time, timestampMs };
}

/** `a string ("12ms")`, `an object`, … for messages. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
