import { readFileSync } from 'node:fs';
import { CsvSyntaxError, readCsvRows } from './csv-rows';
import type { CsvRow } from './csv-rows';
import { parseMetricNumber } from './metric-number';

/**
 * Samples per metric for `slowatch compare`, from the files benchmarks and
 * load tests already write. Four layouts, told apart by content:
 *
 * - `json-object`: `{ "latency_ms": [12.1, 13.4], "rss_mb": [80, 82] }`;
 * - `json-records`: `[{ "latency_ms": 12.1, "rss_mb": 80 }, …]`, one record
 *   per run; a metric missing from a record (absent or null) is skipped;
 * - `csv`: a header row of metric names, then one row per run; an empty
 *   cell is skipped;
 * - `hyperfine`: `hyperfine --export-json` output, one metric per
 *   `results[].command` (the command, or its `--command-name`), its
 *   `times` in seconds.
 *
 * Every value must be a finite number; errors name the file, the record or
 * line, and what would be valid. The whole file is read into memory, so
 * memory is about the file's size plus 8 bytes per value.
 */

export type SamplesFormat = 'json-object' | 'json-records' | 'csv' | 'hyperfine';

export interface MetricSamples {
  readonly format: SamplesFormat;
  /** Metric name → values, in the order the file first names them. */
  readonly metrics: ReadonlyMap<string, readonly number[]>;
}

/** A samples file that cannot be used; the message is one line, starting with the file name. */
export class SamplesInputError extends Error {
  override readonly name = 'SamplesInputError';
}

/** Reads and parses a samples file. @throws SamplesInputError */
export function readSamplesFile(filePath: string, readText: (filePath: string) => string = (p) => readFileSync(p, 'utf8')): MetricSamples {
  let text: string;
  try {
    text = readText(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : (error as Error).message;
    throw new SamplesInputError(`${filePath}: cannot read: ${why}`);
  }
  return parseSamples(text, filePath);
}

/**
 * Parses the text of a samples file. JSON when it starts with `{` or `[`,
 * CSV otherwise. @param fileName used in error messages only
 * @throws SamplesInputError
 */
export function parseSamples(text: string, fileName: string): MetricSamples {
  const content = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const first = content.trimStart()[0];
  if (first === undefined) {
    throw new SamplesInputError(`${fileName}: the file is empty; expected JSON ({"metric": [values]}, records, hyperfine --export-json) or CSV with a header row`);
  }
  if (first !== '{' && first !== '[') return parseCsvSamples(content, fileName);
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch (error) {
    throw new SamplesInputError(`${fileName}: invalid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(document)) return parseRecords(document, fileName);
  const object = document as Record<string, unknown>;
  if ('results' in object && Array.isArray(object.results)) return parseHyperfine(object.results, fileName);
  return parseMetricArrays(object, fileName);
}

function parseMetricArrays(object: Record<string, unknown>, fileName: string): MetricSamples {
  const metrics = new Map<string, number[]>();
  for (const [metric, values] of Object.entries(object)) {
    checkMetricName(metric, `${fileName}: key ""`);
    if (!Array.isArray(values)) {
      throw new SamplesInputError(`${fileName}: "${metric}" must be an array of numbers, got ${describeJson(values)}`);
    }
    metrics.set(
      metric,
      values.map((value, index) => {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new SamplesInputError(`${fileName}: "${metric}"[${index}] must be a finite number, got ${describeJson(value)}`);
        }
        return value;
      }),
    );
  }
  if (metrics.size === 0) throw new SamplesInputError(`${fileName}: the JSON object has no metrics; expected {"metric": [values], …}`);
  return { format: 'json-object', metrics };
}

function parseRecords(records: unknown[], fileName: string): MetricSamples {
  const metrics = new Map<string, number[]>();
  records.forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new SamplesInputError(`${fileName}: record [${index}] must be an object like {"metric": 12.5}, got ${describeJson(record)}`);
    }
    for (const [metric, value] of Object.entries(record as Record<string, unknown>)) {
      checkMetricName(metric, `${fileName}: record [${index}]`);
      if (value === null) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SamplesInputError(`${fileName}: record [${index}] "${metric}" must be a finite number (or null for none), got ${describeJson(value)}`);
      }
      const values = metrics.get(metric);
      if (values === undefined) metrics.set(metric, [value]);
      else values.push(value);
    }
  });
  if (metrics.size === 0) throw new SamplesInputError(`${fileName}: the records hold no metric values; expected [{"metric": 12.5, …}, …]`);
  return { format: 'json-records', metrics };
}

function parseHyperfine(results: unknown[], fileName: string): MetricSamples {
  const metrics = new Map<string, number[]>();
  results.forEach((result, index) => {
    const entry = (typeof result === 'object' && result !== null ? result : {}) as { command?: unknown; times?: unknown };
    if (typeof entry.command !== 'string' || entry.command === '') {
      throw new SamplesInputError(`${fileName}: results[${index}] has no "command" string; is this hyperfine --export-json output?`);
    }
    const metric = entry.command;
    if (!Array.isArray(entry.times)) {
      throw new SamplesInputError(`${fileName}: results[${index}] ("${metric}") has no "times" array; hyperfine --export-json writes one per command`);
    }
    if (metrics.has(metric)) {
      throw new SamplesInputError(`${fileName}: results[${index}]: command "${metric}" appears twice; name each with hyperfine --command-name`);
    }
    metrics.set(
      metric,
      entry.times.map((time: unknown, timeIndex: number) => {
        if (typeof time !== 'number' || !Number.isFinite(time)) {
          throw new SamplesInputError(`${fileName}: results[${index}].times[${timeIndex}] ("${metric}") must be a finite number of seconds, got ${describeJson(time)}`);
        }
        return time;
      }),
    );
  });
  if (metrics.size === 0) throw new SamplesInputError(`${fileName}: hyperfine "results" is empty`);
  return { format: 'hyperfine', metrics };
}

function parseCsvSamples(text: string, fileName: string): MetricSamples {
  const rows = readSampleRows(text, fileName);
  const header = rows[0];
  if (header === undefined) throw new SamplesInputError(`${fileName}: no header row; expected CSV with metric names in the first row`);
  const names = header.fields.map((cell) => cell.trim());
  const seen = new Set<string>();
  names.forEach((name, column) => {
    checkMetricName(name, `${fileName}:${header.line}: header column ${column + 1}`);
    if (seen.has(name)) throw new SamplesInputError(`${fileName}:${header.line}: column "${name}" appears twice in the header; metric names must be unique`);
    seen.add(name);
  });
  const metrics = new Map<string, number[]>(names.map((name) => [name, []]));
  for (const row of rows.slice(1)) {
    if (row.fields.length !== names.length) {
      throw new SamplesInputError(`${fileName}:${row.line}: ${row.fields.length} cells, but the header has ${names.length} columns (${names.join(', ')})`);
    }
    row.fields.forEach((cell, column) => {
      const trimmed = cell.trim();
      if (trimmed === '') return;
      const value = parseMetricNumber(trimmed);
      if (value === undefined) {
        throw new SamplesInputError(
          `${fileName}:${row.line}: column "${names[column]}": ${JSON.stringify(trimmed)} is not a number; write a decimal like 12.5 or leave the cell empty`,
        );
      }
      metrics.get(names[column] as string)?.push(value);
    });
  }
  return { format: 'csv', metrics };
}

/** The file's rows, blank ones and lone blank cells dropped, syntax errors worded as samples errors. */
function readSampleRows(text: string, fileName: string): CsvRow[] {
  let rows: CsvRow[];
  try {
    // Lenient about text after a closing quote (`"12.5" ,`): every cell is trimmed anyway.
    rows = readCsvRows(text, { strictQuotes: false });
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new SamplesInputError(`${fileName}:${error.line}: a quoted cell is never closed; end it with "`);
    throw error;
  }
  return rows.filter((row) => !(row.fields.length === 1 && row.fields[0]?.trim() === ''));
}

/** @param location where the name is, starting with the file name */
function checkMetricName(name: string, location: string): void {
  if (name.trim() === '') throw new SamplesInputError(`${location}: empty metric name; every metric needs a name`);
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  // JSON holds nothing else: numbers (only non-finite ones get here) and booleans.
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}
