import { HistoryBuilder } from './history';
import type { BenchmarkHistory } from './history';
import { HistoryInputError } from './history-error';
import { TIME_FORMATS_HINT, parseHistoryTime } from './history-time';
import { CsvSyntaxError, readCsvRows } from './csv-rows';
import type { CsvRow } from './csv-rows';
import { parseMetricNumber } from './metric-number';

/**
 * Reads a benchmark history table in Otava's CSV layout: a header row, then
 * one row per run, oldest first.
 * - The time column is the one named `time` (or `timestamp`, `date`), else
 *   the first column; see `parseHistoryTime` for the accepted forms.
 * - Columns named `commit` and `version` label the runs.
 * - Every other column holding numbers is a metric; an empty cell is a
 *   missing value. A column holding no numbers at all (e.g. `branch`) is
 *   ignored; one mixing numbers and other text is an error at its first bad cell.
 * Fields are separated by commas (tabs for `.tsv`, or when the header has tabs
 * or semicolons and no comma) and may be double-quoted as in RFC 4180.
 *
 * Memory: the rows of the file, then the history (see `BenchmarkHistory`).
 */
export function parseCsvHistory(text: string, file: string, delimiterHint?: string): BenchmarkHistory {
  const rows = readRows(stripByteOrderMark(text), delimiterHint ?? guessDelimiter(text), file);
  const header = rows[0];
  if (header === undefined) throw new HistoryInputError(file, '', 'no header row; a CSV history starts with a header such as time,commit,latency_ms');
  const names = header.fields.map((name) => name.trim());
  const seen = new Map<string, number>();
  names.forEach((name, column) => {
    if (name === '') throw new HistoryInputError(file, String(header.line), `column ${column + 1} has no name in the header`);
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) throw new HistoryInputError(file, String(header.line), `column "${name}" appears twice in the header (columns ${earlier + 1} and ${column + 1})`);
    seen.set(name.toLowerCase(), column);
  });
  const lower = names.map((name) => name.toLowerCase());
  const commitColumn = lower.indexOf('commit');
  const versionColumn = lower.indexOf('version');
  let timeColumn = lower.findIndex((name) => name === 'time' || name === 'timestamp' || name === 'date');
  if (timeColumn === -1 && commitColumn !== 0 && versionColumn !== 0) timeColumn = 0;
  const valueColumns = names.map((_, column) => column).filter((column) => column !== timeColumn && column !== commitColumn && column !== versionColumn);

  const dataRows = rows.slice(1);
  // A column is a metric when it holds at least one number; then every non-empty cell must be one.
  const metricColumns = valueColumns.filter((column) => dataRows.some((row) => parseMetricNumber(row.fields[column] ?? '') !== undefined));
  const builder = new HistoryBuilder();
  for (const column of valueColumns) if (!metricColumns.includes(column)) builder.ignoreField(names[column] as string);

  for (const row of dataRows) {
    const where = String(row.line);
    if (row.fields.length !== names.length) {
      throw new HistoryInputError(file, where, `${row.fields.length} fields, but the header has ${names.length} (${names.join(',')})`);
    }
    const cell = (column: number): string => (row.fields[column] ?? '').trim();
    let time: string | undefined;
    let timestampMs: number | undefined;
    if (timeColumn !== -1) {
      time = cell(timeColumn);
      timestampMs = parseHistoryTime(time);
      if (timestampMs === undefined) {
        throw new HistoryInputError(file, where, `column "${names[timeColumn]}": "${time}" is not a time (${TIME_FORMATS_HINT})`);
      }
    }
    builder.addPoint({
      file,
      location: `line ${row.line}`,
      ...(time !== undefined ? { time, timestampMs } : {}),
      ...(commitColumn !== -1 && cell(commitColumn) !== '' ? { commit: cell(commitColumn) } : {}),
      ...(versionColumn !== -1 && cell(versionColumn) !== '' ? { version: cell(versionColumn) } : {}),
    });
    for (const column of metricColumns) {
      const raw = cell(column);
      if (raw === '') {
        builder.setValue(names[column] as string, null);
        continue;
      }
      const value = parseMetricNumber(raw);
      if (value === undefined) {
        throw new HistoryInputError(file, where, `column "${names[column]}": "${raw}" is not a number (use a plain number like 12.5 or 1e3; an empty cell is a missing value)`);
      }
      builder.setValue(names[column] as string, value);
    }
  }
  return builder.build();
}

function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Comma unless the first line has none and has tabs or semicolons. */
function guessDelimiter(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.includes(',')) return ',';
  if (firstLine.includes('\t')) return '\t';
  if (firstLine.includes(';')) return ';';
  return ',';
}

/** The table's rows (strict quotes), syntax errors worded as history errors. */
function readRows(text: string, delimiter: string, file: string): CsvRow[] {
  try {
    return readCsvRows(text, { delimiter });
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    const message =
      error.problem === 'unclosed-quote'
        ? 'a quoted field is never closed (a field starting with " must end with ")'
        : 'text after a closing quote; quote the whole field and write a quote inside it as ""';
    throw new HistoryInputError(file, String(error.line), message);
  }
}
