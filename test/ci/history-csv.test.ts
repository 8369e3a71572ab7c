import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvHistory } from '../../src/ci/history-csv';
import { HistoryInputError } from '../../src/ci/history-error';
import { thrownBy } from '../helpers/thrown';

const FIXTURES = path.resolve(__dirname, '../fixtures/ci');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const errorOf = (action: () => unknown): HistoryInputError => thrownBy(HistoryInputError, action);

describe('parseCsvHistory', () => {
  it('reads time, commit, version and the numeric columns of a history table', () => {
    const history = parseCsvHistory(fixture('latency.csv'), 'latency.csv');
    expect(history.points).toHaveLength(16);
    expect(history.points[0]).toEqual({
      file: 'latency.csv',
      location: 'line 2',
      time: '2024-03-01T10:00:00Z',
      timestampMs: Date.UTC(2024, 2, 1, 10),
      commit: 'c01',
      version: '1.0.0',
    });
    expect(history.metrics.map((metric) => metric.name)).toEqual(['latency_ms', 'throughput_rps']);
    expect(history.metrics[0]?.values.slice(8, 12)).toEqual([12.0, 12.1, 14.0, 14.2]);
    // An empty cell is a missing value.
    expect(history.metrics[1]?.values[13]).toBeNull();
    expect(history.ignoredFields).toEqual(['branch']);
  });

  it("reads Otava's sample layout (dotted dates with an offset)", () => {
    const text = 'time,commit,metric1,metric2\n2024.01.01 3:00:00 +0100,aaa0,154023,10.43\n2024.01.02 3:00:00 +0100,aaa1,138455,10.23\n';
    const history = parseCsvHistory(text, 'sample.csv');
    expect(history.points.map((point) => point.timestampMs)).toEqual([Date.UTC(2024, 0, 1, 2), Date.UTC(2024, 0, 2, 2)]);
    expect(history.metrics).toEqual([
      { name: 'metric1', values: [154023, 138455] },
      { name: 'metric2', values: [10.43, 10.23] },
    ]);
  });

  it('takes the first column as the time when none is named time, and epoch values', () => {
    const history = parseCsvHistory('when,ops\n1709287200,5\n1709373600,6\n', 'a.csv');
    expect(history.points.map((point) => point.timestampMs)).toEqual([1709287200_000, 1709373600_000]);
    expect(history.metrics.map((metric) => metric.name)).toEqual(['ops']);
  });

  it('has no time when the first column is the commit', () => {
    const history = parseCsvHistory('commit,ops\nabc,5\ndef,6\n', 'a.csv');
    expect(history.points[1]).toEqual({ file: 'a.csv', location: 'line 3', commit: 'def' });
  });

  it('handles quotes, CRLF, a byte order mark, blank lines, tabs and semicolons', () => {
    const text = '\ufefftime,commit,"p99, ms"\r\n2024-01-01,"a ""quoted"" sha",1.5\r\n\r\n2024-01-02,"multi\nline",2.5\r\n';
    const history = parseCsvHistory(text, 'q.csv');
    expect(history.metrics).toEqual([{ name: 'p99, ms', values: [1.5, 2.5] }]);
    expect(history.points.map((point) => [point.commit, point.location])).toEqual([
      ['a "quoted" sha', 'line 2'],
      ['multi\nline', 'line 4'],
    ]);
    expect(parseCsvHistory('time\tx\n2024-01-01\t1\n', 't.tsv', '\t').metrics).toEqual([{ name: 'x', values: [1] }]);
    expect(parseCsvHistory('time;x\n2024-01-01;1\n', 's.csv').metrics).toEqual([{ name: 'x', values: [1] }]);
  });

  it('names the file and line of a cell that is not a number', () => {
    const error = errorOf(() => parseCsvHistory(fixture('bad-number.csv'), 'bad-number.csv'));
    expect(error.message).toBe(
      'bad-number.csv:4: column "latency_ms": "12ms" is not a number (use a plain number like 12.5 or 1e3; an empty cell is a missing value)',
    );
  });

  it('names the line of a time it cannot read', () => {
    expect(errorOf(() => parseCsvHistory(fixture('bad-time.csv'), 'bad-time.csv')).message).toMatch(
      /^bad-time\.csv:3: column "time": "yesterday" is not a time \(ISO 8601 like 2024-01-31T12:00:00Z/,
    );
  });

  it('refuses rows of the wrong width, duplicate or empty column names, and an unclosed quote', () => {
    expect(errorOf(() => parseCsvHistory(fixture('ragged.csv'), 'ragged.csv')).message).toBe(
      'ragged.csv:3: 2 fields, but the header has 3 (time,commit,latency_ms)',
    );
    expect(errorOf(() => parseCsvHistory('time,x,X\n', 'd.csv')).message).toBe('d.csv:1: column "X" appears twice in the header (columns 2 and 3)');
    expect(errorOf(() => parseCsvHistory('time,,x\n', 'e.csv')).message).toBe('e.csv:1: column 2 has no name in the header');
    expect(errorOf(() => parseCsvHistory('time,x\n2024-01-01,"1\n', 'u.csv')).message).toMatch(/^u\.csv:2: a quoted field is never closed/);
    expect(errorOf(() => parseCsvHistory('time,x\n2024-01-01,"1"2\n', 'v.csv')).message).toMatch(/^v\.csv:2: text after a closing quote/);
  });

  it('refuses an empty file', () => {
    expect(errorOf(() => parseCsvHistory('\n\n', 'empty.csv')).message).toMatch(/^empty\.csv: no header row/);
  });
});
