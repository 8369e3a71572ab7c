import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SamplesInputError, parseSamples, readSamplesFile } from '../../src/ci/samples-input';
import { thrownBy } from '../helpers/thrown';

const FIXTURES = path.resolve(__dirname, '../fixtures/ci-compare');
function parseSamplesEntries(text: string): [string, readonly number[]][] {
  return [...parseSamples(text, 'f').metrics];
}
const errorOf = (text: string, fileName = 'samples.json'): string => thrownBy(SamplesInputError, () => parseSamples(text, fileName)).message;

describe('parseSamples: JSON object of arrays', () => {
  it('reads every metric in file order', () => {
    const samples = parseSamples('{ "b": [1, 2.5, -3e2], "a": [] }', 'f');
    expect(samples.format).toBe('json-object');
    expect([...samples.metrics]).toEqual([
      ['b', [1, 2.5, -300]],
      ['a', []],
    ]);
  });

  it('names the metric and index of a value that is not a number', () => {
    expect(errorOf('{"latency": [1, "2"]}')).toBe('samples.json: "latency"[1] must be a finite number, got "2"');
    expect(errorOf('{"latency": [1, null]}')).toBe('samples.json: "latency"[1] must be a finite number, got null');
    expect(errorOf('{"latency": 12}')).toBe('samples.json: "latency" must be an array of numbers, got 12');
    expect(errorOf('{"latency": {"p50": 1}}')).toBe('samples.json: "latency" must be an array of numbers, got an object');
    expect(errorOf('{}')).toBe('samples.json: the JSON object has no metrics; expected {"metric": [values], …}');
    expect(errorOf('{"": [1]}')).toBe('samples.json: key "": empty metric name; every metric needs a name');
  });

  it('reports invalid JSON with the parser’s reason', () => {
    expect(errorOf('{"latency": [1, 2,]}')).toMatch(/^samples\.json: invalid JSON: /);
  });
});

describe('parseSamples: JSON records', () => {
  it('collects each metric across records, skipping null and absent values', () => {
    const samples = parseSamples('[{"a": 1, "b": 10}, {"a": 2}, {"b": null, "a": 3}, {"c": 7}]', 'f');
    expect(samples.format).toBe('json-records');
    expect(Object.fromEntries(samples.metrics)).toEqual({ a: [1, 2, 3], b: [10], c: [7] });
  });

  it('names the record and metric of a bad value', () => {
    expect(errorOf('[{"a": 1}, {"a": "slow"}]')).toBe('samples.json: record [1] "a" must be a finite number (or null for none), got "slow"');
    expect(errorOf('[{"a": 1}, 5]')).toBe('samples.json: record [1] must be an object like {"metric": 12.5}, got 5');
    expect(errorOf('[[1, 2]]')).toBe('samples.json: record [0] must be an object like {"metric": 12.5}, got an array');
    expect(errorOf('[{"a": true}]')).toBe('samples.json: record [0] "a" must be a finite number (or null for none), got true');
    expect(errorOf('[]')).toBe('samples.json: the records hold no metric values; expected [{"metric": 12.5, …}, …]');
  });
});

describe('parseSamples: CSV', () => {
  it('reads one column per metric, skipping empty cells and blank lines; CRLF, quotes and a BOM are fine', () => {
    const text = '\uFEFFlatency_ms,"rss, MB",label_free\r\n10,80,1\r\n\r\n11.5,,2\r\n"12",81.25,\r\n';
    const samples = parseSamples(text, 'f.csv');
    expect(samples.format).toBe('csv');
    expect([...samples.metrics]).toEqual([
      ['latency_ms', [10, 11.5, 12]],
      ['rss, MB', [80, 81.25]],
      ['label_free', [1, 2]],
    ]);
  });

  it('accepts a last line without a newline and exponents', () => {
    expect(parseSamplesEntries('a,b\n1e3,-2.5E-1')).toEqual([
      ['a', [1000]],
      ['b', [-0.25]],
    ]);
  });

  it('names the line and column of a cell that is not a number', () => {
    expect(errorOf('a,b\n1,2\n3,fast\n', 'runs.csv')).toBe('runs.csv:3: column "b": "fast" is not a number; write a decimal like 12.5 or leave the cell empty');
    // Hex and Infinity parse in JavaScript but are not measurements.
    expect(errorOf('a\n0x10\n', 'runs.csv')).toBe('runs.csv:2: column "a": "0x10" is not a number; write a decimal like 12.5 or leave the cell empty');
    expect(errorOf('a\nInfinity\n', 'runs.csv')).toMatch(/^runs\.csv:2: column "a": "Infinity" is not a number/);
  });

  it('counts lines inside quoted cells when naming a line', () => {
    expect(errorOf('"a\nb",c\n1,2\n3,x\n', 'runs.csv')).toBe('runs.csv:4: column "c": "x" is not a number; write a decimal like 12.5 or leave the cell empty');
  });

  it('rejects ragged rows, duplicate or empty header names and unclosed quotes', () => {
    expect(errorOf('a,b\n1,2,3\n', 'runs.csv')).toBe('runs.csv:2: 3 cells, but the header has 2 columns (a, b)');
    expect(errorOf('a,a\n1,2\n', 'runs.csv')).toBe('runs.csv:1: column "a" appears twice in the header; metric names must be unique');
    expect(errorOf('a,,b\n1,2,3\n', 'runs.csv')).toBe('runs.csv:1: header column 2: empty metric name; every metric needs a name');
    expect(errorOf('a\n"1\n', 'runs.csv')).toBe('runs.csv:2: a quoted cell is never closed; end it with "');
  });

  it('rejects an empty file, naming what would be valid', () => {
    expect(errorOf('  \n', 'empty.csv')).toBe(
      'empty.csv: the file is empty; expected JSON ({"metric": [values]}, records, hyperfine --export-json) or CSV with a header row',
    );
  });
});

describe('parseSamples: hyperfine --export-json', () => {
  it('takes each command (or --command-name) as a metric of times in seconds', () => {
    const text = JSON.stringify({
      results: [
        { command: 'sleep 0.1', mean: 0.1, times: [0.101, 0.102], exit_codes: [0, 0] },
        { command: 'fast', mean: 0.01, times: [0.011] },
      ],
    });
    const samples = parseSamples(text, 'bench.json');
    expect(samples.format).toBe('hyperfine');
    expect(Object.fromEntries(samples.metrics)).toEqual({ 'sleep 0.1': [0.101, 0.102], fast: [0.011] });
  });

  it('explains what is missing', () => {
    expect(errorOf('{"results": [{"mean": 1}]}', 'bench.json')).toBe('bench.json: results[0] has no "command" string; is this hyperfine --export-json output?');
    expect(errorOf('{"results": [{"command": "ls", "mean": 1}]}', 'bench.json')).toBe(
      'bench.json: results[0] ("ls") has no "times" array; hyperfine --export-json writes one per command',
    );
    expect(errorOf('{"results": [{"command": "ls", "times": [1]}, {"command": "ls", "times": [2]}]}', 'bench.json')).toBe(
      'bench.json: results[1]: command "ls" appears twice; name each with hyperfine --command-name',
    );
    expect(errorOf('{"results": [{"command": "ls", "times": [1, "x"]}]}', 'bench.json')).toBe(
      'bench.json: results[0].times[1] ("ls") must be a finite number of seconds, got "x"',
    );
    expect(errorOf('{"results": []}', 'bench.json')).toBe('bench.json: hyperfine "results" is empty');
  });
});

describe('readSamplesFile', () => {
  it('reads the fixtures in all four formats, with the same numbers across JSON, records and CSV', () => {
    const object = readSamplesFile(path.join(FIXTURES, 'baseline.json'));
    const records = readSamplesFile(path.join(FIXTURES, 'baseline-records.json'));
    const csv = readSamplesFile(path.join(FIXTURES, 'baseline.csv'));
    const hyperfine = readSamplesFile(path.join(FIXTURES, 'hyperfine-baseline.json'));
    expect([object.format, records.format, csv.format, hyperfine.format]).toEqual(['json-object', 'json-records', 'csv', 'hyperfine']);
    expect([...object.metrics.keys()]).toEqual(['latency_ms', 'rss_mb', 'startup_ms', 'gc_pause_ms']);
    expect(csv.metrics.get('latency_ms')).toEqual(object.metrics.get('latency_ms'));
    expect(csv.metrics.get('startup_ms')).toEqual(object.metrics.get('startup_ms'));
    expect(records.metrics.get('latency_ms')).toEqual(object.metrics.get('latency_ms'));
    // The records fixture has rss_mb null in its fourth record.
    expect(records.metrics.get('rss_mb')).toEqual(object.metrics.get('rss_mb')?.filter((_, i) => i !== 3));
    expect([...hyperfine.metrics.keys()]).toEqual(['parse small', 'parse large']);
    expect(hyperfine.metrics.get('parse large')).toHaveLength(12);
  });

  it('names a file it cannot read', () => {
    expect(() => readSamplesFile(path.join(FIXTURES, 'missing.json'))).toThrow(`${path.join(FIXTURES, 'missing.json')}: cannot read: no such file`);
    expect(() => readSamplesFile(FIXTURES)).toThrow(`${FIXTURES}: cannot read: is a directory, not a file`);
  });

  it('reads through an injected reader', () => {
    const samples = readSamplesFile('virtual.csv', () => 'x\n1\n2\n');
    expect(Object.fromEntries(samples.metrics)).toEqual({ x: [1, 2] });
  });
});
