import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryInputError } from '../../src/ci/history-error';
import { historyOfHyperfineRuns, isHyperfineExport, readHyperfineRun } from '../../src/ci/history-hyperfine';

const EXPORT = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/ci/hyperfine-run.json'), 'utf8')) as unknown;

describe('hyperfine exports', () => {
  it('recognizes hyperfine --export-json output and nothing else', () => {
    expect(isHyperfineExport(EXPORT)).toBe(true);
    expect(isHyperfineExport({ results: [] })).toBe(false);
    expect(isHyperfineExport({ results: [{ command: 'a' }] })).toBe(false);
    expect(isHyperfineExport([{ command: 'a', mean: 1 }])).toBe(false);
    expect(isHyperfineExport({ latency: [1, 2] })).toBe(false);
  });

  it("takes each command's mean", () => {
    expect(readHyperfineRun(EXPORT as { results: unknown[] }, 'run.json')).toEqual({
      file: 'run.json',
      means: [
        { command: 'parse-small', meanSeconds: 0.012345 },
        { command: 'node dist/bench.js --large', meanSeconds: 0.2501 },
      ],
    });
  });

  it('refuses a result without a usable command or mean, or a command twice', () => {
    const messageOf = (results: unknown[]) => {
      try {
        readHyperfineRun({ results }, 'run.json');
      } catch (error) {
        if (error instanceof HistoryInputError) return error.message;
        throw error;
      }
      return '';
    };
    expect(messageOf([{ command: '', mean: 1 }])).toBe('run.json [results][0].command: expected the benchmarked command or its --command-name, got a string ("")');
    expect(messageOf([{ command: 'a', mean: 'fast' }])).toBe('run.json [results][0].mean: expected the mean time in seconds, got a string ("fast")');
    expect(messageOf([{ command: 'a', mean: 1 }, { command: 'a', mean: 2 }])).toBe(
      'run.json [results][1].command: "a" appears twice; give each command its own --command-name',
    );
  });

  it('makes one point per run, each command a metric', () => {
    const history = historyOfHyperfineRuns([
      { file: 'r1.json', means: [{ command: 'a', meanSeconds: 1 }] },
      { file: 'r2.json', means: [{ command: 'b', meanSeconds: 5 }, { command: 'a', meanSeconds: 2 }] },
      { file: 'r3.json', means: [{ command: 'a', meanSeconds: 3 }] },
    ]);
    expect(history.points).toEqual([
      { file: 'r1.json', location: '' },
      { file: 'r2.json', location: '' },
      { file: 'r3.json', location: '' },
    ]);
    expect(history.metrics).toEqual([
      { name: 'a', values: [1, 2, 3] },
      { name: 'b', values: [null, 5, null] },
    ]);
  });
});
