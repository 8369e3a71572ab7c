import { existsSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error';
import { formatConfigIssue } from '../config/config-issue';
import { loadConfig } from '../config/load-config';
import { readPrometheusReportInput } from '../report/prometheus-report-reader';
import { renderSloReportHtml } from '../report/render-html';
import { renderSloReportJson } from '../report/render-json';
import { renderSloReportMarkdown } from '../report/render-markdown';
import { ReportInputError } from '../report/report-input-error';
import { parseReportPeriod, ReportPeriodError } from '../report/report-period-args';
import { buildSloReport } from '../report/slo-report';
import type { ReportPeriod, SloReport, SloReportInput } from '../report/slo-report';
import { readSloReportInput } from '../report/store-report-reader';
import { configObjectives } from '../rules/objective-rules';
import type { ReportStore } from '../storage/report-store';
import { SlowatchStore } from '../storage/slowatch-store';
import { StoreOpenError } from '../storage/store-open-error';
import { createProgressBar } from './progress-bar';
import type { ProgressStream } from './progress-bar';
import type { TextOutput } from './validate-command';
import { processExitHooks } from './process-exit-hooks';

/*
 * `slowatch report`: the SLO report over a period (Markdown, HTML or JSON),
 * read from the local store (`extensions.storage`) or from a Prometheus
 * server evaluating the generated rules. See docs/reports.md.
 */

/** Exit codes of `slowatch report`. */
export const REPORT_EXIT = {
  /** Written. */
  ok: 0,
  /** The store or Prometheus cannot be read, an --slo is unknown, the config is invalid, or the output cannot be written. */
  failed: 1,
  /** Bad usage (an unknown option, a bad --period/--from/--to/--format, conflicting flags): one line on stderr. */
  usage: 2,
} as const;

/** Where the gateway's storage extension keeps its store by default. */
export const DEFAULT_REPORT_STORE = './data/slowatch.db';

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The formats an --out file's extension implies when --format is not given. */
const FORMAT_OF_EXTENSION: Readonly<Record<string, ReportFormat>> = { '.md': 'md', '.markdown': 'md', '.html': 'html', '.htm': 'html', '.json': 'json' };

export interface ReportCommandOptions {
  /** `--period`: a duration ending now. @default '30d' (when neither --from nor --to is given) */
  readonly period?: string | undefined;
  /** `--from`: RFC 3339 or YYYY-MM-DD (UTC). */
  readonly from?: string | undefined;
  /** `--to`: RFC 3339 or YYYY-MM-DD (UTC), exclusive. @default now */
  readonly to?: string | undefined;
  /** `--slo`, repeatable: only these SLOs. @default every SLO */
  readonly slos?: readonly string[];
  /** `--format md|html|json`. @default the --out file's extension, else 'md' */
  readonly format?: string | undefined;
  /** `--out FILE`. @default stdout */
  readonly out?: string | undefined;
  /** `--store PATH`, opened read-only. @default './data/slowatch.db' */
  readonly store?: string | undefined;
  /** `--prometheus URL`: read from Prometheus instead of the store. */
  readonly prometheus?: string | undefined;
  /** `--config PATH` (with --prometheus): where the objectives come from; else $SLOWATCH_CONFIG, ./otel-config.yaml, built-in defaults. */
  readonly configPath?: string | undefined;
}

/** A store the command can read and then close. */
export type ClosableReportStore = ReportStore & { close(): void };

export interface ReportIo {
  readonly stdout: TextOutput;
  /** Errors, notes, and the progress bar when it is a TTY. */
  readonly stderr: TextOutput & ProgressStream;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The clock, read once for --period and a --to left out. */
  readonly nowMs: () => number;
  /** @default SlowatchStore.open({ path, readonly: true }) */
  readonly openStore?: (absolutePath: string) => ClosableReportStore;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default fs.writeFileSync */
  readonly writeTextFile?: (absolutePath: string, text: string) => void;
}

/** The format to write, or what is wrong with --format. */
export function reportFormatOf(format: string | undefined, out: string | undefined): { readonly format: ReportFormat } | { readonly error: string } {
  if (format === undefined) return { format: (out === undefined ? undefined : FORMAT_OF_EXTENSION[extname(out).toLowerCase()]) ?? 'md' };
  const known = REPORT_FORMATS.find((candidate) => candidate === (format === 'markdown' ? 'md' : format));
  return known === undefined ? { error: `--format must be ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}` } : { format: known };
}

/** The report rendered in a format. */
export function renderReport(report: SloReport, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return renderSloReportMarkdown(report);
    case 'html':
      return renderSloReportHtml(report);
    case 'json':
      return renderSloReportJson(report);
  }
}

/**
 * Reads, builds and writes the report. Returns the exit code (REPORT_EXIT);
 * never throws for bad input or an unreadable source.
 */
export async function runReport(options: ReportCommandOptions, io: ReportIo): Promise<number> {
  const say = (message: string): void => void io.stderr.write(`slowatch report: ${message}\n`);
  const usage = (message: string): number => {
    say(message);
    return REPORT_EXIT.usage;
  };
  const chosen = reportFormatOf(options.format, options.out);
  if ('error' in chosen) return usage(chosen.error);
  if (options.prometheus !== undefined && options.store !== undefined) return usage('--store and --prometheus are two sources: give one (the store is the default)');
  if (options.prometheus === undefined && options.configPath !== undefined) {
    return usage('--config applies to --prometheus (where the objectives come from); a store remembers its own objectives');
  }
  for (const name of options.slos ?? []) if (name === '') return usage('--slo must not be empty (leave it out for every SLO)');
  let period: ReportPeriod;
  try {
    period = parseReportPeriod(options, io.nowMs());
  } catch (error) {
    if (error instanceof ReportPeriodError) return usage(error.message);
    throw error;
  }

  const bar = createProgressBar(io.stderr, { label: 'slowatch report: reading SLOs' });
  const readOptions = {
    fromMs: period.fromMs,
    toMs: period.toMs,
    label: period.label,
    ...(options.slos !== undefined && options.slos.length > 0 && { slos: options.slos }),
    onProgress: (done: number, total: number) => bar.update(done, total),
  };
  let input: SloReportInput;
  try {
    if (options.prometheus === undefined) {
      input = readFromStore(resolve(io.cwd, options.store ?? DEFAULT_REPORT_STORE), readOptions, io);
    } else {
      const objectives = configObjectives(loadConfig({ configPath: options.configPath, env: io.env, cwd: io.cwd }).config);
      input = await readPrometheusReportInput({ ...readOptions, url: options.prometheus, objectives, ...(io.fetch !== undefined && { fetch: io.fetch }) });
    }
  } catch (error) {
    bar.finish();
    if (error instanceof ConfigError) {
      for (const issue of error.issues) io.stderr.write(`${formatConfigIssue(issue)}\n`);
      return REPORT_EXIT.failed;
    }
    if (error instanceof ReportInputError || error instanceof StoreOpenError) {
      say(error.message);
      return REPORT_EXIT.failed;
    }
    say(`cannot read the report: ${error instanceof Error ? error.message : String(error)}`);
    return REPORT_EXIT.failed;
  }
  bar.finish();
  if (options.prometheus !== undefined) {
    say(`note: ${PROMETHEUS_NOTE}`);
    input = { ...input, notes: [...(input.notes ?? []), PROMETHEUS_NOTE] };
  }

  const text = renderReport(buildSloReport(input), chosen.format);
  if (options.out === undefined) {
    io.stdout.write(text);
    return REPORT_EXIT.ok;
  }
  try {
    (io.writeTextFile ?? ((file: string, content: string) => writeFileSync(file, content)))(resolve(io.cwd, options.out), text);
  } catch (error) {
    say(`cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return REPORT_EXIT.failed;
  }
  return REPORT_EXIT.ok;
}

/** Said on stderr and in the report itself: a reader of the file must know why the lists are empty. */
const PROMETHEUS_NOTE = 'read from Prometheus: anomalies, regressions and recommendations are kept in the store only, so their lists are empty';

function readFromStore(file: string, readOptions: Parameters<typeof readSloReportInput>[1], io: ReportIo): SloReportInput {
  // Checked here too so that an injected opener (tests) behaves like the real one: a report never creates a store.
  if (!existsSync(file)) {
    throw new ReportInputError(`store ${file} does not exist; run the gateway with extensions.storage to create it, or pass --store PATH (or --prometheus URL)`);
  }
  const store = (io.openStore ?? ((path: string) => SlowatchStore.open({ path, readonly: true })))(file);
  try {
    return readSloReportInput(store, readOptions);
  } finally {
    store.close();
  }
}

/** What the registered command runs against; the process's own unless replaced (tests). */
export interface ReportProcess extends Omit<ReportIo, 'cwd'> {
  readonly cwd: () => string;
  readonly setExitCode: (code: number) => void;
  /** Ends at once (commander's usage errors and --help); must not return. */
  readonly exit: (code: number) => never;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Registers `slowatch report` on `program` (run it with `parseAsync`). */
export function addReportCommand(program: Command, overrides: Partial<ReportProcess> = {}): void {
  const io: ReportProcess = {
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr,
    cwd: overrides.cwd ?? (() => process.cwd()),
    env: overrides.env ?? process.env,
    nowMs: overrides.nowMs ?? (() => Date.now()),
    ...(overrides.openStore !== undefined && { openStore: overrides.openStore }),
    ...(overrides.fetch !== undefined && { fetch: overrides.fetch }),
    ...(overrides.writeTextFile !== undefined && { writeTextFile: overrides.writeTextFile }),
    ...processExitHooks(overrides),
  };
  program
    .command('report')
    .description('write the SLO report over a period (attained SLI, error budget, burn-down, incidents, anomalies, regressions, recommendations)')
    .option('--period <duration>', 'the period ending now, e.g. 7d, 30d (default: 30d)')
    .option('--from <time>', 'period start: RFC 3339 or YYYY-MM-DD (UTC)')
    .option('--to <time>', 'period end, exclusive: RFC 3339 or YYYY-MM-DD (UTC) (default: now)')
    .option('--slo <name>', 'only this SLO; repeatable (default: every SLO)', collect)
    .option('--format <md|html|json>', "output format (default: the --out file's extension, else md)")
    .option('--out <file>', 'write the report to this file (default: stdout)')
    .option('--store <path>', `the store to read, opened read-only (default: ${DEFAULT_REPORT_STORE})`)
    .option('--prometheus <url>', 'read from this Prometheus server (evaluating the rules of `slowatch rules`) instead of the store')
    .option('--config <path>', 'with --prometheus: the configuration the objectives come from (default: $SLOWATCH_CONFIG, then ./otel-config.yaml, then built-in defaults)')
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .exitOverride((error: CommanderError) => io.exit(error.exitCode === 0 ? REPORT_EXIT.ok : REPORT_EXIT.usage))
    .action(
      async (options: { period?: string; from?: string; to?: string; slo?: string[]; format?: string; out?: string; store?: string; prometheus?: string; config?: string }) => {
        io.setExitCode(
          await runReport(
            {
              period: options.period,
              from: options.from,
              to: options.to,
              slos: options.slo ?? [],
              format: options.format,
              out: options.out,
              store: options.store,
              prometheus: options.prometheus,
              configPath: options.config,
            },
            { ...io, cwd: io.cwd() },
          ),
        );
      },
    );
}
