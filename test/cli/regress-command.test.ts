import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseCsvHistory } from '../../src/ci/history-csv';
import { analyzeHistory, verdictOf } from '../../src/ci/regress-analysis';
import { formatNumber, formatPValue } from '../../src/ci/regress-report';
import type { RegressJsonReport } from '../../src/ci/regress-report';
import { REGRESS_EXIT, addRegressCommand, runRegress } from '../../src/cli/regress-command';
import type { RegressCommandOptions } from '../../src/cli/regress-command';

const REPO_ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/ci');
const OTAVA_RESOURCES = path.resolve(REPO_ROOT, '..', 'shared', 'anchors', 'changepoint', 'otava', 'tests', 'resources');
const otavaPresent = existsSync(path.join(OTAVA_RESOURCES, 'sample.csv'));
if (!otavaPresent) console.warn(`${OTAVA_RESOURCES}/sample.csv not found: skipping the Otava sample history tests`);

function run(options: RegressCommandOptions, cwd = FIXTURES, readTextFile?: (filePath: string) => string) {
  let stdout = '';
  let stderr = '';
  const exitCode = runRegress(options, {
    cwd,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ...(readTextFile === undefined ? {} : { readTextFile }),
  });
  return { exitCode, stdout, stderr };
}

describe('slowatch regress (runRegress)', () => {
  it('prints a table of the change points of every metric', () => {
    const result = run({ files: ['latency.csv'] });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(REGRESS_EXIT.ok);
    expect(result.stdout).toBe(
      [
        'latency.csv: 16 points, 2 metrics; window 50, p-value < 0.001, magnitude > 0, lower is better',
        '',
        'metric          index  time                  commit  version  mean before  mean after   change   p-value  verdict',
        'latency_ms         10  2024-03-11T10:00:00Z  c11     1.2.0          12.01          14  +16.57%  1.51e-14  regression',
        'throughput_rps      5  2024-03-06T10:00:00Z  c06     1.1.0          800.2         900  +12.47%  1.89e-20  regression',
        '',
        'regression at the newest change point of latency_ms (+16.57% at index 10, commit c11); throughput_rps (+12.47% at index 5, commit c06)',
        '',
      ].join('\n'),
    );
  });

  it('with --fail-on-regression exits 1 when the newest change point of a metric is a regression', () => {
    const result = run({ files: ['latency.csv'], directions: ['throughput_rps=higher'], failOnRegression: true });
    expect(result.exitCode).toBe(REGRESS_EXIT.regression);
    expect(result.stdout).toContain('lower is better (higher: throughput_rps)');
    expect(result.stdout).toMatch(/throughput_rps +5 .* improvement\n/);
    expect(result.stderr).toBe('slowatch regress: regression: latency_ms (+16.57% at index 10, commit c11)\n');
  });

  it('exits 0 with --fail-on-regression when the newest change points are improvements', () => {
    const result = run({ files: ['build-columns.json'], failOnRegression: true });
    expect(result.exitCode).toBe(REGRESS_EXIT.ok);
    expect(result.stdout).toContain('build_seconds      5  2024-03-06T10:00:00Z  a6            41.08        33.1  -19.43%  1.15e-11  improvement');
    expect(result.stdout).toContain('no regression at the newest change point of any metric');
  });

  it('judges only the newest change point of each metric', () => {
    // Latency gets worse, then better again: the newest change is an improvement.
    const noise = [0, 0.1, -0.1, 0.05, -0.05, 0.1, -0.1, 0, 0.05, -0.05];
    const values = [...noise.map((n) => 10 + n), ...noise.map((n) => 13 + n), ...noise.map((n) => 10 + n)];
    const text = ['time,latency', ...values.map((value, i) => `${1700000000 + i * 86400},${value}`)].join('\n');
    const result = run({ files: ['up-down.csv'], failOnRegression: true }, '/ci', () => text);
    expect(result.stdout).toMatch(/latency +10 .* regression\nlatency +20 .* improvement\n/);
    expect(result.exitCode).toBe(REGRESS_EXIT.ok);
  });

  it('prints JSON with --json', () => {
    const result = run({ files: ['latency.csv'], json: true, metrics: ['latency_ms'], magnitude: '5%', window: '30', pValue: '0.01' });
    expect(result.exitCode).toBe(REGRESS_EXIT.ok);
    const report = JSON.parse(result.stdout) as RegressJsonReport;
    expect(report.files).toEqual(['latency.csv']);
    expect(report.points).toBe(16);
    expect(report.settings).toEqual({ window: 30, pValue: 0.01, magnitude: 0.05, direction: 'lower', directions: {} });
    expect(report.metrics).toHaveLength(1);
    expect(report.metrics[0]).toMatchObject({ metric: 'latency_ms', direction: 'lower', values: 16 });
    const [change] = report.metrics[0]?.changePoints ?? [];
    expect(change).toMatchObject({
      metric: 'latency_ms',
      index: 10,
      time: '2024-03-11T10:00:00Z',
      timestamp: '2024-03-11T10:00:00Z',
      commit: 'c11',
      version: '1.2.0',
      file: 'latency.csv',
      verdict: 'regression',
    });
    expect(change?.meanBefore).toBeCloseTo(12.01, 10);
    // The mean of every point after the change (Otava's merge left 14.04, a stale shorter side, here).
    expect(change?.meanAfter).toBeCloseTo(14, 10);
    expect(change?.changePercent).toBeCloseTo(16.569525, 5);
    expect(change?.pValue).toBeGreaterThan(0);
    expect(change?.pValue).toBeLessThan(1e-10);
    expect(report.regression).toBe(true);
    expect(report.newestRegressions).toEqual([change]);
  });

  it('drops changes below --magnitude (ratio or percent)', () => {
    expect(run({ files: ['latency.csv'], metrics: ['latency_ms'], magnitude: '0.2' }).stdout).toContain('latency_ms: no change point in 16 values');
    expect(run({ files: ['latency.csv'], metrics: ['latency_ms'], magnitude: '20%' }).stdout).toContain('latency_ms: no change point in 16 values');
    expect(run({ files: ['latency.csv'], metrics: ['latency_ms'], magnitude: '15%' }).stdout).toMatch(/latency_ms +10 /);
  });

  it('reads JSON records, JSON lines and JSON columns alike', () => {
    const records = run({ files: ['heap-records.json'], json: true });
    const lines = run({ files: ['heap-runs.jsonl'], json: true });
    const parse = (stdout: string) => (JSON.parse(stdout) as RegressJsonReport).metrics[0]?.changePoints.map((change) => [change.index, change.verdict]);
    expect(parse(records.stdout)).toEqual([[4, 'regression']]);
    expect(parse(lines.stdout)).toEqual([[4, 'regression']]);
  });

  it('takes a history of hyperfine exports, one run per file, labelled by file', () => {
    const means = [0.101, 0.099, 0.1, 0.102, 0.098, 0.1, 0.121, 0.119, 0.12, 0.122, 0.118, 0.12];
    const files = means.map((_, i) => `run-${String(i).padStart(2, '0')}.json`);
    const readTextFile = (filePath: string) => {
      const mean = means[files.indexOf(path.basename(filePath))] as number;
      return JSON.stringify({ results: [{ command: 'parse', mean, stddev: 0.001, times: [mean] }] });
    };
    const result = run({ files, failOnRegression: true }, '/ci', readTextFile);
    expect(result.stdout).toContain('run-00.json, run-01.json');
    expect(result.stdout).toMatch(/metric +index +file +mean before/);
    expect(result.stdout).toMatch(/parse +6 +run-06\.json +0\.1 +0\.12 +\+20\.00% .* regression\n/);
    expect(result.stderr).toBe('slowatch regress: regression: parse (+20.00% at index 6, run-06.json)\n');
    expect(result.exitCode).toBe(REGRESS_EXIT.regression);
  });

  it('notes that a single hyperfine export is a single run', () => {
    const result = run({ files: ['hyperfine-run.json'] });
    expect(result.exitCode).toBe(REGRESS_EXIT.ok);
    expect(result.stdout).toContain('parse-small: no change point in 1 value');
    expect(result.stderr).toMatch(/one hyperfine export is a single run; pass the exports of successive runs, oldest first/);
  });

  it.each<[string, RegressCommandOptions, string]>([
    ['a window below 2', { files: ['latency.csv'], window: '1' }, '--window 1: expected a whole number of points from 2 to 5000'],
    ['a fractional window', { files: ['latency.csv'], window: '2.5' }, '--window 2.5: expected a whole number of points from 2 to 5000'],
    ['a p-value of 0', { files: ['latency.csv'], pValue: '0' }, '--p-value 0: expected a probability > 0 and <= 1, e.g. 0.001'],
    ['a p-value that is no number', { files: ['latency.csv'], pValue: 'low' }, '--p-value low: expected a probability > 0 and <= 1, e.g. 0.001'],
    ['a negative magnitude', { files: ['latency.csv'], magnitude: '-1' }, '--magnitude -1: expected a relative change >= 0, e.g. 0.05 or 5%'],
    ['an unknown direction', { files: ['latency.csv'], directions: ['down'] }, '--direction down: expected lower (lower is better: latency, memory), higher (throughput), or METRIC=lower|higher'],
    ['a direction for an unknown metric', { files: ['latency.csv'], directions: ['p99=higher'] }, '--direction p99=higher: no such metric in the history (metrics: latency_ms, throughput_rps)'],
    ['no file', { files: [] }, 'no history file given (usage: slowatch regress FILE... [options])'],
    ['an unknown metric', { files: ['latency.csv'], metrics: ['p99'] }, '--metric p99: no such metric in the history (metrics: latency_ms, throughput_rps)'],
    ['a metric without numbers', { files: ['latency.csv'], metrics: ['branch'] }, '--metric branch: that column holds no numbers (metrics: latency_ms, throughput_rps)'],
    ['a missing file', { files: ['nope.csv'] }, 'nope.csv: cannot read: no such file'],
    ['a bad cell', { files: ['bad-number.csv'] }, 'bad-number.csv:4: column "latency_ms": "12ms" is not a number (use a plain number like 12.5 or 1e3; an empty cell is a missing value)'],
    ['a bad record', { files: ['bad-record.json'] }, 'bad-record.json [1].latency_ms: expected a number (null for a missing value), got a string ("12ms")'],
    ['a file without metrics', { files: ['no-metrics.csv'] }, 'no-metrics.csv: no metric with numbers found (columns without numbers: branch)'],
  ])('exits 2 with one line on stderr for %s', (_case, options, message) => {
    const result = run(options);
    expect(result).toEqual({ exitCode: REGRESS_EXIT.usage, stdout: '', stderr: `slowatch regress: ${message}\n` });
  });

  it('exits 2 on the syntax error of a JSON file, naming its line', () => {
    const result = run({ files: ['bad-syntax.json'] });
    expect(result.exitCode).toBe(REGRESS_EXIT.usage);
    expect(result.stderr).toMatch(/^slowatch regress: bad-syntax\.json:3: not valid JSON: [^\n]*\n$/);
  });
});

describe.skipIf(!otavaPresent)("slowatch regress on Otava's sample history", () => {
  it('finds the -12.9 % change of metric2 between commits aaa5 and aaa6, as Otava reports', () => {
    const result = run({ files: ['sample.csv'], json: true }, OTAVA_RESOURCES);
    expect(result.exitCode).toBe(REGRESS_EXIT.ok);
    const report = JSON.parse(result.stdout) as RegressJsonReport;
    expect(report.points).toBe(10);
    expect(report.metrics.map((metric) => [metric.metric, metric.changePoints.length])).toEqual([
      ['metric1', 0],
      ['metric2', 1],
    ]);
    const change = report.metrics[1]?.changePoints[0];
    expect(change).toMatchObject({ index: 6, commit: 'aaa6', time: '2024.01.07 3:00:00 +0100', timestamp: '2024-01-07T02:00:00Z', verdict: 'improvement' });
    expect(change?.changePercent.toFixed(1)).toBe('-12.9');
    expect(Math.abs((change?.pValue ?? 0) / 4.9852621831716505e-6 - 1)).toBeLessThan(1e-6);
  });

  it('fails the gate when lower is worse (higher is better)', () => {
    const result = run({ files: ['sample.csv'], directions: ['higher'], failOnRegression: true }, OTAVA_RESOURCES);
    expect(result.exitCode).toBe(REGRESS_EXIT.regression);
    expect(result.stdout).toMatch(/metric2 +6 +2024-01-07T02:00:00Z +aaa6 +10\.4817 +9\.125 +-12\.94% +4\.99e-6 +regression/);
    expect(result.stderr).toBe('slowatch regress: regression: metric2 (-12.94% at index 6, commit aaa6)\n');
  });

  it('reads the multi-branch sample, ignoring the branch column', () => {
    const result = run({ files: ['sample_multi_branch.csv'], json: true }, OTAVA_RESOURCES);
    expect(result.exitCode).toBe(REGRESS_EXIT.ok);
    expect((JSON.parse(result.stdout) as RegressJsonReport).metrics.map((metric) => metric.metric)).toEqual(['metric1', 'metric2']);
  });
});

describe('addRegressCommand', () => {
  function parse(args: readonly string[]) {
    let stdout = '';
    let stderr = '';
    let exitCode: number | undefined;
    const program = new Command('slowatch');
    addRegressCommand(program, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: () => FIXTURES,
      setExitCode: (code) => {
        exitCode = code;
      },
      exit: (code): never => {
        throw Object.assign(new Error('exit'), { exitCode: code });
      },
    });
    try {
      program.parse(['regress', ...args], { from: 'user' });
    } catch (error) {
      exitCode = (error as { exitCode?: number }).exitCode;
    }
    return { stdout, stderr, exitCode };
  }

  it('passes the options through to runRegress', () => {
    const result = parse(['latency.csv', '--metric', 'throughput_rps', '--direction', 'higher', '--window', '20', '--p-value', '0.01', '--magnitude', '1%', '--json', '--fail-on-regression']);
    expect(result.exitCode).toBe(REGRESS_EXIT.ok);
    const report = JSON.parse(result.stdout) as RegressJsonReport;
    expect(report.settings).toEqual({ window: 20, pValue: 0.01, magnitude: 0.01, direction: 'higher', directions: {} });
    expect(report.metrics.map((metric) => metric.metric)).toEqual(['throughput_rps']);
  });

  it('takes several files and repeated --metric and --direction options', () => {
    const result = parse(['heap-records.json', 'heap-runs.jsonl', '--metric', 'heap_mb', '--direction', 'higher', '--direction', 'heap_mb=lower', '--json']);
    const report = JSON.parse(result.stdout) as RegressJsonReport;
    expect(report.files).toEqual(['heap-records.json', 'heap-runs.jsonl']);
    expect(report.points).toBe(16);
    expect(report.metrics[0]?.direction).toBe('lower');
  });

  it('exits 2 on usage errors commander finds', () => {
    const unknown = parse(['latency.csv', '--bogus']);
    expect(unknown.exitCode).toBe(REGRESS_EXIT.usage);
    expect(unknown.stderr).toBe("error: unknown option '--bogus'\n");
    expect(parse([]).exitCode).toBe(REGRESS_EXIT.usage);
    expect(parse(['latency.csv', '--window']).exitCode).toBe(REGRESS_EXIT.usage);
  });

  it('prints help and exits 0 with --help', () => {
    const help = parse(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: slowatch regress [options] <file...>');
    expect(help.stdout).toContain('--fail-on-regression');
  });
});

describe('analyzeHistory', () => {
  it('maps change points back to history points past missing values', () => {
    const rows = ['commit,x,y', ...[1, 1.1, 0.9, 1, null, 1.05, 5, 5.1, null, 4.9, 5].map((x, i) => `c${i},${x ?? ''},${i}`)];
    const history = parseCsvHistory(rows.join('\n'), 'h.csv');
    const analysis = analyzeHistory(history, { detection: { maxPValue: 0.01 }, metrics: ['x'] });
    expect(analysis.metrics).toHaveLength(1);
    expect(analysis.metrics[0]?.values).toBe(9);
    // The step is at the 6th value of x, which is history point 6 (point 4 has no x).
    expect(analysis.metrics[0]?.changes.map((change) => [change.index, change.point.commit, change.verdict])).toEqual([[6, 'c6', 'regression']]);
    expect(analysis.newestRegressions.map((change) => change.metric)).toEqual(['x']);
  });

  it('judges a change by the direction that is better', () => {
    expect(verdictOf(10, 12, 'lower')).toBe('regression');
    expect(verdictOf(10, 8, 'lower')).toBe('improvement');
    expect(verdictOf(10, 12, 'higher')).toBe('improvement');
    expect(verdictOf(10, 8, 'higher')).toBe('regression');
    expect(verdictOf(10, 10, 'higher')).toBe('unchanged');
  });
});

describe('report numbers', () => {
  it('prints means with six significant digits and p-values compactly', () => {
    expect([12.01, 10.481666666, 154023.4567, 0, 2e-7, 3e12].map(formatNumber)).toEqual(['12.01', '10.4817', '154023', '0', '2.000e-7', '3.000e+12']);
    expect([0.0123456, 0.0001, 4.986e-6, 0, 1].map(formatPValue)).toEqual(['0.0123', '0.0001', '4.99e-6', '0', '1']);
  });
});
