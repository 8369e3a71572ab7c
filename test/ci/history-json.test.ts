import { describe, expect, it } from 'vitest';
import { HistoryInputError } from '../../src/ci/history-error';
import { describeJson, parseJsonColumns, parseJsonRecords } from '../../src/ci/history-json';
import { thrownBy } from '../helpers/thrown';

const messageOf = (action: () => unknown): string => thrownBy(HistoryInputError, action).message;

describe('parseJsonColumns', () => {
  it('reads metric arrays with optional time, commit and version arrays', () => {
    const history = parseJsonColumns({ time: [1709287200, '2024-03-02'], Commit: ['a1', null], version: [1, '2'], p50: [1.5, null], p99: [3, 4] }, 'c.json');
    expect(history.points).toEqual([
      { file: 'c.json', location: '[0]', time: '1709287200', timestampMs: 1709287200_000, commit: 'a1', version: '1' },
      { file: 'c.json', location: '[1]', time: '2024-03-02', timestampMs: Date.UTC(2024, 2, 2), version: '2' },
    ]);
    expect(history.metrics).toEqual([
      { name: 'p50', values: [1.5, null] },
      { name: 'p99', values: [3, 4] },
    ]);
  });

  it('reads a bare { metric: [values] }', () => {
    expect(parseJsonColumns({ ops: [1, 2, 3] }, 'o.json').metrics).toEqual([{ name: 'ops', values: [1, 2, 3] }]);
  });

  it('names the key and entry of what is wrong', () => {
    expect(messageOf(() => parseJsonColumns({ p50: [1, 2], p99: [1] }, 'c.json'))).toBe('c.json ["p99"]: has 1 entries but "p50" has 2; every array needs one entry per run');
    expect(messageOf(() => parseJsonColumns({ p50: 3 }, 'c.json'))).toMatch(/^c\.json \["p50"\]: expected an array with one entry per run, got the number 3; a JSON history is/);
    expect(messageOf(() => parseJsonColumns({ p50: [1, 'x'] }, 'c.json'))).toBe('c.json ["p50"][1]: expected a number (null for a missing value), got a string ("x")');
    expect(messageOf(() => parseJsonColumns({ time: ['soon'], p50: [1] }, 'c.json'))).toMatch(/^c\.json \["time"\]\[0\]: expected a time \(ISO 8601/);
    expect(messageOf(() => parseJsonColumns({}, 'c.json'))).toMatch(/^c\.json: the object has no keys/);
  });
});

describe('parseJsonRecords', () => {
  it('reads one record per run; numbers are metrics, other fields are ignored', () => {
    const history = parseJsonRecords(
      [
        { time: '2024-05-01', commit: 'a', heap_mb: 120, env: { node: '20' }, ok: true },
        { timestamp: 1714608000, commit: 'b', heap_mb: null, rss_mb: 300 },
      ],
      'r.json',
    );
    expect(history.points).toEqual([
      { file: 'r.json', location: '[0]', time: '2024-05-01', timestampMs: Date.UTC(2024, 4, 1), commit: 'a' },
      { file: 'r.json', location: '[1]', time: '1714608000', timestampMs: 1714608000_000, commit: 'b' },
    ]);
    expect(history.metrics).toEqual([
      { name: 'heap_mb', values: [120, null] },
      { name: 'rss_mb', values: [null, 300] },
    ]);
    expect(history.ignoredFields).toEqual(['env', 'ok']);
  });

  it('names the record and field of what is wrong', () => {
    expect(messageOf(() => parseJsonRecords([{ x: 1 }, { x: '1' }], 'r.json'))).toBe('r.json [1].x: expected a number (null for a missing value), got a string ("1")');
    expect(messageOf(() => parseJsonRecords([{ x: 1 }, 5], 'r.json'))).toMatch(/^r\.json \[1\]: expected an object with one run's values/);
    expect(messageOf(() => parseJsonRecords([{ commit: ['a'], x: 1 }], 'r.json'))).toBe('r.json [0].commit: expected a string or a number, got an array');
  });

  it('names lines for JSON-lines records', () => {
    expect(messageOf(() => parseJsonRecords([{ x: 1 }, { x: 'a' }], 'r.jsonl', (index) => String(index + 3)))).toBe(
      'r.jsonl:4: expected a number (null for a missing value), got a string ("a")',
    );
  });
});

describe('describeJson', () => {
  it('describes values for messages', () => {
    expect([null, [1], 'ab', 3, false, {}].map(describeJson)).toEqual(['null', 'an array', 'a string ("ab")', 'the number 3', 'false', 'an object']);
    expect(describeJson('x'.repeat(50))).toBe(`a string ("${'x'.repeat(40)}…")`);
  });
});
