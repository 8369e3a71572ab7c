import type { Command, CommanderError } from 'commander';
import { HistoryInputError } from '../ci/history-error';
import { readHistory } from '../ci/history-input';
import type { ReadTextFile } from '../ci/history-input';
import { MetricSelectionError, analyzeHistory } from '../ci/regress-analysis';
import type { BetterDirection } from '../ci/regress-analysis';
import { describeChange, formatRegressReport, regressJsonReport } from '../ci/regress-report';
import type { RegressSettings } from '../ci/regress-report';
import { DEFAULT_MAX_P_VALUE, DEFAULT_MIN_MAGNITUDE, DEFAULT_WINDOW_LENGTH } from '../stats/changepoint/detect-change-points';
import type { TextOutput } from './validate-command';
import { processExitHooks } from './process-exit-hooks';

/** Exit codes of `slowatch regress`. */
export const REGRESS_EXIT = {
  /** Analysed; no failing regression (or --fail-on-regression not given). */
  ok: 0,
  /** --fail-on-regression and the newest change point of some metric is a regression. */
  regression: 1,
  /** Bad usage or unreadable input: one line on stderr. */
  usage: 2,
} as const;

/**
 * Largest `--window`. The candidate search costs O(window²) time per round
 * and 24 bytes a point of memory; 5 000 points is far more context than a
 * regression needs (Otava's default is 50).
 */
export const MAX_WINDOW = 5000;

/** `slowatch regress` as typed: option values are the raw strings (numbers accepted too, for callers in code). */
export interface RegressCommandOptions {
  /** History files, oldest first. */
  readonly files: readonly string[];
  /** `--metric`, repeatable; none = every metric. */
  readonly metrics?: readonly string[];
  /** `--window`, points per sliding window. @default 50 */
  readonly window?: string | number;
  /** `--p-value`, the largest p-value a change point may have. @default 0.001 */
  readonly pValue?: string | number;
  /** `--magnitude`, the smallest relative change kept: 0.05 or 5%. @default 0 */
  readonly magnitude?: string | number;
  /**
   * `--direction`, repeatable: `lower` or `higher` says which way is better
   * for every metric, `METRIC=lower|higher` for one. @default ['lower']
   */
  readonly directions?: readonly string[];
  /** `--json`: the machine-readable report instead of the table. @default false */
  readonly json?: boolean;
  /** `--fail-on-regression`: exit 1 when the newest change point of any metric is a regression. @default false */
  readonly failOnRegression?: boolean;
}

/** Where the command reads and writes; the process's own in the CLI, buffers in tests. */
export interface RegressIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  /** Directory relative file names are resolved against. */
  readonly cwd: string;
  /** Reads a resolved path; @default the file system, bounded by MAX_HISTORY_FILE_BYTES. */
  readonly readTextFile?: ReadTextFile;
}

/**
 * `slowatch regress FILE...`: reads a benchmark history, finds each metric's
 * change points with Otava's method (see `detectChangePoints`), prints them
 * (a table, or JSON with `json`) and returns the exit code (`REGRESS_EXIT`).
 * Never throws for bad input: it says so in one stderr line and returns 2.
 */
export function runRegress(options: RegressCommandOptions, io: RegressIo): number {
  const fail = (message: string): number => {
    io.stderr.write(`slowatch regress: ${message}\n`);
    return REGRESS_EXIT.usage;
  };
  const settings = parseSettings(options);
  if (typeof settings === 'string') return fail(settings);
  if (options.files.length === 0) return fail('no history file given (usage: slowatch regress FILE... [options])');
  const optionLike = options.files.find((file) => file.startsWith('--'));
  if (optionLike !== undefined) return fail(`unknown option ${optionLike} (see slowatch regress --help)`);
  try {
    const history = readHistory(options.files, io.cwd, io.readTextFile);
    if (history.metrics.length === 0) {
      const ignored = history.ignoredFields.length === 0 ? '' : ` (columns without numbers: ${history.ignoredFields.join(', ')})`;
      return fail(`${options.files.join(', ')}: no metric with numbers found${ignored}`);
    }
    const analysis = analyzeHistory(history, {
      detection: { windowLength: settings.windowLength, maxPValue: settings.maxPValue, minMagnitude: settings.minMagnitude },
      direction: settings.direction,
      directions: settings.directions,
      metrics: options.metrics,
    });
    const report = { files: options.files, history, analysis, settings };
    io.stdout.write(options.json === true ? `${JSON.stringify(regressJsonReport(report), null, 2)}\n` : formatRegressReport(report));
    if (history.points.length === 1 && history.points[0]?.location === '') {
      io.stderr.write('slowatch regress: note: one hyperfine export is a single run; pass the exports of successive runs, oldest first\n');
    }
    if (options.failOnRegression === true && analysis.newestRegressions.length > 0) {
      io.stderr.write(`slowatch regress: regression: ${analysis.newestRegressions.map(describeChange).join('; ')}\n`);
      return REGRESS_EXIT.regression;
    }
    return REGRESS_EXIT.ok;
  } catch (error) {
    if (error instanceof HistoryInputError || error instanceof MetricSelectionError) return fail(error.message);
    throw error;
  }
}

/** The validated settings, or what is wrong with them. */
function parseSettings(options: RegressCommandOptions): RegressSettings | string {
  const windowText = String(options.window ?? DEFAULT_WINDOW_LENGTH).trim();
  const windowLength = /^\d+$/.test(windowText) ? Number(windowText) : NaN;
  if (!(windowLength >= 2 && windowLength <= MAX_WINDOW)) return `--window ${windowText}: expected a whole number of points from 2 to ${MAX_WINDOW}`;
  const pText = String(options.pValue ?? DEFAULT_MAX_P_VALUE).trim();
  const maxPValue = parsePlainNumber(pText);
  if (!(maxPValue > 0 && maxPValue <= 1)) return `--p-value ${pText}: expected a probability > 0 and <= 1, e.g. 0.001`;
  const magnitudeText = String(options.magnitude ?? DEFAULT_MIN_MAGNITUDE).trim();
  const minMagnitude = magnitudeText.endsWith('%') ? parsePlainNumber(magnitudeText.slice(0, -1)) / 100 : parsePlainNumber(magnitudeText);
  if (!(minMagnitude >= 0) || !Number.isFinite(minMagnitude)) return `--magnitude ${magnitudeText}: expected a relative change >= 0, e.g. 0.05 or 5%`;
  let direction: BetterDirection = 'lower';
  const directions = new Map<string, BetterDirection>();
  for (const text of options.directions ?? []) {
    const separator = text.lastIndexOf('=');
    const metric = separator === -1 ? undefined : text.slice(0, separator).trim();
    const value = (separator === -1 ? text : text.slice(separator + 1)).trim();
    if ((value !== 'lower' && value !== 'higher') || metric === '') {
      return `--direction ${text}: expected lower (lower is better: latency, memory), higher (throughput), or METRIC=lower|higher`;
    }
    if (metric === undefined) direction = value;
    else directions.set(metric, value);
  }
  return { windowLength, maxPValue, minMagnitude, direction, directions };
}

/** Commander's accumulator for a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parsePlainNumber(text: string): number {
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : NaN;
}

/** What the registered command runs against; the process's own unless replaced (tests). */
export interface RegressProcess {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly cwd: () => string;
  /** Records a finished run's exit code (process.exitCode in the CLI, so output is flushed first). */
  readonly setExitCode: (code: number) => void;
  /**
   * Ends at once with `code`, for commander's own usage errors (exit 2) and
   * --help (exit 0). Must not return: commander exits the process itself
   * after it otherwise. Tests pass one that throws.
   */
  readonly exit: (code: number) => never;
}

/**
 * Registers `slowatch regress` on `program`. Usage errors caught by commander
 * (an unknown option, a missing value) exit 2 like the command's own.
 */
export function addRegressCommand(program: Command, overrides: Partial<RegressProcess> = {}): void {
  const io: RegressProcess = {
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr,
    cwd: overrides.cwd ?? (() => process.cwd()),
    ...processExitHooks(overrides),
  };
  program
    .command('regress')
    .description("find change points in a benchmark history (Apache Otava's method) and flag regressions")
    .argument('<file...>', 'history files, oldest first: CSV, JSON, JSON lines, or hyperfine --export-json files (one per run)')
    .option('--metric <name>', 'metric to analyse; repeat for several (default: every metric)', collect, [])
    .option('--window <points>', 'points per sliding window', String(DEFAULT_WINDOW_LENGTH))
    .option('--p-value <p>', 'largest p-value of a reported change point', String(DEFAULT_MAX_P_VALUE))
    .option('--magnitude <ratio>', 'smallest relative change reported, e.g. 0.05 or 5%', String(DEFAULT_MIN_MAGNITUDE))
    .option('--direction <lower|higher|METRIC=lower|higher>', 'which way is better, for every metric or for one; repeatable (default: lower)', collect, [])
    .option('--json', 'print the report as JSON')
    .option('--fail-on-regression', 'exit 1 when the newest change point of any metric is a regression')
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .exitOverride((error: CommanderError) => io.exit(error.exitCode === 0 ? REGRESS_EXIT.ok : REGRESS_EXIT.usage))
    .action((files: string[], options: { metric: string[]; window: string; pValue: string; magnitude: string; direction: string[]; json?: boolean; failOnRegression?: boolean }) => {
      io.setExitCode(
        runRegress(
          {
            files,
            metrics: options.metric,
            window: options.window,
            pValue: options.pValue,
            magnitude: options.magnitude,
            directions: options.direction,
            json: options.json === true,
            failOnRegression: options.failOnRegression === true,
          },
          { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd() },
        ),
      );
    });
}
