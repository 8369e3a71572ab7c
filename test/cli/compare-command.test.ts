import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addCompareCommand, runCompare } from '../../src/cli/compare-command';
import type { CompareCommandOptions } from '../../src/cli/compare-command';

const FIXTURES = path.resolve(__dirname, '../fixtures/ci-compare');
/** Reads fixture files by their bare names, so outputs show `baseline.json` rather than a machine's path. */
const readFixture = (name: string): string => readFileSync(path.resolve(FIXTURES, name), 'utf8');

function run(options: CompareCommandOptions) {
  let stdout = '';
  let stderr = '';
  const exitCode = runCompare(options, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readFile: readFixture,
  });
  return { exitCode, stdout, stderr };
}

interface JsonReport {
  baseline: string;
  current: string;
  better: string;
  tolerance: number;
  confidenceLevel: number;
  metrics: {
    metric: string;
    baseline: { count: number; mean: number; median: number };
    current: { count: number; mean: number; median: number };
    changePercent: number | null;
    pValue: number | null;
    effectSize: number | null;
    confidenceInterval: [number, number];
    estimate: number;
    classification: string;
    verdict: string;
    reason?: string;
  }[];
  skipped: { metric: string; onlyIn: string }[];
  regressions: number;
  improvements: number;
}

describe('slowatch compare (runCompare)', () => {
  it('prints the table and exits 1 when a lower-is-better metric went High', () => {
    // Means, medians, change and p-values checked against numpy and scipy.stats.mannwhitneyu(method='asymptotic').
    const result = run({ baseline: 'baseline.json', current: 'current.json' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'metric      n base  n cur  mean base  mean cur  median base  median cur   change  p-value  effect  class  verdict',
        'latency_ms      30     30      99.26     127.7        99.40       126.2  +28.63%  3.3e-11   1.286  High   regression',
        'rss_mb          30     30      79.79     80.00        79.44       80.05   +0.27%    0.530   1.003  Pass   ok',
        'startup_ms      20     20      93.82     68.30        94.75       69.30  -27.20%   6.8e-8  0.7280  Low    improvement',
        'skipped, only in the baseline: gc_pause_ms',
        'skipped, only in the current: cold_cache_ms',
        '1 regression, 1 improvement, 1 ok (3 metrics compared; lower is better; Mann-Whitney, tolerance 0.25, confidence 95%)',
        '',
      ].join('\n'),
    );
  });

  it('exits 0 when nothing regressed', () => {
    const result = run({ baseline: 'baseline.json', current: 'current-ok.json' });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^0 regressions, 0 improvements, 4 ok \(4 metrics compared; lower is better;/m);
    expect(result.stdout).not.toContain('skipped');
  });

  it('writes one JSON document with --json, NaN as null, and keeps the exit code', () => {
    const result = run({ baseline: 'baseline.json', current: 'current.json', json: true, metric: ['latency_ms', 'gc_pause_ms'] });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report).toMatchObject({ baseline: 'baseline.json', current: 'current.json', better: 'lower', tolerance: 0.25, confidenceLevel: 0.95 });
    expect(report.metrics).toHaveLength(1);
    const latency = report.metrics[0];
    expect(latency).toMatchObject({ metric: 'latency_ms', classification: 'High', verdict: 'regression', estimate: 28.025 });
    expect(latency?.baseline).toEqual({ count: 30, mean: expect.closeTo(99.264333, 5) as number, median: expect.closeTo(99.395, 9) as number });
    expect(latency?.pValue).toBeCloseTo(3.33838882e-11, 17);
    expect(latency?.confidenceInterval[0]).toBeGreaterThan(0.25 * 28.025);
    expect(latency?.reason).toMatch(/^High: the 95% confidence interval of the shift \[24\.03, 32\.28\] lies above \+7\.006/);
    // Selected metrics present in one file only are reported as skipped.
    expect(report.skipped).toEqual([{ metric: 'gc_pause_ms', onlyIn: 'baseline' }]);
    expect(report.regressions).toBe(1);
    expect(report.improvements).toBe(0);
  });

  it('reads CSV, records and hyperfine files, alike', () => {
    const csv = run({ baseline: 'baseline.csv', current: 'current.csv' });
    expect(csv.exitCode).toBe(1);
    expect(csv.stdout.split('\n').slice(1, 4).map((line) => line.split(/\s+/).slice(-2).join(' '))).toEqual([
      'High regression',
      'Pass ok',
      'Low improvement',
    ]);
    const records = run({ baseline: 'baseline-records.json', current: 'current-records.json', metric: ['rss_mb'] });
    expect(records.exitCode).toBe(0);
    expect(records.stdout).toContain('rss_mb      29     29');

    const hyperfine = JSON.parse(run({ baseline: 'hyperfine-baseline.json', current: 'hyperfine-current.json', json: true }).stdout) as JsonReport;
    expect(hyperfine.metrics.map((m) => [m.metric, m.classification, m.verdict])).toEqual([
      ['parse small', 'Pass', 'ok'],
      ['parse large', 'High', 'regression'],
    ]);
  });

  it('with --direction higher, a Low is the regression and a High an improvement', () => {
    const higher = run({ baseline: 'throughput-baseline.csv', current: 'throughput-current.csv', direction: 'higher' });
    expect(higher.exitCode).toBe(1);
    expect(higher.stdout).toMatch(/^requests_per_s .* Low {4}regression$/m);
    expect(higher.stdout).toContain('higher is better');
    const lower = run({ baseline: 'throughput-baseline.csv', current: 'throughput-current.csv' });
    expect(lower.exitCode).toBe(0);
    expect(lower.stdout).toMatch(/^requests_per_s .* Low {4}improvement$/m);
  });

  it('passes --tolerance and --confidence to the classifier', () => {
    // startup_ms fell by 27 %: with a tolerance of 2 the interval would have to clear −2 × |estimate|.
    const lenient = JSON.parse(run({ baseline: 'baseline.json', current: 'current.json', json: true, tolerance: 2, confidence: 0.99 }).stdout) as JsonReport;
    expect(lenient.tolerance).toBe(2);
    expect(lenient.confidenceLevel).toBe(0.99);
    expect(lenient.metrics.map((m) => m.classification)).toEqual(['Pass', 'Pass', 'Pass']);
    expect(run({ baseline: 'baseline.json', current: 'current.json', tolerance: 2 }).exitCode).toBe(0);
  });

  it.each([
    [{ current: 'current.json' }, 'slowatch compare: --baseline FILE is required'],
    [{ baseline: 'baseline.json' }, 'slowatch compare: --current FILE is required'],
    [{ baseline: 'baseline.json', current: 'current.json', direction: 'up' }, 'slowatch compare: --direction must be lower or higher, got "up"'],
    [{ baseline: 'baseline.json', current: 'current.json', tolerance: -1 }, 'slowatch compare: --tolerance must be a number >= 0, got -1'],
    [
      { baseline: 'baseline.json', current: 'current.json', confidence: 95 },
      'slowatch compare: --confidence must be between 0 and 1 (exclusive), e.g. 0.95, got 95',
    ],
    [{ baseline: 'missing.json', current: 'current.json' }, 'slowatch compare: missing.json: cannot read: no such file'],
    [
      { baseline: 'baseline.json', current: 'current.json', metric: ['p99'] },
      'slowatch compare: --metric "p99" is in neither file; metrics: latency_ms, rss_mb, startup_ms, gc_pause_ms, cold_cache_ms',
    ],
    [
      { baseline: 'baseline.json', current: 'hyperfine-current.json' },
      'slowatch compare: no metric is in both baseline.json and hyperfine-current.json; nothing to compare',
    ],
  ] as [CompareCommandOptions, string][])('exits 2 with one line on stderr: %j', (options, message) => {
    const result = run(options);
    expect(result).toEqual({ exitCode: 2, stdout: '', stderr: `${message}\n` });
  });

  it('exits 2 naming the file, record and fix for a bad samples file', () => {
    let stderr = '';
    const exitCode = runCompare(
      { baseline: 'base.csv', current: 'current.json' },
      {
        stdout: { write: () => undefined },
        stderr: { write: (text: string) => (stderr += text) },
        readFile: (name) => (name === 'base.csv' ? 'latency_ms\n12\nslow\n' : readFixture(name)),
      },
    );
    expect(exitCode).toBe(2);
    expect(stderr).toBe('slowatch compare: base.csv:3: column "latency_ms": "slow" is not a number; write a decimal like 12.5 or leave the cell empty\n');
  });

  it('reports an empty metric as no data without failing', () => {
    let stdoutText = '';
    const result = runCompare(
      { baseline: 'a.json', current: 'b.json' },
      {
        stdout: { write: (text: string) => void (stdoutText += text) },
        stderr: { write: () => undefined },
        readFile: (name) => (name === 'a.json' ? '{"x": [1, 2, 3], "y": []}' : '{"x": [1, 2, 3], "y": [4]}'),
      },
    );
    expect(result).toBe(0);
    expect(stdoutText).toMatch(/^y +0 +1 +n\/a +4\.000 .* Nodata +no data$/m);
    expect(stdoutText).toContain('0 regressions, 0 improvements, 1 ok, 1 without data (2 metrics compared;');
  });
});

describe('slowatch compare (commander wiring)', () => {
  function parse(args: string[]) {
    let stdout = '';
    let stderr = '';
    const exits: number[] = [];
    const program = new Command('slowatch');
    addCompareCommand(program, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      readFile: readFixture,
      setExitCode: (code) => exits.push(code),
      exit: (code) => exits.push(code),
    });
    try {
      program.parse(['node', 'slowatch', 'compare', ...args]);
    } catch {
      // The exit override throws after reporting the exit code, as process.exit would not return.
    }
    return { exits, stdout, stderr };
  }

  it('parses every option and sets the exit code', () => {
    const result = parse([
      '--baseline',
      'baseline.json',
      '--current',
      'current.json',
      '--json',
      '--metric',
      'latency_ms',
      '--metric',
      'rss_mb',
      '--direction',
      'higher',
      '--tolerance',
      '0.1',
      '--confidence',
      '0.98',
    ]);
    expect(result.stderr).toBe('');
    expect(result.exits).toEqual([0]); // latency went High, and higher is better: an improvement
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report).toMatchObject({ better: 'higher', tolerance: 0.1, confidenceLevel: 0.98, regressions: 0, improvements: 1 });
    expect(report.metrics.map((m) => m.metric)).toEqual(['latency_ms', 'rss_mb']);
  });

  it('defaults: lower is better, tolerance 0.25, confidence 0.95, table output', () => {
    const result = parse(['--baseline', 'baseline.json', '--current', 'current.json']);
    expect(result.exits).toEqual([1]);
    expect(result.stdout).toContain('lower is better; Mann-Whitney, tolerance 0.25, confidence 95%');
  });

  it('exits 2 on command-line errors, with commander’s one-line message', () => {
    const badNumber = parse(['--baseline', 'baseline.json', '--current', 'current.json', '--tolerance', 'abc']);
    expect(badNumber.exits).toEqual([2]);
    expect(badNumber.stderr).toBe("error: option '--tolerance <fraction>' argument 'abc' is invalid. must be a number.\n");
    const unknown = parse(['--baseline', 'baseline.json', '--bogus']);
    expect(unknown.exits).toEqual([2]);
    expect(unknown.stderr).toBe("error: unknown option '--bogus'\n");
  });

  it('exits 0 after --help', () => {
    const result = parse(['--help']);
    expect(result.exits).toEqual([0]);
    expect(result.stdout).toContain('Usage: slowatch compare [options]');
    expect(result.stdout).toContain('--direction <lower|higher>');
  });
});
