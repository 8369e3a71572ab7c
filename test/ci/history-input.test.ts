import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryInputError } from '../../src/ci/history-error';
import { MAX_HISTORY_FILE_BYTES, parseHistoryFile, readHistory } from '../../src/ci/history-input';
import { thrownBy } from '../helpers/thrown';

const FIXTURES = path.resolve(__dirname, '../fixtures/ci');

const messageOf = (action: () => unknown): string => thrownBy(HistoryInputError, action).message;

/** An in-memory file system for readHistory. */
function memoryFiles(files: Record<string, string>): (filePath: string) => string {
  return (filePath) => {
    const text = files[path.basename(filePath)];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${filePath}`), { code: 'ENOENT' });
    return text;
  };
}

const hyperfine = (mean: number) => JSON.stringify({ results: [{ command: 'bench', mean, times: [mean] }] });

describe('parseHistoryFile', () => {
  it('tells the format by extension, then by content', () => {
    expect(parseHistoryFile('time,x\n2024-01-01,1\n', 'h.csv').kind).toBe('table');
    expect(parseHistoryFile('time\tx\n2024-01-01\t1\n', 'h.tsv')).toMatchObject({ kind: 'table', history: { metrics: [{ name: 'x', values: [1] }] } });
    expect(parseHistoryFile('{"x": [1, 2]}', 'h.json')).toMatchObject({ kind: 'table', history: { metrics: [{ name: 'x', values: [1, 2] }] } });
    expect(parseHistoryFile('[{"x": 1}]', 'history')).toMatchObject({ kind: 'table', history: { metrics: [{ name: 'x', values: [1] }] } });
    expect(parseHistoryFile(hyperfine(0.5), 'run.json')).toEqual({ kind: 'hyperfine', run: { file: 'run.json', means: [{ command: 'bench', meanSeconds: 0.5 }] } });
    expect(parseHistoryFile('time,x\n2024-01-01,1\n', 'history.log')).toMatchObject({ kind: 'table', history: { metrics: [{ name: 'x', values: [1] }] } });
  });

  it('reads JSON lines, one record a line, blank lines allowed', () => {
    const content = parseHistoryFile('{"commit": "a", "x": 1}\n\n{"commit": "b", "x": 2}\n', 'runs.jsonl');
    expect(content).toMatchObject({
      kind: 'table',
      history: {
        points: [
          { commit: 'a', location: 'line 1' },
          { commit: 'b', location: 'line 3' },
        ],
        metrics: [{ name: 'x', values: [1, 2] }],
      },
    });
    expect(messageOf(() => parseHistoryFile('{"x": 1}\n{"x": \n', 'runs.ndjson'))).toMatch(/^runs\.ndjson:2: not a JSON record \(/);
  });

  it('gives the line of a JSON syntax error', () => {
    expect(messageOf(() => parseHistoryFile('{\n  "x": [1, 2,\n  "y": [3]\n}\n', 'bad.json'))).toMatch(/^bad\.json:3: not valid JSON: /);
  });

  it('refuses JSON that is no history', () => {
    expect(messageOf(() => parseHistoryFile('42', 'h.json'))).toMatch(/^h\.json: the document is the number 42; a JSON history is/);
  });
});

describe('readHistory', () => {
  it('reads the fixtures of every format', () => {
    const latency = readHistory(['latency.csv'], FIXTURES);
    expect(latency.points).toHaveLength(16);
    const columns = readHistory(['build-columns.json'], FIXTURES);
    expect(columns.metrics.map((metric) => metric.name)).toEqual(['build_seconds']);
    const records = readHistory(['heap-records.json'], FIXTURES);
    const lines = readHistory(['heap-runs.jsonl'], FIXTURES);
    expect(records.metrics).toEqual(lines.metrics);
    expect(records.ignoredFields).toEqual(['env']);
  });

  it('concatenates history tables in the order given', () => {
    const files = memoryFiles({ 'old.csv': 'time,x\n2024-01-01,1\n2024-01-02,2\n', 'new.json': '[{"time": "2024-01-03", "x": 3, "y": 9}]' });
    const history = readHistory(['old.csv', 'new.json'], '/ci', files);
    expect(history.points.map((point) => [point.file, point.location])).toEqual([
      ['old.csv', 'line 2'],
      ['old.csv', 'line 3'],
      ['new.json', '[0]'],
    ]);
    expect(history.metrics).toEqual([
      { name: 'x', values: [1, 2, 3] },
      { name: 'y', values: [null, null, 9] },
    ]);
  });

  it('makes one point of each hyperfine export, in the order given', () => {
    const files = memoryFiles({ 'r1.json': hyperfine(1), 'r2.json': hyperfine(2), 'r3.json': hyperfine(3) });
    const history = readHistory(['r1.json', 'r2.json', 'r3.json'], '/ci', files);
    expect(history.points.map((point) => point.file)).toEqual(['r1.json', 'r2.json', 'r3.json']);
    expect(history.metrics).toEqual([{ name: 'bench', values: [1, 2, 3] }]);
  });

  it('refuses to mix hyperfine exports and tables', () => {
    const files = memoryFiles({ 'r1.json': hyperfine(1), 'h.csv': 'time,x\n2024-01-01,1\n' });
    expect(messageOf(() => readHistory(['h.csv', 'r1.json'], '/ci', files))).toBe(
      'r1.json: a hyperfine export, but h.csv is a history table; pass either hyperfine exports (one per run, oldest first) or history tables',
    );
  });

  it('says which file it cannot read and why', () => {
    expect(messageOf(() => readHistory(['missing.csv'], FIXTURES))).toBe('missing.csv: cannot read: no such file');
    expect(messageOf(() => readHistory(['.'], FIXTURES))).toBe('.: cannot read: a directory, not a file');
    expect(messageOf(() => readHistory([], FIXTURES))).toMatch(/no history file given/);
  });

  it('refuses a file larger than MAX_HISTORY_FILE_BYTES before reading it', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'slowatch-history-'));
    try {
      const big = path.join(directory, 'big.csv');
      writeFileSync(big, 'time,x\n');
      truncateSync(big, MAX_HISTORY_FILE_BYTES + 1); // sparse: nothing is written
      expect(messageOf(() => readHistory(['big.csv'], directory))).toBe(
        `big.csv: cannot read: ${MAX_HISTORY_FILE_BYTES + 1} bytes, more than the ${MAX_HISTORY_FILE_BYTES} a history may have; keep the newest runs`,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
