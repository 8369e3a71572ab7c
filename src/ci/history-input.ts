import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { HistoryBuilder } from './history';
import type { BenchmarkHistory } from './history';
import { parseCsvHistory } from './history-csv';
import { HistoryInputError } from './history-error';
import { historyOfHyperfineRuns, isHyperfineExport, readHyperfineRun } from './history-hyperfine';
import type { HyperfineRun } from './history-hyperfine';
import { JSON_SHAPES_HINT, describeJson, parseJsonColumns, parseJsonRecords } from './history-json';

/**
 * Largest history file read: 16 MiB. A file holds at most ~8 M cells then,
 * so the parsed history stays under ~150 MB even in that extreme; real
 * benchmark histories are kilobytes.
 */
export const MAX_HISTORY_FILE_BYTES = 16 * 1024 * 1024;

/** What one file holds: a table of runs, or one hyperfine run. */
export type HistoryFileContent =
  | { readonly kind: 'table'; readonly history: BenchmarkHistory }
  | { readonly kind: 'hyperfine'; readonly run: HyperfineRun };

/**
 * Parses one history file, its format told by the extension and checked
 * against the content:
 * - `.csv`, `.tsv`, `.txt`: a CSV table (see `parseCsvHistory`);
 * - `.json`: a hyperfine `--export-json` file, an array of records, or an
 *   object of columns (see `parseJsonRecords`, `parseJsonColumns`);
 * - `.jsonl`, `.ndjson`: one record object per line, handy for CI jobs that
 *   append one line per run;
 * - anything else: JSON when the content starts with `{` or `[`, else CSV.
 *
 * @param file the name used in messages (as the user typed it).
 * @throws HistoryInputError naming the file and the place in it.
 */
export function parseHistoryFile(text: string, file: string): HistoryFileContent {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv' || extension === '.txt') return { kind: 'table', history: parseCsvHistory(text, file) };
  if (extension === '.tsv') return { kind: 'table', history: parseCsvHistory(text, file, '\t') };
  if (extension === '.jsonl' || extension === '.ndjson') return { kind: 'table', history: parseJsonLines(text, file) };
  if (extension === '.json' || /^\s*[[{]/.test(text)) return parseJsonHistory(text, file);
  return { kind: 'table', history: parseCsvHistory(text, file) };
}

function parseJsonHistory(text: string, file: string): HistoryFileContent {
  let document: unknown;
  try {
    document = JSON.parse(text) as unknown;
  } catch (error) {
    throw jsonSyntaxError(error, text, file);
  }
  if (isHyperfineExport(document)) return { kind: 'hyperfine', run: readHyperfineRun(document, file) };
  if (Array.isArray(document)) return { kind: 'table', history: parseJsonRecords(document, file) };
  if (typeof document === 'object' && document !== null) {
    return { kind: 'table', history: parseJsonColumns(document as Record<string, unknown>, file) };
  }
  throw new HistoryInputError(file, '', `the document is ${describeJson(document)}; ${JSON_SHAPES_HINT}`);
}

function parseJsonLines(text: string, file: string): BenchmarkHistory {
  const records: unknown[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as unknown);
    } catch (error) {
      throw new HistoryInputError(file, String(index + 1), `not a JSON record (${error instanceof Error ? error.message : String(error)}); each line holds one object such as {"commit": "abc123", "latency_ms": 12.1}`);
    }
    lines.push(index + 1);
  });
  return parseJsonRecords(records, file, (index) => String(lines[index]));
}

/** JSON.parse's complaint with the line it happened on, when the message gives a position. */
function jsonSyntaxError(error: unknown, text: string, file: string): HistoryInputError {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  const line = position === null ? '' : String(text.slice(0, Number(position[1])).split('\n').length);
  return new HistoryInputError(file, line, `not valid JSON: ${message.split('\n')[0] ?? message}`);
}

/** Reads a file's text; replaceable in tests. */
export type ReadTextFile = (filePath: string) => string;

/**
 * Reads the history given as one or more files, in the order given (oldest
 * first):
 * - tables (CSV, JSON) are concatenated: later files continue the history;
 * - hyperfine exports are one run each: N files make a history of N points.
 * The two kinds cannot be mixed.
 *
 * @param files names as the user typed them (used in messages).
 * @param cwd directory relative names are resolved against.
 * @param readTextFile reads a resolved path; defaults to the file system, refusing files over MAX_HISTORY_FILE_BYTES.
 */
export function readHistory(files: readonly string[], cwd: string, readTextFile: ReadTextFile = readBoundedFile): BenchmarkHistory {
  if (files.length === 0) throw new HistoryInputError('slowatch regress', '', 'no history file given');
  const contents = files.map((file) => {
    let text: string;
    try {
      text = readTextFile(path.resolve(cwd, file));
    } catch (error) {
      if (error instanceof HistoryInputError) throw error;
      throw new HistoryInputError(file, '', `cannot read: ${describeReadError(error)}`);
    }
    return parseHistoryFile(text, file);
  });
  const hyperfine = contents.filter((content) => content.kind === 'hyperfine');
  if (hyperfine.length === contents.length) return historyOfHyperfineRuns(hyperfine.map((content) => content.run));
  if (hyperfine.length > 0) {
    const table = files[contents.findIndex((content) => content.kind === 'table')] as string;
    throw new HistoryInputError(
      hyperfine[0]?.run.file ?? '',
      '',
      `a hyperfine export, but ${table} is a history table; pass either hyperfine exports (one per run, oldest first) or history tables`,
    );
  }
  const builder = new HistoryBuilder();
  for (const content of contents) if (content.kind === 'table') builder.append(content.history);
  return builder.build();
}

function readBoundedFile(filePath: string): string {
  const size = statSync(filePath).size;
  if (size > MAX_HISTORY_FILE_BYTES) {
    throw new Error(`${size} bytes, more than the ${MAX_HISTORY_FILE_BYTES} a history may have; keep the newest runs`);
  }
  return readFileSync(filePath, 'utf8');
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
