import { InvalidArgumentError } from 'commander';
import type { Command, CommanderError } from 'commander';
import { compareSamples } from '../ci/compare-samples';
import { formatCompareJson, formatCompareTable } from '../ci/compare-report-format';
import { SamplesInputError, readSamplesFile } from '../ci/samples-input';
import type { MetricSamples } from '../ci/samples-input';
import type { TextOutput } from './validate-command';
import { processExitHooks } from './process-exit-hooks';

/** Exit codes of `slowatch compare`. */
export const COMPARE_EXIT_OK = 0;
export const COMPARE_EXIT_REGRESSION = 1;
export const COMPARE_EXIT_USAGE = 2;

/** `slowatch compare` options as parsed from the command line. */
export interface CompareCommandOptions {
  /** `--baseline FILE`: the control samples. Required. */
  readonly baseline?: string | undefined;
  /** `--current FILE`: the experiment samples. Required. */
  readonly current?: string | undefined;
  /** `--json`: one JSON document instead of the table. @default false */
  readonly json?: boolean | undefined;
  /** `--metric M`, repeatable: compare only these. @default every metric in both files */
  readonly metric?: readonly string[] | undefined;
  /** `--direction lower|higher`: which way is better. @default 'lower' */
  readonly direction?: string | undefined;
  /** `--tolerance`: fraction of the estimated shift the interval must clear, >= 0. @default 0.25 */
  readonly tolerance?: number | undefined;
  /** `--confidence`: confidence level in (0, 1). @default 0.95 */
  readonly confidence?: number | undefined;
}

/** Where `runCompare` reads and writes; the process in the CLI, fakes in tests. */
export interface CompareCommandIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  /** @default fs.readFileSync(path, 'utf8'), paths relative to the working directory */
  readonly readFile?: (filePath: string) => string;
}

/**
 * `slowatch compare`: classifies every metric of `--current` against the
 * same metric of `--baseline` with the Mann–Whitney canary judge, prints a
 * table (or JSON), and returns the exit code: 1 when a metric regressed
 * (High when lower is better, Low when higher is better), 2 on a usage or
 * input error (one line on stderr), 0 otherwise.
 */
export function runCompare(options: CompareCommandOptions, io: CompareCommandIo): number {
  const usageError = (message: string): number => {
    io.stderr.write(`slowatch compare: ${message}\n`);
    return COMPARE_EXIT_USAGE;
  };
  if (options.baseline === undefined || options.baseline === '') return usageError('--baseline FILE is required');
  if (options.current === undefined || options.current === '') return usageError('--current FILE is required');
  const direction = options.direction ?? 'lower';
  if (direction !== 'lower' && direction !== 'higher') return usageError(`--direction must be lower or higher, got ${JSON.stringify(direction)}`);
  const tolerance = options.tolerance ?? 0.25;
  if (!(Number.isFinite(tolerance) && tolerance >= 0)) return usageError(`--tolerance must be a number >= 0, got ${tolerance}`);
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) return usageError(`--confidence must be between 0 and 1 (exclusive), e.g. 0.95, got ${confidence}`);

  let baseline: MetricSamples;
  let current: MetricSamples;
  try {
    baseline = readSamplesFile(options.baseline, io.readFile);
    current = readSamplesFile(options.current, io.readFile);
  } catch (error) {
    if (error instanceof SamplesInputError) return usageError(error.message);
    throw error;
  }

  const selected = options.metric ?? [];
  const unknown = selected.filter((metric) => !baseline.metrics.has(metric) && !current.metrics.has(metric));
  if (unknown.length > 0) {
    const available = [...new Set([...baseline.metrics.keys(), ...current.metrics.keys()])];
    return usageError(`--metric ${unknown.map((m) => JSON.stringify(m)).join(', ')} is in neither file; metrics: ${available.join(', ')}`);
  }

  const report = compareSamples(baseline, current, { better: direction, tolerance, confidenceLevel: confidence, metrics: selected });
  if (report.comparisons.length === 0) {
    return usageError(`no metric is in both ${options.baseline} and ${options.current}; nothing to compare`);
  }
  io.stdout.write(options.json === true ? formatCompareJson(report, { baseline: options.baseline, current: options.current }) : formatCompareTable(report));
  return report.regressions > 0 ? COMPARE_EXIT_REGRESSION : COMPARE_EXIT_OK;
}

/** What `addCompareCommand` wires the subcommand to; the process unless a test injects fakes. */
export interface CompareCliIo extends CompareCommandIo {
  /** Receives runCompare's exit code. @default sets process.exitCode (lets stdout drain) */
  readonly setExitCode?: (code: number) => void;
  /** Ends a command-line parse error (exit 2) or --help (exit 0). @default process.exit */
  readonly exit?: (code: number) => void;
}

/** Adds `slowatch compare` to the program. */
export function addCompareCommand(program: Command, io: CompareCliIo = { stdout: process.stdout, stderr: process.stderr }): void {
  const { setExitCode, exit } = processExitHooks(io);
  program
    .command('compare')
    .description('judge benchmark samples of --current against --baseline per metric (Mann-Whitney, as Kayenta); exit 1 on a regression')
    .option('--baseline <file>', 'baseline samples: JSON {"metric": [values]}, JSON records, CSV with a header row, or hyperfine --export-json')
    .option('--current <file>', 'current samples, in any of the same formats')
    .option('--json', 'print one JSON document instead of the table')
    .option('--metric <name>', 'compare only this metric (repeatable; default: every metric in both files)', collect, [])
    .option('--direction <lower|higher>', 'which way is better: lower (latencies, sizes) or higher (throughputs)', 'lower')
    .option('--tolerance <fraction>', 'fraction of the estimated shift the confidence interval must clear', parseNumber, 0.25)
    .option('--confidence <level>', 'confidence level of the interval, between 0 and 1', parseNumber, 0.95)
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .exitOverride((error: CommanderError) => {
      // Usage errors exit 2 like input errors; --help exits 0.
      exit(error.exitCode === 0 ? COMPARE_EXIT_OK : COMPARE_EXIT_USAGE);
      throw error;
    })
    .action((options: CompareCommandOptions) => {
      setExitCode(runCompare(options, io));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || Number.isNaN(parsed)) throw new InvalidArgumentError('must be a number.');
  return parsed;
}
